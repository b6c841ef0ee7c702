"""Pure helpers that turn an analysis dict into what the templates draw.

The article text is cut at every annotation boundary (quotes, actor mentions, times, event triggers
and sentences) into segments that each know which records cover them. Templates then emit one
``<span>`` per segment with data attributes, and Jinja escapes the text: no markup is ever built
from article strings here.
"""
from __future__ import annotations

import math
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

N_COLOURS = 20  # palette classes cc-0 .. cc-19 in gestae.css: 16 fixed, 4 shared by the rest


# The countries and blocs news mentions most get a colour of their own, so that the usual
# counterparts (RUS/UKR, ISR/PSE, USA/CHN) never share one; the rest are hashed onto the last four.
FIXED_COLOURS = {c: k for k, c in enumerate(("RUS", "USA", "CHN", "UKR", "GBR", "FRA", "DEU", "ISR", "PSE",
                                              "IRN", "JPN", "NATO", "EU", "UN", "PRK", "KOR"))}


def country_class(country: str | None) -> str:
    """A stable palette class per country code; mentions without a country get ``cc-none``."""
    if not country:
        return "cc-none"
    k = FIXED_COLOURS.get(country)
    if k is None:
        shared = N_COLOURS - len(FIXED_COLOURS)
        k = len(FIXED_COLOURS) + zlib.crc32(country.encode("utf-8")) % shared
    return f"cc-{k}"


@dataclass(slots=True)
class Segment:
    start: int
    end: int
    text: str
    quotes: list[str] = field(default_factory=list)
    speakers: list[str] = field(default_factory=list)  # quote ids whose source mention this is
    actor: str | None = None
    colour: str | None = None
    times: list[str] = field(default_factory=list)
    triggers: list[str] = field(default_factory=list)
    sentences: list[str] = field(default_factory=list)
    labels: list[dict[str, str]] = field(default_factory=list)  # speaker labels shown before the text

    @property
    def classes(self) -> str:
        c = []
        if self.quotes:
            c.append("q")
        if self.speakers:
            c.append("qsrc")
        if self.actor:
            c += ["m", self.colour or "cc-none"]
        if self.times:
            c.append("tx")
        return " ".join(c)


def _clip(start: Any, end: Any, n: int) -> tuple[int, int] | None:
    if not isinstance(start, int) or not isinstance(end, int):
        return None
    start, end = max(0, min(start, n)), max(0, min(end, n))
    return (start, end) if start < end else None


def segments(analysis: dict[str, Any]) -> list[Segment]:
    """The article text cut at every annotation boundary, each piece tagged with what covers it."""
    text: str = analysis["article"]["text"]
    n = len(text)
    actors = {a["id"]: a for a in analysis.get("actors", [])}
    spans: list[tuple[int, int, str, str]] = []  # start, end, kind, id
    for a in actors.values():
        for m in a.get("mentions", []):
            if (c := _clip(m.get("start"), m.get("end"), n)):
                spans.append((*c, "actor", a["id"]))
    for q in analysis.get("quotes", []):
        if (c := _clip(q.get("start"), q.get("end"), n)):
            spans.append((*c, "quote", q["id"]))
        src = q.get("source")
        if src and (c := _clip(src.get("start"), src.get("end"), n)):
            spans.append((*c, "speaker", q["id"]))
    for t in analysis.get("times", []):
        if (c := _clip(t.get("start"), t.get("end"), n)):
            spans.append((*c, "time", t["id"]))
    for e in analysis.get("events", []):
        trig = e.get("trigger") or {}
        if (c := _clip(trig.get("start"), trig.get("end"), n)):
            spans.append((*c, "trigger", e["id"]))
        sent = e.get("sentence") or {}
        if (c := _clip(sent.get("start"), sent.get("end"), n)):
            spans.append((*c, "sentence", e["id"]))

    cuts = sorted({0, n, *(s for s, _, _, _ in spans), *(e for _, e, _, _ in spans)})
    # Sweep: spans sorted by start enter, and leave once the cut passes their end.
    spans.sort()
    active: list[tuple[int, int, str, str]] = []
    out: list[Segment] = []
    i = 0
    labels = quote_labels(analysis)
    for a, b in zip(cuts, cuts[1:], strict=False):
        while i < len(spans) and spans[i][0] <= a:
            active.append(spans[i])
            i += 1
        active = [s for s in active if s[1] > a]
        seg = Segment(a, b, text[a:b])
        for _, _, kind, rid in active:
            if kind == "actor" and seg.actor is None:
                seg.actor = rid
                seg.colour = country_class(actors[rid].get("country"))
            elif kind == "quote":
                seg.quotes.append(rid)
            elif kind == "speaker":
                seg.speakers.append(rid)
            elif kind == "time":
                seg.times.append(rid)
            elif kind == "trigger":
                seg.triggers.append(rid)
            elif kind == "sentence":
                seg.sentences.append(rid)
        seg.labels = labels.get(a, [])
        out.append(seg)
    return out


def actor_name(actors: dict[str, dict[str, Any]], actor_id: str | None) -> str:
    if actor_id is None:
        return "?"
    a = actors.get(actor_id)
    return a["name"] if a else actor_id


def quote_labels(analysis: dict[str, Any]) -> dict[int, list[dict[str, str]]]:
    """Speaker labels keyed by the offset of the quote they precede."""
    actors = {a["id"]: a for a in analysis.get("actors", [])}
    out: dict[int, list[dict[str, str]]] = {}
    for q in analysis.get("quotes", []):
        if not isinstance(q.get("start"), int):
            continue
        speaker = actors.get(q.get("speaker") or "")
        out.setdefault(q["start"], []).append({
            "quote": q["id"],
            "name": speaker["name"] if speaker else "unknown speaker",
            "colour": country_class(speaker.get("country")) if speaker else "cc-none",
        })
    return out


def event_rows(analysis: dict[str, Any]) -> list[dict[str, Any]]:
    """Events with their actors' names, ready for the list beside the text."""
    actors = {a["id"]: a for a in analysis.get("actors", [])}
    rows = []
    for e in analysis.get("events", []):
        rows.append({**e, "source_name": actor_name(actors, e.get("source")),
                     "target_name": actor_name(actors, e.get("target"))})
    return rows


def legend(analysis: dict[str, Any]) -> list[dict[str, str]]:
    """One legend entry per country that has a mentioned actor."""
    seen: dict[str, str] = {}
    for a in analysis.get("actors", []):
        if a.get("mentions"):
            key = a.get("country") or "unknown"
            seen.setdefault(key, country_class(a.get("country")))
    return [{"country": k, "colour": v} for k, v in sorted(seen.items())]


# ---- SVG geometry for the corpus views (numbers only: labels stay text for Jinja to escape) ----

def circle_layout(nodes: Iterable[str], width: float, height: float) -> dict[str, tuple[float, ...]]:
    """Nodes evenly on a circle, in the given order (callers sort by weight so neighbours are alike).

    Each position is (x, y, ux, uy, anchor): the outward unit vector and text anchor place the label
    outside the circle, where it cannot sit on an edge or a neighbour."""
    nodes = list(nodes)
    cx, cy, r = width / 2, height / 2, min(width, height) / 2 - 80
    out = {}
    for k, node in enumerate(nodes):
        angle = 2 * math.pi * k / max(len(nodes), 1) - math.pi / 2
        ux, uy = math.cos(angle), math.sin(angle)
        anchor = "middle" if abs(ux) < 0.3 else ("start" if ux > 0 else "end")
        out[node] = (round(cx + r * ux, 1), round(cy + r * uy, 1), round(ux, 3), round(uy, 3), anchor)
    return out


def node_radius(weight: int, max_weight: int) -> float:
    """Area proportional to the events a node takes part in, between 4 and 18 px."""
    return round(4 + 14 * math.sqrt(weight / max(max_weight, 1)), 1)


def tone(goldstein: float | None) -> str:
    """CSS class for a Goldstein score: cooperation, conflict or neither."""
    if goldstein is None or abs(goldstein) < 0.5:
        return "neutral"
    return "coop" if goldstein > 0 else "conf"


def query_string(filters: dict[str, Any], page: int | None = None) -> str:
    """A URL query from the non-empty filters (urlencode escapes every value)."""
    from urllib.parse import urlencode

    items = {k: v for k, v in filters.items() if v not in (None, "")}
    if page is not None:
        items["page"] = page
    return urlencode(items)


def edge_query(level: str, edge: dict[str, Any]) -> str:
    if level == "country":
        return query_string({"source": edge["source"], "target": edge["target"]})
    return query_string({"actor": edge["source_label"]})


def node_query(level: str, node: dict[str, Any]) -> str:
    return query_string({"country": node["id"]} if level == "country" else {"actor": node["label"]})

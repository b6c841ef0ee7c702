"""Scoring gestae output against gold: the figures of ``shared/eval/score.py``, inside the package.

``score_gold`` follows ``shared/spec/annotation.md``: quotes matched when half the shorter text's
words are in the other; speakers by a shared name word (or country for capitals); events as
(source country, type, target country) triples, optional and symmetric entries neutral; dates on
matched events; dyads the same with the type left out.
"""
from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from .errors import InputError

WORD = re.compile(r"\w+", re.UNICODE)
NAME_STOPWORDS = {"the", "of", "and", "mr", "mrs", "ms", "dr", "gen", "president", "minister"}
CAPITALS_AS_SPEAKERS = {"beijing", "moscow", "washington"}


def words(s: str | None) -> list[str]:
    return [w.lower() for w in WORD.findall(s or "")]


def word_overlap(a: str, b: str) -> float:
    """Share of the shorter text's words that also occur in the other."""
    wa, wb = Counter(words(a)), Counter(words(b))
    if not wa or not wb:
        return 0.0
    return sum((wa & wb).values()) / min(sum(wa.values()), sum(wb.values()))


def span_overlap(a: tuple[int, int], b: tuple[int, int]) -> float:
    """Share of the shorter character span covered by the other."""
    inter = min(a[1], b[1]) - max(a[0], b[0])
    shorter = min(a[1] - a[0], b[1] - b[0])
    return inter / shorter if inter > 0 and shorter > 0 else 0.0


def prf(tp: int, n_pred: int, n_gold: int) -> dict[str, Any]:
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"p": round(p, 4), "r": round(r, 4), "f1": round(f, 4), "tp": tp, "pred": n_pred, "gold": n_gold}


def load_predictions(path: str | Path) -> dict[str, dict[str, Any]]:
    preds = {}
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                a = json.loads(line)
                preds[a["article"]["id"]] = a
            except (json.JSONDecodeError, KeyError, TypeError) as e:
                raise InputError(f"{path}:{n}", f"not an analysis record ({e})") from None
    return preds


def name_match(pred_name: str, gold_name: str) -> bool:
    return bool((set(words(pred_name)) - NAME_STOPWORDS) & (set(words(gold_name)) - NAME_STOPWORDS))


def greedy_match(preds: Sequence[Any], golds: Sequence[Any], score: Callable[[Any, Any], float],
                 threshold: float) -> list[tuple[int, int]]:
    """Best-scoring (prediction, gold) index pairs, each side used once."""
    cands = sorted(((score(p, g), i, j) for i, p in enumerate(preds) for j, g in enumerate(golds)), reverse=True)
    used_p: set[int] = set()
    used_g: set[int] = set()
    pairs = []
    for s, i, j in cands:
        if s < threshold:
            break
        if i in used_p or j in used_g:
            continue
        used_p.add(i)
        used_g.add(j)
        pairs.append((i, j))
    return pairs


def match_entries(pred: set, core: list[frozenset], optional: list[frozenset]) -> tuple[list, int]:
    """Match predicted items to gold entries (sets of acceptable forms), narrowest entries first.

    Returns the hits as (entry, predictions fitting it) and how many predictions count: those
    fitting an optional entry, or an already matched one, are neutral."""
    used: set = set()
    hits = []
    for forms in sorted(core, key=lambda f: (len(f), sorted(map(str, f)))):
        free = sorted((p for p in pred if p in forms and p not in used), key=str)
        if free:
            used.add(free[0])
            hits.append((forms, [p for p in pred if p in forms]))
    matched = [f for f, _ in hits]
    neutral = {p for p in pred if p not in used and any(p in f for f in list(optional) + matched)}
    return hits, len(pred) - len(neutral)


def _event_entries(gold: dict[str, Any]) -> tuple[dict[frozenset, set], list[frozenset]]:
    core: dict[frozenset, set] = {}
    optional: list[frozenset] = []
    for g in gold.get("events", []):
        forms = set()
        for t in g["type"]:
            forms.add((g["source"], t, g["target"]))
            if g.get("symmetric"):
                forms.add((g["target"], t, g["source"]))
        if g.get("optional"):
            optional.append(frozenset(forms))
        else:
            core.setdefault(frozenset(forms), set()).add(g.get("date"))
    # a wider duplicate (symmetric or multi-type) of a narrower entry merges into it; its extra forms are neutral
    wider = [f for f in core if any(o < f for o in core)]
    optional += wider
    for f in wider:
        for o in core:
            if o < f:
                core[o] |= core[f]
    return {f: d for f, d in core.items() if f not in wider}, optional


def score_article(pred: dict[str, Any], gold: dict[str, Any], c: Counter) -> dict[str, Any]:
    actors = {x["id"]: x for x in pred.get("actors", [])}
    pq = pred.get("quotes", [])
    gq = gold.get("quotes", [])
    core_q = [g for g in gq if not g.get("optional")]
    opt_q = [g for g in gq if g.get("optional")]

    def sim(p, g):
        return word_overlap(p["text"], g["text"])

    pairs = [(i, core_q[j]) for i, j in greedy_match(pq, core_q, sim, 0.5)]
    paired = {i for i, _ in pairs}
    rest = [pq[i] for i in range(len(pq)) if i not in paired]
    matched_opt = len(greedy_match(rest, opt_q, sim, 0.5))
    speakers_ok = 0
    for i, g in pairs:
        who = actors.get(pq[i].get("speaker") or "", {})
        if name_match(who.get("name", ""), g["speaker"]) or (
                g["speaker"].lower() in CAPITALS_AS_SPEAKERS and who.get("country") == g.get("country")):
            speakers_ok += 1
    c["q_tp"] += len(pairs)
    c["q_pred"] += len(pq) - matched_opt
    c["q_gold"] += len(core_q)
    c["speaker_ok"] += speakers_ok

    def country(actor_id):
        return actors.get(actor_id or "", {}).get("country")

    triples: set = set()
    dates: dict[tuple, set] = defaultdict(set)
    for ev in pred.get("events", []):
        if ev.get("negated"):
            continue
        t = (country(ev.get("source")), ev["type"], country(ev.get("target")))
        triples.add(t)
        dates[t].add(ev.get("date"))
    core, optional = _event_entries(gold)
    hits, n_pred = match_entries(triples, list(core), optional)
    for forms, found in hits:
        gold_dates = {d for d in core[forms] if d}
        if gold_dates:
            c["dates_n"] += 1
            c["dates_ok"] += any(dates[t] & gold_dates for t in found)
    c["e_tp"] += len(hits)
    c["e_pred"] += n_pred
    c["e_gold"] += len(core)

    def dyad(forms):
        return frozenset((s, t) for s, _x, t in forms)

    core_dy = list({dyad(f) for f in core})
    wider_dy = [f for f in core_dy if any(o < f for o in core_dy)]
    core_dy = [f for f in core_dy if f not in wider_dy]
    dy_hits, dy_pred = match_entries({(s, t) for s, _x, t in triples}, core_dy,
                                     [dyad(f) for f in optional] + wider_dy)
    c["dy_tp"] += len(dy_hits)
    c["dy_pred"] += dy_pred
    c["dy_gold"] += len(core_dy)
    return {"id": gold["id"], "quotes_tp": len(pairs), "events_tp": len(hits), "events_gold": len(core),
            "events_pred": len(triples)}


def score_gold(preds: dict[str, dict[str, Any]], golds: Iterable[dict[str, Any]]) -> dict[str, Any]:
    c: Counter = Counter()
    per_article = []
    missing = []
    for gold in golds:
        pred = preds.get(gold["id"])
        if pred is None:
            missing.append(gold["id"])
            pred = {"actors": [], "quotes": [], "events": []}
        per_article.append(score_article(pred, gold, c))
    return {
        "quotes": prf(c["q_tp"], c["q_pred"], c["q_gold"]),
        "speaker_accuracy": round(c["speaker_ok"] / c["q_gold"], 4) if c["q_gold"] else 0.0,
        "events": prf(c["e_tp"], c["e_pred"], c["e_gold"]),
        "dyads": prf(c["dy_tp"], c["dy_pred"], c["dy_gold"]),
        "event_date_accuracy": round(c["dates_ok"] / c["dates_n"], 4) if c["dates_n"] else None,
        "articles": per_article,
        "missing": missing,
    }


def load_gold(paths: Iterable[str | Path]) -> list[dict[str, Any]]:
    out = []
    for p in paths:
        try:
            out.append(json.loads(Path(p).read_text(encoding="utf-8")))
        except FileNotFoundError:
            raise InputError(str(p), "no such file") from None
        except json.JSONDecodeError as e:
            raise InputError(f"{p}:{e.lineno}", f"invalid JSON ({e.msg})") from None
    return out

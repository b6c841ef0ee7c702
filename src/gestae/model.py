"""The one data model that flows through the pipeline.

Every stage reads and writes these small frozen records on the spaCy ``Doc`` (``doc._.actors``,
``doc._.quotes`` ...); :mod:`gestae.assemble` turns them into the ``gestae.analysis.v1`` JSON.
All offsets are character offsets into ``Article.text`` (start inclusive, end exclusive).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

FORMAT = "gestae.analysis.v1"

PLOVER_TYPES = (
    "AGREE", "CONSULT", "SUPPORT", "CONCEDE", "COOPERATE", "AID", "RETREAT", "REQUEST",
    "ACCUSE", "REJECT", "THREATEN", "PROTEST", "SANCTION", "MOBILIZE", "COERCE", "ASSAULT",
)


@dataclass(frozen=True, slots=True)
class Span:
    start: int
    end: int
    text: str

    def to_dict(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "text": self.text}


@dataclass(frozen=True, slots=True)
class Article:
    id: str
    text: str
    published: str | None = None  # YYYY-MM-DD, the anchor for relative dates
    title: str | None = None
    url: str | None = None
    source: str | None = None
    language: str | None = "en"
    origin: str | None = None  # "file:line" the record was read from, for messages
    # What reading had to repair (encoding fallback, invalid code points); copied to Analysis.warnings.
    warnings: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d.pop("origin")
        d.pop("warnings")
        return d


@dataclass(frozen=True, slots=True)
class Actor:
    id: str
    name: str
    kind: str  # person | organization | state | group | location | other
    country: str | None
    sectors: tuple[str, ...] = ()
    title: str | None = None
    code: str | None = None
    kb_id: str | None = None
    mentions: tuple[Span, ...] = ()
    members: tuple[str, ...] = ()  # for groups ("the two nations"): ids of the actors it stands for

    def to_dict(self) -> dict[str, Any]:
        d = {
            "id": self.id, "name": self.name, "kind": self.kind, "country": self.country,
            "sectors": list(self.sectors), "title": self.title, "code": self.code, "kb_id": self.kb_id,
            "mentions": [m.to_dict() for m in self.mentions],
        }
        if self.members:
            d["members"] = list(self.members)
        return d


@dataclass(frozen=True, slots=True)
class Quote:
    id: str
    kind: str  # direct | mixed | indirect
    start: int
    end: int
    text: str
    speaker: str | None  # actor id
    source: Span | None = None
    cue: Span | None = None
    rule: str | None = None  # which rule produced it: provenance

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "kind": self.kind, "text": self.text, "start": self.start, "end": self.end,
            "speaker": self.speaker, "source": self.source.to_dict() if self.source else None,
            "cue": self.cue.to_dict() if self.cue else None, "rule": self.rule,
        }


@dataclass(frozen=True, slots=True)
class Timex:
    id: str
    start: int
    end: int
    text: str
    type: str  # DATE | TIME | DURATION | SET
    value: str | None

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "text": self.text, "start": self.start, "end": self.end,
                "type": self.type, "value": self.value}


@dataclass(frozen=True, slots=True)
class Location:
    name: str
    country: str | None = None
    lat: float | None = None
    lon: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class Event:
    id: str
    type: str  # PLOVER type
    source: str | None  # actor id
    target: str | None  # actor id
    trigger: Span
    sentence: tuple[int, int]
    mode: str | None = None
    contexts: tuple[str, ...] = ()
    cameo: str | None = None
    goldstein: float | None = None
    date: str | None = None
    time: str | None = None  # id of the Timex the date came from
    date_precision: str | None = None
    location: Location | None = None
    negated: bool = False
    hypothetical: bool = False
    quote: str | None = None
    symmetric: bool = False
    confidence: float | None = None
    rule: str | None = None  # which rule or model produced it: provenance

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "type": self.type, "mode": self.mode, "contexts": list(self.contexts),
            "cameo": self.cameo, "goldstein": self.goldstein, "source": self.source, "target": self.target,
            "date": self.date, "time": self.time, "date_precision": self.date_precision,
            "location": self.location.to_dict() if self.location else None,
            "negated": self.negated, "hypothetical": self.hypothetical, "quote": self.quote,
            "symmetric": self.symmetric, "trigger": self.trigger.to_dict(),
            "sentence": {"start": self.sentence[0], "end": self.sentence[1]},
            "confidence": self.confidence, "rule": self.rule,
        }


@dataclass(frozen=True, slots=True)
class Analysis:
    article: Article
    actors: tuple[Actor, ...] = ()
    quotes: tuple[Quote, ...] = ()
    times: tuple[Timex, ...] = ()
    events: tuple[Event, ...] = ()
    warnings: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "format": FORMAT,
            "article": self.article.to_dict(),
            "actors": [a.to_dict() for a in self.actors],
            "quotes": [q.to_dict() for q in self.quotes],
            "times": [t.to_dict() for t in self.times],
            "events": [e.to_dict() for e in self.events],
        }
        if self.warnings:
            d["warnings"] = list(self.warnings)
        return d

"""Last stage, assemble: gather the records every stage left on the ``Doc`` into one :class:`Analysis`."""
from __future__ import annotations

from spacy.tokens import Doc

from .model import Analysis


def assemble(doc: Doc) -> Analysis:
    article = doc._.article
    actors = tuple(doc._.actors or ())
    # Actors nobody mentions (all their mentions merged away) carry no evidence: leave them out.
    actors = tuple(a for a in actors if a.mentions)
    return Analysis(
        article=article,
        actors=actors,
        quotes=tuple(sorted(doc._.quotes or (), key=lambda q: (q.start, q.end))),
        times=tuple(sorted(doc._.times or (), key=lambda t: (t.start, t.end))),
        events=tuple(sorted(doc._.events or (), key=lambda e: (e.trigger.start, e.id))),
        warnings=tuple(getattr(article, "warnings", ())),
    )

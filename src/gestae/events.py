"""Stage 6, events: PLOVER/CAMEO-coded events between actors (FIRST STUB - to be replaced)."""
from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc


@Language.component("gestae_events", assigns=["doc._.events"],
                    requires=["doc._.actors", "doc._.quotes", "doc._.times"])
def events_stage(doc: Doc) -> Doc:
    doc._.events = []
    return doc

"""Stage 7, places: where each event happened (FIRST STUB - to be replaced by the actors/places work)."""
from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc


@Language.component("gestae_places", assigns=["doc._.events"], requires=["doc._.events"])
def places_stage(doc: Doc) -> Doc:
    return doc

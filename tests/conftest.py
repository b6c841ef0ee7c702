"""Shared fixtures: paths to ../shared, the loaded pipeline, the seed article's analysis."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SEED_TXT = SHARED / "examples" / "russia-china-2023-11-08.txt"
SEED_GOLD = SHARED / "examples" / "russia-china-2023-11-08.gold.json"
WORLD_NEWS = SHARED / "corpora" / "world-news" / "articles.jsonl"
SCHEMA = SHARED / "spec" / "analysis.schema.json"


def reserved_ids() -> set[str]:
    return set(json.loads((SHARED / "eval" / "reserved-ids.json").read_text()))


def world_news(n: int | None = None, *, skip_reserved: bool = True) -> list[dict]:
    """World-news records in file order, never the ones reserved for evaluation."""
    reserved = reserved_ids() if skip_reserved else set()
    out = []
    with WORLD_NEWS.open(encoding="utf-8") as fh:
        for line in fh:
            rec = json.loads(line)
            if rec["id"] not in reserved:
                out.append(rec)
                if n is not None and len(out) >= n:
                    break
    return out


@pytest.fixture(scope="session")
def schema_validator():
    import jsonschema

    schema = json.loads(SCHEMA.read_text())
    return jsonschema.Draft202012Validator(schema)


@pytest.fixture(scope="session")
def seed_analysis() -> dict:
    import gestae

    return gestae.analyze(SEED_TXT.read_text(encoding="utf-8"), published="2023-11-08",
                          id="russia-china-2023-11-08").to_dict()


def assert_offsets_consistent(analysis: dict) -> None:
    """Every span's text is exactly the slice of article.text it points at."""
    text = analysis["article"]["text"]

    def check(span, what):
        assert 0 <= span["start"] <= span["end"] <= len(text), what
        assert text[span["start"]:span["end"]] == span["text"], f"{what}: {span!r}"

    for a in analysis["actors"]:
        for m in a["mentions"]:
            check(m, f"actor {a['name']} mention")
    for q in analysis["quotes"]:
        check(q, "quote")
        for k in ("source", "cue"):
            if q.get(k):
                check(q[k], f"quote {k}")
    for t in analysis["times"]:
        check(t, "time")
    for e in analysis["events"]:
        check(e["trigger"], "event trigger")
        assert 0 <= e["sentence"]["start"] <= e["trigger"]["start"] <= e["trigger"]["end"] <= e["sentence"]["end"] <= len(text)

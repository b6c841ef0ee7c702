"""Events on the world-news dev gold (benchmarks/gold/*.gold.json) and the cost of the event stage.

    .venv/bin/python benchmarks/events_bench.py [--n-timing 40]

Prints, as JSON on the last line: event F1, dyad F1 and event date accuracy over the dev gold
(the same figures as ``../shared/eval/score.py gold``), and the time the ``gestae_events`` component
takes as a share of the spaCy parse (tokenizer + spaCy's own components) over the same documents in
the same run (target: under 0.25).
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import gestae
from gestae.config import Config
from gestae.ingest import make_article
from gestae.nlp import load_pipeline

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
sys.path.insert(0, str(SHARED / "eval"))
from score import score_gold  # noqa: E402


def world_news() -> dict[str, dict]:
    with (SHARED / "corpora" / "world-news" / "articles.jsonl").open(encoding="utf-8") as fh:
        return {r["id"]: r for r in map(json.loads, fh)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--n-timing", type=int, default=40, help="non-reserved articles timed (default 40)")
    args = ap.parse_args()
    corpus = world_news()
    golds = sorted((ROOT / "benchmarks" / "gold").glob("*.gold.json"))
    articles = []
    for g in golds:
        gid = json.loads(g.read_text(encoding="utf-8"))["id"]
        if gid in corpus:
            r = corpus[gid]
            articles.append(make_article(r["text"], gid, id=gid, published=r.get("published")))
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False, encoding="utf-8") as fh:
        for a in gestae.analyze_articles(articles):
            fh.write(gestae.to_json(a) + "\n")
    scores = score_gold(fh.name, [str(g) for g in golds])
    Path(fh.name).unlink()

    # the event stage's cost against the parse, component by component over the same Docs
    reserved = set(json.loads((SHARED / "eval" / "reserved-ids.json").read_text()))
    timed = [make_article(r["text"], i, id=i, published=r.get("published"))
             for i, r in corpus.items() if i not in reserved][:args.n_timing]
    nlp = load_pipeline(Config())
    spent: dict[str, float] = defaultdict(float)
    for a in timed:
        t0 = time.perf_counter()
        doc = nlp.make_doc(a.text)
        spent["tokenizer"] += time.perf_counter() - t0
        doc._.article = a
        for name, proc in nlp.pipeline:
            t0 = time.perf_counter()
            doc = proc(doc)
            spent[name] += time.perf_counter() - t0
    parse = sum(v for k, v in spent.items() if not k.startswith("gestae_"))
    out = {
        "dev_articles": len(articles), "events": scores["events"], "dyads": scores["dyads"],
        "event_date_accuracy": scores["event_date_accuracy"],
        "timed_articles": len(timed), "spacy_parse_s": round(parse, 3), "events_stage_s": round(spent["gestae_events"], 3),
        "events_to_parse_ratio": round(spent["gestae_events"] / parse, 3),
        "stage_seconds": {k: round(v, 3) for k, v in spent.items()},
    }
    print(json.dumps(out))


if __name__ == "__main__":
    main()

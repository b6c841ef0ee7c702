"""Throughput of the full gestae pipeline against plain spaCy ``nlp.pipe`` over the same texts, same run.

    .venv/bin/python benchmarks/throughput.py [--n 100] [--repeat 1]

Prints words per second for both and the ratio gestae/spaCy (1.0 = gestae costs nothing over the parse).
Uses non-reserved world-news articles.
"""
from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import spacy

import gestae
from gestae.config import Config
from gestae.ingest import make_article

SHARED = Path(__file__).resolve().parents[2] / "shared"


def load_articles(n: int) -> list:
    reserved = set(json.loads((SHARED / "eval" / "reserved-ids.json").read_text()))
    out = []
    with (SHARED / "corpora" / "world-news" / "articles.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            r = json.loads(line)
            if r["id"] not in reserved:
                out.append(make_article(r["text"], r["id"], id=r["id"], published=r["published"]))
            if len(out) >= n:
                break
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--n", type=int, default=100, help="articles (default 100)")
    ap.add_argument("--repeat", type=int, default=1)
    args = ap.parse_args()
    articles = load_articles(args.n)
    texts = [a.text for a in articles]
    n_words = sum(len(t.split()) for t in texts)
    config = Config()
    plain = spacy.load(config.model)
    list(gestae.analyze_articles(articles[:2], config=config))  # warm up: load models and data
    list(plain.pipe(texts[:2]))
    t_spacy = t_gestae = 0.0
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        for _doc in plain.pipe(texts, batch_size=config.batch_size):
            pass
        t_spacy += time.perf_counter() - t0
        t0 = time.perf_counter()
        for _a in gestae.analyze_articles(articles, config=config):
            pass
        t_gestae += time.perf_counter() - t0
    result = {
        "articles": len(texts), "words": n_words, "repeat": args.repeat,
        "spacy_words_per_s": round(n_words * args.repeat / t_spacy),
        "gestae_words_per_s": round(n_words * args.repeat / t_gestae),
        "gestae_articles_per_s": round(len(texts) * args.repeat / t_gestae, 2),
        "throughput_ratio_gestae_to_spacy": round(t_spacy / t_gestae, 3),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()

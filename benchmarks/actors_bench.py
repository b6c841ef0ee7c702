"""Actors on the dev gold set: event dyad F1, share of gold actors with the right country, and
what the dictionary lookup costs, as a share of extract time measured in the same run.

    .venv/bin/python benchmarks/actors_bench.py [GOLD_FILE_OR_DIR ...] [--json]

Gold files (default ``benchmarks/gold/*.gold.json``) follow ../shared/spec/annotation.md plus an
``actors`` list of ``{"name", "country", "sectors"}``. Texts come from the gold's ``text``, from the
world-news corpus by ``id``, or from ``file`` next to the gold file or in ../shared/examples.
Reserved world-news ids are refused: they are for final evaluation only.

Figures:
- dyads: gestae.evaluate.score_gold "dyads" (source and target country, type ignored).
- actor_country: a gold actor counts as resolved when a predicted actor named like it (a shared
  name word, or a mention equal to the gold name) has the gold country.
- lookup_ratio: seconds in the dictionary lookup (``gestae.actors.lexicon_matches``) over seconds
  of the whole extract of the same articles, same process; the issue asks < 0.10.
  actors_stage_ratio: the same for the whole actors stage (lookup, coreference, coding).
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
sys.path.insert(0, str(ROOT / "src"))

from gestae import actors as actors_mod  # noqa: E402
from gestae.actors import norm_key  # noqa: E402
from gestae.assemble import assemble  # noqa: E402
from gestae.config import Config  # noqa: E402
from gestae.evaluate import name_match, score_gold  # noqa: E402
from gestae.model import Article  # noqa: E402
from gestae.nlp import load_pipeline, make_doc  # noqa: E402


def gold_paths(args: list[str]) -> list[Path]:
    if not args:
        args = [str(ROOT / "benchmarks" / "gold")]
    out: list[Path] = []
    for a in args:
        p = Path(a)
        out += sorted(p.glob("*.gold.json")) if p.is_dir() else [p]
    return out


def world_news() -> dict[str, dict]:
    path = SHARED / "corpora" / "world-news" / "articles.jsonl"
    recs = {}
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            r = json.loads(line)
            recs[r["id"]] = r
    return recs


def article_for(gold: dict, path: Path, corpus: dict[str, dict], reserved: set[str]) -> Article:
    gid = gold["id"]
    if gid in reserved:
        raise SystemExit(f"{path}: {gid} is a reserved evaluation id; not used for development")
    if gold.get("text"):
        text = gold["text"]
    elif gid in corpus:
        text = corpus[gid]["text"]
    else:
        f = gold.get("file") or f"{gid}.txt"
        cands = [path.parent / f, SHARED / "examples" / f]
        found = next((c for c in cands if c.is_file()), None)
        if found is None:
            raise SystemExit(f"{path}: no text for {gid} (no 'text', not in world-news, no file {f})")
        text = found.read_text(encoding="utf-8")
    published = gold.get("published") or corpus.get(gid, {}).get("published")
    return Article(id=gid, text=text, published=published)


def actor_country_share(preds: dict[str, dict], golds: list[dict]) -> tuple[int, int, list[str]]:
    right = total = 0
    misses = []
    for gold in golds:
        pred = preds.get(gold["id"], {})
        for ga in gold.get("actors", []):
            total += 1
            key = norm_key(ga["name"])
            cands = [a for a in pred.get("actors", []) if name_match(a["name"], ga["name"])
                     or any(norm_key(m["text"]) == key for m in a["mentions"])]
            if any(a.get("country") == ga.get("country") for a in cands):
                right += 1
            else:
                got = sorted({str(a.get("country")) for a in cands}) or ["not found"]
                misses.append(f"{gold['id']}: {ga['name']} want {ga.get('country')} got {', '.join(got)}")
    return right, total, misses


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("gold", nargs="*")
    ap.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    ap.add_argument("-v", "--verbose", action="store_true", help="list the actors resolved wrongly")
    args = ap.parse_args(argv)
    paths = gold_paths(args.gold)
    if not paths:
        print("no gold files", file=sys.stderr)
        return 1
    golds = [json.loads(p.read_text(encoding="utf-8")) for p in paths]
    reserved = set(json.loads((SHARED / "eval" / "reserved-ids.json").read_text()))
    corpus = world_news()
    articles = [article_for(g, p, corpus, reserved) for g, p in zip(golds, paths, strict=True)]

    nlp = load_pipeline(Config())
    lex = actors_mod.load_lexicon()  # loaded once, outside the timings, like the pipeline
    # Count the time spent in the dictionary lookup while the real pipeline runs.
    spent = [0.0]
    real = actors_mod.lexicon_matches

    def timed(doc, lexicon, *rest):
        t = time.perf_counter()
        try:
            return real(doc, lexicon, *rest)
        finally:
            spent[0] += time.perf_counter() - t

    stage = [0.0]
    real_find = actors_mod.find_actors

    def timed_find(doc, lexicon=None):
        t = time.perf_counter()
        try:
            return real_find(doc, lexicon)
        finally:
            stage[0] += time.perf_counter() - t

    actors_mod.lexicon_matches = timed
    actors_mod.find_actors = timed_find
    try:
        t0 = time.perf_counter()
        docs = [nlp(make_doc(nlp, a)) for a in articles]
        extract_s = time.perf_counter() - t0
    finally:
        actors_mod.lexicon_matches = real
        actors_mod.find_actors = real_find
    preds = {d._.article.id: assemble(d).to_dict() for d in docs}
    scores = score_gold(preds, golds)
    right, total, misses = actor_country_share(preds, golds)
    out = {
        "articles": len(golds),
        "dyads": scores["dyads"],
        "events": scores["events"],
        "actor_country": {"right": right, "total": total, "share": round(right / total, 4) if total else None},
        "extract_seconds": round(extract_s, 3),
        "lookup_seconds": round(spent[0], 3),
        "lookup_ratio": round(spent[0] / extract_s, 4) if extract_s else None,
        "actors_stage_seconds": round(stage[0], 3),
        "actors_stage_ratio": round(stage[0] / extract_s, 4) if extract_s else None,
        "dictionary_entries": len(lex.entries),
    }
    if args.json:
        print(json.dumps(out))
    else:
        d = out["dyads"]
        print(f"articles {out['articles']}")
        print(f"event dyad F1 {d['f1']:.3f} (P {d['p']:.3f} R {d['r']:.3f})")
        ac = out["actor_country"]
        print(f"gold actors with the right country {ac['right']}/{ac['total']} = {ac['share']}")
        print(f"dictionary lookup {out['lookup_seconds']}s of extract {out['extract_seconds']}s "
              f"= ratio {out['lookup_ratio']}")
        print(f"whole actors stage {out['actors_stage_seconds']}s = ratio {out['actors_stage_ratio']}")
        if args.verbose:
            print("\n".join(misses))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

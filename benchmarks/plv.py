"""PLOVER types of marked source/target pairs (PLV, Hu et al. 2024) through the full gestae pipeline.

    .venv/bin/python benchmarks/plv.py [--split test|train] [--markdown]

Does what ``../shared/eval/score.py inputs plv`` + ``gestae extract`` + ``score.py plv`` do, in one
process: every sentence goes through ``gestae.analyze_articles`` and ``score.py``'s own
``predict_plv`` picks, per marked pair, the event whose actors' mentions overlap the marked spans.
Prints accuracy, macro-F1 and per-type F1 as JSON (``--markdown``: the README table as well).
The published zero-shot NLI result (roberta-large-mnli) is accuracy 0.799, macro-F1 0.782.
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

import gestae
from gestae.ingest import make_article

SHARED = Path(__file__).resolve().parents[2] / "shared"
sys.path.insert(0, str(SHARED / "eval"))
import score  # noqa: E402


def rows(tsv: Path):
    """score.plv_rows, also for the train file whose id column has no header."""
    text = tsv.read_text(encoding="utf-8")
    if text.startswith("\t"):
        fixed = Path(tempfile.mkstemp(suffix=".tsv")[1])
        fixed.write_text("uid" + text, encoding="utf-8")
        tsv = fixed
    return list(score.plv_rows(tsv))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--split", default="test", choices=("test", "train"))
    ap.add_argument("--markdown", action="store_true")
    args = ap.parse_args()
    tsv = SHARED / "benchmarks" / "plover-zsp" / f"PLV_{args.split}.tsv"
    data = rows(tsv)
    articles = [make_article(r["text"], r["id"], id=r["id"]) for r in data]
    gold, guess = [], []
    for r, a in zip(data, gestae.analyze_articles(articles), strict=True):
        gold.append(r["gold"])
        guess.append(score.predict_plv(a.to_dict(), r["source"], r["target"]))
    labels = sorted(set(gold))
    per = {}
    for lab in labels:
        tp = sum(1 for g, p in zip(gold, guess, strict=True) if g == p == lab)
        per[lab] = score.prf(tp, guess.count(lab), gold.count(lab))
    acc = sum(g == p for g, p in zip(gold, guess, strict=True)) / len(gold)
    out = {"split": args.split, "n": len(gold), "accuracy": round(acc, 4),
           "macro_f1": round(sum(v["f1"] for v in per.values()) / len(per), 4),
           "per_type_f1": {k: v["f1"] for k, v in per.items()}, "no_event": guess.count("NONE")}
    if args.markdown:
        print("| type | n | P | R | F1 |\n|---|---:|---:|---:|---:|")
        for k, v in per.items():
            print(f"| {k} | {v['gold']} | {v['p']:.3f} | {v['r']:.3f} | {v['f1']:.3f} |")
    print(json.dumps(out))


if __name__ == "__main__":
    main()

"""TempEval-3 time expressions: span and value F1 of gestae's times stage, and its cost next to the parse.

    .venv/bin/python benchmarks/tempeval.py [TML_DIR ...] [--extract] [--errors N]

Default TML_DIR: ../shared/benchmarks/tempeval3/Training/TBAQ-cleaned/{TimeBank,AQUAINT} (tune here).
Report on ../shared/benchmarks/tempeval3/Evaluation/te3-platinum (never tune on it).

Without --extract the documents are parsed once with the plain spaCy model and only the times stage
runs on them (fast); the time of the parse and of the times stage are both measured in this run, and
their ratio printed (the stage's share of the extract time). With --extract the figures come through
``gestae extract`` exactly as ``../shared/eval/score.py`` is meant to be used:

    python ../shared/eval/score.py inputs timex DIR > in.jsonl
    .venv/bin/gestae extract in.jsonl --format jsonl -o pred.jsonl
    python ../shared/eval/score.py timex pred.jsonl DIR

Scoring is score.py's own ``score_timex``, so the figures are the same.
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
TRAIN = SHARED / "benchmarks" / "tempeval3" / "Training" / "TBAQ-cleaned"


def load_score():
    spec = importlib.util.spec_from_file_location("score", SHARED / "eval" / "score.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    # score.py names a document by its file name up to the first dot, and 14 pairs of TBAQ files share
    # that ("APW19980227.0468", "APW19980227.0476"): one's predictions would be scored against the
    # other. Here ids are the whole file name; for the platinum set (no clashes) nothing changes.
    read_tml = mod.read_tml

    def read_tml_unique(path):
        doc = read_tml(path)
        doc["id"] = Path(path).name.removesuffix(".tml")
        return doc

    mod.read_tml = read_tml_unique
    return mod


def run_stage_only(score, dirs: list[Path], pred_path: Path) -> dict:
    import spacy

    from gestae.config import Config
    from gestae.model import Article
    from gestae.nlp import register_extensions
    from gestae.times import find_times

    register_extensions()
    nlp = spacy.load(Config().model)
    records = [r for d in dirs for r in score.timex_inputs(d)]
    list(nlp.pipe([r["text"] for r in records[:2]]))  # warm up
    t0 = time.perf_counter()
    docs = list(nlp.pipe([r["text"] for r in records], batch_size=32))
    t_parse = time.perf_counter() - t0
    t_times = 0.0
    with pred_path.open("w", encoding="utf-8") as out:
        for r, doc in zip(records, docs, strict=True):
            doc._.article = Article(id=r["id"], text=r["text"], published=r["published"])
            t0 = time.perf_counter()
            times = find_times(doc)
            t_times += time.perf_counter() - t0
            out.write(json.dumps({"article": {"id": r["id"]}, "times": [t.to_dict() for t in times]}) + "\n")
    return {"docs": len(records), "parse_s": round(t_parse, 3), "times_s": round(t_times, 3),
            "times_over_parse": round(t_times / t_parse, 4)}


def run_extract(score, dirs: list[Path], pred_path: Path, tmp: Path) -> dict:
    inp = tmp / "in.jsonl"
    with inp.open("w", encoding="utf-8") as fh:
        for d in dirs:
            for r in score.timex_inputs(d):
                fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    t0 = time.perf_counter()
    subprocess.run([str(ROOT / ".venv" / "bin" / "gestae"), "extract", str(inp), "--format", "jsonl", "-o",
                    str(pred_path)], check=True)
    return {"extract_s": round(time.perf_counter() - t0, 2)}


def errors(score, dirs: list[Path], pred_path: Path, n: int) -> None:
    preds = score.load_predictions(str(pred_path))
    shown = 0
    for d in dirs:
        for p in sorted(Path(d).glob("*.tml")):
            g = score.read_tml(p)
            pt = preds.get(g["id"], {"times": []}).get("times", [])
            gold = g["timexes"]
            pairs = score.greedy_match(pt, gold, lambda x, y: score.span_overlap((x["start"], x["end"]),
                                                                                (y["start"], y["end"])), 1e-9)
            mp, mg = {i for i, _ in pairs}, {j for _, j in pairs}
            text = g["text"]
            lines = []
            for i, j in pairs:
                a, b = pt[i], gold[j]
                if (a["start"], a["end"]) != (b["start"], b["end"]) or (a["value"] or "") != (b["value"] or ""):
                    lines.append(f"DIFF {g['published']} pred {a['text']!r} {a['type']} {a['value']} | gold "
                                 f"{text[b['start']:b['end']]!r} {b['type']} {b['value']}")
            for i, a in enumerate(pt):
                if i not in mp:
                    lines.append(f"FP   {a['text']!r} {a['type']} {a['value']} | "
                                 f"{text[max(0, a['start'] - 40):a['end'] + 20]!r}")
            for j, b in enumerate(gold):
                if j not in mg:
                    lines.append(f"FN   {g['published']} {text[b['start']:b['end']]!r} {b['type']} {b['value']} | "
                                 f"{text[max(0, b['start'] - 40):b['end'] + 20]!r}")
            for line in lines:
                if shown < n:
                    print(line, file=sys.stderr)
                    shown += 1


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("dirs", nargs="*", type=Path, help="folders of .tml files (default: the training set)")
    ap.add_argument("--extract", action="store_true", help="run the full `gestae extract` instead of the stage")
    ap.add_argument("--errors", type=int, default=0, help="print up to N differences to stderr")
    args = ap.parse_args()
    dirs = args.dirs or [TRAIN / "TimeBank", TRAIN / "AQUAINT"]
    score = load_score()
    with tempfile.TemporaryDirectory() as tmp:
        pred = Path(tmp) / "pred.jsonl"
        if args.extract:
            info = run_extract(score, dirs, pred, Path(tmp))
        else:
            info = run_stage_only(score, dirs, pred)
        figures: dict = {}
        for d in dirs:  # score.py scores one folder at a time; add the counts up
            res = score.score_timex(str(pred), str(d))
            for k, v in res.items():
                acc = figures.setdefault(k, {"tp": 0, "pred": 0, "gold": 0})
                acc["tp"] += v["tp"]
                acc["gold"] += v["gold"]
                acc["pred"] += v["pred"]
        for k, acc in figures.items():
            figures[k] = score.prf(acc["tp"], acc["pred"], acc["gold"])
        if args.errors:
            errors(score, dirs, pred, args.errors)
    print(json.dumps({"dirs": [str(d) for d in dirs], **info,
                      **{f"{k}_f1": v["f1"] for k, v in figures.items()}, "figures": figures}))


if __name__ == "__main__":
    main()

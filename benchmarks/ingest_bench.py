"""Corpus ingest benchmark: articles/s, peak RSS per worker, DB size per 1,000 articles, the ratio to
plain spaCy ``nlp.pipe`` over the same texts in the same run, and the 1 -> N workers speed-up.

    python benchmarks/ingest_bench.py                                  # the issue's run: 10,000 articles, 1 vs 2 workers (~40 min)
    python benchmarks/ingest_bench.py --count 240 --speedup-count 240  # ~6 minutes
    python benchmarks/ingest_bench.py --count 120 --paired             # on cores busy with other jobs

The corpus cycles the 390 world-news articles, giving each copy a distinct id (``ID~k``), so every
article is analysed and stored (none is skipped as already stored).

1. Plain spaCy ``nlp.pipe`` over the whole corpus, on as many processes as the most workers compared
   (each process runs ``nlp.pipe`` over its share of the texts and keeps nothing), then ``gestae ingest
   --workers N`` over the same corpus: the ratio of the two rates is the ingest's throughput against
   the bare parse on the same cores.
2. The speed-up: ``gestae ingest`` with each worker count over the first ``--speedup-count`` articles
   (default 1,000), same corpus, same run.
3. ``--paired``: plain spaCy and the 1-worker ingest block by block in one process, alternating, so
   both meet the same load from other jobs: the fair ratio on a shared machine.

Each phase runs in its own process, so model loading and peak RSS of one do not leak into the other;
every phase is timed from the first text to the last, the model already loaded and run once (a long
run amortises loading). ``--cold`` also reports the largest ingest with start-up included. CPU time per
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


_SHARD: dict = {}  # the model and texts, inherited by the forked baseline processes


def _pipe_shard(k: int, processes: int, batch_size: int) -> int:
    texts = _SHARD["texts"][k::processes]
    for _ in _SHARD["nlp"].pipe(texts, batch_size=batch_size):
        pass
    return len(texts)


def phase_spacy(corpus: Path, batch_size: int, processes: int = 1) -> dict:
    import multiprocessing

    import spacy

    from gestae.config import Config

    texts = [json.loads(line)["text"] for line in corpus.read_text(encoding="utf-8").splitlines()]
    nlp = spacy.load(Config().model)
    nlp(texts[0])  # warm-up, as for the ingest
    cpu0 = cpu_seconds()
    start = time.perf_counter()
    if processes == 1:
        for _ in nlp.pipe(texts, batch_size=batch_size):
            pass
    else:
        _SHARD.update(nlp=nlp, texts=texts)
        with multiprocessing.get_context("fork").Pool(processes) as pool:
            pool.starmap(_pipe_shard, [(k, processes, batch_size) for k in range(processes)])
    seconds = time.perf_counter() - start
    cpu = cpu_seconds()
    used = (cpu["self"] - cpu0["self"]) + (cpu["children"] - cpu0["children"])
    return {"articles": len(texts), "processes": processes, "seconds": seconds, "rate": len(texts) / seconds,
            "cpu_per_article": used / len(texts)}


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
    ap.add_argument("--speedup-count", type=int, default=1000,
                    help="articles the worker counts are compared on (default 1,000; at most --count)")
    ap.add_argument("--batch-size", type=int, default=16)
    ap.add_argument("--paired", action="store_true", help="also the block-by-block ratio in one process")
    ap.add_argument("--cold", action="store_true", help="also time the largest ingest with model loading included")
    ap.add_argument("--json", help="also write the results here")
    ap.add_argument("--phase", choices=["spacy", "ingest", "paired"], help=argparse.SUPPRESS)
    ap.add_argument("--corpus", help=argparse.SUPPRESS)
    ap.add_argument("--db", help=argparse.SUPPRESS)
    ap.add_argument("--n", type=int, default=1, help=argparse.SUPPRESS)
    ap.add_argument("--warm", type=int, default=1, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.phase == "spacy":
        print(json.dumps(phase_spacy(Path(a.corpus), a.batch_size, a.n)))
        return
    if a.phase == "paired":
        print(json.dumps(phase_paired(Path(a.corpus), Path(a.db), a.batch_size)))
        return
    if a.phase == "ingest":
        print(json.dumps(phase_ingest(Path(a.corpus), Path(a.db), a.n, a.batch_size, bool(a.warm))))
        return

    workers = sorted({int(w) for w in a.workers.split(",")})
    top = workers[-1]
    with tempfile.TemporaryDirectory(prefix="gestae-bench-") as tmp:
        corpus = Path(tmp) / "corpus.jsonl"
        chars = build_corpus(a.count, corpus)
        print(f"corpus: {a.count} articles ({chars / a.count:.0f} chars each on average), cycling "
              f"{WORLD_NEWS.name}; {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}", flush=True)
        results: dict = {"count": a.count, "cpus": os.cpu_count(), "load_before": os.getloadavg()[0]}
        common = ["--batch-size", str(a.batch_size)]

        def show_ingest(r: dict, n: int, on: int) -> None:
            rss = ", ".join(f"{v} MB" for v in r["peak_rss_mb"].values())
            print(f"gestae ingest, {n} worker{'s' if n > 1 else ' '}, {on} articles: {r['rate']:7.2f} articles/s  "
                  f"({r['seconds']:.1f}s; store writes {r['write_seconds']:.1f}s; {r['failed']} failed; peak RSS per "
                  f"worker {rss}; DB {r['db_bytes_per_1000'] / 2**20:.2f} MB per 1,000 articles; "
                  f"{r['cpu_per_article']:.3f} CPU s/article, {r['coordinator_cpu_per_article']:.3f} of it in the "
                  "coordinator)", flush=True)

        # 1. the whole corpus: plain spaCy and the ingest on the same number of cores
        results["spacy"] = base = run_phase(["--phase", "spacy", "--n", str(top), "--corpus", str(corpus), *common])
        print(f"plain spaCy nlp.pipe, {top} process{'es' if top > 1 else ''}, {a.count} articles: {base['rate']:7.2f} "
              f"articles/s  ({base['seconds']:.1f}s; {base['cpu_per_article']:.3f} CPU s/article)", flush=True)
        results[f"ingest_{top}"] = full = run_phase(["--phase", "ingest", "--n", str(top), "--corpus", str(corpus),
                                                     "--db", str(Path(tmp) / f"w{top}.db"), *common])
        show_ingest(full, top, a.count)
        if a.cold:
            c = run_phase(["--phase", "ingest", "--n", str(top), "--warm", "0", "--corpus", str(corpus),
                           "--db", str(Path(tmp) / "cold.db"), *common])
            results[f"ingest_{top}_cold"] = c
            print(f"   with model loading:  {c['rate']:7.2f} articles/s  ({c['seconds']:.1f}s)")
        results["ratio_to_spacy"] = full["rate"] / base["rate"]
        results["cpu_ratio_to_spacy"] = base["cpu_per_article"] / full["cpu_per_article"]
        print(f"ratio ingest / plain spaCy, {top} cores, same texts: {results['ratio_to_spacy']:.2f} by wall time, "
              f"{results['cpu_ratio_to_spacy']:.2f} by CPU time per article  (target >= 0.75)", flush=True)

        # 2. the speed-up, every worker count over the same first articles
        if len(workers) > 1:
            m = min(a.count, a.speedup_count)
            part = corpus
            if m < a.count:
                part = Path(tmp) / "prefix.jsonl"
                part.write_text("".join(corpus.read_text(encoding="utf-8").splitlines(keepends=True)[:m]), encoding="utf-8")
            rates = {}
            for n in workers:
                if n == top and m == a.count:
                    r = full
                else:
                    r = run_phase(["--phase", "ingest", "--n", str(n), "--corpus", str(part),
                                   "--db", str(Path(tmp) / f"s{n}.db"), *common])
                    show_ingest(r, n, m)
                results[f"speedup_ingest_{n}"] = r
                rates[n] = r["rate"]
            results["speedup"] = rates[top] / rates[workers[0]]
            print(f"speed-up {workers[0]} -> {top} workers over {m} articles: {results['speedup']:.2f}  (target >= 1.7; "
                  f"wall time, meaningful only on {top} otherwise idle cores)")

        # 3. on a busy machine: both alternating block by block in one process
        if a.paired:
            results["paired"] = p = run_phase(["--phase", "paired", "--corpus", str(corpus),
                                               "--db", str(Path(tmp) / "paired.db"), *common])
            print(f"paired, block by block in one process: plain spaCy {p['spacy_rate']:.2f}, ingest "
                  f"{p['ingest_rate']:.2f} articles/s -> ratio {p['ratio']:.2f} by wall time, {p['cpu_ratio']:.2f} "
                  "by CPU time  (target >= 0.75)")
        results["load_after"] = os.getloadavg()[0]
    if a.count < 10_000:
        per = full["seconds"] / max(1, full["articles"])
        print(f"extrapolated to 10,000 articles: {per * 10_000 / 60:.0f} min with {top} worker{'s' if top > 1 else ''}")
    print(f"load average after: {results['load_after']:.1f} (other jobs on these cores slow every figure)")
    if a.json:
        Path(a.json).write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()

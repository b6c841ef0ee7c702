"""Load test for `gestae serve`: N POST /api/analyze requests from C concurrent clients, loopback only.

Starts the server as a subprocess on 127.0.0.1 (a free port), sends world-news articles (never the
reserved evaluation ids) and the seed article in turn, and reports errors, p50/p95/max latency and
throughput, next to the same texts analysed in-process in the same run (the baseline ratio).

    .venv/bin/python benchmarks/web_load.py                 # 500 requests, 20 clients
    .venv/bin/python benchmarks/web_load.py -n 100 -c 10    # quicker
"""
from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
HOST = "127.0.0.1"  # never anything else: this benchmark must not leave the machine


def texts(n_articles: int) -> list[dict]:
    reserved = set(json.loads((SHARED / "eval" / "reserved-ids.json").read_text()))
    out = [{"text": (SHARED / "examples" / "russia-china-2023-11-08.txt").read_text(encoding="utf-8"),
            "published": "2023-11-08", "id": "russia-china-2023-11-08"}]
    with (SHARED / "corpora" / "world-news" / "articles.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            rec = json.loads(line)
            if rec["id"] in reserved or not rec.get("text"):
                continue
            out.append({"text": rec["text"], "published": rec.get("published"), "id": rec["id"]})
            if len(out) >= n_articles:
                break
    return out


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def start_server(port: int) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-m", "gestae.cli", "serve", "--host", HOST, "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited: {proc.stderr.read()[-2000:] if proc.stderr else ''}")
        try:
            if httpx.get(f"http://{HOST}:{port}/api/health", timeout=2).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.terminate()
    raise SystemExit("server did not start within 120 s")


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, max(0, round(p / 100 * len(xs)) - 1))]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", "--requests", type=int, default=500)
    ap.add_argument("-c", "--concurrency", type=int, default=20)
    ap.add_argument("--articles", type=int, default=20, help="distinct texts cycled through")
    ap.add_argument("--timeout", type=float, default=120, help="per-request timeout, seconds")
    ap.add_argument("--budget", type=float, default=600, help="stop sending after this many seconds")
    args = ap.parse_args()
    docs = texts(args.articles)

    # Baseline: the same texts through gestae.analyze in this process, one after another.
    import gestae

    gestae.analyze(docs[0]["text"], published=docs[0]["published"])  # load the model outside the timing
    t0 = time.perf_counter()
    for d in docs:
        gestae.analyze(d["text"], published=d["published"], id=d["id"])
    direct_per_doc = (time.perf_counter() - t0) / len(docs)

    port = free_port()
    server = start_server(port)
    url = f"http://{HOST}:{port}/api/analyze"
    try:
        # Warm the server's pipeline so the first clients do not time the model load.
        httpx.post(url, json=docs[0], timeout=args.timeout).raise_for_status()
        latencies: list[float] = []
        errors: list[str] = []
        lock = threading.Lock()
        counter = iter(range(args.requests))
        stop_at = time.monotonic() + args.budget

        def client() -> None:
            with httpx.Client(timeout=args.timeout) as http:
                while time.monotonic() < stop_at:
                    with lock:
                        k = next(counter, None)
                    if k is None:
                        return
                    doc = docs[k % len(docs)]
                    t = time.perf_counter()
                    try:
                        r = http.post(url, json=doc)
                        ok = r.status_code == 200 and r.json().get("format") == "gestae.analysis.v1"
                        why = f"HTTP {r.status_code}: {r.text[:120]}"
                    except httpx.HTTPError as e:
                        ok, why = False, f"{type(e).__name__}: {e}"
                    dt = time.perf_counter() - t
                    with lock:
                        latencies.append(dt)
                        if not ok:
                            errors.append(why)

        t0 = time.perf_counter()
        with ThreadPoolExecutor(args.concurrency) as pool:
            for _ in range(args.concurrency):
                pool.submit(client)
        wall = time.perf_counter() - t0
    finally:
        server.terminate()
        server.wait(timeout=30)

    done = len(latencies)
    print(f"machine  {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at the end (other jobs skew both figures)")
    print(f"requests {done}/{args.requests}, concurrency {args.concurrency}, texts {len(docs)} "
          f"(mean {statistics.mean(len(d['text']) for d in docs):.0f} chars)")
    print(f"errors   {len(errors)}" + (f"  first: {errors[0]}" if errors else ""))
    if latencies:
        print(f"latency  p50 {pct(latencies, 50) * 1000:.0f} ms  p95 {pct(latencies, 95) * 1000:.0f} ms  "
              f"max {max(latencies) * 1000:.0f} ms")
        served_per_doc = wall / done
        print(f"served   {done / wall:.1f} req/s ({served_per_doc * 1000:.0f} ms per request on average)")
        print(f"direct   {1 / direct_per_doc:.1f} docs/s in-process (baseline, same texts)")
        print(f"ratio    server throughput / in-process = {direct_per_doc / served_per_doc:.2f}")
    if errors or done < args.requests:
        sys.exit(1)


if __name__ == "__main__":
    main()

"""Corpus ingest: read inputs, analyse them (in-process, on N local processes, or on a Dask cluster) and
write each analysis to the :class:`~gestae.store.Store` in its own transaction.

    >>> from gestae.corpus import ingest
    >>> summary = ingest(["articles.jsonl"], "corpus.db", workers=2)   # doctest: +SKIP
    >>> summary.analysed, summary.skipped, summary.failed               # doctest: +SKIP

- Idempotent: an article whose id and text hash are already stored is skipped, so a second run over
  the same inputs analyses nothing and changes no row; an article whose text changed is re-analysed
  and its rows replaced.
- Resumable: each article is written in one transaction, so after a kill -9 the store holds whole
  articles only, and the next run analyses exactly the ones missing.
- Failures never stop a run: an unreadable input, an article the pipeline raises on, or one the store
  refuses is recorded in the ``failures`` table with its reason and the run goes on.
- Workers (local processes or Dask workers) only analyse and return ``Analysis.to_dict()``; the
  coordinator alone writes to the store, in input order.
"""
from __future__ import annotations

import collections
import contextlib
import os
import sqlite3
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, TextIO

from .config import Config
from .errors import InputError
from .model import Article
from .store import Store, StoreError, text_hash

# Articles per task: enough for spaCy's batching to pay, few enough that a kill loses little work
# and the progress bar moves.
CHUNK = 8


@dataclass
class Summary:
    """What an ingest run did."""

    seen: int = 0  # articles read from the inputs
    analysed: int = 0  # analysed and written this run
    skipped: int = 0  # already stored with the same text hash (or repeated in the inputs)
    failed: int = 0
    events: int = 0  # events, quotes and actors written this run
    quotes: int = 0
    actors: int = 0
    seconds: float = 0.0
    write_seconds: float = 0.0  # of which writing to the store
    failures: list[tuple[str, str]] = field(default_factory=list)  # (where, reason)
    worker_peak_rss: dict[str, int] = field(default_factory=dict)  # worker -> peak RSS in bytes

    @property
    def rate(self) -> float:
        return self.analysed / self.seconds if self.seconds else 0.0

    def lines(self, max_failures: int = 20) -> list[str]:
        out = [f"{self.analysed} articles analysed, {self.skipped} unchanged and skipped, {self.failed} failed "
               f"({self.seen} read) in {self.seconds:.1f}s ({self.rate:.2f} articles/s)",
               f"{self.events} events, {self.quotes} quotes, {self.actors} actors written"]
        for where, reason in self.failures[:max_failures]:
            out.append(f"  failed: {where}: {reason}")
        if len(self.failures) > max_failures:
            out.append(f"  ... and {len(self.failures) - max_failures} more (see the failures table)")
        return out


class Progress:
    """Articles done, rate and ETA, redrawn on one line of a terminal; silent when not a terminal."""

    def __init__(self, total: int | None, stream: TextIO | None = None, enabled: bool | None = None):
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty() if enabled is None else enabled
        self.total = total
        self.done = 0
        self._skipped = 0
        self.start = time.monotonic()
        self._drawn = 0.0

    def update(self, done: int, force: bool = False, skipped: int = 0) -> None:
        """``done`` articles of ``total`` are through, ``skipped`` of them without analysis (stored
        already): those are left out of the rate, or a resumed run would promise far too early an end."""
        self.done, self._skipped = done, skipped
        now = time.monotonic()
        if not self.enabled or (not force and now - self._drawn < 0.25):
            return
        self._drawn = now
        rate = (done - skipped) / max(now - self.start, 1e-9)
        line = f"{done}" + (f"/{self.total}" if self.total else "") + " articles"
        line += (f" ({skipped} unchanged)" if skipped else "") + f", {rate:.2f} articles/s"
        if self.total and rate > 0 and done < self.total:
            line += f", ETA {_hms((self.total - done) / rate)}"
        self.stream.write("\r" + line.ljust(60))
        self.stream.flush()

    def close(self) -> None:
        if self.enabled:
            self.update(self.done, force=True, skipped=self._skipped)
            self.stream.write("\n")
            self.stream.flush()


def _hms(seconds: float) -> str:
    s = int(seconds)
    return f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}" if s >= 3600 else f"{s // 60}:{s % 60:02d}"


def count_inputs(paths: Iterable[str | Path]) -> int | None:
    """A cheap estimate of how many articles the inputs hold (lines of .jsonl, files of folders), for the ETA."""
    n = 0
    for path in paths:
        p = Path(path)
        if str(path) == "-":
            n += 1
        elif p.is_dir():
            n += sum(1 for c in p.rglob("*") if c.is_file())
        elif p.suffix.lower() == ".jsonl" and p.is_file():
            with p.open("rb") as fh:
                n += sum(1 for line in fh if line.strip())
        else:
            n += 1
    return n or None


# -- the worker side: runs in a pool process or on a Dask worker -------------------------------------
def _article_record(a: Article) -> dict[str, Any]:
    # Plain dicts cross process and network boundaries; frozen dataclasses with slots pickle less reliably.
    return {f.name: getattr(a, f.name) for f in fields(Article)}


def _config_record(config: Config) -> dict[str, Any]:
    return {f.name: getattr(config, f.name) for f in fields(Config)}


def _peak_rss() -> int:
    import resource

    # ru_maxrss is in kilobytes on Linux, bytes on macOS.
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss if sys.platform == "darwin" else rss * 1024


def analyze_chunk(records: list[dict[str, Any]], config: dict[str, Any]) -> dict[str, Any]:
    """Analyse a few articles; returns, in input order, each one's ``to_dict()`` or why it failed.

    An article the pipeline fails on does not sink its chunk: gestae's ``on_error`` reports it and the
    others go on.
    """
    from . import analyze_articles

    cfg = Config(**config)
    articles = [Article(**r) for r in records]
    errors: dict[int, str] = {}  # keyed by the Article object, which the pipeline passes back as is
    done: dict[int, dict[str, Any]] = {}

    def on_error(article: Article, e: Exception) -> None:
        errors[id(article)] = _reason(e)

    try:
        for analysis in analyze_articles(articles, config=cfg, on_error=on_error):
            done[id(analysis.article)] = analysis.to_dict()
    except Exception as e:  # e.g. the model cannot load: every article not done fails with the reason
        for a in articles:
            if id(a) not in done:
                errors.setdefault(id(a), _reason(e))
    results = [(a.id, done.get(id(a)), errors.get(id(a), None if id(a) in done else "no analysis returned"))
               for a in articles]
    return {"results": results, "worker": f"{_host()}:{os.getpid()}", "peak_rss": _peak_rss()}


def _reason(e: BaseException) -> str:
    """One line: the exception and the innermost gestae frame it came from (spaCy wraps a stage's
    KeyError in its own ValueError E109: the cause is the one worth reporting)."""
    import traceback

    while e.__cause__ is not None:
        e = e.__cause__
    frames = traceback.extract_tb(e.__traceback__)
    here = str(Path(__file__).parent)
    ours = [f for f in frames if f.filename.startswith(here)]
    where = (ours or frames or [None])[-1]
    at = f" at {Path(where.filename).name}:{where.lineno}" if where else ""
    return f"{type(e).__name__}{at}: {e}"


def _host() -> str:
    import socket

    return socket.gethostname()


# -- executors: each maps analyze_chunk over chunks, yielding results in submission order -------------
def _run_inline(chunks: Iterator[list[dict[str, Any]]], config: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for chunk in chunks:
        yield analyze_chunk(chunk, config)


def _run_pool(chunks: Iterator[list[dict[str, Any]]], config: dict[str, Any], workers: int) -> Iterator[dict[str, Any]]:
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    # A bounded window of tasks in flight keeps memory flat on big corpora.
    window = 2 * workers
    ctx = mp.get_context()
    if ctx.get_start_method() == "fork":
        # Load the model once here: forked workers share its pages instead of each loading its own.
        from .nlp import load_pipeline

        load_pipeline(Config(**config))

    def isolated(chunk: list[dict[str, Any]]) -> dict[str, Any]:
        # After a worker died, each unfinished chunk runs alone: one that kills its worker again is the
        # culprit and fails; the others were only in the wrong pool at the wrong time.
        with ProcessPoolExecutor(1, mp_context=ctx) as solo:
            try:
                return solo.submit(analyze_chunk, chunk, config).result()
            except BrokenProcessPool:
                return {"results": [(r["id"], None, "the worker process died analysing it (killed, or out of memory)")
                                    for r in chunk], "worker": "-", "peak_rss": 0}

    pool = ProcessPoolExecutor(workers, mp_context=ctx)
    pending: collections.deque = collections.deque()

    def head() -> Iterator[dict[str, Any]]:
        nonlocal pool
        chunk, future = pending[0]
        try:
            result = future.result()
        except BrokenProcessPool:
            # Every future of a broken pool fails; keep those that finished, redo the rest, in order.
            pool.shutdown(wait=False, cancel_futures=True)
            done = [(c, f.result() if f.done() and f.exception() is None else None) for c, f in pending]
            pending.clear()
            for c, r in done:
                yield r if r is not None else isolated(c)
            pool = ProcessPoolExecutor(workers, mp_context=ctx)
            return
        pending.popleft()
        yield result

    try:
        for chunk in chunks:
            pending.append((chunk, pool.submit(analyze_chunk, chunk, config)))
            if len(pending) >= window:
                yield from head()
        while pending:
            yield from head()
    except BaseException:  # Ctrl-C, a store error, the generator closed: do not wait for the workers
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown(wait=True)


def _run_dask(chunks: Iterator[list[dict[str, Any]]], config: dict[str, Any], address: Any) -> Iterator[dict[str, Any]]:
    from distributed import Client, KilledWorker

    client = address if isinstance(address, Client) else Client(address)
    try:
        window = 2 * max(1, sum(client.nthreads().values()))
        pending: collections.deque = collections.deque()

        def head() -> dict[str, Any]:
            chunk, future = pending.popleft()
            try:
                return future.result()
            except KilledWorker as e:  # Dask already retried it on other workers: its articles fail, the run goes on
                reason = f"the Dask workers died analysing it ({e})"
                return {"results": [(r["id"], None, reason) for r in chunk], "worker": "-", "peak_rss": 0}

        for chunk in chunks:
            pending.append((chunk, client.submit(analyze_chunk, chunk, config, pure=False)))
            if len(pending) >= window:
                yield head()
        while pending:
            yield head()
    finally:
        if client is not address:
            client.close()


# -- the coordinator ----------------------------------------------------------------------------------
def ingest(paths: Iterable[str | Path], db: str | Path | Store, *, workers: int = 1, dask: Any = None,
           published: str | None = None, config: Config | None = None, force: bool = False,
           progress: bool | None = None, chunk_size: int = CHUNK,
           on_article: Callable[[str], None] | None = None) -> Summary:
    """Analyse the articles in ``paths`` into the store ``db``; see the module docstring.

    ``workers``: local processes (1 runs in this process); ``dask``: a scheduler address
    (``tcp://host:8786``) or a ``distributed.Client`` to run the analysis on instead; ``force``:
    re-analyse articles already stored; ``progress``: draw the progress line (default: when stderr
    is a terminal); ``on_article``: called with each article id once it is stored.
    """
    paths = [str(p) for p in paths]
    config = config or Config()
    summary = Summary()
    start = time.monotonic()
    store = db if isinstance(db, Store) else Store(db)
    try:
        known = store.known()
        # Read errors are re-found on every run: clear the old ones of these inputs so fixed lines drop out.
        store.clear_input_failures(paths)
        run_id = store.start_run(paths, workers, None if dask is None else str(getattr(dask, "scheduler", dask)))
    except sqlite3.OperationalError as e:  # locked by another writer past the timeout, read-only, full
        if store is not db:
            store.close()
        raise StoreError(f"{store.path}: cannot write to the store ({e})") from None
    bar = Progress(count_inputs(paths), enabled=progress)
    queued: set[tuple[str, str]] = set()
    origins: dict[str, str | None] = {}
    status = "interrupted"

    def fail(key: str, stage: str, reason: str, *, article_id: str | None = None, origin: str | None = None) -> None:
        summary.failed += 1
        summary.failures.append((origin or key, reason))
        store.record_failure(key, stage=stage, reason=reason, article_id=article_id, origin=origin)

    def chunks() -> Iterator[list[dict[str, Any]]]:
        from .ingest import read_inputs

        chunk: list[dict[str, Any]] = []
        for item in read_inputs(paths, published=published, max_chars=config.max_chars):
            if isinstance(item, InputError):
                fail(item.origin, "input", item.message, origin=item.origin)
                bar.update(summary.analysed + summary.skipped + summary.failed, skipped=summary.skipped)
                continue
            summary.seen += 1
            h = text_hash(item.text, item.published)
            # Skip what is stored unchanged and what this run already queued (the same article twice).
            if (not force and known.get(item.id) == h) or (item.id, h) in queued:
                summary.skipped += 1
                bar.update(summary.analysed + summary.skipped + summary.failed, skipped=summary.skipped)
                continue
            queued.add((item.id, h))
            origins[item.id] = item.origin
            chunk.append(_article_record(item))
            if len(chunk) >= chunk_size:
                yield chunk
                chunk = []
        if chunk:
            yield chunk

    cfg = _config_record(config)
    if dask is not None:
        results = _run_dask(chunks(), cfg, dask)
    elif workers > 1:
        results = _run_pool(chunks(), cfg, workers)
    else:
        results = _run_inline(chunks(), cfg)
    try:
        for done in results:
            worker = done["worker"]
            if done["peak_rss"]:  # a worker that died reports none
                summary.worker_peak_rss[worker] = max(summary.worker_peak_rss.get(worker, 0), done["peak_rss"])
            for article_id, analysis, error in done["results"]:
                origin = origins.pop(article_id, None)
                if analysis is None:
                    fail(article_id, "analysis", error or "unknown error", article_id=article_id, origin=origin)
                else:
                    t0 = time.perf_counter()
                    try:
                        store.write(analysis)
                    except sqlite3.OperationalError as e:  # disk full, locked, read-only: no article's fault
                        raise StoreError(f"{store.path}: cannot write to the store ({e}); every article written so "
                                         "far is kept: fix this and run the same command again to resume") from None
                    except Exception as e:  # a record the store refuses fails its article only
                        fail(article_id, "store", f"{type(e).__name__}: {e}", article_id=article_id, origin=origin)
                    else:
                        summary.write_seconds += time.perf_counter() - t0
                        summary.analysed += 1
                        summary.events += len(analysis.get("events", ()))
                        summary.quotes += len(analysis.get("quotes", ()))
                        summary.actors += len(analysis.get("actors", ()))
                        if on_article:
                            on_article(article_id)
                bar.update(summary.analysed + summary.skipped + summary.failed, skipped=summary.skipped)
        status = "done"
    finally:
        if hasattr(results, "close"):
            results.close()  # stops the workers when the loop ended early
        bar.close()
        summary.seconds = time.monotonic() - start
        # The run log must not hide the error that ended the run (a full disk fails this write too).
        with contextlib.suppress(sqlite3.Error):
            store.finish_run(run_id, analysed=summary.analysed, skipped=summary.skipped, failed=summary.failed,
                             status=status)
        if store is not db:
            store.close()
    return summary

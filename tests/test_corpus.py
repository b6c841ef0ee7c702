"""Corpus ingest on real world-news articles: idempotent, resumable after kill -9, the same rows on
local processes and on a Dask cluster, failures recorded, and the CLI over the store."""
from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest
from click.testing import CliRunner

from gestae.cli import main
from gestae.corpus import ingest
from gestae.store import Store

from .conftest import world_news

TABLES = ("articles", "actors", "mentions", "quotes", "times", "events", "failures")
N = 5  # a handful of articles: enough for several chunks and a kill between them


def rows(db) -> dict[str, list]:
    with Store(db, readonly=True) as store:
        return {t: store.rows(t) for t in TABLES}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """N world-news articles (never reserved ones) as .jsonl, and a clean single-process ingest of them."""
    d = tmp_path_factory.mktemp("corpus")
    src = d / "articles.jsonl"
    src.write_text("".join(json.dumps(r) + "\n" for r in world_news(N)), encoding="utf-8")
    db = d / "clean.db"
    summary = ingest([src], db, chunk_size=2, progress=False)
    assert summary.analysed == N and summary.failed == 0
    return src, db


def test_corpus_ingest_is_idempotent(corpus, tmp_path):
    src, clean = corpus
    before = rows(clean)
    again = ingest([src], clean, progress=False)
    assert (again.analysed, again.skipped, again.failed) == (0, N, 0)
    assert rows(clean) == before
    assert len(before["articles"]) == N and before["events"]


# Killed from outside while it runs (between commits, as a user's kill -9 mostly lands), or inside the
# transaction of the third article, its rows inserted but not committed: the hardest place to die.
KILL_INSIDE_WRITE = """
import os, signal
from gestae.store import Store
insert, seen = Store._insert, []
def dying_insert(self, analysis):
    insert(self, analysis)
    seen.append(1)
    if len(seen) == 3:
        os.kill(os.getpid(), signal.SIGKILL)
Store._insert = dying_insert
"""


@pytest.mark.parametrize("where", ["from-outside", "inside-a-write"])
def test_corpus_resumes_after_kill_9_with_the_clean_rows(corpus, tmp_path, where):
    src, clean = corpus
    db = tmp_path / "killed.db"
    # One article a chunk, so articles are committed one by one while the run goes on.
    code = ((KILL_INSIDE_WRITE if where == "inside-a-write" else "") +
            f"from gestae.corpus import ingest; ingest([{str(src)!r}], {str(db)!r}, chunk_size=1, progress=False)")
    proc = subprocess.Popen([sys.executable, "-c", code], env=os.environ.copy())
    deadline = time.monotonic() + 120
    try:
        while where == "from-outside" and proc.poll() is None and time.monotonic() < deadline:
            if db.exists():
                try:
                    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
                        if conn.execute("SELECT count(*) FROM articles").fetchone()[0] >= 2:
                            break
                except sqlite3.OperationalError:  # not created yet
                    pass
            time.sleep(0.02)
    finally:
        if where == "from-outside":
            proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=120)
    assert proc.returncode == -signal.SIGKILL, "the ingest ended before it could be killed"
    with Store(db, readonly=True) as store:
        kept = store.counts()["articles"]
    assert (2 <= kept < N) if where == "from-outside" else kept == 2  # the third never committed
    resumed = ingest([src], db, progress=False)
    assert resumed.analysed == N - kept and resumed.skipped == kept  # none lost, none analysed twice
    got, want = rows(db), rows(clean)
    for table in TABLES:
        assert got[table] == want[table], f"{table} differs from the clean run's"


def test_corpus_workers_and_dask_give_the_local_rows(corpus, tmp_path):
    from distributed import Client, LocalCluster

    src, clean = corpus
    two = ingest([src], tmp_path / "two.db", workers=2, chunk_size=2, progress=False)
    assert two.analysed == N and all(rss > 0 for rss in two.worker_peak_rss.values())
    assert rows(tmp_path / "two.db") == rows(clean)
    # In-process cluster, one worker thread: light, and the same code path as a remote cluster.
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None) as cluster:
        summary = ingest([src], tmp_path / "dask.db", dask=cluster.scheduler_address, progress=False)
        with Client(cluster) as client:  # a Client is accepted too
            again = ingest([src], tmp_path / "dask.db", dask=client, progress=False)
        cli = CliRunner().invoke(main, ["ingest", str(src), "--db", str(tmp_path / "dask.db"),
                                        "--dask", cluster.scheduler_address])
    assert summary.analysed == N and again.skipped == N
    assert cli.exit_code == 0 and f"0 articles analysed, {N} unchanged" in cli.output
    assert rows(tmp_path / "dask.db") == rows(clean)


def test_corpus_records_failures_and_goes_on(tmp_path):
    good = world_news(1)[0]
    src = tmp_path / "mixed.jsonl"
    src.write_text("{not json\n" + json.dumps({"id": "empty", "text": "  "}) + "\n" + json.dumps(good) + "\n",
                   encoding="utf-8")
    db = tmp_path / "s.db"
    result = CliRunner().invoke(main, ["ingest", str(src), str(tmp_path / "missing.txt"), "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert "1 articles analysed" in result.output and "3 failed" in result.output
    with Store(db, readonly=True) as store:
        failures = store.failures_df()
        assert store.article_ids() == [good["id"]]
    assert len(failures) == 3
    assert set(failures["stage"]) == {"input"}
    reasons = " ".join(failures["reason"])
    assert "invalid JSON" in reasons and "empty text" in reasons and "no such file" in reasons
    # Once the file is fixed, its old read errors are gone; the stored article is not analysed again.
    src.write_text(json.dumps(good) + "\n", encoding="utf-8")
    summary = ingest([src], db, progress=False)
    assert (summary.analysed, summary.skipped, summary.failed) == (0, 1, 0)
    with Store(db, readonly=True) as store:
        assert list(store.failures_df()["origin"]) == [str(tmp_path / "missing.txt")]


def test_corpus_progress_shows_rate_and_eta_on_a_terminal_only():
    import io

    from gestae.corpus import Progress

    pipe = io.StringIO()  # not a terminal: nothing drawn
    quiet = Progress(10, stream=pipe)
    quiet.update(5, force=True)
    quiet.close()
    assert pipe.getvalue() == ""
    tty = io.StringIO()
    bar = Progress(10, stream=tty, enabled=True)
    bar.start -= 5.0  # five articles in five seconds
    bar.update(5, force=True)
    assert "5/10 articles" in tty.getvalue() and "1.00 articles/s" in tty.getvalue() and "ETA 0:05" in tty.getvalue()
    # Resuming: 5 of 6 were stored already and took no time; the rate is that of the one analysed.
    bar.update(6, force=True, skipped=5)
    assert "6/10 articles (5 unchanged), 0.20 articles/s, ETA 0:20" in tty.getvalue()


def test_corpus_cli_queries_the_store(corpus, tmp_path):
    src, clean = corpus
    run = CliRunner().invoke
    r = run(main, ["events", "--db", str(clean), "--format", "jsonl"])
    assert r.exit_code == 0, r.output
    events = [json.loads(line) for line in r.output.splitlines()]
    assert len(events) == len(rows(clean)["events"])
    r = run(main, ["events", "--db", str(clean), "--merged", "--format", "csv"])
    assert r.exit_code == 0 and r.output.startswith("source,type,target,day,mentions,articles")
    word = events[0]["trigger_text"]
    r = run(main, ["events", "--db", str(clean), "--search", f'"{word}"', "--format", "jsonl"])
    assert r.exit_code == 0 and word in r.output
    r = run(main, ["events", "--db", str(clean), "--format", "parquet", "-o", str(tmp_path / "e.parquet")])
    assert r.exit_code == 0 and (tmp_path / "e.parquet").stat().st_size > 0
    r = run(main, ["quotes", "--db", str(clean), "--format", "jsonl"])
    assert r.exit_code == 0, r.output
    quotes = [json.loads(line) for line in r.output.splitlines()]
    assert len(quotes) == len(rows(clean)["quotes"])
    assert all(q["article"] and q["text"] for q in quotes)
    r = run(main, ["actors", "--db", str(clean)])
    assert r.exit_code == 0 and r.output.splitlines()[0].split()[:3] == ["name", "country", "code"]
    r = run(main, ["dyads", "--db", str(clean), "--freq", "year", "--format", "csv"])
    assert r.exit_code == 0 and r.output.startswith("period,source,target,events")
    r = run(main, ["export", "--db", str(clean), "--graphml", str(tmp_path / "g.graphml")])
    assert r.exit_code == 0 and (tmp_path / "g.graphml").read_text().startswith("<?xml")
    r = run(main, ["events", "--db", str(tmp_path / "none.db")])
    assert r.exit_code == 2 and "no such store" in r.output
    r = run(main, ["events", "--db", str(clean), "--since", "yesterday"])
    assert r.exit_code == 2 and "--since" in r.output

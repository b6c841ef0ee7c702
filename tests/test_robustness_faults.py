"""Faults around the store during `gestae ingest`: a full disk, a read-only file system, a lock held by
another program, a worker process killed mid-batch. Each gives a clear message, leaves the store
intact (``PRAGMA integrity_check``), and the same command run again finishes the job.

(The coordinator killed with SIGKILL mid-run is tests/test_corpus.py::test_corpus_resumes_after_kill_9_with_the_clean_rows.)
"""
from __future__ import annotations

import contextlib
import gc
import json
import os
import resource
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from gestae.cli import main

from .conftest import SEED_TXT

PARAS = [p for p in SEED_TXT.read_text(encoding="utf-8").split("\n") if p.strip()]


def articles_file(tmp_path: Path, n: int, name: str = "articles.jsonl") -> Path:
    p = tmp_path / name
    with p.open("w", encoding="utf-8") as fh:
        for i in range(n):
            text = PARAS[i % len(PARAS)] + " " + PARAS[(i + 3) % len(PARAS)]
            fh.write(json.dumps({"id": f"r{i}", "text": text, "published": "2023-11-08"}) + "\n")
    return p


def ingest(*args):
    r = CliRunner().invoke(main, ["ingest", *map(str, args)])
    assert r.exception is None or isinstance(r.exception, SystemExit), repr(r.exception)
    return r


def check_store(db: Path) -> int:
    """The store passes SQLite's integrity check, every article has its rows; returns the article count."""
    with contextlib.closing(sqlite3.connect(db)) as c:
        assert c.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert c.execute("PRAGMA foreign_key_check").fetchall() == []
        n = c.execute("SELECT count(*) FROM articles").fetchone()[0]
        # Whole articles only: each stored article has its actors (every seed paragraph names someone).
        assert c.execute("SELECT count(*) FROM articles a WHERE NOT EXISTS "
                         "(SELECT 1 FROM actors WHERE article_id = a.id)").fetchone()[0] == 0
        return n


@contextlib.contextmanager
def file_size_limit(n_bytes: int):
    """Writes past n_bytes fail (EFBIG) for this process, as on a full disk or an exhausted quota."""
    old = resource.getrlimit(resource.RLIMIT_FSIZE)
    handler = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (n_bytes, old[1]))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, old)
        signal.signal(signal.SIGXFSZ, handler)


@contextlib.contextmanager
def read_only(folder: Path):
    """The folder made read-only: a read-only bind mount as root (root ignores file modes), else modes."""
    if os.geteuid() != 0:
        files = list(folder.iterdir())
        for f in files:
            f.chmod(0o444)
        folder.chmod(0o555)
        try:
            yield
        finally:
            folder.chmod(0o755)
            for f in files:
                f.chmod(0o644)
        return
    if subprocess.run(["mount", "--bind", "-o", "ro", str(folder), str(folder)], capture_output=True).returncode:
        pytest.skip("running as root without permission to mount: cannot make a read-only disk")
    try:
        yield
    finally:
        gc.collect()  # a connection left open by a failed open keeps the mount busy
        if subprocess.run(["umount", str(folder)], capture_output=True).returncode:
            subprocess.run(["umount", "-l", str(folder)], check=True)


def test_robustness_fault_disk_full_clear_error_store_intact_resumable(tmp_path):
    src = articles_file(tmp_path, 10)
    db = tmp_path / "corpus.db"
    r = ingest(src, "--db", db)  # a store with a few articles, then the disk fills up
    assert r.exit_code == 0, r.output
    src2 = articles_file(tmp_path, 40, "more.jsonl")  # the first 10 again (skipped) and 30 new
    size = sum(f.stat().st_size for f in tmp_path.glob("corpus.db*"))
    with file_size_limit(size + 60_000):
        r = ingest(src2, "--db", db)
    assert r.exit_code != 0
    last = r.stderr.strip().splitlines()[-1]
    assert last.startswith(f"gestae: error: {db}: ") and "run the same command again" in last, r.stderr
    assert "Traceback" not in r.output
    assert check_store(db) < 40
    r = ingest(src2, "--db", db)  # space again: the run resumes and completes
    assert r.exit_code == 0, r.output
    assert check_store(db) == 40
    assert "0 failed" in r.stdout


def test_robustness_fault_locked_store_waits_for_the_lock(tmp_path):
    src = articles_file(tmp_path, 3)
    db = tmp_path / "corpus.db"
    assert ingest(src, "--db", db).exit_code == 0
    other = sqlite3.connect(db, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN EXCLUSIVE")  # another program writing
    release = threading.Timer(2.0, lambda: other.execute("ROLLBACK"))
    release.start()
    try:
        r = ingest(articles_file(tmp_path, 5, "more.jsonl"), "--db", db)
    finally:
        release.join()
        other.close()
    assert r.exit_code == 0, r.output
    assert check_store(db) == 5


def test_robustness_fault_lock_never_released_clear_error(tmp_path):
    from gestae.corpus import ingest as run_ingest
    from gestae.store import Store, StoreError

    src = articles_file(tmp_path, 3)
    db = tmp_path / "corpus.db"
    Store(db).close()
    other = sqlite3.connect(db, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    try:
        conn = sqlite3.connect(db, isolation_level=None, timeout=0.5)  # the CLI waits 30 s; a test cannot
        with pytest.raises((StoreError, sqlite3.OperationalError), match="locked"):
            run_ingest([src], Store(conn))
        conn.close()
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert check_store(db) == 0
    assert ingest(src, "--db", db).exit_code == 0
    assert check_store(db) == 3


def store_in_own_folder(tmp_path: Path) -> tuple[Path, Path]:
    """A store of two articles alone in a folder (to be made read-only): (folder, db)."""
    folder = tmp_path / "ro"
    folder.mkdir()
    db = folder / "corpus.db"
    assert ingest(articles_file(tmp_path, 2), "--db", db).exit_code == 0
    return folder, db


def test_robustness_fault_readonly_store_clear_error_unchanged(tmp_path):
    folder, db = store_in_own_folder(tmp_path)
    before = db.read_bytes()
    more = articles_file(tmp_path, 4, "more.jsonl")
    with read_only(folder):
        r = ingest(more, "--db", db)
        assert r.exit_code != 0
        (line,) = [x for x in r.stderr.splitlines() if x.startswith("gestae: error:")]
        assert str(db) in line
        assert "Traceback" not in r.output
    assert db.read_bytes() == before
    assert check_store(db) == 2


def test_robustness_fault_store_on_readonly_media_can_be_queried(tmp_path):
    # A WAL store needs its -shm file, which cannot be created there: opened immutable instead.
    folder, db = store_in_own_folder(tmp_path)
    with read_only(folder):
        r = CliRunner().invoke(main, ["events", "--db", str(db), "--format", "jsonl"])
    assert r.exit_code == 0, r.output
    assert len(r.stdout.splitlines()) > 0


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="finds the worker processes in /proc")
def test_robustness_fault_pool_worker_killed_run_finishes(tmp_path):
    # Both worker processes killed while chunks are in flight: the run still ends, every article stored.
    n = 96  # enough that chunks are still in flight once the first is stored, however fast analysis gets
    src = articles_file(tmp_path, n)
    db = tmp_path / "corpus.db"
    cmd = [sys.executable, "-m", "gestae.cli", "ingest", str(src), "--db", str(db), "--workers", "2"]
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:  # the first chunk is stored: the others are in flight
            time.sleep(0.3)
            if not db.exists():
                continue
            with contextlib.suppress(sqlite3.Error), contextlib.closing(sqlite3.connect(db)) as c:
                if c.execute("SELECT count(*) FROM articles").fetchone()[0]:
                    break
        killed = 0
        for pid in Path(f"/proc/{p.pid}/task/{p.pid}/children").read_text().split():
            with contextlib.suppress(OSError):
                if b"resource_tracker" not in Path(f"/proc/{pid}/cmdline").read_bytes():
                    os.kill(int(pid), signal.SIGKILL)
                    killed += 1
        assert killed, "no worker process found"
        out, _ = p.communicate(timeout=180)
    finally:
        if p.poll() is None:
            p.kill()
            p.communicate()
    assert p.returncode == 0, out
    assert check_store(db) == n
    assert "0 failed" in out, out
    r = ingest(src, "--db", db)  # and nothing is left to do
    assert r.exit_code == 0
    assert f"0 articles analysed, {n} unchanged and skipped" in r.stdout


def test_robustness_fault_dask_worker_killed_run_finishes(tmp_path):
    # A Dask worker process killed mid-run: the scheduler reruns its tasks elsewhere, nothing is lost.
    distributed = pytest.importorskip("distributed")
    from gestae.corpus import ingest as run_ingest

    src = articles_file(tmp_path, 10)
    db = tmp_path / "corpus.db"
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        victim = next(iter(client.run(os.getpid).values()))

        def kill_after_first_commit() -> None:
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                time.sleep(0.2)
                with contextlib.suppress(sqlite3.Error), contextlib.closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as c:
                    if c.execute("SELECT count(*) FROM articles").fetchone()[0]:
                        break
            os.kill(victim, signal.SIGKILL)

        killer = threading.Thread(target=kill_after_first_commit, daemon=True)
        killer.start()
        summary = run_ingest([src], db, dask=client, chunk_size=2)  # many tasks in flight at the kill
        killer.join()
    assert (summary.analysed, summary.failed) == (10, 0)
    assert check_store(db) == 10

"""The corpus store: analyses (the ``gestae.analysis.v1`` contract) in SQLite, queryable from notebooks.

One row per record, offsets kept: ``articles``, ``actors``, ``mentions``, ``quotes``, ``times``,
``events`` (with trigger and sentence offsets and the sentence text as evidence), plus ``failures``
(inputs that could not be read or analysed, with the reason) and ``runs`` (a log of ingest runs).
FTS5 indexes cover article text, quote text and event sentences. The file uses WAL and foreign keys;
``PRAGMA user_version`` is the schema version and :data:`MIGRATIONS` bring an older file up to date.

    >>> from gestae.store import Store
    >>> with Store("corpus.db") as store:                             # doctest: +SKIP
    ...     df = store.events_df(country="RUS", since="2023-01-01")   # a pandas DataFrame
    ...     store.events_df(search="sanctions")                       # FTS5 over event sentences

Writing an article replaces everything stored for its id in one transaction, so a run killed at any
point leaves each article either fully stored or absent, never half-written.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from .errors import GestaeError

if TYPE_CHECKING:  # pandas is imported lazily: the store itself needs only sqlite3
    import pandas as pd

FORMAT = "gestae.analysis.v1"


class StoreError(GestaeError):
    """The store file cannot be opened, is from a newer gestae, or a query is not valid."""

    code = "E400"


# Each migration brings the schema from version i to i + 1; never edit one that has shipped, add one.
MIGRATIONS: list[str] = [
    # 1: the first schema.
    """
    CREATE TABLE articles (
        id TEXT PRIMARY KEY,
        text_hash TEXT NOT NULL,          -- sha256 of text and published date: what the analysis depends on
        format TEXT NOT NULL,
        title TEXT, published TEXT, url TEXT, source TEXT, language TEXT,
        text TEXT NOT NULL,
        extra TEXT                        -- JSON of fields beyond these columns (e.g. warnings)
    );
    CREATE TABLE actors (
        article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
        id TEXT NOT NULL,
        name TEXT NOT NULL, kind TEXT, country TEXT, sectors TEXT, title TEXT, code TEXT, kb_id TEXT,
        members TEXT,                     -- JSON list of actor ids, for groups
        extra TEXT,
        UNIQUE (article_id, id)           -- a rowid table: rowids keep the analysis' actor order
    );
    CREATE TABLE mentions (
        article_id TEXT NOT NULL,
        actor_id TEXT NOT NULL,
        seq INTEGER NOT NULL,             -- position in the actor's mention list
        start INTEGER NOT NULL, end INTEGER NOT NULL, text TEXT NOT NULL,
        PRIMARY KEY (article_id, actor_id, seq),
        FOREIGN KEY (article_id, actor_id) REFERENCES actors(article_id, id) ON DELETE CASCADE
    ) WITHOUT ROWID;
    CREATE TABLE quotes (
        article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
        id TEXT NOT NULL,
        kind TEXT, start INTEGER, end INTEGER, text TEXT,
        speaker TEXT,
        source_start INTEGER, source_end INTEGER, source_text TEXT,
        cue_start INTEGER, cue_end INTEGER, cue_text TEXT,
        rule TEXT, extra TEXT,
        UNIQUE (article_id, id)
    );
    CREATE TABLE times (
        article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
        id TEXT NOT NULL,
        type TEXT, value TEXT, start INTEGER, end INTEGER, text TEXT, extra TEXT,
        PRIMARY KEY (article_id, id)
    ) WITHOUT ROWID;
    CREATE TABLE events (
        article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
        id TEXT NOT NULL,
        type TEXT NOT NULL, mode TEXT, contexts TEXT, cameo TEXT, goldstein REAL,
        source TEXT, target TEXT,
        date TEXT, time TEXT, date_precision TEXT,
        day TEXT,                         -- YYYY-MM-DD: the event date's first day, else the published date
        location_name TEXT, location_country TEXT, location_lat REAL, location_lon REAL,
        negated INTEGER NOT NULL DEFAULT 0, hypothetical INTEGER NOT NULL DEFAULT 0,
        quote TEXT, symmetric INTEGER NOT NULL DEFAULT 0,
        trigger_start INTEGER, trigger_end INTEGER, trigger_text TEXT,
        sentence_start INTEGER, sentence_end INTEGER, sentence_text TEXT,
        confidence REAL, rule TEXT, extra TEXT,
        UNIQUE (article_id, id)
    );
    CREATE INDEX events_day ON events(day);
    CREATE INDEX events_type ON events(type);
    CREATE TABLE failures (
        key TEXT PRIMARY KEY,             -- the article id, or the input's origin when it has none
        article_id TEXT, origin TEXT, stage TEXT NOT NULL, reason TEXT NOT NULL
    );
    CREATE TABLE runs (
        id INTEGER PRIMARY KEY,
        started TEXT NOT NULL, finished TEXT, inputs TEXT, workers INTEGER, dask TEXT,
        analysed INTEGER, skipped INTEGER, failed INTEGER, status TEXT
    );

    CREATE VIRTUAL TABLE articles_fts USING fts5(title, text, content='articles', content_rowid='rowid');
    CREATE VIRTUAL TABLE quotes_fts USING fts5(text, content='quotes', content_rowid='rowid');
    CREATE VIRTUAL TABLE events_fts USING fts5(sentence_text, content='events', content_rowid='rowid');
    CREATE TRIGGER articles_ai AFTER INSERT ON articles BEGIN
        INSERT INTO articles_fts(rowid, title, text) VALUES (new.rowid, new.title, new.text); END;
    CREATE TRIGGER articles_ad AFTER DELETE ON articles BEGIN
        INSERT INTO articles_fts(articles_fts, rowid, title, text) VALUES ('delete', old.rowid, old.title, old.text); END;
    CREATE TRIGGER quotes_ai AFTER INSERT ON quotes BEGIN
        INSERT INTO quotes_fts(rowid, text) VALUES (new.rowid, new.text); END;
    CREATE TRIGGER quotes_ad AFTER DELETE ON quotes BEGIN
        INSERT INTO quotes_fts(quotes_fts, rowid, text) VALUES ('delete', old.rowid, old.text); END;
    CREATE TRIGGER events_ai AFTER INSERT ON events BEGIN
        INSERT INTO events_fts(rowid, sentence_text) VALUES (new.rowid, new.sentence_text); END;
    CREATE TRIGGER events_ad AFTER DELETE ON events BEGIN
        INSERT INTO events_fts(events_fts, rowid, sentence_text) VALUES ('delete', old.rowid, old.sentence_text); END;

    -- Events with their actors resolved: what queries, merging and dyads read.
    CREATE VIEW event_rows AS
    SELECT e.article_id, e.id, e.type, e.mode, e.cameo, e.goldstein, e.date, e.day, e.date_precision,
           e.source, s.name AS source_name, s.country AS source_country, s.code AS source_code,
           e.target, t.name AS target_name, t.country AS target_country, t.code AS target_code,
           e.negated, e.hypothetical, e.symmetric, e.quote, e.location_name, e.location_country,
           e.trigger_start, e.trigger_end, e.trigger_text, e.sentence_start, e.sentence_end, e.sentence_text,
           e.confidence, e.rule, a.published, a.title, a.source AS outlet, e.rowid AS rowid
    FROM events e
    JOIN articles a ON a.id = e.article_id
    LEFT JOIN actors s ON s.article_id = e.article_id AND s.id = e.source
    LEFT JOIN actors t ON t.article_id = e.article_id AND t.id = e.target;

    CREATE VIEW quote_rows AS
    SELECT q.article_id, q.id, q.kind, q.text, q.start, q.end, q.speaker,
           s.name AS speaker_name, s.country AS speaker_country, s.code AS speaker_code, s.title AS speaker_title,
           q.source_text, q.cue_text, q.rule, a.published, a.title, q.rowid AS rowid
    FROM quotes q
    JOIN articles a ON a.id = q.article_id
    LEFT JOIN actors s ON s.article_id = q.article_id AND s.id = q.speaker;
    """,
]
SCHEMA_VERSION = len(MIGRATIONS)

# Columns each record type is stored in; any other key of the record goes to `extra` (JSON), so the
# contract may grow fields without a migration and nothing is lost.
_ACTOR_KEYS = {"id", "name", "kind", "country", "sectors", "title", "code", "kb_id", "mentions", "members"}
_QUOTE_KEYS = {"id", "kind", "start", "end", "text", "speaker", "source", "cue", "rule"}
_TIME_KEYS = {"id", "type", "value", "start", "end", "text"}
_EVENT_KEYS = {"id", "type", "mode", "contexts", "cameo", "goldstein", "source", "target", "date", "time",
               "date_precision", "location", "negated", "hypothetical", "quote", "symmetric", "trigger",
               "sentence", "confidence", "rule"}
_ARTICLE_KEYS = {"id", "text", "title", "published", "url", "source", "language"}
_TOP_KEYS = {"format", "article", "actors", "quotes", "times", "events"}


def text_hash(text: str, published: str | None) -> str:
    """What an article's analysis depends on: its text and the date relative dates are anchored on."""
    h = hashlib.sha256(text.encode("utf-8", "surrogatepass"))
    h.update(b"\0" + (published or "").encode())
    return h.hexdigest()


_WEEK = re.compile(r"^(\d{4})-W(\d{2})")
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")


def first_day(value: str | None) -> str | None:
    """The first day of a TIMEX3 date value (2023-11-08, 2023-11, 2023-W44, 2023-Q2, 2023), else None."""
    if not value:
        return None
    try:
        if len(value) >= 10 and value[4] == "-" and value[7] == "-":
            return dt.date.fromisoformat(value[:10]).isoformat()
        if m := _WEEK.match(value):
            return dt.date.fromisocalendar(int(m[1]), int(m[2]), 1).isoformat()
        if m := _QUARTER.match(value):
            return dt.date(int(m[1]), 3 * int(m[2]) - 2, 1).isoformat()
        if re.fullmatch(r"\d{4}-\d{2}", value):
            return dt.date(int(value[:4]), int(value[5:7]), 1).isoformat()
        if re.fullmatch(r"\d{4}", value):
            return dt.date(int(value), 1, 1).isoformat()
    except ValueError:
        return None
    return None


def _extra(record: dict[str, Any], known: set[str]) -> str | None:
    rest = {k: v for k, v in record.items() if k not in known}
    return json.dumps(rest, ensure_ascii=False, sort_keys=True) if rest else None


def _span(d: dict[str, Any] | None) -> tuple[Any, Any, Any]:
    return (d["start"], d["end"], d["text"]) if d else (None, None, None)


def _common_filters(where: list[str], params: list[Any], date_column: str, fts_table: str,
                    since: str | None, until: str | None, article: str | None, search: str | None) -> None:
    """The filters every query shares: a date range, one article, an FTS5 search."""
    if since:
        where.append(f"{date_column} >= ?")
        params.append(since)
    if until:
        where.append(f"{date_column} <= ?")
        params.append(until)
    if article:
        where.append("article_id = ?")
        params.append(article)
    if search:
        where.append(f"rowid IN (SELECT rowid FROM {fts_table} WHERE {fts_table} MATCH ?)")
        params.append(search)


def _in(column: str, value: str, params: list[Any]) -> str:
    """``column IN (?, ...)`` for a comma-separated list of codes (upper-cased); adds them to params."""
    codes = [c.upper() for c in _split(value)]
    params += codes
    return f"{column} IN ({', '.join('?' * len(codes))})"


def _split(value: str | None) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()] if value else []


class Store:
    """A gestae corpus in one SQLite file. Open it, write analyses, query them as rows or DataFrames."""

    def __init__(self, path: str | Path | sqlite3.Connection, *, create: bool = True, readonly: bool = False):
        """Open (and create, unless ``create=False``) the store at ``path``, bringing its schema up to date.

        ``readonly=True`` opens the file with SQLite's ``mode=ro`` and never writes or migrates;
        ``path`` may also be an open ``sqlite3.Connection`` (used as is, e.g. a web app's read-only one).
        """
        self._own = not isinstance(path, sqlite3.Connection)
        if not self._own:
            self.path = Path(next((r[2] for r in path.execute("PRAGMA database_list") if r[1] == "main"), "") or ":memory:")
            self.conn = path
            self._check_version()
            return
        self.path = Path(path)
        if (not create or readonly) and not self.path.is_file():
            raise StoreError(f"{self.path}: no such store (create one with: gestae ingest PATH --db {self.path})")
        try:
            if readonly:
                uri = self.path.resolve().as_uri()
                try:
                    self.conn = sqlite3.connect(f"{uri}?mode=ro", uri=True, isolation_level=None, timeout=30)
                    self.conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
                except sqlite3.OperationalError:
                    # A WAL store on read-only media: its -shm cannot be created there. Nobody can write
                    # such a file either, so reading it as immutable is safe.
                    self.conn = sqlite3.connect(f"{uri}?mode=ro&immutable=1", uri=True, isolation_level=None)
                self._check_version()
                return
            # Autocommit mode: transactions are opened explicitly, one per article.
            self.conn = sqlite3.connect(str(self.path), isolation_level=None, timeout=30)
            self.conn.execute("PRAGMA journal_mode=WAL")
            # NORMAL is durable against a killed process (the WAL is on disk); only power loss can drop
            # the last commits, and those articles are then analysed again on the next run.
            self.conn.execute("PRAGMA synchronous=NORMAL")
            self.conn.execute("PRAGMA foreign_keys=ON")
            self._migrate()
        except sqlite3.OperationalError as e:  # locked, read-only, missing folder, disk full: the file may be fine
            raise StoreError(f"{self.path}: cannot open the store ({e})") from None
        except sqlite3.DatabaseError as e:
            raise StoreError(f"{self.path}: not a gestae store ({e})") from None

    @classmethod
    def open_readonly(cls, path: str | Path) -> Store:
        """The store at ``path`` opened with SQLite's ``mode=ro``: no pragma written, no migration."""
        return cls(path, readonly=True)

    def _check_version(self) -> None:
        try:
            version = self.version
            tables = {r[0] for r in self.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        except sqlite3.OperationalError as e:
            raise StoreError(f"{self.path}: cannot open the store ({e})") from None
        except sqlite3.DatabaseError as e:
            raise StoreError(f"{self.path}: not a gestae store ({e})") from None
        if version != SCHEMA_VERSION or "events" not in tables:
            raise StoreError(f"{self.path}: schema version {version}, this gestae reads {SCHEMA_VERSION}; "
                             "open it once for writing (gestae ingest) to migrate it")

    # -- life cycle ---------------------------------------------------------------------------
    def close(self) -> None:
        if self._own:
            self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    @property
    def version(self) -> int:
        return self.conn.execute("PRAGMA user_version").fetchone()[0]

    def _migrate(self) -> None:
        version = self.version
        if version > SCHEMA_VERSION:
            raise StoreError(f"{self.path}: schema version {version} is newer than this gestae's "
                             f"({SCHEMA_VERSION}); upgrade gestae to open it")
        for number in range(version, SCHEMA_VERSION):
            # executescript commits first; the BEGIN makes each migration all-or-nothing.
            self.conn.executescript(f"BEGIN IMMEDIATE; {MIGRATIONS[number]}; PRAGMA user_version = {number + 1}; COMMIT;")

    # -- writing --------------------------------------------------------------------------------
    def known(self) -> dict[str, str]:
        """Article id -> text hash of every article stored."""
        return dict(self.conn.execute("SELECT id, text_hash FROM articles").fetchall())

    def has(self, article_id: str, hash_: str) -> bool:
        row = self.conn.execute("SELECT 1 FROM articles WHERE id = ? AND text_hash = ?", (article_id, hash_))
        return row.fetchone() is not None

    def write(self, analysis: dict[str, Any]) -> None:
        """Store one analysis (``Analysis.to_dict()``), replacing any earlier one of the same article id,
        in one transaction; a failure recorded for the article is cleared."""
        art = analysis["article"]
        try:
            self.conn.execute("BEGIN IMMEDIATE")
            self._delete_rows(art["id"])
            self._insert(analysis)
            self.conn.execute("DELETE FROM failures WHERE key = ?", (art["id"],))
            self.conn.execute("COMMIT")
        except BaseException:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise

    def delete(self, article_id: str) -> None:
        with self._transaction():
            self._delete_rows(article_id)

    def record_failure(self, key: str, *, stage: str, reason: str, article_id: str | None = None,
                       origin: str | None = None) -> None:
        """Record why an input failed (stage: input | analysis | store); the earlier record is replaced."""
        with self._transaction():
            self.conn.execute("INSERT OR REPLACE INTO failures(key, article_id, origin, stage, reason) "
                              "VALUES (?, ?, ?, ?, ?)", (key, article_id, origin, stage, reason))

    def clear_input_failures(self, paths: Iterable[str]) -> None:
        """Forget the read errors recorded for these inputs (origins ``PATH``, ``PATH:LINE``, ``PATH[i]``, or
        files under a folder ``PATH/...``)."""
        with self._transaction():
            for p in paths:
                p = str(p).rstrip("/") or "/"
                self.conn.execute("DELETE FROM failures WHERE stage = 'input' AND (origin = ? OR substr(origin, 1, ?) "
                                  "IN (? || ':', ? || '[', ? || '/'))", (p, len(p) + 1, p, p, p))

    def start_run(self, inputs: Sequence[str], workers: int, dask: str | None) -> int:
        with self._transaction():
            cur = self.conn.execute("INSERT INTO runs(started, inputs, workers, dask, status) VALUES (?, ?, ?, ?, ?)",
                                    (_now(), json.dumps(list(inputs)), workers, dask, "running"))
        return int(cur.lastrowid or 0)

    def finish_run(self, run_id: int, *, analysed: int, skipped: int, failed: int, status: str = "done") -> None:
        with self._transaction():
            self.conn.execute("UPDATE runs SET finished = ?, analysed = ?, skipped = ?, failed = ?, status = ? "
                              "WHERE id = ?", (_now(), analysed, skipped, failed, status, run_id))

    def _transaction(self):
        store = self

        class _Tx:
            def __enter__(self) -> None:
                store.conn.execute("BEGIN IMMEDIATE")

            def __exit__(self, exc_type: Any, *rest: Any) -> None:
                store.conn.execute("ROLLBACK" if exc_type else "COMMIT")

        return _Tx()

    def _delete_rows(self, article_id: str) -> None:
        # Children first, explicitly, so the FTS triggers see every deleted row.
        for table in ("mentions", "events", "quotes", "times", "actors", "articles"):
            key = "id" if table == "articles" else "article_id"
            self.conn.execute(f"DELETE FROM {table} WHERE {key} = ?", (article_id,))

    def _insert(self, analysis: dict[str, Any]) -> None:
        art = analysis["article"]
        aid = art["id"]
        extra = {k: v for k, v in analysis.items() if k not in _TOP_KEYS}
        art_extra = {k: v for k, v in art.items() if k not in _ARTICLE_KEYS}
        if art_extra:
            extra["article"] = art_extra
        c = self.conn
        c.execute("INSERT INTO articles(id, text_hash, format, title, published, url, source, language, text, extra) "
                  "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                  (aid, text_hash(art["text"], art.get("published")), analysis.get("format", FORMAT),
                   art.get("title"), art.get("published"), art.get("url"), art.get("source"), art.get("language"),
                   art["text"], json.dumps(extra, ensure_ascii=False, sort_keys=True) if extra else None))
        for a in analysis.get("actors", []):
            c.execute("INSERT INTO actors(article_id, id, name, kind, country, sectors, title, code, kb_id, members, extra) "
                      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                      (aid, a["id"], a["name"], a.get("kind"), a.get("country"), " ".join(a.get("sectors") or ()),
                       a.get("title"), a.get("code"), a.get("kb_id"),
                       json.dumps(a["members"]) if "members" in a else None, _extra(a, _ACTOR_KEYS)))
            c.executemany("INSERT INTO mentions(article_id, actor_id, seq, start, end, text) VALUES (?, ?, ?, ?, ?, ?)",
                          [(aid, a["id"], i, m["start"], m["end"], m["text"]) for i, m in enumerate(a.get("mentions", []))])
        for q in analysis.get("quotes", []):
            c.execute("INSERT INTO quotes(article_id, id, kind, start, end, text, speaker, source_start, source_end, "
                      "source_text, cue_start, cue_end, cue_text, rule, extra) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                      (aid, q["id"], q.get("kind"), q.get("start"), q.get("end"), q.get("text"), q.get("speaker"),
                       *_span(q.get("source")), *_span(q.get("cue")), q.get("rule"), _extra(q, _QUOTE_KEYS)))
        for t in analysis.get("times", []):
            c.execute("INSERT INTO times(article_id, id, type, value, start, end, text, extra) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                      (aid, t["id"], t.get("type"), t.get("value"), t.get("start"), t.get("end"), t.get("text"),
                       _extra(t, _TIME_KEYS)))
        text = art["text"]
        for e in analysis.get("events", []):
            loc = e.get("location") or {}
            sent = e.get("sentence") or {}
            s0, s1 = sent.get("start"), sent.get("end")
            c.execute(
                "INSERT INTO events(article_id, id, type, mode, contexts, cameo, goldstein, source, target, date, time, "
                "date_precision, day, location_name, location_country, location_lat, location_lon, negated, hypothetical, "
                "quote, symmetric, trigger_start, trigger_end, trigger_text, sentence_start, sentence_end, sentence_text, "
                "confidence, rule, extra) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                "?, ?, ?, ?, ?, ?)",
                (aid, e["id"], e["type"], e.get("mode"), json.dumps(e.get("contexts") or []), e.get("cameo"),
                 e.get("goldstein"), e.get("source"), e.get("target"), e.get("date"), e.get("time"),
                 e.get("date_precision"), first_day(e.get("date")) or art.get("published"),
                 loc.get("name"), loc.get("country"), loc.get("lat"), loc.get("lon"),
                 int(bool(e.get("negated"))), int(bool(e.get("hypothetical"))), e.get("quote"),
                 int(bool(e.get("symmetric"))), *_span(e.get("trigger")), s0, s1,
                 text[s0:s1] if s0 is not None and s1 is not None else None,
                 e.get("confidence"), e.get("rule"), _extra(e, _EVENT_KEYS)))

    # -- reading --------------------------------------------------------------------------------
    def counts(self) -> dict[str, int]:
        tables = ("articles", "actors", "mentions", "quotes", "times", "events", "failures")
        return {t: self.conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables}

    def article_ids(self) -> list[str]:
        return [r[0] for r in self.conn.execute("SELECT id FROM articles ORDER BY id")]

    def analysis(self, article_id: str) -> dict[str, Any]:
        """The stored analysis of one article, in the ``gestae.analysis.v1`` shape ``extract`` writes."""
        art = self._execute("SELECT * FROM articles WHERE id = ?", (article_id,)).fetchone()
        if art is None:
            raise StoreError(f"{self.path}: no article {article_id!r}")
        extra = json.loads(art["extra"]) if art["extra"] else {}
        article = {k: art[k] for k in ("id", "text", "title", "published", "url", "source", "language")}
        article.update(extra.pop("article", {}))
        mentions: dict[str, list[dict[str, Any]]] = {}
        for m in self._execute("SELECT * FROM mentions WHERE article_id = ? ORDER BY actor_id, seq", (article_id,)):
            mentions.setdefault(m["actor_id"], []).append({"start": m["start"], "end": m["end"], "text": m["text"]})
        actors = []
        for a in self._execute("SELECT * FROM actors WHERE article_id = ? ORDER BY rowid", (article_id,)):
            d = {"id": a["id"], "name": a["name"], "kind": a["kind"], "country": a["country"],
                 "sectors": a["sectors"].split() if a["sectors"] else [], "title": a["title"], "code": a["code"],
                 "kb_id": a["kb_id"], "mentions": mentions.get(a["id"], [])}
            if a["members"] is not None:
                d["members"] = json.loads(a["members"])
            d.update(json.loads(a["extra"]) if a["extra"] else {})
            actors.append(d)
        quotes = []
        for q in self._execute("SELECT * FROM quotes WHERE article_id = ? ORDER BY rowid", (article_id,)):
            d = {"id": q["id"], "kind": q["kind"], "text": q["text"], "start": q["start"], "end": q["end"],
                 "speaker": q["speaker"], "source": _unspan(q, "source"), "cue": _unspan(q, "cue"), "rule": q["rule"]}
            d.update(json.loads(q["extra"]) if q["extra"] else {})
            quotes.append(d)
        times = []
        for t in self._execute("SELECT * FROM times WHERE article_id = ?", (article_id,)):
            d = {"id": t["id"], "text": t["text"], "start": t["start"], "end": t["end"], "type": t["type"],
                 "value": t["value"]}
            d.update(json.loads(t["extra"]) if t["extra"] else {})
            times.append(d)
        times.sort(key=lambda t: (t["start"], t["end"]))
        events = []
        for e in self._execute("SELECT * FROM events WHERE article_id = ? ORDER BY rowid", (article_id,)):
            loc = None
            if e["location_name"] is not None:
                loc = {"name": e["location_name"], "country": e["location_country"], "lat": e["location_lat"],
                       "lon": e["location_lon"]}
            d = {"id": e["id"], "type": e["type"], "mode": e["mode"], "contexts": json.loads(e["contexts"] or "[]"),
                 "cameo": e["cameo"], "goldstein": e["goldstein"], "source": e["source"], "target": e["target"],
                 "date": e["date"], "time": e["time"], "date_precision": e["date_precision"], "location": loc,
                 "negated": bool(e["negated"]), "hypothetical": bool(e["hypothetical"]), "quote": e["quote"],
                 "symmetric": bool(e["symmetric"]), "trigger": _unspan(e, "trigger"),
                 "sentence": {"start": e["sentence_start"], "end": e["sentence_end"]},
                 "confidence": e["confidence"], "rule": e["rule"]}
            d.update(json.loads(e["extra"]) if e["extra"] else {})
            events.append(d)
        out: dict[str, Any] = {"format": art["format"], "article": article, "actors": actors, "quotes": quotes,
                               "times": times, "events": events}
        out.update(extra)
        return out

    def analyses(self) -> Iterator[dict[str, Any]]:
        for article_id in self.article_ids():
            yield self.analysis(article_id)

    def rows(self, table: str) -> list[tuple[Any, ...]]:
        """Every row of a table, sorted, without rowids: two stores hold the same data iff these agree."""
        if table not in {"articles", "actors", "mentions", "quotes", "times", "events", "failures"}:
            raise StoreError(f"no table {table!r}")
        return sorted((tuple(r) for r in self.conn.execute(f"SELECT * FROM {table}")), key=repr)

    def _execute(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> sqlite3.Cursor:
        cur = self.conn.cursor()
        cur.row_factory = sqlite3.Row  # per cursor: a borrowed connection's own factory is left alone
        try:
            return cur.execute(sql, params)
        except sqlite3.OperationalError as e:
            if "fts5" in str(e) or "MATCH" in str(e):
                raise StoreError(f"not a valid search query ({e}); see FTS5 query syntax, or quote the words") from None
            raise StoreError(f"query failed: {e}") from None

    def query(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[sqlite3.Row]:
        """Rows of any SQL query over the store (tables, and the views event_rows and quote_rows)."""
        return self._execute(sql, params).fetchall()

    def frame(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> pd.DataFrame:
        """Any SQL query over the store as a DataFrame."""
        import pandas as pd

        cur = self._execute(sql, params)
        cols = [d[0] for d in cur.description]
        return pd.DataFrame([tuple(r) for r in cur.fetchall()], columns=cols)

    def events_sql(self, *, actor: str | None = None, country: str | None = None, type: str | None = None,
                   since: str | None = None, until: str | None = None, search: str | None = None,
                   article: str | None = None, factual: bool = False) -> tuple[str, list[Any]]:
        where, params = [], []
        if actor:
            # An actor is named by code (RUSGOV), or by any part of its name, case-insensitive.
            where.append("(source_code = ? OR target_code = ? OR source_name LIKE ? OR target_name LIKE ?)")
            params += [actor.upper(), actor.upper(), f"%{actor}%", f"%{actor}%"]
        if country:
            where.append(f"({_in('source_country', country, params)} OR {_in('target_country', country, params)})")
        if type:
            where.append(_in("type", type, params))
        _common_filters(where, params, "day", "events_fts", since, until, article, search)
        if factual:
            where.append("negated = 0 AND hypothetical = 0")
        sql = "SELECT * FROM event_rows"
        if where:
            sql += " WHERE " + " AND ".join(where)
        return sql + " ORDER BY day, article_id, trigger_start", params

    def events_df(self, *, actor: str | None = None, country: str | None = None, type: str | None = None,
                  since: str | None = None, until: str | None = None, search: str | None = None,
                  article: str | None = None, factual: bool = False) -> pd.DataFrame:
        """Events as a DataFrame, one row per event mention, with source/target names, countries and codes.

        ``actor``: a CAMEO code (RUSGOV) or part of a name; ``country``: ISO alpha-3 codes, comma-separated,
        as source or target; ``type``: PLOVER types, comma-separated; ``since``/``until``: YYYY-MM-DD on
        ``day`` (the event date, else the publication date); ``search``: an FTS5 query over the event
        sentences; ``factual``: leave out negated and hypothetical events.
        """
        sql, params = self.events_sql(actor=actor, country=country, type=type, since=since, until=until,
                                      search=search, article=article, factual=factual)
        return self.frame(sql, params).drop(columns="rowid")

    def quotes_df(self, *, actor: str | None = None, country: str | None = None, since: str | None = None,
                  until: str | None = None, search: str | None = None, article: str | None = None) -> pd.DataFrame:
        """Quotes with their speaker's name, country and code; ``search`` is FTS5 over the quote text."""
        where, params = [], []
        if actor:
            where.append("(speaker_code = ? OR speaker_name LIKE ?)")
            params += [actor.upper(), f"%{actor}%"]
        if country:
            where.append(_in("speaker_country", country, params))
        _common_filters(where, params, "published", "quotes_fts", since, until, article, search)
        sql = "SELECT * FROM quote_rows" + (" WHERE " + " AND ".join(where) if where else "")
        return self.frame(sql + " ORDER BY published, article_id, start", params).drop(columns="rowid")

    def actors_df(self, *, actor: str | None = None, country: str | None = None, kind: str | None = None,
                  search: str | None = None) -> pd.DataFrame:
        """Actors across the corpus, one row per (name, country, code, kind), with how many articles and
        mentions name them and how many events they take part in, most mentioned first.
        ``search`` (FTS5) keeps actors of the articles whose text matches."""
        where, params = [], []
        if actor:
            where.append("(a.code = ? OR a.name LIKE ?)")
            params += [actor.upper(), f"%{actor}%"]
        if country:
            where.append(_in("a.country", country, params))
        if kind:
            where.append("a.kind = ?")
            params.append(kind)
        if search:
            where.append("a.article_id IN (SELECT ar.id FROM articles ar JOIN articles_fts f ON f.rowid = ar.rowid "
                         "WHERE articles_fts MATCH ?)")
            params.append(search)
        sql = f"""
            SELECT a.name, a.country, a.code, a.kind, count(DISTINCT a.article_id) AS articles,
                   coalesce(sum(m.n), 0) AS mentions, coalesce(sum(ev.n), 0) AS events
            FROM actors a
            LEFT JOIN (SELECT article_id, actor_id, count(*) AS n FROM mentions GROUP BY 1, 2) m
                   ON m.article_id = a.article_id AND m.actor_id = a.id
            LEFT JOIN (SELECT article_id, actor, count(*) AS n FROM
                         (SELECT article_id, source AS actor FROM events UNION ALL
                          SELECT article_id, target FROM events) GROUP BY 1, 2) ev
                   ON ev.article_id = a.article_id AND ev.actor = a.id
            {"WHERE " + " AND ".join(where) if where else ""}
            GROUP BY a.name, a.country, a.code, a.kind
            ORDER BY mentions DESC, articles DESC, a.name"""
        return self.frame(sql, params)

    def articles_df(self, *, search: str | None = None) -> pd.DataFrame:
        sql = ("SELECT id, title, published, source, url, language, length(text) AS chars, "
               "(SELECT count(*) FROM events e WHERE e.article_id = a.id) AS events, "
               "(SELECT count(*) FROM quotes q WHERE q.article_id = a.id) AS quotes FROM articles a")
        params: list[Any] = []
        if search:
            sql += " WHERE rowid IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?)"
            params.append(search)
        return self.frame(sql + " ORDER BY published, id", params)

    def failures_df(self) -> pd.DataFrame:
        return self.frame("SELECT key, article_id, origin, stage, reason FROM failures ORDER BY key")


def _unspan(row: sqlite3.Row, prefix: str) -> dict[str, Any] | None:
    if row[f"{prefix}_start"] is None:
        return None
    return {"start": row[f"{prefix}_start"], "end": row[f"{prefix}_end"], "text": row[f"{prefix}_text"]}


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


# -- output ------------------------------------------------------------------------------------------
FORMATS = ("table", "csv", "jsonl", "parquet")


def write_frame(df: pd.DataFrame, fmt: str, out: TextIO | None = None, path: str | None = None,
                columns: Iterable[str] | None = None, width: int = 60) -> None:
    """Write a DataFrame as an aligned text table, CSV, JSONL (to ``out``) or Parquet (to ``path``)."""
    import sys

    out = out or sys.stdout
    if fmt == "parquet":
        if not path or path == "-":
            raise StoreError("--format parquet needs an output file: -o FILE.parquet")
        df.to_parquet(path, index=False)
        return
    if fmt == "csv":
        nested = [c for c in df.columns if df[c].map(lambda v: isinstance(v, list | dict)).any()]
        if nested:  # lists of evidence and the like: one JSON cell each
            df = df.assign(**{c: df[c].map(lambda v: json.dumps(plain_value(v), ensure_ascii=False)) for c in nested})
        df.to_csv(out, index=False)
    elif fmt == "jsonl":
        for rec in df.to_dict(orient="records"):
            out.write(json.dumps({k: plain_value(v) for k, v in rec.items()}, ensure_ascii=False) + "\n")
    elif fmt == "table":
        view = df[[c for c in columns if c in df.columns]] if columns else df
        if view.empty:
            out.write("(no rows)\n")
            return
        cells = [[_cell(v, width) for v in row] for row in view.itertuples(index=False)]
        heads = list(view.columns)
        widths = [max(len(h), *(len(r[i]) for r in cells)) for i, h in enumerate(heads)]
        out.write("  ".join(h.ljust(w) for h, w in zip(heads, widths, strict=True)).rstrip() + "\n")
        for r in cells:
            out.write("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() + "\n")
    else:
        raise StoreError(f"unknown format {fmt!r} (one of {', '.join(FORMATS)})")


def plain_value(v: Any) -> Any:
    """A DataFrame cell as a JSON value (numpy scalars, NaN and arrays made plain)."""
    if hasattr(v, "tolist"):
        v = v.tolist()
    if isinstance(v, float) and v != v:
        return None
    if v is not None and type(v).__name__ in ("NAType", "NaTType"):
        return None
    return v


def _cell(v: Any, width: int) -> str:
    v = plain_value(v)
    if v is None:
        return "-"
    if isinstance(v, float):
        s = f"{v:g}"
    elif isinstance(v, list):
        s = "; ".join(str(x) for x in v)
    else:
        s = str(v)
    s = " ".join(s.split())
    return s if len(s) <= width else s[: width - 1] + "…"

"""Read-only queries over a store written by ``gestae ingest``, shaped for the web views and API.

The store's own SQL (``Store.events_sql``, ``Store.analysis`` and its views ``event_rows`` and
``quote_rows``) runs here on a connection opened with ``mode=ro``: a query endpoint cannot write,
whatever it is asked.
"""
from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from ..store import Store, StoreError

MAX_NODES = 40  # more labelled nodes than this make an unreadable circle


class CorpusError(Exception):
    def __init__(self, message: str, status: int = 500):
        super().__init__(message)
        self.status = status


def connect_ro(path: str | Path) -> sqlite3.Connection:
    """Open an SQLite file read-only (``file:...?mode=ro``)."""
    p = Path(path).resolve()
    if not p.is_file():
        raise CorpusError(f"store not found: {path}", 500)
    con = sqlite3.connect(f"{p.as_uri()}?mode=ro", uri=True, check_same_thread=False)
    con.row_factory = sqlite3.Row
    return con


def readonly_store(path: str | Path) -> Store:
    """A :class:`Store` over a connection we opened read-only: its queries, none of its writes."""
    con = connect_ro(path)
    try:
        return Store(con)
    except StoreError as e:
        con.close()
        raise CorpusError(str(e)) from None


def _event_item(r: sqlite3.Row) -> dict[str, Any]:
    return {"article": r["article_id"], "event": r["id"], "type": r["type"], "cameo": r["cameo"],
            "goldstein": r["goldstein"], "date": r["date"], "day": r["day"],
            "source_name": r["source_name"], "source_country": r["source_country"], "source_code": r["source_code"],
            "target_name": r["target_name"], "target_country": r["target_country"], "target_code": r["target_code"],
            "negated": bool(r["negated"]), "hypothetical": bool(r["hypothetical"]),
            "trigger": r["trigger_text"], "sentence": r["sentence_text"], "title": r["title"],
            "published": r["published"]}


class Corpus:
    def __init__(self, path: str | Path):
        self.path = Path(path)
        readonly_store(self.path).conn.close()  # fail at start, not on the first request

    def store(self) -> Store:
        # One connection per request: sqlite3 connections are cheap and not shared across threads.
        return readonly_store(self.path)

    def _rows(self, sql: str, params: list[Any] | tuple[Any, ...] = ()) -> list[sqlite3.Row]:
        store = self.store()
        try:
            return store.query(sql, params)
        except StoreError as e:
            raise CorpusError(str(e), 400) from None
        finally:
            store.conn.close()

    def articles(self, limit: int = 50, offset: int = 0) -> dict[str, Any]:
        total = self._rows("SELECT count(*) FROM articles")[0][0]
        rows = self._rows(
            "SELECT id, title, published, source, "
            "(SELECT count(*) FROM events e WHERE e.article_id = a.id) AS events, "
            "(SELECT count(*) FROM quotes q WHERE q.article_id = a.id) AS quotes "
            "FROM articles a ORDER BY published DESC, id LIMIT ? OFFSET ?", (limit, offset))
        return {"total": total, "items": [dict(r) for r in rows]}

    def analysis(self, article_id: str) -> dict[str, Any]:
        store = self.store()
        try:
            return store.analysis(article_id)
        except StoreError:
            raise CorpusError(f"no article {article_id!r} in the store", 404) from None
        finally:
            store.conn.close()

    def events(self, *, actor: str | None = None, country: str | None = None, source: str | None = None,
               target: str | None = None, type: str | None = None, since: str | None = None,
               until: str | None = None, article: str | None = None, limit: int = 50,
               offset: int = 0) -> dict[str, Any]:
        sql, params = Store.events_sql(None, actor=actor, country=country, type=type,  # type: ignore[arg-type]
                                       since=since, until=until, article=article)
        where = []
        if source:
            where.append("source_country = ?")
            params.append(source.upper())
        if target:
            where.append("target_country = ?")
            params.append(target.upper())
        if where:
            sql = f"SELECT * FROM ({sql}) WHERE {' AND '.join(where)}"
        total = self._rows(f"SELECT count(*) FROM ({sql})", params)[0][0]
        rows = self._rows(f"{sql} LIMIT ? OFFSET ?", [*params, limit, offset])
        return {"total": total, "items": [_event_item(r) for r in rows]}

    def quotes(self, *, speaker: str | None = None, country: str | None = None, article: str | None = None,
               limit: int = 50, offset: int = 0) -> dict[str, Any]:
        where, params = [], []
        if speaker:
            where.append("speaker_name = ?")
            params.append(speaker)
        if country:
            where.append("speaker_country = ?")
            params.append(country.upper())
        if article:
            where.append("article_id = ?")
            params.append(article)
        sql = "SELECT * FROM quote_rows" + (" WHERE " + " AND ".join(where) if where else "")
        total = self._rows(f"SELECT count(*) FROM ({sql})", params)[0][0]
        rows = self._rows(f"{sql} ORDER BY published, article_id, start LIMIT ? OFFSET ?", [*params, limit, offset])
        items = [{"article": r["article_id"], "quote": r["id"], "kind": r["kind"], "text": r["text"],
                  "speaker_name": r["speaker_name"], "speaker_country": r["speaker_country"],
                  "speaker_code": r["speaker_code"], "title": r["title"], "published": r["published"]} for r in rows]
        return {"total": total, "items": items}

    def speakers(self, limit: int = 200) -> list[dict[str, Any]]:
        rows = self._rows("SELECT speaker_name AS name, speaker_country AS country, count(*) AS n FROM quote_rows "
                          "WHERE speaker_name IS NOT NULL GROUP BY 1, 2 ORDER BY n DESC, name LIMIT ?", (limit,))
        return [dict(r) for r in rows]

    def network(self, level: str = "country", min_events: int = 1) -> dict[str, Any]:
        """Directed edges weighted by event count, with mean Goldstein; self-loops left out."""
        if level == "country":
            key_s, key_t = "source_country", "target_country"
            label_s, label_t = "source_country", "target_country"
        else:
            key_s, key_t = "source_name || '|' || coalesce(source_country, '')", \
                           "target_name || '|' || coalesce(target_country, '')"
            label_s, label_t = "source_name", "target_name"
        rows = self._rows(
            f"SELECT {key_s} AS s, {key_t} AS t, min({label_s}) AS sl, min({label_t}) AS tl, "
            "min(source_country) AS sc, min(target_country) AS tc, count(*) AS n, "
            "round(avg(goldstein), 2) AS g FROM event_rows "
            f"WHERE {label_s} IS NOT NULL AND {label_t} IS NOT NULL AND s != t "
            "GROUP BY s, t HAVING n >= ? ORDER BY n DESC", (min_events,))
        weight: dict[str, int] = {}
        meta: dict[str, tuple[str, str | None]] = {}
        for r in rows:
            for k, label, c in ((r["s"], r["sl"], r["sc"]), (r["t"], r["tl"], r["tc"])):
                weight[k] = weight.get(k, 0) + r["n"]
                meta[k] = (label, c)
        keep = sorted(weight, key=lambda k: (-weight[k], k))[:MAX_NODES]
        kept = set(keep)
        nodes = [{"id": k, "label": meta[k][0], "country": meta[k][1], "weight": weight[k]} for k in keep]
        edges = [{"source": r["s"], "target": r["t"], "source_label": r["sl"], "target_label": r["tl"],
                  "count": r["n"], "goldstein": r["g"]} for r in rows if r["s"] in kept and r["t"] in kept]
        return {"level": level, "nodes": nodes, "edges": edges}

    def dyads(self, limit: int = 50) -> list[dict[str, Any]]:
        rows = self._rows(
            "SELECT source_country AS source, target_country AS target, count(*) AS count, "
            "round(avg(goldstein), 2) AS goldstein FROM event_rows WHERE source_country IS NOT NULL "
            "AND target_country IS NOT NULL AND source_country != target_country "
            "GROUP BY 1, 2 ORDER BY count DESC, source, target LIMIT ?", (limit,))
        return [dict(r) for r in rows]

    def timeline(self, source: str, target: str, freq: str = "month") -> dict[str, Any]:
        """Mean Goldstein per month (or year) for one directed country dyad, from events that happened
        (negated and hypothetical ones are left out), each period with its events."""
        source, target = source.upper(), target.upper()
        width = 7 if freq == "month" else 4
        rows = self._rows(
            "SELECT * FROM event_rows WHERE source_country = ? AND target_country = ? AND day IS NOT NULL "
            "AND negated = 0 AND hypothetical = 0 ORDER BY day, article_id, trigger_start", (source, target))
        months: dict[str, list[dict[str, Any]]] = {}
        for r in rows:
            months.setdefault(r["day"][:width], []).append(_event_item(r))
        points = []
        for period, evs in months.items():
            scores = [e["goldstein"] for e in evs if e["goldstein"] is not None]
            mean = round(sum(scores) / len(scores), 2) if scores else None
            if len(evs) == 1:
                href = f"/articles/{_q(evs[0]['article'])}?event={_q(evs[0]['event'])}"
            else:
                first, last = (f"{period}-01", f"{period}-31") if width == 7 else (f"{period}-01-01", f"{period}-12-31")
                href = f"/events?source={_q(source)}&target={_q(target)}&since={first}&until={last}"
            points.append({"period": period, "goldstein": mean, "count": len(evs), "events": evs, "href": href})
        return {"source": source, "target": target, "freq": freq, "points": points}


def _q(value: str) -> str:
    from urllib.parse import quote

    return quote(value, safe="")

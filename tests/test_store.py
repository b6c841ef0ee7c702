"""The store: analyses in, the same analyses out; replacement, search, schema versions, merging, dyads."""
from __future__ import annotations

import copy
import sqlite3

import pytest

from gestae import aggregate
from gestae.store import SCHEMA_VERSION, Store, StoreError, first_day, write_frame


def as_other_article(analysis: dict, new_id: str) -> dict:
    """The same story under another id, as when two outlets run one wire report."""
    a = copy.deepcopy(analysis)
    a["article"]["id"] = new_id
    return a


def test_store_round_trips_an_analysis(tmp_path, seed_analysis):
    with Store(tmp_path / "s.db") as store:
        store.write(seed_analysis)
        assert store.analysis(seed_analysis["article"]["id"]) == seed_analysis
        counts = store.counts()
    assert counts["articles"] == 1
    assert counts["events"] == len(seed_analysis["events"])
    assert counts["quotes"] == len(seed_analysis["quotes"])
    assert counts["mentions"] == sum(len(a["mentions"]) for a in seed_analysis["actors"])


def test_store_keeps_event_evidence_offsets(tmp_path, seed_analysis):
    text = seed_analysis["article"]["text"]
    with Store(tmp_path / "s.db") as store:
        store.write(seed_analysis)
        df = store.events_df()
    assert len(df) == len(seed_analysis["events"])
    for row in df.itertuples():
        assert text[row.sentence_start:row.sentence_end] == row.sentence_text
        assert text[row.trigger_start:row.trigger_end] == row.trigger_text


def test_store_rewrite_replaces_rows_and_search_index(tmp_path, seed_analysis):
    changed = copy.deepcopy(seed_analysis)
    changed["article"]["text"] = seed_analysis["article"]["text"] + "\n"  # a new text hash
    changed["events"] = changed["events"][:1]
    with Store(tmp_path / "s.db") as store:
        store.write(seed_analysis)
        store.write(seed_analysis)
        assert store.counts()["events"] == len(seed_analysis["events"])  # not doubled
        store.write(changed)
        assert store.counts()["events"] == 1
        assert store.analysis(changed["article"]["id"]) == changed
        # The FTS index follows the rows: only the surviving event's sentence is found.
        word = changed["events"][0]["trigger"]["text"]
        assert len(store.events_df(search=f'"{word}"')) == 1


def test_store_search_and_filters(tmp_path, seed_analysis):
    with Store(tmp_path / "s.db") as store:
        store.write(seed_analysis)
        everything = store.events_df()
        rus = store.events_df(country="RUS")
        assert 0 < len(rus) <= len(everything)
        assert all("RUS" in (r.source_country, r.target_country) for r in rus.itertuples())
        one_type = everything["type"].iloc[0]
        assert set(store.events_df(type=one_type.lower())["type"]) == {one_type}
        assert store.events_df(since="2100-01-01").empty
        with pytest.raises(StoreError, match="search"):
            store.events_df(search='AND "')
        actors = store.actors_df(country="CHN")
        assert len(actors) and set(actors["country"]) == {"CHN"}


def test_store_schema_version_and_migration(tmp_path):
    path = tmp_path / "s.db"
    sqlite3.connect(path).close()  # an empty file: version 0, migrated on open
    with Store(path) as store:
        assert store.version == SCHEMA_VERSION
        assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert store.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(StoreError, match="newer"):
        Store(path)


def test_store_readonly_refuses_writes_and_missing_file(tmp_path, seed_analysis):
    path = tmp_path / "s.db"
    with Store(path) as store:
        store.write(seed_analysis)
    with Store(path, readonly=True) as ro:
        assert len(ro.events_df()) == len(seed_analysis["events"])
        with pytest.raises(sqlite3.OperationalError):
            ro.write(as_other_article(seed_analysis, "copy"))
    with pytest.raises(StoreError, match="no such store"):
        Store(tmp_path / "missing.db", readonly=True)


def test_store_first_day_of_timex_values():
    assert first_day("2023-11-08") == "2023-11-08"
    assert first_day("2023-W44") == "2023-10-30"
    assert first_day("2023-11") == "2023-11-01"
    assert first_day("2023-Q2") == "2023-04-01"
    assert first_day("2022") == "2022-01-01"
    assert first_day("PRESENT_REF") is None
    assert first_day(None) is None


def test_store_merge_counts_mentions_and_articles(tmp_path, seed_analysis):
    with Store(tmp_path / "s.db") as store:
        store.write(seed_analysis)
        store.write(as_other_article(seed_analysis, "copy-of-seed"))
        mentions = store.events_df(factual=True)
    merged = aggregate.merge_events(mentions)
    assert merged["mentions"].sum() == len(mentions)
    both = merged["source"].notna() & merged["target"].notna()
    assert both.any()
    # Every event with both actors is reported by both copies, and keeps each sentence with its article.
    for row in merged[both].itertuples():
        assert row.articles == 2
        assert {e["article_id"] for e in row.evidence} == {"russia-china-2023-11-08", "copy-of-seed"}
        assert all(e["sentence"] for e in row.evidence)
    # One with an actor missing is not merged: nothing says two such reports are of one event.
    assert (merged[~both]["mentions"] == 1).all()


def test_store_dyads_plot_and_graphml(tmp_path, seed_analysis):
    with Store(tmp_path / "s.db") as store:
        store.write(seed_analysis)
        table = aggregate.dyads(store, freq="month")
        assert not table.empty
        assert list(table.columns) == ["period", "source", "target", "events", "mentions", "articles", "goldstein"]
        assert table["goldstein"].between(-10, 10).all()
        pair = f"{table['source'].iloc[0]}-{table['target'].iloc[0]}"
        only = aggregate.dyads(store, freq="year", dyads=[pair])
        assert len(only) == 1 and only["events"].iloc[0] >= 1
        png = aggregate.plot_dyads(only, tmp_path / "d.png", dyads=[pair], freq="year")
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        n = aggregate.write_graphml(store, tmp_path / "g.graphml")
    import xml.etree.ElementTree as ET

    root = ET.parse(tmp_path / "g.graphml").getroot()
    ns = {"g": "http://graphml.graphdrawing.org/xmlns"}
    assert len(root.findall(".//g:node", ns)) == n["nodes"] > 0
    assert len(root.findall(".//g:edge", ns)) == n["edges"] > 0


def test_store_write_frame_formats(tmp_path, seed_analysis):
    import io

    import pandas as pd

    with Store(tmp_path / "s.db") as store:
        store.write(seed_analysis)
        merged = aggregate.merge_events(store.events_df())
    for fmt in ("table", "csv", "jsonl"):
        buf = io.StringIO()
        write_frame(merged, fmt, buf)
        assert buf.getvalue().count("\n") >= len(merged)
    write_frame(merged, "parquet", path=str(tmp_path / "m.parquet"))
    assert len(pd.read_parquet(tmp_path / "m.parquet")) == len(merged)
    with pytest.raises(StoreError, match="-o"):
        write_frame(merged, "parquet")


def test_store_merge_symmetric_events_either_way_round(tmp_path, seed_analysis):
    """"Talks between A and B" reported as B-A elsewhere is the same event, and counts for both dyads."""
    actors = {a["id"]: a for a in seed_analysis["actors"]}
    pick = next(e for e in seed_analysis["events"]
                if e["source"] and e["target"] and not (e["negated"] or e["hypothetical"]) and actors[e["source"]]["country"] and actors[e["target"]]["country"]
                and actors[e["source"]]["country"] != actors[e["target"]]["country"])
    one = copy.deepcopy(seed_analysis)
    one["events"] = [dict(pick, symmetric=True)]
    other = as_other_article(one, "other-outlet")
    other["events"] = [dict(pick, symmetric=True, source=pick["target"], target=pick["source"])]
    with Store(tmp_path / "s.db") as store:
        store.write(one)
        store.write(other)
        merged = aggregate.merge_events(store.events_df(), by="country")
        table = aggregate.dyads(store, freq="year")
    assert len(merged) == 1 and merged["mentions"].iloc[0] == 2 and merged["articles"].iloc[0] == 2
    src, tgt = actors[pick["source"]]["country"], actors[pick["target"]]["country"]
    assert {(r.source, r.target) for r in table.itertuples()} == {(src, tgt), (tgt, src)}
    assert (table["events"] == 1).all()

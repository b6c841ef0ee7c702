"""The web app's JSON API and pages through FastAPI's TestClient: analysis, limits, escaping, store."""
from __future__ import annotations

import json
import sqlite3
import warnings
from pathlib import Path
from urllib.parse import quote

import pytest

pytest.importorskip("fastapi", reason="the web extra is not installed: pip install 'gestae[web]'")

with warnings.catch_warnings():  # starlette's TestClient warns about its own httpx use, not ours
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from gestae.web import create_app  # noqa: E402
from gestae.web.render import segments  # noqa: E402

from .conftest import SEED_TXT, assert_offsets_consistent, world_news  # noqa: E402

HOSTILE_ID = 'hostile"><img src=x onerror=window.__xss=3>'
HOSTILE = '<script>window.__xss=1</script>"><img src=x onerror="window.__xss=2"> \' onmouseover=alert(1) x="'


def build_store(db: Path) -> Path:
    """A small store: the seed article and four world-news articles about Russia or China
    (never reserved ids), ingested the way `gestae ingest` does it."""
    from gestae.corpus import ingest

    recs = [r for r in world_news(120) if "Russia" in r["text"] or "China" in r["text"]][:4]
    recs.append({"id": "russia-china-2023-11-08", "title": "Putin meets Chinese general Zhang Youxia",
                 "published": "2023-11-08", "text": SEED_TXT.read_text(encoding="utf-8")})
    # Hostile text and metadata, stored: the corpus views must show it as text too.
    recs.append({"id": HOSTILE_ID, "title": HOSTILE, "source": HOSTILE, "url": "javascript:window.__xss=4",
                 "published": "2023-11-09",
                 "text": f"Russian President Vladimir Putin said {HOSTILE} Russia will sign a deal with China. "
                         f"Chinese President Xi Jinping said: \"{HOSTILE}\"\nRussia accused Ukraine of {HOSTILE}."})
    src = db.with_suffix(".jsonl")
    src.write_text("".join(json.dumps(r) + "\n" for r in recs), encoding="utf-8")
    summary = ingest([src], db, progress=False)
    assert summary.failed == 0, summary.failures
    return db


@pytest.fixture(scope="session")
def web_store(tmp_path_factory) -> Path:
    """One small store for the API and the browser tests (ingest is the slow part)."""
    return build_store(tmp_path_factory.mktemp("web") / "store.db")


@pytest.fixture(scope="module")
def store_client(web_store) -> TestClient:
    return TestClient(create_app(web_store))


@pytest.fixture(scope="module")
def client() -> TestClient:
    return TestClient(create_app(max_body=200_000))


@pytest.fixture(scope="module")
def seed_via_api(client) -> dict:
    r = client.post("/api/analyze", json={"text": SEED_TXT.read_text(encoding="utf-8"), "published": "2023-11-08",
                                          "id": "russia-china-2023-11-08"})
    assert r.status_code == 200, r.text
    return r.json()


def test_web_api_analyze_returns_valid_analysis(seed_via_api, schema_validator):
    schema_validator.validate(seed_via_api)
    assert seed_via_api["article"]["published"] == "2023-11-08"
    assert_offsets_consistent(seed_via_api)
    assert any(a["name"] == "Vladimir Putin" for a in seed_via_api["actors"])


def test_web_api_analyze_reports_input_errors(client):
    r = client.post("/api/analyze", json={"text": "   "})
    assert r.status_code == 422 and "empty text" in r.json()["detail"]
    r = client.post("/api/analyze", json={"text": "Putin met Xi.", "published": "yesterday"})
    assert r.status_code == 422 and "not a date" in r.json()["detail"]


def test_web_api_body_over_limit_is_413(client):
    big = {"text": "Putin met Xi. " * 20_000}
    r = client.post("/api/analyze", json=big)
    assert r.status_code == 413
    assert "request body too large" in r.json()["detail"]

    def chunks():  # no Content-Length: the limit must hold while the body streams in
        for _ in range(30):
            yield b"x" * 10_000

    r = client.post("/api/analyze", content=chunks(), headers={"content-type": "application/json"})
    assert r.status_code == 413


def test_web_api_refuses_url_fetch_without_flag(client):
    r = client.post("/api/analyze", json={"url": "http://127.0.0.1:9/none"})
    assert r.status_code == 403 and "--allow-url-fetch" in r.json()["detail"]
    r = client.post("/article", data={"url": "http://127.0.0.1:9/none", "text": ""})
    assert r.status_code == 200 and "--allow-url-fetch" in r.text


def test_web_api_openapi_documents_endpoints(client):
    paths = client.get("/openapi.json").json()["paths"]
    for p in ("/api/analyze", "/api/events", "/api/quotes", "/api/articles/{article_id}", "/api/timeline"):
        assert p in paths


def test_web_api_corpus_endpoints_need_a_store(client):
    r = client.get("/api/events")
    assert r.status_code == 404 and "--db" in r.json()["detail"]


def test_web_page_escapes_hostile_text_and_metadata(client):
    r = client.post("/article", data={"text": f"Putin met Xi in Moscow. {HOSTILE}", "title": HOSTILE,
                                      "published": "2023-11-08"})
    assert r.status_code == 200
    html = r.text
    assert "<script>window.__xss" not in html and "<img src=x" not in html
    assert "&lt;script&gt;window.__xss=1&lt;/script&gt;" in html
    assert 'onerror="window' not in html
    csp = r.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert r.headers["x-content-type-options"] == "nosniff"


def test_web_page_upload_file_with_date(client):
    r = client.post("/article", data={"published": "2023-11-08"},
                    files={"file": ("seed.txt", SEED_TXT.read_bytes(), "text/plain")})
    assert r.status_code == 200
    assert "published 2023-11-08" in r.text and "Zhang Youxia" in r.text


def test_web_render_segments_tile_the_text(seed_via_api):
    segs = segments(seed_via_api)
    assert "".join(s.text for s in segs) == seed_via_api["article"]["text"]
    for q in seed_via_api["quotes"]:
        inside = [s for s in segs if q["id"] in s.quotes]
        assert inside and inside[0].start == q["start"] and inside[-1].end == q["end"]
    for e in seed_via_api["events"]:
        trig = [s for s in segs if e["id"] in s.triggers]
        assert "".join(s.text for s in trig) == e["trigger"]["text"]


def test_web_store_connection_is_read_only(tmp_path):
    from gestae.web.corpus import connect_ro

    db = tmp_path / "x.db"
    with sqlite3.connect(db) as con:
        con.execute("create table t (a)")
    con = connect_ro(db)
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        con.execute("insert into t values (1)")


def test_web_api_store_queries_read_only(store_client):
    arts = store_client.get("/api/articles").json()
    assert arts["total"] == 6
    seed = store_client.get("/api/articles/russia-china-2023-11-08").json()
    assert seed["article"]["published"] == "2023-11-08" and seed["format"] == "gestae.analysis.v1"
    assert store_client.get("/api/articles/nope").status_code == 404
    events = store_client.get("/api/events", params={"article": "russia-china-2023-11-08"}).json()
    assert events["total"] == len(seed["events"]) > 0
    page = store_client.get("/api/events", params={"limit": 2, "offset": 1}).json()
    assert len(page["items"]) == min(2, page["total"] - 1)
    rus = store_client.get("/api/events", params={"source": "RUS"}).json()
    assert all(e["source_country"] == "RUS" for e in rus["items"])
    quotes = store_client.get("/api/quotes", params={"speaker": "Vladimir Putin"}).json()
    assert quotes["total"] >= 1 and all(q["speaker_name"] == "Vladimir Putin" for q in quotes["items"])
    net = store_client.get("/api/network").json()
    ids = {n["id"] for n in net["nodes"]}
    assert all(e["source"] in ids and e["target"] in ids for e in net["edges"])
    line = store_client.get("/api/timeline", params={"source": "RUS", "target": "CHN"}).json()
    assert all(p["count"] == len(p["events"]) for p in line["points"])
    for path in ("/", "/events", "/quotes", "/network", "/timeline", "/articles/russia-china-2023-11-08"):
        r = store_client.get(path)
        assert r.status_code == 200, path
        assert "<img src=x" not in r.text and "<script>window" not in r.text, path
    hostile = store_client.get("/api/articles/" + quote(HOSTILE_ID, safe="")).json()
    assert hostile["article"]["title"] == HOSTILE


def test_web_api_fetches_url_only_with_flag(tmp_path):
    import functools
    import http.server
    import threading

    (tmp_path / "page.html").write_text("<html><head><title>Summit</title></head><body><article><p>"
                                        + SEED_TXT.read_text(encoding="utf-8").replace("\n", "</p><p>")
                                        + "</p></article></body></html>", encoding="utf-8")
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{httpd.server_address[1]}/page.html"
        r = TestClient(create_app(allow_url_fetch=True)).post("/api/analyze", json={"url": url,
                                                                                  "published": "2023-11-08"})
        assert r.status_code == 200, r.text
        assert "Zhang Youxia" in r.json()["article"]["text"] and r.json()["article"]["url"] == url
        r = TestClient(create_app(allow_url_fetch=True)).post("/api/analyze", json={"url": "file:///etc/passwd"})
        assert r.status_code == 422 and "http and https" in r.json()["detail"]
    finally:
        httpd.shutdown()


def test_web_cli_serve_defaults_to_loopback_and_checks_store(tmp_path):
    from click.testing import CliRunner

    from gestae.cli import main

    help_text = CliRunner().invoke(main, ["serve", "--help"]).output
    assert "127.0.0.1" in help_text and "--allow-url-fetch" in help_text
    r = CliRunner().invoke(main, ["serve", "--db", str(tmp_path / "missing.db")])
    assert r.exit_code == 2 and "store not found" in r.output


def test_web_render_colours_keep_counterparts_apart():
    from gestae.web.render import FIXED_COLOURS, country_class

    fixed = [country_class(c) for c in FIXED_COLOURS]
    assert len(set(fixed)) == len(fixed)
    assert country_class("WST") not in fixed and country_class("AUT") not in fixed
    assert country_class(None) == "cc-none" and country_class("RUS") == country_class("RUS")


def test_web_page_shows_reading_warnings(client):
    text = "Le président Putin a rencontré Xi à Moscou. Putin said Russia would help China.".encode("cp1252")
    r = client.post("/article", data={"published": "2023-11-08"}, files={"file": ("latin.txt", text, "text/plain")})
    assert r.status_code == 200
    assert 'class="warning"' in r.text and "Windows-1252" in r.text

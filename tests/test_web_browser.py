"""The web app in real headless Chromium (Debian's package, driven by Playwright): the article view,
evidence highlighting, hostile text, and the corpus views over a small store."""
from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest

CHROMIUM = os.environ.get("GESTAE_CHROMIUM", "/usr/bin/chromium")
if not Path(CHROMIUM).exists():
    pytest.skip(f"headless browser tests need Chromium at {CHROMIUM} (apt-get install chromium)",
                allow_module_level=True)
pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install 'gestae[test]')")
pytest.importorskip("uvicorn", reason="the web extra is not installed: pip install 'gestae[web]'")

import uvicorn  # noqa: E402
from playwright.sync_api import Browser, Page, expect, sync_playwright  # noqa: E402

from gestae.web import create_app  # noqa: E402

from .conftest import SEED_TXT  # noqa: E402
from .test_web_api import HOSTILE, HOSTILE_ID, web_store  # noqa: E402, F401 - web_store is a fixture

pytestmark = pytest.mark.browser
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]


class Server:
    """uvicorn on a free loopback port in a thread, for the length of a module."""

    def __init__(self, app):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> Server:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            assert time.monotonic() < deadline, "server did not start"
            time.sleep(0.05)
        return self

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(10)


@pytest.fixture(scope="module")
def server(web_store) -> Iterator[Server]:  # noqa: F811 - the fixture imported above
    with Server(create_app(web_store)) as s:
        yield s


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser) -> Iterator[Page]:
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = ctx.new_page()
    pg.set_default_timeout(30_000)
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.on("dialog", lambda d: (errors.append(f"dialog: {d.message}"), d.dismiss()))
    pg.js_errors = errors  # type: ignore[attr-defined]
    yield pg
    ctx.close()


def analyse(page: Page, base: str, text: str, published: str, title: str = "") -> None:
    page.goto(base + "/")
    page.fill("#text", text)
    page.fill("#published", published)
    if title:
        page.fill("#title", title)
    page.click("#analyse")
    page.wait_for_selector("#article-text")


def test_web_browser_seed_article_quotes_and_event_evidence(page, server):
    analyse(page, server.url, SEED_TXT.read_text(encoding="utf-8"), "2023-11-08")
    # Putin's direct quote is highlighted and labelled with his name.
    label = page.locator(".qlabel", has_text="Vladimir Putin").first
    expect(label).to_be_visible()
    quote_id = label.get_attribute("data-quote")
    quote_text = " ".join(page.locator(f'.seg.q[data-q~="{quote_id}"]').all_text_contents())
    assert quote_text.strip(), "the labelled quote has highlighted text"
    putin_quotes = [" ".join(page.locator(f'.seg.q[data-q~="{q.get_attribute("data-quote")}"]').all_text_contents())
                    for q in page.locator(".qlabel", has_text="Vladimir Putin").all()]
    assert any("I mean space" in t for t in putin_quotes), putin_quotes
    # Actor mentions are coloured by country: Putin like Russia, China in another colour.
    def colour(name: str) -> str:
        cls = page.locator("#article-text .seg.m", has_text=name).first.get_attribute("class").split()
        return next(c for c in cls if c.startswith("cc-"))

    assert colour("Vladimir Putin") == colour("Russia") != "cc-none"
    assert colour("China") not in (colour("Russia"), "cc-none")
    # Clicking an event highlights its trigger and its sentence.
    button = page.locator("button.event").first
    expect(button).to_be_visible()
    trigger = button.locator(".trigger-text").inner_text().strip("“”")
    button.click()
    expect(button).to_have_class("event active")
    hl = page.locator(".seg.ev-trigger")
    expect(hl.first).to_be_visible()
    assert "".join(hl.all_text_contents()) == trigger
    assert page.locator(".seg.ev-sentence").count() >= 1
    assert page.js_errors == []


def test_web_browser_hostile_text_renders_literally(page, server):
    text = f"Russian President Vladimir Putin said Russia will help China. {HOSTILE}\n{HOSTILE}"
    analyse(page, server.url, text, "2023-11-08", title=HOSTILE)
    page.wait_for_timeout(200)
    assert page.evaluate("window.__xss") is None
    assert page.js_errors == []
    body = page.locator("#article-text")
    assert HOSTILE in body.text_content()
    assert page.locator("#article-title").text_content() == HOSTILE
    assert page.locator("#article-text img, #article-title img, script:not([src])").count() == 0


def test_web_browser_corpus_views_link_back_to_text(page, server):
    page.goto(server.url + "/")
    expect(page.locator("#stored-articles li", has_text=HOSTILE)).to_have_count(1)
    page.goto(server.url + "/events")
    rows = page.locator("#events-table tbody tr")
    assert rows.count() >= 3
    page.locator("#events-table a.evidence-link").first.click()
    page.wait_for_selector("#article-text")
    expect(page.locator(".seg.ev-trigger").first).to_be_visible()

    page.goto(server.url + "/quotes")
    assert page.locator("#speakers li").count() >= 2
    page.locator("#quotes-table a.evidence-link").first.click()
    expect(page.locator(".seg.q-active").first).to_be_visible()

    page.goto(server.url + "/network")
    assert page.locator("#network circle").count() >= 2
    page.goto(server.url + "/timeline?source=RUS&target=CHN")
    assert page.locator("#timeline circle").count() >= 1
    # The stored hostile article, through its link on the home page and in the events table.
    page.goto(server.url + "/events?article=" + quote(HOSTILE_ID, safe=""))
    assert HOSTILE in page.locator("#events-table").text_content()
    page.locator("#events-table a.evidence-link").first.click()
    expect(page.locator("#article-title")).to_have_text(HOSTILE)
    assert page.evaluate("window.__xss") is None
    assert page.js_errors == []

"""Screenshots of the web app for the README: the article view (seed article, an event clicked) and
the dyad timeline over a store, taken in headless Chromium on a loopback server.

    gestae ingest ../shared/corpora/world-news/articles.jsonl --db corpus.db   # or any store
    .venv/bin/python scripts/web_screenshots.py --db corpus.db --source RUS --target CHN
"""
from __future__ import annotations

import argparse
import socket
import threading
import time
from pathlib import Path

import uvicorn
from playwright.sync_api import sync_playwright

from gestae.web import create_app

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT.parent / "shared" / "examples" / "russia-china-2023-11-08.txt"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", required=True, help="store for the dyad timeline")
    ap.add_argument("--source", default="RUS")
    ap.add_argument("--target", default="CHN")
    ap.add_argument("--freq", default="month", choices=["month", "year"])
    ap.add_argument("--event", default="CONSULT", help="type of the event to click in the article view")
    ap.add_argument("--out", default=str(ROOT / "docs"))
    ap.add_argument("--chromium", default="/usr/bin/chromium")
    args = ap.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(args.db), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    base = f"http://127.0.0.1:{port}"
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=args.chromium, args=ARGS)
            page = browser.new_page(viewport={"width": 1360, "height": 1000}, device_scale_factor=1)
            page.goto(base + "/")
            page.fill("#text", SEED.read_text(encoding="utf-8"))
            page.fill("#published", "2023-11-08")
            page.fill("#title", "Putin meets Chinese general Zhang Youxia")
            page.click("#analyse")
            page.wait_for_selector("#article-text")
            button = page.locator("button.event", has_text=args.event).first
            if not button.count():
                button = page.locator("button.event").first
            button.click()
            page.evaluate("window.scrollTo(0, 0)")
            page.screenshot(path=str(out / "web-article.png"), full_page=False)
            page.goto(f"{base}/timeline?source={args.source}&target={args.target}&freq={args.freq}")
            page.wait_for_selector("#timeline")
            box = page.locator("main").bounding_box()
            page.screenshot(path=str(out / "web-dyads.png"), full_page=True,
                            clip={"x": box["x"], "y": box["y"], "width": box["width"], "height": min(box["height"], 820)})
            browser.close()
    finally:
        server.should_exit = True
        thread.join(10)
    print(f"wrote {out / 'web-article.png'} and {out / 'web-dyads.png'}")


if __name__ == "__main__":
    main()

"""Reading inputs: every format of the spec, and bad input turned into one clear error, batch intact."""
from __future__ import annotations

import io
import json

import pytest

from gestae.errors import InputError
from gestae.ingest import decode, read_path, stable_id
from gestae.model import Article

from .conftest import SEED_TXT


def articles(items):
    return [x for x in items if isinstance(x, Article)]


def errors(items):
    return [x for x in items if isinstance(x, InputError)]


def test_ingest_txt_keeps_text_exactly(tmp_path):
    raw = "Line one.\r\nLine “two”.\n"
    p = tmp_path / "a.txt"
    p.write_bytes(raw.encode("utf-8"))
    (art,) = list(read_path(p, published="2020-01-02"))
    assert art.text == raw and art.id == "a" and art.published == "2020-01-02"


def test_ingest_jsonl_bad_line_named_and_rest_kept(tmp_path):
    p = tmp_path / "batch.jsonl"
    p.write_text("\n".join([
        json.dumps({"id": "x1", "text": "Putin met Xi.", "published": "2023-03-21"}),
        "{not json",
        json.dumps({"id": "x3", "text": "   "}),
        json.dumps({"id": "x4", "text": "Biden spoke.", "published": "21 March"}),
        json.dumps({"text": "No id here."}),
    ]), encoding="utf-8")
    items = list(read_path(p))
    assert [a.id for a in articles(items)] == ["x1", stable_id("No id here.")]
    errs = [str(e) for e in errors(items)]
    assert errs[0].startswith(f"{p}:2: invalid JSON")
    assert errs[1] == f"{p}:3: empty text"
    assert errs[2].startswith(f"{p}:4: published: not a date")


def test_ingest_record_published_wins_over_default(tmp_path):
    p = tmp_path / "one.json"
    p.write_text(json.dumps({"id": "r", "text": "Text.", "published": "2001-02-03"}))
    (art,) = list(read_path(p, published="2020-01-01"))
    assert art.published == "2001-02-03"


def test_ingest_binary_refused(tmp_path):
    p = tmp_path / "paper.txt"
    p.write_bytes(b"%PDF-1.7\n\x00\x01\x02binary")
    (err,) = list(read_path(p))
    assert isinstance(err, InputError) and "binary" in str(err) and str(p) in str(err)


def test_ingest_missing_file():
    (err,) = list(read_path("does/not/exist.txt"))
    assert str(err) == "does/not/exist.txt: no such file"


@pytest.mark.parametrize("encoded", [
    "Zhang said “yes”.".encode("utf-8-sig"),
    "Zhang said “yes”.".encode("utf-16"),
])
def test_decode_boms(encoded):
    text, warning = decode(encoded, "f")
    assert text == "Zhang said “yes”." and warning is None


def test_decode_windows_1252_fallback_warns():
    text, warning = decode("Zhang said “yes”.".encode("cp1252"), "f.txt")
    assert text == "Zhang said “yes”." and "Windows-1252" in warning


def test_ingest_stdin():
    (art,) = list(read_path("-", stdin=io.BytesIO(SEED_TXT.read_bytes()), published="2023-11-08"))
    assert art.text == SEED_TXT.read_text(encoding="utf-8")


def test_ingest_html_main_text(tmp_path):
    html = ("<html><head><title>Putin meets Zhang</title><meta name='date' content='2023-11-08'></head><body>"
            "<nav>Home | World</nav><article><h1>Putin meets Zhang</h1>"
            "<p>Russian President Vladimir Putin on Wednesday encouraged a senior Chinese military leader to "
            "strengthen military cooperation between the two nations, officials in Moscow said.</p>"
            "<p>“We hold regular exercises,” Defense Minister Sergey Shoigu said after the meeting in the "
            "Kremlin, adding that both sides would keep working together.</p></article>"
            "<footer>Copyright</footer></body></html>")
    p = tmp_path / "page.html"
    p.write_text(html, encoding="utf-8")
    (art,) = list(read_path(p))
    assert "encouraged a senior Chinese military leader" in art.text
    assert "Copyright" not in art.text
    assert art.title == "Putin meets Zhang"

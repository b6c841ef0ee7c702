"""Stage 1, ingest: turn files, records and standard input into :class:`Article` records.

Reading never stops a batch: each unreadable input becomes an :class:`InputError` naming the file
and line, yielded in place of the article, and the caller reports it and goes on.
"""
from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, BinaryIO

from .config import parse_date
from .errors import ConfigError, InputError
from .model import Article

TEXT_SUFFIXES = {".txt", ".text", ""}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
RECORD_FIELDS = {"id", "text", "html", "title", "published", "url", "source", "dateline", "language"}


def stable_id(text: str) -> str:
    """An id derived from the text alone, so the same article always gets the same id."""
    return "sha1-" + hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def decode(data: bytes, origin: str) -> tuple[str, str | None]:
    """Bytes to text: UTF-8 (BOM or not), UTF-16 with BOM, else Windows-1252 with a warning.

    Returns (text, warning). Binary data (NUL bytes outside UTF-16, or mostly control bytes) is refused.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), None
        except UnicodeDecodeError as e:
            raise InputError(origin, f"invalid UTF-16 text ({e.reason} at byte {e.start})") from None
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    head = data[:8192]
    if b"\x00" in head or head.startswith((b"%PDF", b"PK\x03\x04", b"\x89PNG", b"\x1f\x8b", b"GIF8", b"\xff\xd8\xff")):
        raise InputError(origin, "binary data, not text (is it a PDF, image or archive?)")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
        return text, f"{origin}: not valid UTF-8, read as Windows-1252"
    controls = sum(1 for ch in text[:8192] if ord(ch) < 32 and ch not in "\n\r\t\f\v")
    if controls > 0.1 * max(1, min(len(text), 8192)):
        raise InputError(origin, "binary data, not text (too many control characters)")
    return text, None


def html_to_article(html: str, origin: str, **fields: Any) -> Article:
    """Main text of a web page, with its title and date where the page has them."""
    import trafilatura

    doc = trafilatura.bare_extraction(html, with_metadata=True, include_comments=False)
    if doc is not None and not isinstance(doc, dict):
        doc = doc.as_dict()
    if not doc or not (doc.get("text") or "").strip():
        raise InputError(origin, "no main text found in the HTML")
    text = doc["text"]
    published = fields.pop("published", None) or (doc.get("date") or None)
    title = fields.pop("title", None) or doc.get("title")
    url = fields.pop("url", None) or doc.get("url")
    return make_article(text, origin, published=published, title=title, url=url, **fields)


def make_article(text: str, origin: str, *, id: str | None = None, published: Any = None,
                 title: Any = None, url: Any = None, source: Any = None, language: Any = None,
                 max_chars: int | None = None) -> Article:
    if not isinstance(text, str):
        raise InputError(origin, "'text' must be a string")
    if not text.strip():
        raise InputError(origin, "empty text")
    if max_chars is not None and len(text) > max_chars:
        raise InputError(origin, f"text has {len(text):,} characters, over the limit of {max_chars:,} "
                                 "(raise it with --max-chars)")
    try:
        published = parse_date(published, "published")
    except ConfigError as e:
        raise InputError(origin, str(e)) from None

    def opt(v: Any) -> str | None:
        return None if v is None else str(v)

    return Article(id=str(id) if id not in (None, "") else stable_id(text), text=text, published=published,
                   title=opt(title), url=opt(url), source=opt(source), language=opt(language) or "en",
                   origin=origin)


def record_to_article(rec: Any, origin: str, published: str | None, max_chars: int | None) -> Article:
    if not isinstance(rec, dict):
        raise InputError(origin, f"an article record must be a JSON object, got {type(rec).__name__}")
    fields = {k: rec.get(k) for k in ("id", "title", "url", "source", "language") if rec.get(k) is not None}
    fields["published"] = rec.get("published") or published
    if isinstance(rec.get("text"), str):
        return make_article(rec["text"], origin, max_chars=max_chars, **fields)
    if isinstance(rec.get("html"), str):
        return html_to_article(rec["html"], origin, max_chars=max_chars, **fields)
    raise InputError(origin, "record has neither 'text' nor 'html'")


def read_records_jsonl(lines: Iterable[str], name: str, published: str | None,
                       max_chars: int | None) -> Iterator[Article | InputError]:
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        origin = f"{name}:{n}"
        try:
            rec = json.loads(line)
            yield record_to_article(rec, origin, published, max_chars)
        except json.JSONDecodeError as e:
            yield InputError(origin, f"invalid JSON ({e.msg} at column {e.colno})")
        except InputError as e:
            yield e


def read_path(path: str | Path, *, published: str | None = None, max_chars: int | None = None,
              stdin: BinaryIO | None = None) -> Iterator[Article | InputError]:
    """Articles from one path ('-' is standard input, read as plain text); errors yielded in place."""
    name = str(path)
    if name == "-":
        stream = stdin if stdin is not None else sys.stdin.buffer
        try:
            text, _warn = decode(stream.read(), "<stdin>")
            yield make_article(text, "<stdin>", published=published, max_chars=max_chars)
        except InputError as e:
            yield e
        return
    p = Path(path)
    if p.is_dir():
        for child in sorted(p.rglob("*")):
            if child.is_file() and child.suffix.lower() in TEXT_SUFFIXES | HTML_SUFFIXES | {".json", ".jsonl"}:
                yield from read_path(child, published=published, max_chars=max_chars)
        return
    try:
        data = p.read_bytes()
    except FileNotFoundError:
        yield InputError(name, "no such file")
        return
    except OSError as e:
        yield InputError(name, f"cannot read: {e.strerror or e}")
        return
    suffix = p.suffix.lower()
    try:
        text, _warn = decode(data, name)
    except InputError as e:
        yield e
        return
    if suffix == ".jsonl":
        yield from read_records_jsonl(text.splitlines(), name, published, max_chars)
        return
    try:
        if suffix == ".json":
            try:
                rec = json.loads(text)
            except json.JSONDecodeError as e:
                raise InputError(f"{name}:{e.lineno}", f"invalid JSON ({e.msg} at column {e.colno})") from None
            if isinstance(rec, list):
                for i, r in enumerate(rec):
                    try:
                        yield record_to_article(r, f"{name}[{i}]", published, max_chars)
                    except InputError as e:
                        yield e
                return
            yield record_to_article(rec, name, published, max_chars)
        elif suffix in HTML_SUFFIXES:
            yield html_to_article(text, name, published=published, id=p.stem, max_chars=max_chars)
        else:
            yield make_article(text, name, id=p.stem, published=published, max_chars=max_chars)
    except InputError as e:
        yield e


def read_inputs(paths: Iterable[str | Path], **kw: Any) -> Iterator[Article | InputError]:
    for path in paths:
        yield from read_path(path, **kw)

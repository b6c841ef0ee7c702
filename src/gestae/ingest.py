"""Stage 1, ingest: turn files, records and standard input into :class:`Article` records.

Reading never stops a batch: each unreadable input becomes an :class:`InputError` naming the file
and line, yielded in place of the article, and the caller reports it and goes on.
"""
from __future__ import annotations

import hashlib
import io
import json
import os
import re
import stat
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, BinaryIO

from .config import parse_date
from .errors import ConfigError, InputError
from .model import Article

TEXT_SUFFIXES = {".txt", ".text", ""}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
# Bounds on bytes read before the character limit can be checked, so an oversized file, a device or a
# pipe that never ends is refused without being held in memory. UTF-8 and UTF-16 take at most 4 bytes
# a character; HTML markup and JSON escapes (up to 12 bytes for one character) take more.
TEXT_BYTES_PER_CHAR = 4
MARKUP_BYTES_PER_CHAR = 12
# Lone surrogates (from JSON "\ud800" escapes or a caller's str) cannot be encoded, and crash spaCy.
SURROGATE = re.compile("[\ud800-\udfff]")


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
    warning = None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
        warning = f"{origin}: not valid UTF-8, read as Windows-1252"
    controls = sum(1 for ch in text[:8192] if (ord(ch) < 32 and ch not in "\n\r\t\f\v") or ch == "\ufffd")
    if controls > 0.1 * max(1, min(len(text), 8192)):
        raise InputError(origin, "binary data, not text (too many control characters)")
    return text, warning


def repair(value: str, origin: str) -> tuple[str, str | None]:
    """Replace lone surrogates with U+FFFD (one code point for one, so offsets hold); say so."""
    if value.isascii() or not SURROGATE.search(value):
        return value, None
    return SURROGATE.sub("\ufffd", value), f"{origin}: invalid Unicode (lone surrogates) replaced with U+FFFD"


def too_large(origin: str, n_bytes: int, max_chars: int) -> InputError:
    return InputError(origin, f"{n_bytes:,} bytes or more, too large for the limit of {max_chars:,} characters "
                              "(raise it with --max-chars)")


def read_bounded(stream: BinaryIO, origin: str, max_chars: int | None, per_char: int) -> bytes:
    """At most ``per_char * max_chars`` bytes; more than that is refused, never read into memory."""
    if max_chars is None:
        return stream.read()
    limit = per_char * max_chars
    try:  # a regular file says its size: refused without reading a byte
        st = os.fstat(stream.fileno())
        if stat.S_ISREG(st.st_mode) and st.st_size > limit:
            raise too_large(origin, st.st_size, max_chars)
    except (OSError, ValueError, AttributeError):
        pass  # a pipe, a device, an in-memory stream: read and count
    # In chunks: read(n) allocates n bytes up front, and a large --max-chars must not cost that much.
    chunks, total = [], 0
    while total <= limit:
        chunk = stream.read(min(1 << 20, limit + 1 - total))
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
    if total > limit:
        raise too_large(origin, total, max_chars)
    return b"".join(chunks)


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
                 max_chars: int | None = None, warnings: Iterable[str] = ()) -> Article:
    if not isinstance(text, str):
        raise InputError(origin, "'text' must be a string")
    if not text.strip():
        raise InputError(origin, "empty text")
    if max_chars is not None and len(text) > max_chars:
        raise InputError(origin, f"text has {len(text):,} characters, over the limit of {max_chars:,} "
                                 "(raise it with --max-chars)")
    warnings = list(warnings)
    text, warning = repair(text, origin)
    if warning:
        warnings.append(warning)
    try:
        published = parse_date(published, "published")
    except ConfigError as e:
        raise InputError(origin, str(e)) from None

    def opt(v: Any) -> str | None:
        return None if v is None else repair(str(v), origin)[0]

    return Article(id=opt(id) if id not in (None, "") else stable_id(text), text=text, published=published,
                   title=opt(title), url=opt(url), source=opt(source), language=opt(language) or "en",
                   origin=origin, warnings=tuple(warnings))


def record_to_article(rec: Any, origin: str, published: str | None, max_chars: int | None,
                      warnings: Iterable[str] = ()) -> Article:
    if not isinstance(rec, dict):
        raise InputError(origin, f"an article record must be a JSON object, got {type(rec).__name__}")
    fields = {k: rec.get(k) for k in ("id", "title", "url", "source", "language") if rec.get(k) is not None}
    fields["published"] = rec.get("published") or published
    fields["warnings"] = warnings
    if isinstance(rec.get("text"), str):
        return make_article(rec["text"], origin, max_chars=max_chars, **fields)
    if isinstance(rec.get("html"), str):
        return html_to_article(rec["html"], origin, max_chars=max_chars, **fields)
    raise InputError(origin, "record has neither 'text' nor 'html'")


def read_path(path: str | Path, *, published: str | None = None, max_chars: int | None = None,
              stdin: BinaryIO | None = None) -> Iterator[Article | InputError]:
    """Articles from one path ('-' is standard input, read as plain text); errors yielded in place."""
    name = str(path)
    if name == "-":
        stream = stdin if stdin is not None else sys.stdin.buffer
        try:
            text, warn = decode(read_bounded(stream, "<stdin>", max_chars, TEXT_BYTES_PER_CHAR), "<stdin>")
            yield make_article(text, "<stdin>", published=published, max_chars=max_chars,
                               warnings=[warn] if warn else ())
        except InputError as e:
            yield e
        return
    p = Path(path)
    if p.is_dir():
        for child in sorted(p.rglob("*")):
            if child.is_file() and child.suffix.lower() in TEXT_SUFFIXES | HTML_SUFFIXES | {".json", ".jsonl"}:
                yield from read_path(child, published=published, max_chars=max_chars)
        return
    suffix = p.suffix.lower()
    if suffix == ".jsonl":
        yield from read_jsonl_file(p, published, max_chars)
        return
    per_char = TEXT_BYTES_PER_CHAR if suffix in TEXT_SUFFIXES else MARKUP_BYTES_PER_CHAR
    if suffix == ".json":
        per_char *= 64  # one .json file may hold an array of many records
    try:
        with open_input(p) as fh:
            data = read_bounded(fh, name, max_chars, per_char)
    except InputError as e:
        yield e
        return
    try:
        text, warn = decode(data, name)
    except InputError as e:
        yield e
        return
    del data
    warnings = [warn] if warn else []
    try:
        if suffix == ".json":
            try:
                rec = json.loads(text)
            except json.JSONDecodeError as e:
                raise InputError(f"{name}:{e.lineno}", f"invalid JSON ({e.msg} at column {e.colno})") from None
            except RecursionError:
                raise InputError(name, "invalid JSON (nested too deeply)") from None
            if isinstance(rec, list):
                for i, r in enumerate(rec):
                    try:
                        yield record_to_article(r, f"{name}[{i}]", published, max_chars, warnings)
                    except InputError as e:
                        yield e
                return
            yield record_to_article(rec, name, published, max_chars, warnings)
        elif suffix in HTML_SUFFIXES:
            yield html_to_article(text, name, published=published, id=p.stem, max_chars=max_chars,
                                  warnings=warnings)
        else:
            yield make_article(text, name, id=p.stem, published=published, max_chars=max_chars,
                               warnings=warnings)
    except InputError as e:
        yield e


def open_input(p: Path) -> BinaryIO:
    """The file opened for reading bytes; a missing or unreadable one is an InputError naming it."""
    try:
        return p.open("rb")
    except FileNotFoundError:
        raise InputError(str(p), "no such file") from None
    except OSError as e:
        raise InputError(str(p), f"cannot read: {e.strerror or e}") from None


def read_jsonl_file(p: Path, published: str | None, max_chars: int | None) -> Iterator[Article | InputError]:
    """Records of a .jsonl file read one line at a time, so a corpus of any size streams; an over-long
    line is skipped unread, and a line that is not UTF-8 is read as Windows-1252 with a warning."""
    name = str(p)
    limit = None if max_chars is None else MARKUP_BYTES_PER_CHAR * max_chars
    try:
        fh = open_input(p)
    except InputError as e:
        yield e
        return
    with fh:
        head = fh.peek(8192)[:8192] if hasattr(fh, "peek") else b""
        stream: Any = fh
        newline: Any = b"\n"
        if head.startswith((b"\xff\xfe", b"\xfe\xff")):
            stream, newline = io.TextIOWrapper(fh, encoding="utf-16", errors="replace", newline=""), "\n"
        elif b"\x00" in head or head.startswith((b"%PDF", b"PK\x03\x04", b"\x89PNG", b"\x1f\x8b")):
            yield InputError(name, "binary data, not text (is it a PDF, image or archive?)")
            return
        n = 0
        while True:
            try:
                line = stream.readline(-1 if limit is None else limit + 1)
            except OSError as e:
                yield InputError(f"{name}:{n + 1}", f"cannot read: {e.strerror or e}")
                return
            if not line:
                return
            n += 1
            origin = f"{name}:{n}"
            if limit is not None and len(line) > limit and not line.endswith(newline):
                while (rest := stream.readline(1 << 20)) and not rest.endswith(newline):
                    pass  # skip the rest of the over-long line without holding it
                yield too_large(origin, len(line), max_chars or 0)
                continue
            warn = None
            if isinstance(line, bytes):
                if n == 1 and line.startswith(b"\xef\xbb\xbf"):
                    line = line[3:]
                try:
                    line = line.decode("utf-8")
                except UnicodeDecodeError:
                    line = line.decode("cp1252", errors="replace")
                    warn = f"{origin}: not valid UTF-8, read as Windows-1252"
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
                yield record_to_article(rec, origin, published, max_chars, [warn] if warn else ())
            except json.JSONDecodeError as e:
                yield InputError(origin, f"invalid JSON ({e.msg} at column {e.colno})")
            except RecursionError:
                yield InputError(origin, "invalid JSON (nested too deeply)")
            except InputError as e:
                yield e


def read_inputs(paths: Iterable[str | Path], **kw: Any) -> Iterator[Article | InputError]:
    for path in paths:
        yield from read_path(path, **kw)

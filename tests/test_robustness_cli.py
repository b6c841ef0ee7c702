"""`gestae extract` on broken input as a user meets it: encodings, binary files, size limits, broken
records, and an article the pipeline fails on. Each bad input is one clear line; the batch goes on."""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import gestae
from gestae.cli import main
from gestae.model import Article

from .conftest import assert_offsets_consistent
from .test_robustness_properties import PROFILE, hostile_text

TEXT = "Russian Defense Minister Sergey Shoigu said the partnership was in “exemplary” shape on Wednesday.\r\n"


def extract(*args, input=None):
    r = CliRunner().invoke(main, ["extract", *map(str, args)], input=input)
    # Whatever the input, gestae ends by exiting, never by an uncaught exception (a traceback).
    assert r.exception is None or isinstance(r.exception, SystemExit), repr(r.exception)
    return r


def analyses(r) -> list[dict]:
    out = r.stdout.strip()
    if not out:
        return []
    if out.startswith("[") or out.startswith("{\n"):
        data = json.loads(out)
        return data if isinstance(data, list) else [data]
    return [json.loads(line) for line in out.splitlines()]


def assert_one_line_messages(stderr: str) -> None:
    for line in stderr.splitlines():
        assert line.startswith("gestae: "), f"not a gestae message: {line!r}"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-16-le-bom", "utf-16-be-bom"])
def test_robustness_cli_unicode_encodings_read_exactly(tmp_path, encoding, schema_validator):
    if encoding.endswith("-bom"):
        codec = encoding[:-4]
        data = ("\ufeff" + TEXT).encode(codec)
    else:
        data = TEXT.encode(encoding)
    p = tmp_path / "a.txt"
    p.write_bytes(data)
    r = extract(p, "--published", "2023-11-08")
    assert r.exit_code == 0, r.stderr
    (a,) = analyses(r)
    schema_validator.validate(a)
    assert a["article"]["text"] == TEXT  # BOM dropped, \r\n kept: offsets point into the text as read
    assert "warning" not in r.stderr
    assert_offsets_consistent(a)


def test_robustness_cli_windows_1252_read_with_warning(tmp_path):
    p = tmp_path / "legacy.txt"
    p.write_bytes(TEXT.encode("cp1252"))
    r = extract(p)
    assert r.exit_code == 0
    (a,) = analyses(r)
    assert a["article"]["text"] == TEXT
    assert f"gestae: warning: {p}: not valid UTF-8, read as Windows-1252" in r.stderr.splitlines()
    assert a["warnings"] == [f"{p}: not valid UTF-8, read as Windows-1252"]


@pytest.mark.parametrize("head", [b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", b"PK\x03\x04\x14\x00", b"\x89PNG\r\n\x1a\n",
                                  b"\x1f\x8b\x08\x00", bytes(range(256)) * 4])
def test_robustness_cli_binary_refused_batch_goes_on(tmp_path, head):
    bad = tmp_path / "report.txt"
    bad.write_bytes(head + os.urandom(2000))
    good = tmp_path / "good.txt"
    good.write_text(TEXT, encoding="utf-8")
    r = extract(bad, good, "--format", "jsonl")
    assert r.exit_code == 0
    assert [a["article"]["id"] for a in analyses(r)] == ["good"]
    assert f"gestae: error: {bad}: binary data, not text" in r.stderr
    assert "1 articles analysed, 1 failed" in r.stderr
    assert_one_line_messages(r.stderr)


def test_robustness_cli_binary_alone_exits_1(tmp_path):
    bad = tmp_path / "scan.txt"
    bad.write_bytes(b"%PDF-1.4\n" + bytes(500))
    r = extract(bad)
    assert r.exit_code == 1
    assert r.stderr.splitlines()[0] == f"gestae: error: {bad}: binary data, not text (is it a PDF, image or archive?)"


def test_robustness_cli_over_max_chars_refused_with_message(tmp_path):
    p = tmp_path / "long.txt"
    p.write_text("word " * 30, encoding="utf-8")
    r = extract(p, "--max-chars", "100")
    assert r.exit_code == 1
    assert (f"gestae: error: {p}: text has 150 characters, over the limit of 100 (raise it with --max-chars)"
            in r.stderr)
    # A file far past the limit is refused by its size, before it is read into memory.
    big = tmp_path / "huge.txt"
    big.write_bytes(b"word " * 100_000)
    r = extract(big, "--max-chars", "1000")
    assert "too large for the limit of 1,000 characters (raise it with --max-chars)" in r.stderr


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_robustness_cli_endless_input_refused_not_read():
    # A device or pipe that never ends: read up to the byte bound, then refused.
    r = extract("/dev/zero", "--max-chars", "10000")
    assert r.exit_code == 1
    assert "gestae: error: /dev/zero: 40,001 bytes or more, too large" in r.stderr


def test_robustness_cli_stdin_over_limit_refused():
    r = extract("-", "--max-chars", "50", input=b"x" * 10_000)
    assert r.exit_code == 1
    assert "gestae: error: <stdin>: 201 bytes or more, too large for the limit of 50 characters" in r.stderr


def test_robustness_cli_jsonl_broken_records_named_rest_kept(tmp_path):
    good = {"id": "g1", "text": TEXT, "published": "2023-11-08"}
    lines = [
        json.dumps(good),
        "[" * 3000 + "]" * 3000,                          # nested past the JSON parser's recursion limit
        json.dumps({"id": "s1", "text": "Putin \ud83d met Xi. Then \udc00 he left."}),  # lone surrogates
        json.dumps({"id": "big", "text": "x" * 5000}),    # over --max-chars: refused
        json.dumps(["not", "an", "object"]),
        json.dumps({"id": "n1", "text": None, "html": 5}),
        '{"id": "t1", "text": "cut off in the mid',
        json.dumps({"id": "g2", "text": TEXT}),
    ]
    p = tmp_path / "batch.jsonl"
    tail = [json.dumps({"id": "huge", "text": "x" * 50_000}), json.dumps({"id": "g3", "text": TEXT})]
    p.write_bytes("\n".join(lines).encode("utf-8") + b"\n\xff\xfe garbage \x00\n" + "\n".join(tail).encode())
    r = extract(p, "--max-chars", "1000")
    assert r.exit_code == 0
    got = analyses(r)
    assert [a["article"]["id"] for a in got] == ["g1", "s1", "g2", "g3"]
    s1 = got[1]
    assert s1["article"]["text"] == "Putin \ufffd met Xi. Then \ufffd he left."
    assert_offsets_consistent(s1)
    err = r.stderr
    assert f"gestae: error: {p}:2: invalid JSON (nested too deeply)" in err
    assert f"gestae: warning: {p}:3: invalid Unicode (lone surrogates) replaced with U+FFFD" in err
    assert f"gestae: error: {p}:4: text has 5,000 characters, over the limit of 1,000" in err
    assert f"gestae: error: {p}:5: an article record must be a JSON object, got list" in err
    assert f"gestae: error: {p}:6: record has neither 'text' nor 'html'" in err
    assert f"gestae: error: {p}:7: invalid JSON" in err
    assert f"gestae: error: {p}:9: invalid JSON" in err
    # A line past the byte bound is skipped without being held in memory; the next line is read.
    assert f"gestae: error: {p}:10: 12,001 bytes or more, too large for the limit of 1,000 characters" in err
    assert "4 articles analysed, 7 failed" in err
    assert_one_line_messages(err)


def test_robustness_cli_mixed_newlines_and_invisibles_keep_offsets(tmp_path, schema_validator):
    text = "Putin said:\r“We agree.”\r\n\u2028Xi\u200b replied \u202e“no”\u202c.\x0c\x85 Shoigu\u00ad said so.\n\r"
    p = tmp_path / "odd.txt"
    p.write_bytes(text.encode("utf-8"))
    r = extract(p, "--published", "2023-11-08")
    assert r.exit_code == 0, r.stderr
    (a,) = analyses(r)
    schema_validator.validate(a)
    assert a["article"]["text"] == text
    assert_offsets_consistent(a)


def test_robustness_pipeline_failure_reported_for_that_article_only():
    # A str the tokenizer cannot encode (a lone surrogate that bypassed ingest) makes spaCy raise for
    # that one article; with on_error the rest of its batch is still analysed and the failure reported.
    good = Article(id="good", text=TEXT)
    bad = Article(id="bad", text="Putin \ud800 met Xi.", origin="feed.jsonl:2")
    failed = []
    got = list(gestae.analyze_articles([good, bad, good], on_error=lambda a, e: failed.append((a.id, type(e)))))
    assert [a.article.id for a in got] == ["good", "good"]
    assert failed == [("bad", UnicodeEncodeError)]
    # Without on_error the library does not hide it.
    with pytest.raises(UnicodeEncodeError):
        list(gestae.analyze_articles([good, bad]))


@settings(PROFILE, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.binary(max_size=400))
def test_robustness_cli_random_bytes_never_crash(data):
    r = extract("-", "--format", "json", "--max-chars", "2000", input=data)
    assert r.exit_code in (0, 1)
    assert_one_line_messages(r.stderr)
    if r.exit_code == 0:
        (a,) = analyses(r)
        assert_offsets_consistent(a)
    else:
        assert r.stderr.startswith("gestae: error: <stdin>: ")


@settings(PROFILE, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(text=hostile_text, encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "cp1252"]))
def test_robustness_cli_encoded_hostile_text_reads_back(text, encoding, schema_validator):
    text = text.lstrip("\ufeff")  # a leading BOM is an encoding mark, not text
    if encoding == "utf-16-le":  # with a BOM written by hand, as Windows tools do
        data = "\ufeff".encode("utf-16-le") + text.encode("utf-16-le")
    else:
        try:
            data = text.encode(encoding)
        except UnicodeEncodeError:
            return
    r = extract("-", "--format", "json", "--published", "2023-11-08", input=data)
    assert_one_line_messages(r.stderr)
    if r.exit_code != 0:
        # Only whitespace, or so many control characters that it is taken for binary data.
        assert not text.strip() or "binary data" in r.stderr, r.stderr
        return
    (a,) = analyses(r)
    schema_validator.validate(a)
    assert_offsets_consistent(a)
    if encoding != "cp1252":
        assert a["article"]["text"] == text


def test_robustness_cli_jsonl_line_separators_inside_records(tmp_path):
    # JSON written with ensure_ascii=False (as extract writes it) keeps U+2028, U+0085 and U+000C raw inside
    # strings; only \n ends a record, so neither ingest nor show may split there.
    text = "Putin said\u2028“We agree”\x85 on Monday.\x0c Xi\u2029 replied."
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"id": "ls", "text": text}, ensure_ascii=False) + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    r = extract(src, "-o", out, "--format", "jsonl")
    assert r.exit_code == 0, r.stderr
    (a,) = [json.loads(line) for line in out.read_text(encoding="utf-8").split("\n") if line]
    assert a["article"]["text"] == text
    r = CliRunner().invoke(main, ["show", str(out)])
    assert r.exit_code == 0, r.output


def test_robustness_cli_ascii_only_stdout_gets_escaped_json(tmp_path):
    # A non-UTF-8 terminal or pipe (PYTHONIOENCODING=ascii, a Latin-1 locale): escaped JSON, not a crash.
    p = tmp_path / "a.txt"
    p.write_text(TEXT, encoding="utf-8")
    r = CliRunner(charset="ascii").invoke(main, ["extract", str(p)])
    assert r.exception is None or isinstance(r.exception, SystemExit), repr(r.exception)
    assert r.exit_code == 0, r.output
    assert r.stdout_bytes.isascii() and "\\u201c" in r.stdout
    assert json.loads(r.stdout)["article"]["text"] == TEXT


def test_robustness_cli_huge_max_chars_reads_small_inputs(tmp_path):
    # The byte bound is read in chunks: a limit of 10^11 characters must not allocate 4 * 10^11 bytes.
    p = tmp_path / "a.txt"
    p.write_text(TEXT, encoding="utf-8")
    r = extract(p, "--max-chars", str(10**11))
    assert r.exit_code == 0, r.stderr
    r = extract("-", "--max-chars", str(10**11), input=TEXT.encode())
    assert r.exit_code == 0, r.stderr


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
@pytest.mark.parametrize("fmt", ["json", "jsonl"])
def test_robustness_cli_output_on_full_disk_is_one_line(tmp_path, fmt):
    p = tmp_path / "a.txt"
    p.write_text(TEXT, encoding="utf-8")
    r = extract(p, "-o", "/dev/full", "--format", fmt)
    assert r.exit_code == 1
    assert r.stderr.splitlines() == ["gestae: error: /dev/full: cannot write: No space left on device"]

"""Coverage-guided fuzzing of gestae's entry points with atheris (libFuzzer for Python).

The first byte of each input picks the entry point; the rest is the payload:

  0  gestae.analyze(text)               text = payload as UTF-8 (invalid bytes -> surrogateescape, so
                                        lone surrogates reach the library too)
  1  gestae extract - (CliRunner)       payload = raw bytes on standard input (BOMs, cp1252, binary)
  2  gestae extract batch.jsonl         payload = a .jsonl file; every record analysed, none may fail
  3  gestae extract page.html           payload = an HTML page (trafilatura, then the pipeline)

Anything other than an InputError (or a clean exit of the CLI with a one-line message) is a crash.
Only gestae's own modules are instrumented, so coverage feedback is about gestae's code.

    .venv/bin/python fuzz/fuzz_analyze.py fuzz/corpus -max_total_time=300 -max_len=4096 -print_final_stats=1

The seed corpus (paragraphs of the seed article, in each mode) is written to fuzz/corpus on first run.
"""
from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

import atheris

with atheris.instrument_imports(include=["gestae"]):
    # gestae imports its stages lazily: import them here so they are instrumented too.
    import gestae
    import gestae.assemble
    import gestae.ingest
    import gestae.nlp
    from gestae.cli import main
    from gestae.errors import InputError

    gestae.nlp._register_stages()

from click.testing import CliRunner  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT.parent / "shared" / "examples" / "russia-china-2023-11-08.txt"
CONFIG = gestae.Config(max_chars=20_000)
TMP = Path(tempfile.mkdtemp(prefix="gestae-fuzz-"))


def check_analysis(text: str, d: dict) -> None:
    assert d["article"]["text"] == text or "\ufffd" in d["article"]["text"]
    text = d["article"]["text"]
    spans = [m for a in d["actors"] for m in a["mentions"]]
    spans += [q for q in d["quotes"]] + [q[k] for q in d["quotes"] for k in ("source", "cue") if q.get(k)]
    spans += d["times"] + [e["trigger"] for e in d["events"]]
    for s in spans:
        assert 0 <= s["start"] <= s["end"] <= len(text), s
        assert text[s["start"]:s["end"]] == s["text"], s
    json.dumps(d, ensure_ascii=False).encode("utf-8")


def run_cli(args: list[str], stdin: bytes | None = None) -> None:
    r = CliRunner().invoke(main, args, input=stdin)
    if r.exception is not None and not isinstance(r.exception, SystemExit):
        raise r.exception
    assert r.exit_code in (0, 1), (r.exit_code, r.stderr)
    for line in r.stderr.splitlines():
        assert line.startswith("gestae: "), line
        # A pipeline failure is reported, but for the fuzzer it is a bug to find.
        assert "analysis failed" not in line, line


def test_one_input(data: bytes) -> None:
    if not data:
        return
    mode, payload = data[0] % 4, data[1:]
    if mode == 0:
        text = payload.decode("utf-8", "surrogateescape")
        try:
            analysis = gestae.analyze(text, published="2023-11-08", config=CONFIG)
        except InputError:
            return
        check_analysis(text, analysis.to_dict())
    elif mode == 1:
        run_cli(["extract", "-", "--format", "json", "--max-chars", "20000"], payload)
    else:
        p = TMP / ("batch.jsonl" if mode == 2 else "page.html")
        p.write_bytes(payload)
        run_cli(["extract", str(p), "--format", "jsonl", "--max-chars", "20000"])


def write_seed_corpus(folder: Path) -> None:
    if folder.is_dir() and any(folder.iterdir()):
        return
    folder.mkdir(parents=True, exist_ok=True)
    paras = [p for p in SEED.read_text(encoding="utf-8").split("\n") if p.strip()]
    for i, p in enumerate(paras[:8]):
        (folder / f"seed-text-{i}").write_bytes(b"\x00" + p.encode("utf-8"))
    (folder / "seed-cli-utf16").write_bytes(b"\x01" + paras[2].encode("utf-16"))
    (folder / "seed-cli-cp1252").write_bytes(b"\x01" + paras[1].encode("cp1252", "replace"))
    jsonl = json.dumps({"id": "a", "text": paras[2]}) + "\n{bad\n" + json.dumps({"text": paras[3]}) + "\n"
    (folder / "seed-jsonl").write_bytes(b"\x02" + jsonl.encode("utf-8"))
    html = f"<html><head><title>T</title></head><body><article><p>{paras[0]}</p><p>{paras[2]}</p></article></body></html>"
    (folder / "seed-html").write_bytes(b"\x03" + html.encode("utf-8"))


if __name__ == "__main__":
    corpus = next((Path(a) for a in sys.argv[1:] if not a.startswith("-")), None)
    if corpus is not None and not os.path.isfile(corpus):
        write_seed_corpus(corpus)
    gestae.analyze("Putin met Xi.", config=CONFIG)  # load the pipeline before the clock starts
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()

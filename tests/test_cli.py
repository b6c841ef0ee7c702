"""The command line as a user runs it (in-process with click's runner, real files, real model)."""
from __future__ import annotations

import json

from click.testing import CliRunner

from gestae.cli import main

from .conftest import SEED_TXT, assert_offsets_consistent, world_news


def run(*args, input=None):
    return CliRunner().invoke(main, list(args), input=input, catch_exceptions=False)


def test_extract_seed_validates(tmp_path, schema_validator):
    out = tmp_path / "seed.json"
    r = run("extract", str(SEED_TXT), "--published", "2023-11-08", "-o", str(out))
    assert r.exit_code == 0, r.output
    analysis = json.loads(out.read_text())
    schema_validator.validate(analysis)
    assert analysis["article"]["text"] == SEED_TXT.read_text(encoding="utf-8")
    assert analysis["article"]["published"] == "2023-11-08"
    assert_offsets_consistent(analysis)


def test_extract_bad_date_is_one_line():
    r = run("extract", str(SEED_TXT), "--published", "8 Nov 2023")
    assert r.exit_code != 0
    assert r.output.strip().splitlines() == ["gestae: error: --published: not a date (want YYYY-MM-DD): '8 Nov 2023'"]


def test_extract_batch_survives_bad_lines(tmp_path, schema_validator):
    recs = world_news(2)
    p = tmp_path / "batch.jsonl"
    p.write_text(json.dumps(recs[0]) + "\n{broken\n" + json.dumps(recs[1]) + "\n", encoding="utf-8")
    r = CliRunner().invoke(main, ["extract", str(p)])
    assert r.exit_code == 0
    lines = [line for line in r.stdout.splitlines() if line.startswith("{")]
    assert [json.loads(line)["article"]["id"] for line in lines] == [recs[0]["id"], recs[1]["id"]]
    assert f"{p}:2: invalid JSON" in r.stderr
    assert "2 articles analysed, 1 failed" in r.stderr


def test_extract_nothing_readable_exits_nonzero(tmp_path):
    p = tmp_path / "empty.txt"
    p.write_text("  \n")
    r = run("extract", str(p))
    assert r.exit_code == 1
    assert f"gestae: error: {p}: empty text" in r.output


def test_extract_stdin(schema_validator):
    r = CliRunner().invoke(main, ["extract", "-", "--published", "2023-11-08", "--format", "jsonl"],
                           input=SEED_TXT.read_bytes())
    assert r.exit_code == 0
    (line,) = [x for x in r.stdout.splitlines() if x.strip()]
    schema_validator.validate(json.loads(line))


def test_show_prints_quotes_and_events(tmp_path):
    out = tmp_path / "seed.json"
    run("extract", str(SEED_TXT), "--published", "2023-11-08", "-o", str(out))
    r = run("show", str(out))
    assert r.exit_code == 0
    assert "Quotes (" in r.output and "Events (" in r.output


def test_every_command_has_help_and_readme_entry():
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    for name, cmd in main.commands.items():
        assert cmd.help, f"gestae {name} has no help"
        assert f"gestae {name}" in readme, f"gestae {name} is not in the README"

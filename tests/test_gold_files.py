"""The dev gold set (benchmarks/gold) stays valid: structure, codes, verbatim evidence, no reserved ids."""
from __future__ import annotations

import importlib.util
import json
import subprocess
import sys

from .conftest import ROOT, SHARED

GOLD_DIR = ROOT / "benchmarks" / "gold"


def _checker():
    spec = importlib.util.spec_from_file_location("check_gold", ROOT / "scripts" / "check_gold.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_check_gold_dev_set_has_no_problems():
    errs, summary = _checker().check_dir(GOLD_DIR)
    assert errs == [], "\n".join(errs)
    assert summary["files"] >= 22


def test_check_gold_flags_evidence_not_in_article(tmp_path):
    cg = _checker()
    src = sorted(GOLD_DIR.glob("*.gold.json"))[0]
    gold = json.loads(src.read_text(encoding="utf-8"))
    gold["events"][0]["evidence"] = "words that this article never contains"
    gold["events"][0]["type"] = ["NEGOTIATE"]
    gold["quotes"][0]["kind"] = "paraphrase"
    bad = tmp_path / src.name
    bad.write_text(json.dumps(gold), encoding="utf-8")
    errs, _ = cg.check_dir(tmp_path)
    text = "\n".join(errs)
    assert "evidence not verbatim" in text and "NEGOTIATE" in text and "paraphrase" in text


def test_check_gold_flags_reserved_id(tmp_path):
    cg = _checker()
    reserved = json.loads((SHARED / "eval" / "reserved-ids.json").read_text())[0]
    gold = {"id": reserved, "file": None, "published": None, "note": "", "actors": [], "quotes": [], "events": []}
    (tmp_path / f"{reserved}.gold.json").write_text(json.dumps(gold), encoding="utf-8")
    errs, _ = cg.check_dir(tmp_path)
    assert any("reserved" in e for e in errs)


def test_check_gold_files_load_in_shared_scorer(tmp_path):
    """The shared scorer reads every gold file (an empty prediction scores zero, without error)."""
    pred = tmp_path / "empty.jsonl"
    pred.write_text("", encoding="utf-8")
    files = [str(p) for p in sorted(GOLD_DIR.glob("*.gold.json"))]
    out = subprocess.run([sys.executable, str(SHARED / "eval" / "score.py"), "gold", str(pred), *files],
                         capture_output=True, text=True, check=True).stdout.strip().splitlines()[-1]
    figures = json.loads(out)
    assert figures["events"]["gold"] > 100 and figures["quotes"]["gold"] > 100

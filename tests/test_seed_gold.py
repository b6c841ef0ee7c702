"""The seed article against its gold (shared/examples): the floors in floors.json cannot slip."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from gestae.evaluate import score_gold

from .conftest import SEED_GOLD

FLOORS = json.loads((Path(__file__).with_name("floors.json")).read_text())["seed"]


@pytest.fixture(scope="module")
def seed_scores(seed_analysis):
    gold = json.loads(SEED_GOLD.read_text(encoding="utf-8"))
    return score_gold({seed_analysis["article"]["id"]: seed_analysis}, [gold])


@pytest.mark.parametrize("figure", sorted(FLOORS))
def test_seed_figure_at_or_above_floor(seed_scores, figure):
    value = {
        "quotes_f1": seed_scores["quotes"]["f1"],
        "speaker_accuracy": seed_scores["speaker_accuracy"],
        "events_f1": seed_scores["events"]["f1"],
        "event_date_accuracy": seed_scores["event_date_accuracy"] or 0.0,
    }[figure]
    assert value >= FLOORS[figure], f"{figure} {value} below floor {FLOORS[figure]}: {seed_scores}"


def test_evaluate_matches_shared_scorer(tmp_path, seed_analysis):
    """gestae evaluate and shared/eval/score.py give the same figures on the same files."""
    import subprocess
    import sys

    from click.testing import CliRunner

    from gestae.cli import main

    pred = tmp_path / "seed.jsonl"
    pred.write_text(json.dumps(seed_analysis, ensure_ascii=False) + "\n", encoding="utf-8")
    scorer = SEED_GOLD.parents[1] / "eval" / "score.py"
    ref = json.loads(subprocess.run([sys.executable, str(scorer), "gold", str(pred), str(SEED_GOLD)],
                                    capture_output=True, text=True, check=True).stdout.strip().splitlines()[-1])
    r = CliRunner().invoke(main, ["evaluate", str(pred), str(SEED_GOLD), "--details"])
    ours = json.loads(r.stdout.strip().splitlines()[-1])
    for key in ("quotes", "speaker_accuracy", "events", "dyads", "event_date_accuracy", "articles"):
        assert ours[key] == ref[key], key

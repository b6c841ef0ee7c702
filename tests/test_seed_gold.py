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


DEV_FLOORS = json.loads((Path(__file__).with_name("floors.json")).read_text())["dev_events"]


@pytest.fixture(scope="module")
def dev_scores():
    """The world-news dev gold (benchmarks/gold, none of it reserved) scored as events_bench.py does."""
    import gestae
    from gestae.ingest import make_article

    from .conftest import ROOT, reserved_ids, world_news

    golds = [json.loads(p.read_text(encoding="utf-8")) for p in sorted((ROOT / "benchmarks" / "gold").glob("*.gold.json"))]
    texts = {r["id"]: r for r in world_news(None)}
    assert golds and not {g["id"] for g in golds} & reserved_ids()
    articles = [make_article(texts[g["id"]]["text"], g["id"], id=g["id"], published=texts[g["id"]]["published"])
                for g in golds if g["id"] in texts]
    preds = {a.article.id: a.to_dict() for a in gestae.analyze_articles(articles)}
    return score_gold(preds, golds)


@pytest.mark.parametrize("figure", sorted(DEV_FLOORS))
def test_dev_gold_figure_at_or_above_floor(dev_scores, figure):
    value = {
        "events_f1": dev_scores["events"]["f1"],
        "dyads_f1": dev_scores["dyads"]["f1"],
        "event_date_accuracy": dev_scores["event_date_accuracy"] or 0.0,
    }[figure]
    assert value >= DEV_FLOORS[figure], f"{figure} {value} below floor {DEV_FLOORS[figure]}"

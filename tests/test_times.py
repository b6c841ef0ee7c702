"""Times stage: TIMEX3 recognition and normalisation, anchoring, and event dates, on real text."""
from __future__ import annotations

import importlib.util
import json

import pytest
import spacy

from gestae.config import Config
from gestae.model import Article
from gestae.nlp import register_extensions
from gestae.times import anchor_of, event_date, find_times, precision_of

from .conftest import SEED_TXT, SHARED, assert_offsets_consistent

TRAIN = SHARED / "benchmarks" / "tempeval3" / "Training" / "TBAQ-cleaned"


@pytest.fixture(scope="module")
def nlp():
    import gestae.times  # noqa: F401  (registers the component)

    register_extensions()
    pipe = spacy.load(Config().model)
    pipe.add_pipe("gestae_times")
    return pipe


def analyse(nlp, text: str, published: str | None = "2023-11-08"):
    doc = nlp.make_doc(text)
    doc._.article = Article(id="t", text=text, published=published)
    return nlp(doc)


def values(doc) -> dict[str, tuple[str, str | None]]:
    return {t.text: (t.type, t.value) for t in doc._.times}


def test_times_seed_article_values(nlp):
    doc = analyse(nlp, SEED_TXT.read_text(encoding="utf-8"))
    got = [(t.text, t.value) for t in doc._.times]
    assert ("Wednesday", "2023-11-08") in got
    assert ("last year", "2022") in got
    assert ("this year", "2023") in got
    assert ("Last week", "2023-W44") in got
    assert [t.id for t in doc._.times] == [f"t{i}" for i in range(1, len(got) + 1)]
    for t in doc._.times:
        assert doc.text[t.start:t.end] == t.text


def test_times_event_date_seed_gold_dates(nlp):
    doc = analyse(nlp, SEED_TXT.read_text(encoding="utf-8"))

    def date_of(word: str, nth: int = 0):
        toks = [t for t in doc if t.text == word]
        return event_date(doc, toks[nth])

    assert date_of("encouraged")[0] == "2023-11-08"
    assert date_of("encouraged")[2] == "day"
    assert date_of("pledged")[0:3:2] == ("2023-W44", "week")
    assert date_of("announced")[0:3:2] == ("2022", "year")
    assert date_of("met")[0] == "2023-11-08"
    # A reporting verb with no date in its sentence is dated by the article's publication date.
    value, tid, precision = date_of("continued")
    assert (value, tid, precision) == ("2023-11-08", None, "day")
    # A sentence without a time expression carries the previous sentence's date ("Last week, ... Zhang
    # pledged ..." then "Shoigu was in attendance and said ..."), else a past-tense event the news day.
    assert date_of("attendance")[0:2] == ("2023-W44", date_of("pledged")[1])
    assert date_of("praised") == ("2023-11-08", None, "day")
    # Without those fallbacks, an event with no date in its sentence stays undated.
    toks = [t for t in doc if t.text == "praised"]
    assert event_date(doc, toks[0], carry=False, news_day=False) == (None, None, None)


@pytest.mark.parametrize("text, word, value", [
    ("The ministers will meet on Friday in Geneva.", "Friday", "2023-11-10"),
    ("The ministers met on Friday in Geneva.", "Friday", "2023-11-03"),
    ("The ministers met on Wednesday in Geneva.", "Wednesday", "2023-11-08"),
    ("Talks are scheduled to resume next Tuesday.", "next Tuesday", "2023-11-14"),
    ("He arrived last Monday.", "last Monday", "2023-11-06"),
])
def test_times_weekday_by_tense(nlp, text, word, value):
    assert values(analyse(nlp, text))[word][1] == value


@pytest.mark.parametrize("text, span, type_, value", [
    ("Prices rose 3% last month.", "last month", "DATE", "2023-10"),
    ("The summit is planned for next month.", "next month", "DATE", "2023-12"),
    ("Earlier this year, the army withdrew.", "Earlier this year", "DATE", "2023"),
    ("The deal was signed on Nov. 8.", "Nov. 8", "DATE", "2023-11-08"),
    ("The treaty was signed on March 3, 2019.", "March 3, 2019", "DATE", "2019-03-03"),
    ("He was elected in June 2021.", "June 2021", "DATE", "2021-06"),
    ("Output fell in the third quarter.", "the third quarter", "DATE", "2023-Q3"),
    ("The war began two years ago.", "two years ago", "DATE", "2021"),
    ("Fighting has raged for the past three months.", "the past three months", "DURATION", "P3M"),
    ("The strike lasted three days.", "three days", "DURATION", "P3D"),
    ("Inspectors visit the site every week.", "every week", "SET", "P1W"),
    ("Rebels attacked the town yesterday.", "yesterday", "DATE", "2023-11-07"),
    ("The blast happened at 10:35 a.m. local time.", "10:35 a.m. local time", "TIME", "2023-11-08T10:35"),
    ("Officials said the situation is now calm.", "now", "DATE", "PRESENT_REF"),
    ("Living standards fell during the 1990s.", "the 1990s", "DATE", "199"),
    ("The BBC reported on 22 March 2013 that talks had begun.", "22 March 2013", "DATE", "2013-03-22"),
    ("Protesters gathered ahead of Thursday's vote.", "Thursday", "DATE", "2023-11-09"),
    ("The attack came on Oct. 3. The next day, troops moved in.", "The next day", "DATE", "2023-10-04"),
])
def test_times_expression_types_and_values(nlp, text, span, type_, value):
    assert values(analyse(nlp, text)).get(span) == (type_, value)


def test_times_rates_and_titles_are_not_times(nlp):
    got = values(analyse(nlp, "The plant costs $2 million a year to run, he told CBS's 60 Minutes."))
    assert got == {}


def test_times_dateline_anchors_when_no_date_given(nlp):
    doc = analyse(nlp, "BAGHDAD, Oct. 31, 2023 (Xinhua) -- Iraqi forces killed two militants yesterday.", None)
    assert anchor_of(doc).date.isoformat() == "2023-10-31"
    assert values(doc) == {"yesterday": ("DATE", "2023-10-30")}  # the dateline itself is not an expression
    doc = analyse(nlp, "BAGHDAD, Oct. 31 (Xinhua) -- Iraqi forces killed two militants yesterday.", None)
    assert values(doc) == {"yesterday": ("DATE", "XXXX-10-30")}


def test_times_without_anchor_stay_unresolved(nlp):
    got = values(analyse(nlp, "The rebels attacked on Wednesday.", None))
    assert got == {"Wednesday": ("DATE", "XXXX-WXX-3")}


@pytest.mark.parametrize("value, precision", [
    ("2023-11-08", "day"), ("2023-W44", "week"), ("2023-11", "month"), ("2023-Q3", "quarter"), ("2022", "year"),
    ("199", "decade"), ("P3D", None), ("PRESENT_REF", None), ("2023-11-08T10:35", "day"),
])
def test_times_precision_of_values(value, precision):
    assert precision_of(value) == precision


def test_times_tempeval_training_sample_scores(nlp):
    """Five TBAQ training documents, scored as ../shared/eval/score.py scores them."""
    spec = importlib.util.spec_from_file_location("score", SHARED / "eval" / "score.py")
    score = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(score)
    tp_strict = tp_value = n_pred = n_gold = 0
    for path in sorted((TRAIN / "TimeBank").glob("*.tml"))[:5]:
        g = score.read_tml(path)
        pred = [t.to_dict() for t in find_times(analyse(nlp, g["text"], g["published"]))]
        pairs = score.greedy_match(pred, g["timexes"], lambda x, y: score.span_overlap(
            (x["start"], x["end"]), (y["start"], y["end"])), 1e-9)
        tp_strict += sum((pred[i]["start"], pred[i]["end"]) == (g["timexes"][j]["start"], g["timexes"][j]["end"])
                         for i, j in pairs)
        tp_value += sum(pred[i]["value"] == g["timexes"][j]["value"] for i, j in pairs)
        n_pred += len(pred)
        n_gold += len(g["timexes"])
    assert score.prf(tp_strict, n_pred, n_gold)["f1"] >= 0.75
    assert score.prf(tp_value, n_pred, n_gold)["f1"] >= 0.70


def test_times_in_full_analysis(seed_analysis):
    times = seed_analysis["times"]
    assert {"text": "Last week", "value": "2023-W44"}.items() <= next(t for t in times if t["text"] == "Last week").items()
    assert_offsets_consistent(seed_analysis)
    json.dumps(times)


def test_times_event_date_skips_dates_of_embedded_clauses(nlp):
    doc = analyse(nlp, "Georgia's prime minister called on Russia to end a spy dispute that began in September. "
                       "The foreign ministry is sending a diplomatic protest to Moscow.", "2006-12-11")
    called = next(t for t in doc if t.text == "called")
    began = next(t for t in doc if t.text == "began")
    sending = next(t for t in doc if t.text == "sending")
    assert event_date(doc, began)[0] == "2006-09"
    assert event_date(doc, called) == ("2006-12-11", None, "day")  # September dates the dispute, not the call
    assert event_date(doc, sending) == ("2006-12-11", None, "day")

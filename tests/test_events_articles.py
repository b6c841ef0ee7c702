"""Events stage on article-length texts: the rules that decide which readings an article reports."""
from __future__ import annotations

import gestae


def triples(text):
    a = gestae.analyze(text, published="2024-03-05")
    actors = {x.id: x.country for x in a.actors}
    return {(actors.get(e.source), e.type, actors.get(e.target)) for e in a.events if not e.negated}


def test_events_exchange_of_fire_across_a_border_is_an_assault_between_its_sides():
    got = triples("The UN envoy on Friday deplored an exchange of fire across the India-Pakistan border. "
                  "He urged both sides to show restraint.")
    assert {("IND", "ASSAULT", "PAK"), ("PAK", "ASSAULT", "IND")} & got, got
    # deploring the clash is criticism of both sides
    assert {("UN", "ACCUSE", "IND"), ("UN", "ACCUSE", "PAK")} <= got, got


def test_events_visit_at_the_invitation_of_a_host_is_the_hosts_invitation():
    got = triples("Kenyan President William Ruto will visit Tokyo next week at the invitation of Japanese "
                  "Prime Minister Fumio Kishida. The trip is his first to Asia.")
    assert ("JPN", "AGREE", "KEN") in got, got


def test_events_place_of_an_act_is_not_its_target_when_the_verb_has_one():
    got = triples("Germany criticized China's human rights record at the United Nations on Tuesday. "
                  "The statement was read in Geneva.")
    assert ("DEU", "ACCUSE", "CHN") in got, got
    assert not any(t == "UN" for _s, _y, t in got), got


def test_events_gathering_an_act_happens_at_is_not_its_target():
    got = triples("Sweden threatened not to table any resolutions at the UN's annual meeting in Geneva. "
                  "Diplomats said the standoff was over.")
    assert not any(t == "UN" for _s, _y, t in got), got


def test_events_bid_to_join_is_not_an_event_of_its_own():
    got = triples("Russia strongly opposes Georgia's bid to join NATO. Moscow repeated its position on Monday.")
    assert ("RUS", "REJECT", "GEO") in got, got
    assert not any(s == "GEO" for s, _y, _t in got), got


def test_events_demanded_act_is_not_reported_as_having_happened():
    got = triples("The Norwegian envoy urged the Sri Lankan government and the Tamil Tiger rebels to return to "
                  "negotiations. He left Colombo on Monday.")
    assert ("NOR", "REQUEST", "LKA") in got, got
    assert ("LKA", "CONSULT", "LKA") not in got, got


def test_events_domestic_event_between_rebels_and_the_state_is_kept():
    got = triples("Tuareg rebels attacked a Malian army convoy near Kidal on Sunday. "
                  "A Malian government spokesman said the army had repelled the attack.")
    assert ("MLI", "ASSAULT", "MLI") in got, got
    # a spokesman reporting on his own side's army is a report, not an event
    assert {t for t in got if t[0] == t[2] == "MLI"} == {("MLI", "ASSAULT", "MLI")}, got


def test_events_almost_reached_agreement_did_not_happen_and_is_no_refusal():
    a = gestae.analyze("Japan almost reached an agreement with South Korea on fishing rights on Monday. "
                       "Talks will resume next month.", published="2024-03-05")
    actors = {x.id: x.country for x in a.actors}
    jk = [e for e in a.events if (actors.get(e.source), actors.get(e.target)) == ("JPN", "KOR")]
    assert all(e.negated for e in jk), jk
    assert not any(e.type == "REJECT" for e in jk), jk


def test_events_force_announced_for_the_future_is_a_threat():
    got = triples("The army chief said on Monday that Israel will continue its raids against Hamas militants in "
                  "the West Bank. Palestinian officials condemned the remarks.")
    assert ("ISR", "THREATEN", "PSE") in got, got
    assert ("ISR", "ASSAULT", "PSE") not in got, got

"""Quotes stage: who said what, on real news sentences."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

import gestae
from gestae.quotes import quoted_regions

SEED = Path(__file__).resolve().parents[2] / "shared" / "examples" / "russia-china-2023-11-08.txt"


def quotes_of(text: str):
    a = gestae.analyze(text, published="2023-11-08")
    actors = {x.id: x for x in a.actors}
    return [(q, actors.get(q.speaker)) for q in a.quotes]


def regions(text: str) -> list[str]:
    return [text[s:e] for s, e in quoted_regions(text)]


def test_quotes_marks_straight_curly_guillemet_single():
    assert regions('He said "we will win" today.') == ['"we will win"']
    assert regions("He said “we will win” today.") == ["“we will win”"]
    assert regions("Il a dit «nous gagnerons bientôt» hier.") == ["«nous gagnerons bientôt»"]
    assert regions("Headline: Trump says ‘we will win big’ and it’s over") == ["‘we will win big’"]
    # apostrophes are not quotation marks
    assert regions("The voters' choice isn't the party's.") == []


def test_quotes_marks_nested_stay_one_quotation():
    text = "“I’d rather live in what he calls “hell” than live there,” she said."
    assert regions(text) == ["“I’d rather live in what he calls “hell” than live there,”"]
    text = "“They said ‘no way’ to us,” he said."
    assert regions(text) == ["“They said ‘no way’ to us,”"]


def test_quotes_marks_unbalanced_stays_in_its_paragraph():
    text = 'He called it "a disaster.\n\n"We will rebuild," the mayor said. "It will take years."'
    assert regions(text)[-2:] == ['"We will rebuild,"', '"It will take years."']


def test_quotes_marks_multi_paragraph_quote():
    text = "“The first paragraph of the speech.\n“The second paragraph of it,” he said.\nNext."
    assert regions(text) == ["“The first paragraph of the speech.\n“The second paragraph of it,”"]


def test_quotes_direct_after_and_before_cue():
    qs = quotes_of("“We will not give up,” Prime Minister Rishi Sunak said on Monday. "
                   "Chancellor Olaf Scholz said: “Germany stands with Ukraine.”")
    texts = [q.text for q, _ in qs]
    assert "“We will not give up,”" in texts
    assert "“Germany stands with Ukraine.”" in texts
    assert all(q.kind == "direct" for q, _ in qs)
    assert {a.name for _, a in qs if a} >= {"Rishi Sunak", "Olaf Scholz"}


def test_quotes_split_quote_is_one_attribution():
    qs = quotes_of("“We are ready,” President Joe Biden said, “and we will act together with our allies.”")
    assert len(qs) == 1
    q, actor = qs[0]
    assert "We are ready" in q.text and "act together" in q.text
    assert q.cue.text == "said" and actor is not None and "Biden" in actor.name


def test_quotes_indirect_and_mixed_with_cues_beyond_said():
    text = ("Defense Minister Sergey Shoigu warned that Moscow would respond to any provocation. "
            "Chinese leader Xi Jinping pledged to “deepen strategic cooperation” with Russia. "
            "The ministry accused Washington of fueling the conflict.")
    qs = quotes_of(text)
    by_cue = {q.cue.text: q for q, _ in qs}
    assert by_cue["warned"].kind == "indirect" and "Moscow would respond" in by_cue["warned"].text
    assert by_cue["pledged"].kind == "mixed" and "deepen strategic cooperation" in by_cue["pledged"].text
    assert "fueling the conflict" in by_cue["accused"].text
    assert by_cue["accused"].source.text == "The ministry"


def test_quotes_according_to_and_in_a_statement():
    text = ("The talks collapsed on Tuesday, according to two officials familiar with the matter. "
            "The Foreign Ministry said in a statement that the sanctions were illegal.")
    qs = quotes_of(text)
    acc = [q for q, _ in qs if q.rule == "quote.according_to"]
    assert acc and acc[0].source.text == "two officials familiar with the matter"
    assert "talks collapsed" in acc[0].text
    st = [q for q, _ in qs if "sanctions were illegal" in q.text]
    assert st and st[0].cue.text == "said in a statement" and st[0].source.text == "The Foreign Ministry"
    assert all(q.speaker for q, _ in qs)  # "officials" and "the ministry" become actors


def test_quotes_pronoun_and_standalone_paragraph_take_the_speaker():
    text = ("Russian Defense Minister Sergey Shoigu met his Chinese counterpart on Monday.\n"
            "“We hold regular exercises on land and at sea,” Shoigu said. “They do not target third countries.”\n"
            "“Our partnership is an example for others,” he added.")
    qs = quotes_of(text)
    assert len(qs) == 3
    assert all(a is not None and "Shoigu" in a.name for _, a in qs)
    assert qs[1][0].rule == "quote.direct.continued"


def test_quotes_unbalanced_mark_does_not_derail_the_rest():
    text = ('The senator called the bill "a disgrace and left the room.\n'
            '"We will vote against it," said Senator Susan Collins.\n'
            'Senator Chuck Schumer said the bill would pass next week.')
    qs = quotes_of(text)
    texts = [q.text for q, _ in qs]
    assert '"We will vote against it,"' in texts
    assert any("the bill would pass next week" in t for t in texts)


def test_quotes_offsets_point_into_the_text():
    text = SEED.read_text(encoding="utf-8")
    a = gestae.analyze(text, published="2023-11-08")
    assert a.quotes
    for q in a.quotes:
        assert text[q.start:q.end] == q.text
        for span in (q.source, q.cue):
            if span:
                assert text[span.start:span.end] == span.text
        assert q.rule and q.kind in ("direct", "mixed", "indirect")


@pytest.mark.skipif(not SEED.exists(), reason="shared seed article not available")
def test_quotes_seed_speakers():
    text = SEED.read_text(encoding="utf-8")
    qs = quotes_of(text)

    def speaker_of(fragment: str) -> str:
        hits = [a.name for q, a in qs if fragment in q.text and a]
        assert hits, fragment
        return hits[0]

    assert "Putin" in speaker_of("The U.S. has increasingly drawn")  # "..., he said."
    assert "Shoigu" in speaker_of("set an example of strategic interaction")  # "..., he said, will ..."
    assert "Shoigu" in speaker_of("We hold regular operational")
    assert "Shoigu" in speaker_of("All those actions do not target")  # standing alone after "Shoigu continued."
    assert "Zhang" in speaker_of("The Russian Federation under your leadership")  # colon-introduced


def test_quotes_cli_table_json_csv(tmp_path):
    from click.testing import CliRunner

    from gestae.cli import main

    art = tmp_path / "a.txt"
    art.write_text("“We will win,” President Joe Biden said on Tuesday.\n", encoding="utf-8")
    runner = CliRunner()
    res = runner.invoke(main, ["quotes", str(art)])
    assert res.exit_code == 0, res.output
    assert "Biden" in res.output and "direct" in res.output and "We will win" in res.output
    res = runner.invoke(main, ["quotes", str(art), "--format", "json"])
    rows = json.loads(res.output)
    assert rows[0]["kind"] == "direct" and "Biden" in rows[0]["speaker"]
    res = runner.invoke(main, ["quotes", str(art), "--format", "csv"])
    assert res.output.splitlines()[0].startswith("article,speaker,country,kind,text")


def test_quotes_signed_and_transcript_turns():
    text = ("“He has spread fear and ignorance in our communities.” ― Maria Lopez\n"
            "PENCE: Well, look, the American people have a choice to make.\n"
            "WALLACE: Governor, I want to ask you about the debate.\n"
            "PENCE: Donald Trump will focus on the issues in this debate.\n")
    qs = [q for q, _ in quotes_of(text)]
    signed = [q for q in qs if q.rule == "quote.signed"]
    assert signed and signed[0].source.text == "Maria Lopez" and signed[0].kind == "direct"
    turns = [q for q in qs if q.rule == "quote.transcript"]
    assert [q.source.text for q in turns] == ["PENCE", "WALLACE", "PENCE"]


def test_quotes_fact_box_is_not_a_transcript():
    text = ("GEOGRAPHY: Mainland Tanganyika merged with the islands of Zanzibar in 1964.\n"
            "FOREIGN DEBT: 7.9 billion dollars in 2004, according to the World Bank.\n")
    assert not [q for q, _ in quotes_of(text) if q.rule == "quote.transcript"]

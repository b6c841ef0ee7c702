"""Property tests: hostile text never crashes gestae.analyze, and what comes out is always sound.

Every generated input must give either an :class:`InputError` (empty or whitespace-only text) or an
analysis that validates against the schema, with every offset inside the text, every span's text equal
to its slice, every id it refers to defined, and JSON that encodes as UTF-8.

CI runs a bounded number of examples (profile ``ci``); ``HYPOTHESIS_PROFILE=long`` runs many more
(see README, "Robustness").
"""
from __future__ import annotations

import json
import os

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import gestae
from gestae.errors import InputError

from .conftest import SEED_TXT, assert_offsets_consistent

settings.register_profile("ci", max_examples=20, deadline=None, derandomize=True,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.register_profile("long", max_examples=300, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
PROFILE = settings.get_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
CI = os.environ.get("HYPOTHESIS_PROFILE", "ci") == "ci"
SCALE = 1 if CI else 5

QUOTE_MARKS = ['"', "'", "“", "”", "‘", "’", "«", "»", "‹", "›", "„", "‚", "「", "」", "『", "』", "`", "``", "''"]
BRACKETS = list("()[]{}<>") + ["（", "）", "【", "】"]
NEWLINES = ["\n", "\r\n", "\r", "\n\n", "\u2028", "\u2029", "\x0b", "\x0c", "\x85", "\r\r\n"]
INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u180e", "\u034f"]
CONTROLS = [chr(c) for c in range(32) if chr(c) not in "\n\r\t"] + ["\x7f", "\x9b"]
RTL = ["\u200f", "\u202b", "\u202e", "\u202c", "\u2067", "مرحبا", "قال الرئيس", "שלום", "אמר"]
ODD = ["😀", "👩\u200d👩\u200d👧", "e\u0301", "\U0001d400", "ﬁ", "Ⅻ", "٣", "\u3000", "\xa0", "…", "—", "‐", "$", "%"]
WORDS = ["Putin", "Xi", "said", "told", "says", "according to", "the", "minister", "Russia", "China", "NATO",
         "Gen. Zhang", "he", "she", "they", "on Monday", "last week", "in 2023", "Nov. 8", "met", "attacked",
         "sanctions", "U.S.", "Mr.", "Dr.", "Shoigu", "Biden", "warned", "denied", "visited", "Moscow", "."]
SEED_PARAS = [p for p in SEED_TXT.read_text(encoding="utf-8").split("\n") if p.strip()]

piece = st.one_of(
    st.sampled_from(WORDS), st.sampled_from(QUOTE_MARKS), st.sampled_from(BRACKETS), st.sampled_from(NEWLINES),
    st.sampled_from(INVISIBLE), st.sampled_from(CONTROLS), st.sampled_from(RTL), st.sampled_from(ODD),
    st.just(" "), st.text(max_size=6),
)
# News-like text built from hostile pieces: quotation marks and brackets that do not balance, odd newlines,
# invisible and control characters, right-to-left runs, inside real reporting words.
hostile_text = st.lists(piece, min_size=1, max_size=60).map("".join)
# Any Unicode scalar value (surrogates are tested apart: a Python str can hold them, UTF-8 cannot).
any_text = st.text(alphabet=st.characters(exclude_categories=("Cs",)), min_size=1, max_size=300)
blank = st.text(alphabet=st.sampled_from([" ", "\t", "\n", "\r", "\x0b", "\x0c", "\x1c", "\x1f", "\x85", "\xa0",
                                          "\u2028", "\u2029", "\u3000", "\u2003"]), max_size=50)


@st.composite
def mutated_seed(draw) -> str:
    """A real news paragraph with characters inserted, deleted or swapped at random places."""
    text = draw(st.sampled_from(SEED_PARAS))
    for _ in range(draw(st.integers(1, 8))):
        i = draw(st.integers(0, len(text)))
        op = draw(st.sampled_from(["insert", "delete", "swap-quote"]))
        if op == "insert":
            text = text[:i] + draw(piece) + text[i:]
        elif op == "delete":
            text = text[:i] + text[i + draw(st.integers(1, 5)):]
        else:
            text = text.replace(draw(st.sampled_from(["“", "”", "’", ","])), draw(st.sampled_from(QUOTE_MARKS)), 1)
    return text if text.strip() else "x"


def check(text: str, analysis: gestae.Analysis, validator) -> dict:
    d = analysis.to_dict()
    # JSON out must encode: a lone surrogate or a non-str value would break every writer downstream.
    d = json.loads(json.dumps(d, ensure_ascii=False).encode("utf-8"))
    validator.validate(d)
    assert d["article"]["text"] == text
    assert_offsets_consistent(d)
    actor_ids = {a["id"] for a in d["actors"]}
    assert len(actor_ids) == len(d["actors"]), "duplicate actor ids"
    time_ids = {t["id"] for t in d["times"]}
    quote_ids = {q["id"] for q in d["quotes"]}
    for q in d["quotes"]:
        assert q["speaker"] is None or q["speaker"] in actor_ids, f"quote speaker {q['speaker']} undefined"
    for e in d["events"]:
        for role in ("source", "target"):
            assert e[role] is None or e[role] in actor_ids, f"event {role} {e[role]} undefined"
        assert e.get("time") is None or e["time"] in time_ids, f"event time {e['time']} undefined"
        assert e.get("quote") is None or e["quote"] in quote_ids, f"event quote {e['quote']} undefined"
    return d


def analyze_or_input_error(text: str):
    try:
        return gestae.analyze(text, published="2023-11-08")
    except InputError as e:
        assert not text.strip(), f"InputError on non-blank text: {e}"
        return None


@settings(PROFILE, max_examples=PROFILE.max_examples * 2)
@given(text=hostile_text)
@example(text="“" * 200)
@example(text="Putin said: “" + "yes " * 50)
@example(text="He said \u202eyes\u202c. “She said ‘no.” ) ] }")
@example(text="\u200b")
@example(text="\x00\x01\x02 Putin met Xi.\r\n\r\r\n“")
def test_robustness_hostile_text_gives_sound_analysis(text, schema_validator):
    analysis = analyze_or_input_error(text)
    if analysis is not None:
        check(text, analysis, schema_validator)


@settings(PROFILE)
@given(text=any_text)
def test_robustness_any_unicode_gives_sound_analysis(text, schema_validator):
    analysis = analyze_or_input_error(text)
    if analysis is not None:
        check(text, analysis, schema_validator)


@settings(PROFILE)
@given(text=mutated_seed())
def test_robustness_mutated_news_gives_sound_analysis(text, schema_validator):
    check(text, gestae.analyze(text, published="2023-11-08"), schema_validator)


@settings(PROFILE, max_examples=3 if CI else 12)
@given(n=st.integers(20, 120 * SCALE), sep=st.sampled_from([" ", ", ", " and ", "\u200b ", " “", "” "]),
       para=st.booleans())
def test_robustness_very_long_sentence_or_paragraph(n, sep, para, schema_validator):
    # One sentence (or one paragraph of many sentences) thousands of characters long, no break in sight.
    unit = "Putin said the minister met Xi in Moscow" + (". " if para else "")
    text = sep.join([unit] * n)
    check(text, gestae.analyze(text, published="2023-11-08"), schema_validator)


@settings(PROFILE)
@given(text=blank)
def test_robustness_blank_text_is_input_error(text):
    with pytest.raises(InputError, match="empty text"):
        gestae.analyze(text)


@settings(PROFILE)
@given(text=hostile_text, at=st.integers(0, 1000), cp=st.integers(0xD800, 0xDFFF))
def test_robustness_lone_surrogate_replaced_and_warned(text, at, cp, schema_validator):
    # A str can hold a lone surrogate (a JSON "\ud800" escape makes one); it cannot be encoded, so it is
    # replaced by U+FFFD, one code point for one, and the analysis says so.
    at = min(at, len(text))
    bad = text[:at] + chr(cp) + text[at:]
    analysis = gestae.analyze(bad, published="2023-11-08")
    fixed = bad[:at] + "\ufffd" + bad[at + 1:]
    check(fixed, analysis, schema_validator)
    assert any("lone surrogates" in w for w in analysis.warnings)


def test_robustness_oversized_text_refused_with_message():
    config = gestae.Config(max_chars=1000)
    with pytest.raises(InputError, match=r"text has 1,001 characters, over the limit of 1,000 \(raise it with --max-chars\)"):
        gestae.analyze("x" * 1001, config=config)


HTML_PIECES = ["<html>", "<head>", "<title>", "</title>", "<body>", "<article>", "</article>", "<p>", "</p>", "<div>",
               "</div>", "<script>", "</script>", "<style>", "<!--", "-->", "<![CDATA[", "]]>", "<br/>", "<h1>",
               "&amp;", "&#0;", "&#xD800;", "&#x202E;", "&bogus;", "&nbsp;", "<meta charset='utf-16'>",
               "<meta name='date' content='2023-13-45'>", "<", ">", "=", "\"", "</", "<table><tr><td>", "<a href='x'>"]
broken_html = st.lists(st.one_of(st.sampled_from(HTML_PIECES), piece, st.sampled_from(SEED_PARAS)),
                       min_size=1, max_size=40).map("".join)


@settings(PROFILE)
@given(html=broken_html)
def test_robustness_broken_html_gives_input_error_or_sound_analysis(html, schema_validator):
    from gestae.ingest import html_to_article

    try:
        article = html_to_article(html, "page.html", published="2023-11-08")
    except InputError as e:
        assert str(e).startswith("page.html: ")
        return
    (analysis,) = gestae.analyze_articles([article])
    check(article.text, analysis, schema_validator)

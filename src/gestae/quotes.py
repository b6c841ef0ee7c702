"""Stage 4, quotes: who said what.

Attributions of every kind news uses: direct quotes, mixed ("pledged to "deepen ties""), indirect
("said he plans to"), with cues beyond "said" (told, warned, according to, in a statement ...).
Two passes over one parsed ``Doc``:

1. syntax: every cue verb or noun (a lexicon learned from PolNeAR's train split, by lemma and
   complement frame, plus verbs of saying) gives a source (its subject, inherited through "and said",
   ", saying", "prompted X to") and a content (its clausal complement, else its infinitive or object),
   widened to the quotation marks it cuts through; "according to X", "X said in a statement",
   parenthetical "A, he said, B", signed quotes ("“...” ― Name") and transcripts ("PENCE: ...") too;
2. quotation marks: every quoted stretch that no attribution covers yet joins the quote its cue splits
   ("“A,” he said, “B.”"), or is attributed to a cue in its own sentence, to "X said:" or "Name:"
   before it, or, standing alone, to the speaker of the quote before it.

Attributions do not nest (as in PolNeAR): a cue inside another attribution's content is not one.
Speakers are resolved through :func:`gestae.actors.actor_at`; speakers the actors stage has not
seen ("officials", "the ministry") are added with :func:`gestae.actors.add_actor`.
"""
from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from importlib import resources

from spacy.language import Language
from spacy.tokens import Doc, Token
from spacy.tokens import Span as SpacySpan

from .model import Quote, Span
from .nlp import doc_text

# ---------------------------------------------------------------- quotation marks

OPEN_DOUBLE = "“„«"
CLOSE_DOUBLE = "”»"
OPEN_SINGLE = "‘‹"
CLOSE_SINGLE = "’›"
# A straight mark opens after these (or at a line start) and closes otherwise.
OPENS_AFTER = " \t\n([{—–-/:;"


def _paragraphs(text: str) -> Iterator[tuple[int, int]]:
    start = 0
    for m in re.finditer(r"\n", text):
        if m.start() > start:
            yield start, m.start()
        start = m.end()
    if start < len(text):
        yield start, len(text)


def _straight_shape(text: str, i: int, start: int, end: int) -> tuple[bool, bool]:
    """(looks like an opening, looks like a closing) for a straight double mark at i."""
    before = text[i - 1] if i > start else "\n"
    after = text[i + 1] if i + 1 < end else "\n"
    opening = (before in OPENS_AFTER or before in OPEN_SINGLE) and not after.isspace()
    closing = not before.isspace() and (after.isspace() or after in ".,;:!?)]—–-’'" or i + 1 == end)
    return opening, closing


DOUBLE_MARK = re.compile("``|''(?!')|[" + OPEN_DOUBLE + CLOSE_DOUBLE + '"]')


def _double_regions(text: str, start: int, end: int, carried: int | None) -> tuple[list[tuple[int, int]], int | None]:
    """Double-quoted stretches of one paragraph, and where a quote still open at its end began.

    Marks nest (a stack of mark styles), so ‘what he calls “hell” than ...’ stays one quotation. A
    straight mark closes an open straight quote; otherwise its role follows from its neighbours.
    """
    regions = []
    stack: list[str] = ["carried"] if carried is not None else []
    first = carried
    for m in DOUBLE_MARK.finditer(text, start, end):
        i, ch = m.start(), m.group()
        skip_next = len(ch) == 2
        if ch == "``":  # TeX-style marks (``A'') in older wire copy
            ch = "“"
        elif ch == "''":  # two apostrophes for one straight mark (NYT archive copy)
            ch = '"'
        if ch == "“" and stack and i > start and not text[i - 1].isspace() and (i + 1 >= end or text[i + 1].isspace()):
            ch = "”"  # an opening mark typed where a closing one belongs ("here,“ said X")
        elif ch == "”" and (i == start or text[i - 1].isspace()) and i + 1 < end and text[i + 1].isalnum():
            ch = "“"  # and the other way round ("”Fear. I am truly afraid")
        if ch in OPEN_DOUBLE:
            if i == start and stack == ["carried"]:
                continue  # the mark that continues a quote of several paragraphs
            if not stack:
                first = i
            stack.append("curly")
        elif ch in CLOSE_DOUBLE:
            if stack:
                stack.pop()
                if not stack:
                    regions.append((first, i + 1 + skip_next))
        elif ch == '"':
            opening, closing = _straight_shape(text, i + skip_next, start, end)
            if skip_next:  # the shape of a two-character mark: before its first, after its second
                before = text[i - 1] if i > start else "\n"
                opening = opening or (before in OPENS_AFTER and i + 2 < end and not text[i + 2].isspace())
                closing = not before.isspace() and (i + 2 >= end or not text[i + 2].isalnum())
            if i == start and stack == ["carried"]:
                continue
            if stack and (stack[-1] == "straight" or closing or not opening):
                stack.pop()
                if not stack:
                    regions.append((first, i + 1 + skip_next))
            elif not stack and closing and not opening:
                continue  # a stray closing mark
            else:
                if not stack:
                    first = i
                stack.append("straight")
    return regions, (first if stack else None)


def _single_regions(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Top-level single-quoted stretches (headlines, quotes in British style) in a paragraph.

    Apostrophes look like closing marks, so a single mark only opens at a word start and only closes
    before a non-letter; the stretch must close in the same paragraph.
    """
    out = []
    i = start
    while i < end:
        ch = text[i]
        before = text[i - 1] if i > start else " "
        if (ch in OPEN_SINGLE or ch == "'") and (before.isspace() or before in "([—–:") and i + 1 < end \
                and text[i + 1].isalnum():
            closers = CLOSE_SINGLE + "'" if ch == "'" else CLOSE_SINGLE
            j = i + 1
            found = None
            while j < end:
                after = text[j + 1] if j + 1 < end else " "
                if text[j] in closers and text[j - 1] != " " and not after.isalpha():
                    found = j
                    break
                j += 1
            # A lone apostrophe ('90s, rock 'n' roll) encloses only a word or two.
            if found is not None and len(text[i:found].split()) >= 2:
                out.append((i, found + 1))
                i = found + 1
                continue
        i += 1
    return out


def quoted_regions(text: str) -> list[tuple[int, int]]:
    """Top-level quoted stretches (offsets include the marks), in order.

    Straight, curly and guillemet double marks, and single marks where no double mark is open. A
    quote left open at the end of a paragraph continues when the next paragraph opens with a mark
    (the newspaper convention for quotes of several paragraphs); otherwise it ends with its
    paragraph, so an unbalanced mark never swallows the rest of the article.
    """
    regions: list[tuple[int, int]] = []
    paras = list(_paragraphs(text))
    carried: int | None = None
    for n, (ps, pe) in enumerate(paras):
        if carried is not None and text[ps] not in OPEN_DOUBLE + '"':
            carried = None
        found, still_open = _double_regions(text, ps, pe, carried)
        regions.extend(found)
        carried = None
        if still_open is not None:
            nxt = paras[n + 1] if n + 1 < len(paras) else None
            # only a quote that runs to the end of its paragraph from its start or from "he said:" is one
            # of several paragraphs; a mid-sentence mark left open ('called it "a disaster.') is a typo
            lead = text[ps:still_open].rstrip()
            if nxt and text[nxt[0]] in OPEN_DOUBLE + '"' and (still_open < ps or not lead or lead[-1] in ":,"):
                carried = still_open
            else:
                regions.append((still_open, pe))
        for s, e in _single_regions(text, ps, pe):
            if not any(s < de and e > ds for ds, de in regions) and not (carried is not None and s >= carried):
                regions.append((s, e))
    if carried is not None:
        regions.append((carried, len(text)))
    regions.sort()
    # drop empty and mark-only stretches
    return [(s, e) for s, e in regions if re.search(r"\w", text[s:e])]


# ---------------------------------------------------------------- cue lexicon


@functools.lru_cache(maxsize=1)
def cue_lexicon() -> dict[str, float]:
    """Cue rates learned from PolNeAR train (``benchmarks/polnear.py learn``): for "lemma frame" keys, the
    share of that verb's uses with that complement frame that annotators marked as a cue; for bare
    "lemma" keys, the share over all its uses."""
    out: dict[str, float] = {}
    data = resources.files("gestae").joinpath("data/quote_cues.tsv").read_text(encoding="utf-8")
    for line in data.splitlines():
        if line and not line.startswith("#"):
            lemma, frame, rate, *_ = line.split("\t")
            out[lemma if frame == "*" else f"{lemma} {frame}"] = float(rate)
    return out


def noun_frame(noun: Token) -> str:
    """What a noun takes: "claim that ..." (n:clause), "decision to ..." (n:infinitive), "criticism of ..."
    (n:object), or nothing."""
    for c in noun.children:
        if c.i < noun.i:
            continue
        if c.dep_ in ("ccomp", "acl") and any(g.dep_ == "mark" and g.lower_ in ("that", "whether") for g in c.children):
            return "n:clause"
        if c.dep_ == "acl" and any(g.dep_ == "aux" and g.lower_ == "to" for g in c.children):
            return "n:infinitive"
    for c in noun.children:
        if c.i > noun.i and c.dep_ == "prep" and c.lower_ in ("of", "about", "for", "on", "against", "over", "with") \
                and any(g.dep_ in ("pobj", "pcomp") for g in c.children):
            return "n:object"
    return "none"


def verb_frame(verb: Token) -> str:
    """What the verb takes: a clause, an infinitive, an object (or a content preposition), or nothing."""
    children = list(verb.children)
    if any(c.dep_ in CLAUSE_DEPS for c in children):
        return "clause"
    if any(c.dep_ == "xcomp" and c.i > verb.i for c in children):
        return "infinitive"
    if any(c.i > verb.i and c.dep_ not in NOT_CONTENT and not (c.dep_ == "prep" and _is_frame_prep(c))
           for c in children):
        return "object"
    return "none"


# Verbs of saying: a cue whatever the learned rate, but only with a clause or quote as content.
SPEECH = {
    "say", "tell", "add", "warn", "accuse", "pledge", "write", "insist", "deny", "project", "claim",
    "state", "declare", "announce", "argue", "explain", "note", "stress", "emphasize", "emphasise",
    "assert", "maintain", "contend", "predict", "promise", "vow", "suggest", "acknowledge", "admit",
    "concede", "confirm", "report", "reply", "respond", "answer", "ask", "tweet", "post", "recall",
    "reiterate", "repeat", "continue", "conclude", "observe", "remark", "comment", "complain",
    "estimate", "forecast", "caution", "threaten", "urge", "believe", "think", "hope", "fear",
    "expect", "reckon", "charge", "allege", "quip", "joke", "boast", "reveal",
    "disclose", "indicate", "signal", "underline", "underscore", "highlight", "point", "agree",
    "counter", "retort", "testify", "demand", "propose", "recommend", "order", "describe",
    "brag", "scoff", "shout", "yell", "whisper", "muse", "wonder", "speculate", "mention",
}
# "he said" with nothing after is a cue only with a quote; these are cues with an object too
# ("accused X of", "called for X", "praised X"): the learned lexicon decides which objects count.
CLAUSE_DEPS = {"ccomp"}
STATEMENT_NOUNS = {"statement", "interview", "email", "e-mail", "tweet", "post", "letter", "release", "speech",
                   "briefing", "conference", "remarks", "message", "op-ed", "column", "memo", "video", "report",
                   "call", "address", "appearance", "broadcast", "podcast", "blog", "filing", "text"}
SUBJ_DEPS = {"nsubj", "csubj"}
NOT_CONTENT = {"punct", "cc", "conj", "nsubj", "nsubjpass", "csubj", "aux", "auxpass", "neg", "advmod", "npadvmod",
               "dative", "mark", "prt", "dep", "parataxis", "intj", "expl", "agent", "appos", "meta"}
PRONOUNS = {"he", "she", "they", "it", "we", "i", "you", "him", "her", "them", "who", "which", "that"}


@dataclass
class _Att:
    content: tuple[int, int]  # character offsets
    source: tuple[int, int] | None
    cue: tuple[int, int] | None
    rule: str
    speaker_from: _Att | None = None  # a quote standing alone: the attribution whose speaker it takes
    refers: tuple[int, int] | None = None  # what a relative-pronoun source ("who said") stands for


def _span_of(tokens: Iterable[Token]) -> tuple[int, int] | None:
    toks = [t for t in tokens if not t.is_space]
    # trim punctuation at the edges, but keep quotation marks (the content includes them)
    while toks and toks[0].is_punct and not toks[0].is_quote:
        toks.pop(0)
    while toks and toks[-1].is_punct and not toks[-1].is_quote:
        toks.pop()
    if not toks:
        return None
    return toks[0].idx, toks[-1].idx + len(toks[-1].text)


def _subtree(tok: Token, skip: set[int] = frozenset()) -> list[Token]:
    out = []
    stack = [tok]
    while stack:
        t = stack.pop()
        if t.i in skip:
            continue
        out.append(t)
        stack.extend(t.children)
    return sorted(out, key=lambda t: t.i)


def _contiguous(tokens: list[Token], anchor: Token) -> list[Token]:
    """The run of consecutive tokens around the anchor (a subtree can have holes after filtering)."""
    idx = {t.i for t in tokens}
    lo = hi = anchor.i
    while lo - 1 in idx:
        lo -= 1
    while hi + 1 in idx:
        hi += 1
    return [t for t in tokens if lo <= t.i <= hi]


def _source_tokens(subj: Token) -> list[Token]:
    """The subject noun phrase without its relative clauses ("Smith, who ...")."""
    cut = {c.i for c in subj.children if c.dep_ in ("relcl", "acl")}
    toks = _subtree(subj, cut)
    return _contiguous(toks, subj)


def _find_subject(verb: Token) -> Token | None:
    """The verb's subject, inherited through "X met Y and said", "X attacked Y, saying", "X wants to say",
    "X was unable to ... and accuse"; for "a tweet attacking X" the noun the participle modifies."""
    t = verb
    for _ in range(6):
        for c in t.children:
            if c.dep_ in SUBJ_DEPS or (c.dep_ == "nsubjpass" and t.i != verb.i):
                return c
            if c.dep_ == "agent":  # "was criticized by X"
                objs = [g for g in c.children if g.dep_ == "pobj"]
                if objs:
                    return objs[0]
        if t.dep_ == "xcomp":  # "prompted NATO to order", "forced Stumpf to admit": the object does it
            objs = [c for c in t.head.children if c.dep_ == "dobj" and c.i < t.i]
            if objs and t.head.lemma_.lower() not in ("promise", "vow", "pledge"):
                return objs[0]
        if t.dep_ in ("conj", "advcl", "xcomp", "acomp") and t.head.i != t.i:
            t = t.head
            continue
        # "stopped short of calling", "started off by emphasizing": up through the preposition
        if t.dep_ == "pcomp" and t.head.dep_ == "prep" and t.head.head.pos_ in ("VERB", "AUX", "ADJ"):
            t = t.head.head
            continue
        if t.dep_ == "relcl":  # "officials who spoke ..." (no subject child: rare parses)
            return t.head
        if t.dep_ == "acl" and t.tag_ == "VBG" and t.head.pos_ in ("NOUN", "PROPN"):
            return t.head  # "a series of tweets criticizing X"
        break
    return None


def _source(subj: Token | None) -> tuple[tuple[int, int] | None, tuple[int, int] | None]:
    """(source span, what it refers to): "an architect who said" has the source "who" (as PolNeAR draws
    it) standing for "an architect"."""
    if subj is None:
        return None, None
    src = _span_of(_source_tokens(subj))
    if subj.lower_ in ("who", "which", "that") and subj.head.dep_ == "relcl":
        # the antecedent with its pronoun ("a physicist who"), resolved through the antecedent
        ante = _span_of(_source_tokens(subj.head.head))
        if ante is not None and src is not None and ante[1] <= src[0] and src[0] - ante[1] <= 2:
            return (ante[0], src[1]), ante
        return src, ante
    return src, None


def _cue_end(verb: Token) -> int:
    """The cue's end: the verb, or through "in a statement", "on Twitter" right after it."""
    end = verb.idx + len(verb.text)
    for c in verb.rights:
        if c.dep_ == "prep" and c.lower_ in ("in", "on", "during", "at") and c.i <= verb.i + 2:
            objs = [g for g in c.children if g.dep_ == "pobj"]
            if objs and objs[0].lemma_.lower() in STATEMENT_NOUNS:
                end = objs[0].idx + len(objs[0].text)
    return end


def _content_tokens(verb: Token, lemma: str, cue_ids: set[int] = frozenset()) -> tuple[list[Token], str] | None:
    """Content of a cue verb: its clause complement, else its infinitive, else its objects."""
    children = list(verb.children)
    clauses = [c for c in children if c.dep_ in CLAUSE_DEPS]
    if clauses:
        # one clause: the quoted one if any ("“A,” she said of X, in which ..."), else the first after the verb
        quoted = [c for c in clauses if any(t.is_quote for t in _subtree(c))]
        after = [c for c in clauses if c.i > verb.i]
        best = quoted[0] if quoted else after[0] if after else clauses[-1]
        # "said it was opposed and warned X to ...": a cue verb joined to the clause is its own attribution
        skip = {c.i for c in best.children if c.dep_ == "conj" and c.i in cue_ids and c.lemma_.lower() in SPEECH
                and not any(g.dep_ in SUBJ_DEPS for g in c.children)}
        return _subtree(best, skip), "clause"
    xcomp = [c for c in children if c.dep_ == "xcomp" and c.i > verb.i]
    if xcomp:
        return _subtree(xcomp[0]), "infinitive"
    rights = [c for c in children if c.i > verb.i and c.dep_ not in NOT_CONTENT]
    rights = [c for c in rights if not (c.dep_ == "prep" and _is_frame_prep(c))]
    if not rights:
        return None
    toks = []
    for c in rights:
        toks.extend(_subtree(c))
    toks = sorted(toks, key=lambda t: t.i)
    if len(toks) == 1 and toks[0].lower_ in PRONOUNS | {"so", "this", "that", "nothing", "something"}:
        return None
    # "Shalom told Haaretz", "asked reporters": the one told or asked is not what was said
    if lemma in ("tell", "ask", "inform", "brief", "assure") and len(rights) == 1 and (
            rights[0].pos_ in ("PROPN", "PRON") or rights[0].ent_type_ in ("PERSON", "ORG", "NORP", "GPE")
            or rights[0].lemma_.lower() in ("reporter", "journalist", "audience", "crowd", "supporter")):
        return None
    return toks, "object"


TIME_WORDS = {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "week", "month",
              "year", "day", "night", "morning", "afternoon", "evening", "weekend", "time", "hour"}


def _is_frame_prep(prep: Token) -> bool:
    """Prepositions that frame a statement rather than carry content: on Monday, in a statement, at a rally."""
    objs = [g for g in prep.children if g.dep_ == "pobj"]
    if not objs:
        return prep.lower_ not in ("about", "of", "for", "on", "to", "against", "with")
    o = objs[0]
    if o.ent_type_ in ("DATE", "TIME", "GPE", "LOC", "FAC") or o.lemma_.lower() in TIME_WORDS | STATEMENT_NOUNS:
        return True
    return prep.lower_ in ("in", "at", "during", "after", "before", "since", "while", "from", "by", "through")


# ---------------------------------------------------------------- attribution


def _widen(span: tuple[int, int], regions: list[tuple[int, int]]) -> tuple[int, int]:
    """Widen a content span to whole quotations it cuts through (the content includes the marks)."""
    s, e = span
    for rs, re_ in regions:
        if rs < e and re_ > s:
            s, e = min(s, rs), max(e, re_)
    return s, e


class _Near:
    """Items keyed by a start offset, looked up around a position: keeps the per-cue and per-quote checks
    local, so long articles cost linear time. Spans (a content, a quotation) are assumed shorter than
    ``window`` characters, which a paragraph-bounded content or a quotation of a few paragraphs is."""

    def __init__(self, items: Iterable = (), key=lambda x: x[0], window: int = 20000):
        self.key, self.window = key, window
        pairs = sorted(((key(x), n, x) for n, x in enumerate(items)), key=lambda p: (p[0], p[1]))
        self.starts = [p[0] for p in pairs]
        self.items = [p[2] for p in pairs]

    def add(self, item) -> None:
        k = bisect.bisect_right(self.starts, self.key(item))
        self.starts.insert(k, self.key(item))
        self.items.insert(k, item)

    def around(self, lo: int, hi: int) -> list:
        """Items starting in [lo - window, hi]: every one that can overlap [lo, hi]."""
        return self.items[bisect.bisect_left(self.starts, lo - self.window):bisect.bisect_right(self.starts, hi)]


def _inside(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return b[0] <= a[0] and a[1] <= b[1]


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def cue_rate(verb: Token, lexicon: dict[str, float]) -> float:
    """How likely a verb (or noun: "her claim that") is a cue: how often annotators marked it one with
    this complement frame; a verb of saying with a clause always is one."""
    if verb.pos_ == "NOUN":
        frame = noun_frame(verb)
        return 0.0 if frame == "none" else lexicon.get(f"{verb.lemma_.lower()} {frame}", 0.0)
    if verb.pos_ != "VERB" and not (verb.pos_ == "AUX" and verb.lemma_ == "say"):
        return 0.0
    lemma = verb.lemma_.lower()
    if lemma == "accord":  # "according to X" is a cue of its own
        return 0.0
    frame = verb_frame(verb)
    if frame == "none":
        return 0.0
    if frame == "clause" and lemma in SPEECH:
        return 1.0
    return lexicon.get(f"{lemma} {frame}", 0.0)


def is_cue(verb: Token, lexicon: dict[str, float], threshold: float) -> bool:
    return cue_rate(verb, lexicon) >= threshold


def _depth(t: Token) -> int:
    d = 0
    while t.head.i != t.i and d < 50:
        t = t.head
        d += 1
    return d


def _after_comma(doc: Doc, i: int) -> bool:
    """Token i follows a comma, maybe with a closing quotation mark between (“..., ” referring to)."""
    j = i - 1
    while j > 0 and doc[j].is_quote:
        j -= 1
    return doc[j].text == "," or (doc[j].text.endswith(",") and doc[j].is_punct)


def _noun_content(noun: Token) -> tuple[tuple[int, int], Token | None] | None:
    """Content and source of a noun cue: "Trump's claim that ...", "a decision by the FBI to ..."."""
    frame = noun_frame(noun)
    content = None
    for c in noun.children:
        if c.i < noun.i:
            continue
        if frame in ("n:clause", "n:infinitive") and c.dep_ in ("ccomp", "acl"):
            content = _subtree(c)
            break
        if frame == "n:object" and c.dep_ == "prep" and c.lower_ != "by":
            objs = [g for g in c.children if g.dep_ in ("pobj", "pcomp")]
            if objs:
                content = _subtree(objs[0])
                break
    if not content:
        return None
    span = _span_of(content)
    if span is None:
        return None
    subj = next((c for c in noun.children if c.dep_ == "poss"), None)
    if subj is None:
        by = [c for c in noun.children if c.dep_ == "prep" and c.lower_ == "by"]
        objs = [g for g in by[0].children if g.dep_ == "pobj"] if by else []
        subj = objs[0] if objs else None
    if subj is None and noun.dep_ in ("dobj", "attr") and noun.head.pos_ == "VERB":
        subj = _find_subject(noun.head)  # "X made the claim that ..."
    return span, subj


def _outside_quotes(verb: Token, subj: Token | None, regions: list[tuple[int, int]]) -> Token | None:
    """A cue outside the quotation has its speaker outside too: when the parser took a subject from
    inside the quote ("“... Full panic mode,” said Leslie Wimes"), the noun next to the cue instead."""
    if subj is None or not any(r[0] <= subj.idx < r[1] for r in regions):
        return subj
    doc = verb.doc
    before = []
    i = verb.i - 1
    while i >= 0 and not doc[i].is_punct and not doc[i].is_space and doc[i].pos_ != "VERB":
        before.insert(0, doc[i])
        i -= 1
    after = []
    i = verb.i + 1
    while i < len(doc) and not doc[i].is_punct and not doc[i].is_space and doc[i].pos_ != "VERB":
        after.append(doc[i])
        i += 1
    for run in (before, after):
        nouns = [t for t in run if t.pos_ in ("PROPN", "NOUN", "PRON") and t.ent_type_ not in ("DATE", "TIME")]
        if nouns:
            return nouns[-1] if run is before else nouns[0]
    return None


def _parenthetical(verb: Token) -> bool:
    """ "The partnership, he said, will ...": a verb of saying with nothing of its own, set off by commas
    inside the clause it reports."""
    doc = verb.doc
    if verb.lemma_.lower() not in SPEECH or verb_frame(verb) != "none" or verb.head.i == verb.i:
        return False
    if verb.head.pos_ not in ("VERB", "AUX") or verb.dep_ not in ("parataxis", "ccomp", "advcl", "conj", "dep"):
        return False
    sub = [t for t in _subtree(verb) if not t.is_punct]  # the commas may hang on the verb itself
    lo, hi = sub[0].i, sub[-1].i
    before = doc[lo - 1].text if lo > 0 else ""
    after = doc[hi + 1].text if hi + 1 < len(doc) else ""
    if before not in (",", "—", "–", "--"):
        return False
    if verb.head.i > hi:
        return after in (",", "—", "–", "--")
    return after in (",", ".", "—", "–", "--", "") and any(c.dep_ in SUBJ_DEPS for c in verb.children)


def _verb_attributions(doc: Doc, regions: list[tuple[int, int]], lexicon: dict[str, float],
                       threshold: float) -> list[_Att]:
    # "according to X" frames a whole clause: it goes first, so verbs inside it nest (and drop out)
    atts: list[_Att] = list(_signed_quotes(doc, regions))
    atts += _according_to(doc, atts, regions)
    paren = {t.i for t in doc if _parenthetical(t)}
    reported = {doc[i].head.i for i in paren}  # the clause a parenthetical reports is not a cue itself
    rates = {t.i: cue_rate(t, lexicon) for t in doc}
    # a verb that is a cue only now and then still is one when what it takes is quoted
    # ("described Clinton as a “disgrace”")
    cands = [t for t in doc if rates[t.i] >= QUOTED_THRESHOLD and t.i not in reported] + [doc[i] for i in paren]
    cands.sort(key=lambda t: (_depth(t) - (2 if t.i in paren else 0), t.i))
    cue_ids = {t.i for t in cands}
    same_speaker: dict[int, Token] = {}
    near_atts = _Near(atts, key=lambda a: a.content[0])
    near_regions = _Near(regions)
    for verb in cands:
        lemma = verb.lemma_.lower()
        vspan = (verb.idx, verb.idx + len(verb.text))
        if any(_inside(vspan, a.content) for a in near_atts.around(*vspan)):
            continue  # attributions do not nest
        if any(_overlaps(vspan, r) for r in near_regions.around(*vspan)):
            continue  # a verb inside a quotation is the quoted person's, not the article's
        if verb.pos_ == "NOUN":
            got = _noun_content(verb)
            if got is None:
                continue
            span, subj = got
            span = _clip_to_paragraph(_doc_text(doc), span, vspan[0])
            span = _widen(span, near_regions.around(*span))
            if rates[verb.i] < threshold and not any(_inside(r, span) for r in near_regions.around(*span)):
                continue
            src, refers = _source(subj)
            atts.append(_Att(span, src, vspan, "quote.noun", refers=refers))
            near_atts.add(atts[-1])
            continue
        if verb.i in paren:
            # the whole reported clause, the parenthetical inside it (one attribution, as for split quotes)
            head = _subtree(verb.head)
            span = _span_of(head)
            how = "parenthetical"
        else:
            got = _content_tokens(verb, lemma, cue_ids)
            if got is None:
                continue
            toks, how = got
            # ", referring to ...", ", adding that ...": a participle after a comma is an attribution of its own
            # (by the same speaker), not part of this one's content
            cut: set[int] = set()
            for t in toks:
                if t.dep_ == "advcl" and t.tag_ == "VBG" and rates[t.i] >= threshold and t.i not in cut \
                        and t.left_edge.i > 0 and _after_comma(doc, t.left_edge.i):
                    cut.update(x.i for x in _subtree(t))
                    cut.add(t.left_edge.i - 1)
                    same_speaker[t.i] = verb
            toks = [t for t in toks if t.i not in cut] or toks
            # the content is one stretch on one side of the cue
            side = [t for t in toks if (t.i > verb.i) == (toks[-1].i > verb.i)]
            anchor = side[0] if side[0].i > verb.i else side[-1]
            span = _span_of(_contiguous(side, anchor))
        if span is None:
            continue
        span = _clip_to_paragraph(_doc_text(doc), span, vspan[0])
        span = _widen(span, near_regions.around(*span))
        if how != "parenthetical" and span[0] <= vspan[0] < span[1]:
            continue
        if how != "parenthetical" and rates[verb.i] < threshold \
                and not any(_inside(r, span) for r in near_regions.around(*span)):
            continue
        subj = _find_subject(verb)
        if verb.dep_ == "conj" and verb.head.dep_ == "ccomp" and verb.head.head.i in cue_ids \
                and not any(c.dep_ in SUBJ_DEPS for c in verb.children):
            subj = _find_subject(verb.head.head)  # the parser hung "and warned" on the reported clause
        if verb.i in same_speaker:
            subj = _find_subject(same_speaker[verb.i])
        src, refers = _source(_outside_quotes(verb, subj, regions))
        if src is not None and _overlaps(src, span) and how != "parenthetical":
            src, refers = None, None
        atts.append(_Att(span, src, (verb.idx, _cue_end(verb)), f"quote.verb.{how}", refers=refers))
        near_atts.add(atts[-1])
    return atts


def _clip_to_paragraph(text: str, span: tuple[int, int], at: int) -> tuple[int, int]:
    """A content stays in its cue's paragraph (the parser sometimes runs a sentence across a break); the
    quotations it touches widen it again where a quote really spans paragraphs."""
    ps = text.rfind("\n", 0, at) + 1
    pe = text.find("\n", at)
    pe = len(text) if pe < 0 else pe
    s, e = max(span[0], ps), min(span[1], pe)
    return (s, e) if s < e else span


def _according_to(doc: Doc, atts: list[_Att], regions: list[tuple[int, int]]) -> Iterator[_Att]:
    """"Y, according to X." and "According to X, Y.": X the source, the rest of the clause the content."""
    for t in doc:
        if t.lower_ != "according" or t.i + 1 >= len(doc) or doc[t.i + 1].lower_ != "to":
            continue
        cue = (t.idx, doc[t.i + 1].idx + 2)
        if any(_inside(cue, a.content) for a in atts) or any(_overlaps(cue, r) for r in regions):
            continue
        objs = [c for c in doc[t.i + 1].children if c.dep_ == "pobj"]
        if not objs:
            continue
        src_toks = _source_tokens(objs[0])
        src = _span_of(src_toks)
        sent = _sent_at(doc, t.i)
        lo, hi = min(x.i for x in src_toks + [t]), max(x.i for x in src_toks + [t])
        before = [x for x in sent if x.i < lo]
        after = [x for x in sent if x.i > hi]
        # the content is the longer side of the clause (usually the whole rest of the sentence)
        side = before if len([x for x in before if not x.is_punct]) >= len([x for x in after if not x.is_punct]) \
            else after
        span = _span_of(side)
        if span is None or src is None:
            continue
        yield _Att(_widen(span, regions), src, cue, "quote.according_to")


DASH_BYLINE = re.compile(r"[ \t\u00a0]*[―—–-]{1,2}[ \t\u00a0]*([A-Z][\w.'’-]*(?:[ \t\u00a0]+[A-Z][\w.'’-]*){0,4})"
                         r"[ \t\u00a0.,]*(?=\n|$)")
TRANSCRIPT = re.compile(r"[\"“]?([A-Z][A-Z.'’ -]{1,40}[A-Z.])(?: \([^)\n]{1,40}\))?:[ \t]")


LABELS = {"UPDATE", "BREAKING", "BREAKING NEWS", "EXCLUSIVE", "WATCH", "NOTE", "EDITOR'S NOTE", "EDITOR’S NOTE",
          "CORRECTION", "READ MORE", "RELATED", "VIDEO", "PHOTOS", "PHOTO", "SOURCE", "SOURCES", "ALSO", "UPDATED",
          "LIVE", "ANALYSIS", "OPINION", "FACT CHECK", "CLARIFICATION", "SEE ALSO", "MORE", "TOPICS", "TAGS"}


def _signed_quotes(doc: Doc, regions: list[tuple[int, int]]) -> Iterator[_Att]:
    """Quotes signed with a dash after them ("“...” ― Maria Lopez") and transcript paragraphs
    ("PENCE: Well, look, ...")."""
    text = _doc_text(doc)
    for rs, re_ in regions:
        m = DASH_BYLINE.match(text, re_)
        if m:
            dash = text.index(m.group(0).strip()[0], re_)
            yield _Att((rs, re_), (m.start(1), m.end(1)), (dash, dash + 1), "quote.signed")
    turns = []
    for ps, pe in _paragraphs(text):
        m = TRANSCRIPT.match(text, ps, pe)  # (match anchors at ps; "^" would not)
        if m and m.group(1).strip(" .").upper() not in LABELS:
            colon = m.end() - 2
            turns.append(_Att((m.end(), pe), (m.start(1), m.end(1)), (colon, colon + 1), "quote.transcript"))
    # a transcript has turns, and someone speaks twice; "WASHINGTON: ..." is a dateline and a fact box
    # ("GEOGRAPHY: ...", "FOREIGN DEBT: ...") has each label once
    labels = [_doc_text(doc)[t.source[0]:t.source[1]].upper() for t in turns]
    if len(turns) >= 2 and len(set(labels)) < len(labels):
        yield from turns


_SENTS_KEY = "gestae.quotes.sents"
_TEXT_KEY = "gestae.quotes.text"


def _doc_text(doc: Doc) -> str:
    """``Doc.text`` joins every token on each call: keep it for the length of one run."""
    text = doc.user_data.get(_TEXT_KEY)
    if text is None:
        text = doc.user_data[_TEXT_KEY] = doc_text(doc)
    return text


def _sent_at(doc: Doc, i: int) -> SpacySpan:
    """The sentence of token i (``Token.sent`` walks the whole Doc on every call: index it once)."""
    starts = doc.user_data.get(_SENTS_KEY)
    if starts is None:
        starts = [s.start for s in doc.sents]
        doc.user_data[_SENTS_KEY] = starts
    k = bisect.bisect_right(starts, i) - 1
    end = starts[k + 1] if k + 1 < len(starts) else len(doc)
    return doc[starts[k]:end]


def _sentence_of(doc: Doc, offset: int) -> SpacySpan | None:
    tok = doc.char_span(offset, offset + 1, alignment_mode="expand")
    return _sent_at(doc, tok.start) if tok is not None and len(tok) else None


def _quote_attributions(doc: Doc, regions: list[tuple[int, int]], atts: list[_Att],
                        lexicon: dict[str, float]) -> list[_Att]:
    """Quoted stretches no attribution covers: a cue in the same sentence, "X said:" before, or alone."""
    out: list[_Att] = []
    text = _doc_text(doc)
    near = _Near(atts, key=lambda a: a.content[0])
    near_regions = _Near(regions)
    for rs, re_ in regions:
        words = len(text[rs:re_].split())
        close = near.around(rs - 1000, re_ + 200)
        if any(_overlaps((rs, re_), a.content) for a in close):
            continue
        split = _split_partner(text, close, (rs, re_))
        if split is not None:  # "“A,” he said, “B.”": one attribution
            split.content = (min(split.content[0], rs), max(split.content[1], re_))
            split.rule = "quote.split"
            continue
        if words < 3 and not _after_colon(text, rs) and not _starts_sentence(doc, rs):
            continue  # scare quotes and titles ("no limits") are not attributions by themselves
        if words <= 6 and _is_title(doc, rs) and _title_case(text[rs:re_]):
            continue  # 'on "Face the Nation,"', 'an episode of “The Steve Harvey Show”'

        sent = _sentence_of(doc, rs)
        if sent is None:
            continue
        local_regions = near_regions.around(sent.start_char - 1000, sent.end_char + 1000)
        cue = _cue_near(doc, sent, (rs, re_), lexicon, local_regions)
        if cue is not None:
            verb = cue
            src, refers = _source(_outside_quotes(verb, _find_subject(verb), local_regions))
            out.append(_Att((rs, re_), src, (verb.idx, _cue_end(verb)), "quote.direct.cue", refers=refers))
            near.add(out[-1])
            continue
        named = _named_before_colon(doc, rs)
        if named is not None:  # "Here’s Clinton in December 1992: “...”", "Philip Bump: “...”"
            out.append(_Att((rs, re_), named, (text.rindex(":", 0, rs), text.rindex(":", 0, rs) + 1), "quote.colon"))
            near.add(out[-1])
            continue
        prev = _previous_quote(close, rs, text)
        if prev is not None and _stands_alone(doc, (rs, re_)):
            out.append(_Att((rs, re_), prev.source, prev.cue, "quote.direct.continued",
                            speaker_from=prev.speaker_from or prev, refers=prev.refers))
            near.add(out[-1])
    return out


def _split_partner(text: str, atts: list[_Att], region: tuple[int, int]) -> _Att | None:
    """The attribution whose quotation a cue splits with this one: "“A,” he said, “B.”" (a full stop
    after the cue makes B a quotation of its own)."""
    rs, re_ = region

    def split_gap(gap: str, first_end: int) -> bool:
        inner = text[max(0, first_end - 4):first_end].rstrip(CLOSE_DOUBLE + "\"'’")  # the first part's last sign
        return (len(gap) < 80 and "\n" not in gap and not re.search(r"[.!?;]\s", gap)
                and gap.rstrip()[-1:] in (",", ":", "—", "–") and inner[-1:] in (",", "—", "–"))

    for a in atts:
        if a.cue is None:
            continue
        if a.content[1] <= a.cue[0] and a.cue[1] <= rs and split_gap(text[a.content[1]:rs], a.content[1]):
            return a  # its quotation, the cue, this one
        if re_ <= a.cue[0] and a.cue[1] <= a.content[0] and text[a.content[0]] in OPEN_DOUBLE + '"' \
                and split_gap(text[re_:a.content[0]], re_):
            return a  # this one, the cue, its quotation
    return None


def _named_before_colon(doc: Doc, start: int) -> tuple[int, int] | None:
    """The name right before the colon that introduces a quotation, if a person or body is named there."""
    text = _doc_text(doc)
    if not _after_colon(text, start):
        return None
    colon = text.rindex(":", 0, start)
    span = doc.char_span(colon, colon + 1, alignment_mode="expand")
    if span is None or span.start == 0:
        return None
    i = span.start - 1
    toks = []
    while i >= 0 and doc[i].pos_ == "PROPN" or (i >= 0 and toks and doc[i].dep_ == "compound"):
        toks.insert(0, doc[i])
        i -= 1
    if not toks or toks[-1].ent_type_ not in ("PERSON", "ORG", "NORP", "GPE", ""):
        return None
    if toks[-1].ent_type_ == "" and len(toks) < 2:
        return None
    return toks[0].idx, toks[-1].idx + len(toks[-1].text)


def _is_title(doc: Doc, start: int) -> bool:
    """A quotation right after a preposition, determiner or possessive names something (a show, a book)."""
    span = doc.char_span(start, start + 1, alignment_mode="expand")
    if span is None or span.start == 0:
        return False
    prev = doc[span.start - 1]
    return prev.pos_ in ("ADP", "DET") or prev.tag_ == "POS" or prev.lower_ in ("’s", "'s")


def _title_case(s: str) -> bool:
    ws = [w for w in re.findall(r"[^\W\d_]+", s) if len(w) > 3]
    return bool(ws) and sum(w[0].isupper() for w in ws) * 2 >= len(ws)


def _starts_sentence(doc: Doc, start: int) -> bool:
    sent = _sentence_of(doc, start)
    return sent is not None and sent.start_char == start


def _after_colon(text: str, start: int) -> bool:
    return text[:start].rstrip().endswith(":")


def _cue_near(doc: Doc, sent: SpacySpan, region: tuple[int, int], lexicon: dict[str, float],
              all_regions: list[tuple[int, int]] = ()) -> Token | None:
    """A cue verb for a quotation no verb took: outside the quotation in the sentences it spans, in a short
    "X said." right after it, or ending the sentence before it with a colon."""
    cues = SPEECH | {k for k, v in lexicon.items() if " " not in k and v >= 0.3}
    last = _sentence_of(doc, max(region[1] - 1, region[0]))
    sents = [sent] if last is None or last.start == sent.start else [sent, last]
    end_sent = sents[-1]
    nxt = None
    if end_sent.end < len(doc) and end_sent.end_char <= region[1] + 2:
        nxt = _sent_at(doc, end_sent.end)
        # "“Who would have believed it?” Trump said, looking out." (the parser ends the sentence at "?”"):
        # a cue among the first words of the next sentence
        nxt = None if nxt[0].is_quote or nxt[0].is_space else nxt[:6]

    def ok(t: Token) -> bool:
        if not (t.pos_ in ("VERB", "AUX") and t.lemma_.lower() in cues and not (region[0] <= t.idx < region[1])):
            return False
        lo, hi = min(t.idx, region[1]), max(t.idx, region[0])
        if any(lo <= r[0] and r[1] <= hi for r in all_regions):
            return False  # another quotation stands between: the cue is that one's
        return "\n" not in _doc_text(doc)[lo:hi] and _find_subject(t) is not None  # same paragraph only

    cands = [t for s in sents for t in s if ok(t)] or ([t for t in nxt if ok(t)] if nxt is not None else [])
    if cands:
        # the nearest one to the quotation
        return min(cands, key=lambda t: min(abs(t.idx - region[0]), abs(t.idx - region[1])))
    if _after_colon(_doc_text(doc), region[0]) and sent.start > 0:
        prev = _sent_at(doc, sent.start - 1) if sent.start_char >= region[0] - 2 else sent
        cands = [t for t in prev if t.pos_ == "VERB" and t.idx < region[0] and _find_subject(t) is not None]
        if cands:
            return cands[-1]
    return None


def _previous_quote(atts: list[_Att], start: int, text: str) -> _Att | None:
    """The latest attribution with a quotation before this one, in this paragraph or the one before."""
    before = [a for a in atts if a.content[1] <= start and '"' in _norm(text[a.content[0]:a.content[1]])]
    if not before:
        return None
    prev = max(before, key=lambda a: a.content[1])
    gap = text[prev.content[1]:start]
    if gap.count("\n") > 1 or len(gap) > 400:
        return None
    return prev


def _stands_alone(doc: Doc, region: tuple[int, int]) -> bool:
    """The quotation is its own sentence (nothing but punctuation outside it)."""
    sent = _sentence_of(doc, region[0])
    if sent is None:
        return False
    outside = _doc_text(doc)[sent.start_char:region[0]] + _doc_text(doc)[region[1]:sent.end_char]
    return not re.search(r"\w", outside)


def _norm(s: str) -> str:
    return re.sub(f"[{OPEN_DOUBLE}{CLOSE_DOUBLE}]", '"', s)


def _kind(text: str, span: tuple[int, int], regions: list[tuple[int, int]]) -> str:
    inner = [r for r in regions if _overlaps(r, span)]
    if not inner:
        return "indirect"
    outside = text[span[0]:span[1]]
    # 'emphasized that “...”' is a direct quote: a complementizer before the marks does not make it mixed
    lead = re.match(r"(that|whether|if)\s+(?=[\"“«‘'])", outside, re.IGNORECASE)
    if lead:
        span = (span[0] + lead.end(), span[1])
        outside = outside[lead.end():]
    for rs, re_ in sorted(inner, reverse=True):
        a, b = max(rs, span[0]) - span[0], min(re_, span[1]) - span[0]
        outside = outside[:a] + outside[b:]
    return "mixed" if re.search(r"\w", outside) else "direct"


# Tuned on PolNeAR dev: the cue rate above which a verb with its frame counts as a cue, and the lower
# one for a verb whose content holds a quotation.
CUE_THRESHOLD = 0.4
QUOTED_THRESHOLD = 0.1


def find_attributions(doc: Doc, threshold: float | None = None) -> list[_Att]:
    threshold = CUE_THRESHOLD if threshold is None else threshold
    regions = quoted_regions(_doc_text(doc))
    lexicon = cue_lexicon()
    atts = _verb_attributions(doc, regions, lexicon, threshold)
    atts += _quote_attributions(doc, regions, atts, lexicon)
    return sorted(atts, key=lambda a: a.content)


# ---------------------------------------------------------------- speakers


def _speaker_kind(doc: Doc, start: int, end: int) -> str:
    span = doc.char_span(start, end, alignment_mode="expand")
    if span is None or not len(span):
        return "group"
    root = span.root
    if root.ent_type_ == "PERSON":
        return "person"
    if root.ent_type_ in ("ORG",):
        return "organization"
    if root.ent_type_ in ("GPE",):
        return "state"
    if root.tag_ in ("NNS", "NNPS"):
        return "group"
    return "person" if root.lemma_.lower() in {"spokesman", "spokeswoman", "spokesperson", "official",
                                               "minister", "president", "aide", "source"} else "organization"


def _head_chunk(doc: Doc, start: int, end: int) -> tuple[int, int] | None:
    """The head noun of a source phrase with the words bound to it ("the tabloid Sun", "Ali Larijani")."""
    span = doc.char_span(start, end, alignment_mode="expand")
    if span is None or not len(span):
        return None
    root = span.root
    toks = [root]
    for c in reversed(list(root.lefts)):
        if c.dep_ in ("compound", "amod", "det", "nmod", "flat") and c.i == toks[0].i - 1:
            toks.insert(0, c)
    right = [c for c in root.rights if c.dep_ in ("compound", "flat") and c.i == root.i + 1]
    toks += right
    return toks[0].idx, toks[-1].idx + len(toks[-1].text)


def resolve_speaker(doc: Doc, source: tuple[int, int] | None, last_person: str | None) -> str | None:
    from .actors import actor_at, add_actor

    if source is None:
        return None
    s, e = source
    actor = actor_at(doc, s, e)
    head = _head_chunk(doc, s, e)

    def covers(a, span) -> bool:
        return any(m.start < span[1] and span[0] < m.end for m in a.mentions)

    if actor is not None and head is not None and not covers(actor, head) \
            and doc.char_span(*head, alignment_mode="expand").root.pos_ == "PROPN":
        # the match is a name inside the phrase, not the name it is headed by: "the tabloid Sun, Britain's
        # biggest-selling daily" is the Sun, "Li Zhiqun, director of the ministry's ..." is Li Zhiqun
        by_head = actor_at(doc, *head)
        if by_head is None or not covers(by_head, head):
            by_head = add_actor(doc, *head, kind=_speaker_kind(doc, *head))
        return by_head.id
    if actor is not None:
        return actor.id
    text = _doc_text(doc)[s:e].strip().lower()
    if text in PRONOUNS:
        # small fallback while the actors stage cannot resolve a pronoun: the last person who spoke
        return last_person if text in ("he", "she") else None
    return add_actor(doc, s, e, kind=_speaker_kind(doc, s, e)).id


def extract_quotes(doc: Doc, resolve: bool = True) -> list[Quote]:
    """All attributions of a parsed Doc as :class:`Quote` records, in text order.

    ``resolve=False`` leaves speakers unresolved (spans only), for scoring spans without the actors stage.
    """
    text = _doc_text(doc)
    near_regions = _Near(quoted_regions(text))
    quotes: list[Quote] = []
    doc.user_data.pop(_SENTS_KEY, None)  # sentences may have changed since an earlier run
    doc.user_data.pop(_TEXT_KEY, None)
    speakers: dict[int, str | None] = {}
    last_person: str | None = None
    for n, a in enumerate(find_attributions(doc)):
        if a.speaker_from is not None and id(a.speaker_from) in speakers:
            speaker = speakers[id(a.speaker_from)]
        else:
            speaker = resolve_speaker(doc, a.refers or a.source, last_person) if resolve else None
        speakers[id(a)] = speaker
        if speaker is not None:
            kind = next((x.kind for x in doc._.actors or () if x.id == speaker), None)
            if kind == "person":
                last_person = speaker
        s, e = a.content
        quotes.append(Quote(
            id=f"q{n + 1}", kind=_kind(text, a.content, near_regions.around(*a.content)), start=s, end=e, text=text[s:e],
            speaker=speaker,
            source=Span(a.source[0], a.source[1], text[a.source[0]:a.source[1]]) if a.source else None,
            cue=Span(a.cue[0], a.cue[1], text[a.cue[0]:a.cue[1]]) if a.cue else None,
            rule=a.rule,
        ))
    doc.user_data.pop(_SENTS_KEY, None)
    doc.user_data.pop(_TEXT_KEY, None)
    return quotes


@Language.component("gestae_quotes", assigns=["doc._.quotes"], requires=["doc._.actors"])
def quotes_stage(doc: Doc) -> Doc:
    doc._.quotes = extract_quotes(doc)
    return doc


# ---------------------------------------------------------------- presentation (gestae quotes)

QUOTE_COLUMNS = ("article", "speaker", "country", "kind", "text", "source", "cue", "start", "end", "rule")


def quote_rows(analysis: dict) -> list[dict]:
    """One flat row per quote of an analysis dict (``Analysis.to_dict()``), the speaker named."""
    actors = {a["id"]: a for a in analysis.get("actors", [])}
    rows = []
    for q in analysis.get("quotes", []):
        who = actors.get(q.get("speaker") or "", {})
        rows.append({
            "article": analysis["article"]["id"], "speaker": who.get("name"), "country": who.get("country"),
            "kind": q["kind"], "text": q["text"], "source": (q.get("source") or {}).get("text"),
            "cue": (q.get("cue") or {}).get("text"), "start": q["start"], "end": q["end"], "rule": q.get("rule"),
        })
    return rows


def format_quotes(rows: list[dict], fmt: str = "table", width: int = 100) -> str:
    """Quote rows as a readable table, JSON (one array) or CSV."""
    import csv
    import io
    import json
    import textwrap

    if fmt == "json":
        return json.dumps(rows, ensure_ascii=False, indent=1)
    if fmt == "csv":
        buf = io.StringIO()
        w = csv.DictWriter(buf, fieldnames=QUOTE_COLUMNS, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
        return buf.getvalue().rstrip("\n")
    lines = []
    article = None
    who_w = min(28, max([len(_who(r)) for r in rows] + [7]))
    for r in rows:
        if r["article"] != article:
            article = r["article"]
            lines.append(f"== {article}")
            lines.append(f"{'speaker':<{who_w}}  {'kind':<8}  text")
        body = " ".join(r["text"].split())
        wrapped = textwrap.wrap(body, width=max(30, width - who_w - 12)) or [""]
        lines.append(f"{_who(r)[:who_w]:<{who_w}}  {r['kind']:<8}  {wrapped[0]}")
        lines.extend(f"{'':<{who_w}}  {'':<8}  {w}" for w in wrapped[1:])
    if not rows:
        lines.append("(no quotes)")
    return "\n".join(lines)


def _who(row: dict) -> str:
    name = row.get("speaker") or (f"({row['source']})" if row.get("source") else "?")
    return f"{name} ({row['country']})" if row.get("country") else name

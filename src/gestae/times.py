"""Stage 5, times: time expressions normalised to TIMEX3 types and values.

Recognition is rule-based: a set of regular expressions over the article text (TimeML span
conventions: "Wednesday" without "on", "last week" with "last", "the past three months" with "the",
"two years ago" with "ago"), longest match wins. Values are anchored on the publication date
(``doc._.article.published``) or, failing that, a dateline at the text start ("BAGHDAD, Oct. 31
(Xinhua) --"). Relative weekdays, months and days without a year are resolved by the tense of the
verb that governs the expression ("met on Wednesday" is the past one, "will meet on Friday" the next).

:func:`find_times` is the pure function; :func:`event_date` dates an event trigger for the events
stage; the ``gestae_times`` component only stores ``doc._.times``.
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from spacy.language import Language
from spacy.tokens import Doc, Token

from .model import Timex
from .nlp import doc_text

# ---------------------------------------------------------------- vocabulary

MONTHS = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4, "may": 5,
    "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8, "september": 9, "sept": 9, "sep": 9,
    "october": 10, "oct": 10, "november": 11, "nov": 11, "december": 12, "dec": 12,
}
WEEKDAYS = {"monday": 0, "mon": 0, "tuesday": 1, "tue": 1, "tues": 1, "wednesday": 2, "wed": 2,
            "thursday": 3, "thu": 3, "thur": 3, "thurs": 3, "friday": 4, "fri": 4, "saturday": 5, "sat": 5,
            "sunday": 6, "sun": 6}
NUMBERS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40,
    "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100, "a hundred": 100,
    "a dozen": 12, "dozen": 12, "a couple of": 2, "a couple": 2, "couple of": 2, "half a": 0.5, "a half": 0.5,
}
VAGUE = {"several", "a few", "few", "many", "some", "a number of", "numerous"}
UNITS = {"second": "S", "minute": "M", "hour": "H", "day": "D", "week": "W", "fortnight": "W",
         "month": "M", "year": "Y", "decade": "DE", "century": "CE", "centuries": "CE", "quarter": "Q",
         "weekend": "WE", "night": "D"}
ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "1st": 1, "2nd": 2, "3rd": 3, "4th": 4}
SEASONS = {"spring": "SP", "summer": "SU", "fall": "FA", "autumn": "FA", "winter": "WI"}
SEASON_START = {"SP": 3, "SU": 6, "FA": 9, "WI": 12}
PARTS = {"morning": "MO", "afternoon": "AF", "evening": "EV", "night": "NI"}

_MONTH = (r"(?-i:Jan(?:uary|\.)?|Feb(?:ruary|\.)?|Mar(?:ch|\.)|Apr(?:il|\.)?|May|June?|July?|Aug(?:ust|\.)?"
          r"|Sept?(?:ember|\.)?|Oct(?:ober|\.)?|Nov(?:ember|\.)?|Dec(?:ember|\.)?|JANUARY|FEBRUARY|MARCH|APRIL"
          r"|MAY|JUNE|JULY|AUGUST|SEPTEMBER|OCTOBER|NOVEMBER|DECEMBER)")
_FULL_MONTH = r"(?-i:January|February|March|April|May|June|July|August|September|October|November|December)"
_WD = r"(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day"
_WD_ABBR = r"(?-i:Mon|Tue|Tues|Wed|Thu|Thur|Thurs|Fri|Sat|Sun)\."
_DAY = r"(?:[12][0-9]|3[01]|0?[1-9])(?:st|nd|rd|th)?"
_YEAR = r"(?:1[6-9][0-9]{2}|20[0-9]{2})"
_NUMW = (r"(?:an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen"
         r"|sixteen|seventeen|eighteen|nineteen|(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)"
         r"(?:[- ](?:one|two|three|four|five|six|seven|eight|nine))?|a hundred|hundred|a dozen|dozen"
         r"|a couple of|a couple|couple of|half an?|several|a few|few|many|some|a number of|numerous"
         r"|\d+(?:[.,]\d+)?(?: 1/2)?)")
_UNIT = r"(?:second|minute|hour|day|week|fortnight|month|year|decade|centur(?:y|ie)|quarter|weekend)s?"
_MOD = (r"(?:(?:about|nearly|almost|more than|less than|fewer than|no more than|some|at least|at most|up to"
        r"|around|roughly|approximately|the better part of|close to)\s+)")
_PART = r"(?:morning|afternoon|evening|night)"
_EARLY = r"(?:early|late|mid-?|the middle of|the end of|the beginning of|the start of|the first half of|the second half of)"
_TZ = r"(?:\s*\(?(?:[ECMP][SD]T|GMT|UTC|ET|local time)\)?)?"
_CLOCK = r"(?:\d{1,2}(?::\d{2})?\s*(?:a\.m\.?|p\.m\.?|am\b|pm\b)|\d{1,2}:\d{2}|noon|midnight|midday)"
_HOLIDAYS = {
    "christmas eve": (12, 24), "christmas day": (12, 25), "christmas": (12, 25), "new year's eve": (12, 31),
    "new year's day": (1, 1), "independence day": (7, 4), "valentine's day": (2, 14), "halloween": (10, 31),
    "boxing day": (12, 26), "may day": (5, 1),
}


# ---------------------------------------------------------------- anchoring

@dataclass(frozen=True, slots=True)
class Anchor:
    """The reference date: the publication date, or a dateline's date (``year_known`` False if it has none)."""
    date: dt.date
    year_known: bool = True


DATELINE = re.compile(
    r"\A\s*(?:[A-Z][A-Za-z.'’-]*(?: [A-Za-z.'’-]+){0,3}(?:,\s*[A-Z][A-Za-z.'’-]*(?: [A-Za-z.'’-]+){0,2})?,\s+)"
    rf"(?:{_WD},?\s+)?(?P<month>{_MONTH})\s+(?P<day>{_DAY})(?:,?\s+(?P<year>{_YEAR}))?"
    r"\s*(?:\((?:[A-Za-z .]+)\)\s*)?(?:--|—|–|-|:|/|\()")


def anchor_of(doc: Doc) -> Anchor | None:
    """The publication date, else a dateline at the text start, else None."""
    article = doc._.article if Doc.has_extension("article") else None
    published = getattr(article, "published", None)
    if published:
        try:
            return Anchor(dt.date.fromisoformat(published[:10]))
        except ValueError:
            pass
    m = DATELINE.match(doc[:60].text if len(doc) > 60 else doc.text)
    if m:
        month = MONTHS[m.group("month").lower().rstrip(".")]
        day = int(re.match(r"\d+", m.group("day")).group())
        year = int(m.group("year")) if m.group("year") else 2000  # a leap year: any day fits
        try:
            return Anchor(dt.date(year, month, day), year_known=bool(m.group("year")))
        except ValueError:
            return None
    return None


# ---------------------------------------------------------------- tense

FUTURE_AUX = {"will", "'ll", "shall", "wo", "going", "gon", "would", "could", "might", "may", "should", "must",
              "can", "ca"}


def tense_at(doc: Doc, start: int, end: int) -> str | None:
    """'past', 'future' or 'present' from the verb governing the characters start..end, else None."""
    span = doc.char_span(start, end, alignment_mode="expand")
    if span is None or not len(span):
        return None
    tok = span.root
    for _ in range(6):
        if tok.tag_.startswith("VB") or tok.tag_ == "MD":
            return verb_tense(tok)
        if tok.head is tok:
            break
        tok = tok.head
    return None


def verb_tense(v: Token) -> str | None:
    aux = [c for c in v.children if c.dep_ in ("aux", "auxpass")]
    words = {a.lower_ for a in aux}
    if words & FUTURE_AUX or any(a.lower_ == "to" for a in aux) and v.head.lower_ in ("going", "plan", "plans",
                                                                                      "expected", "scheduled"):
        return "future"
    if v.dep_ == "xcomp" and v.head.tag_.startswith("VB"):
        return "future" if v.head.lemma_ in ("plan", "expect", "schedule", "intend", "hope", "want", "agree",
                                              "promise", "go", "aim", "decide", "threaten", "vow") else verb_tense(v.head)
    if v.tag_ == "VBD" or any(a.tag_ == "VBD" for a in aux):
        return "past"
    if v.tag_ == "VBN":
        return "past" if words & {"has", "have", "had", "was", "were", "'s", "'ve"} or not aux else "present"
    if v.tag_ == "VBG" and words & {"is", "are", "'s", "'re", "am"}:
        return "future"
    if v.tag_ in ("VBZ", "VBP"):
        return "present"
    return None


# ---------------------------------------------------------------- calendar helpers

def iso_week(d: dt.date) -> str:
    y, w, _ = d.isocalendar()
    return f"{y}-W{w:02d}"


def add_months(d: dt.date, n: int) -> dt.date:
    m = d.month - 1 + n
    y = d.year + m // 12
    return dt.date(y, m % 12 + 1, 1)


def near_year(month: int, day: int, a: dt.date, tense: str | None) -> int:
    """The year putting month/day nearest the anchor, on the side the tense says when it is far.

    News reports events a few weeks ahead in the past tense ("the offer expired Nov. 6", a schedule
    told in the past) often enough that the tense only decides beyond two months.
    """
    best, best_key = a.year, None
    for y in (a.year - 1, a.year, a.year + 1):
        try:
            d = dt.date(y, month, day)
        except ValueError:
            continue
        delta = (d - a).days
        key = abs(delta) + (400 if (tense == "past" and delta > 60) or (tense == "future" and delta < -60) else 0)
        if best_key is None or key < best_key:
            best, best_key = y, key
    return best


def month_year(month: int, a: dt.date, tense: str | None) -> int:
    """The year of a bare month name: the anchor's, unless the tense or a distance over half a year
    puts it on the other side ("in October" written in January is last October)."""
    delta = month - a.month
    if tense == "past" and delta > 1 or delta > 6 and tense != "future":
        return a.year - 1
    if tense == "future" and delta < -1 or delta < -6 and tense != "past":
        return a.year + 1
    return a.year


def weekday_date(dow: int, a: dt.date, tense: str | None, rel: str | None) -> dt.date:
    back = (a.weekday() - dow) % 7  # days back to the most recent such weekday (0 = today)
    fwd = (dow - a.weekday()) % 7
    if rel == "last":
        return a - dt.timedelta(days=back or 7)
    if rel in ("next", "coming"):
        return a + dt.timedelta(days=fwd or 7)
    if rel == "this":
        return a - dt.timedelta(days=a.weekday()) + dt.timedelta(days=dow)
    if tense == "future":
        return a + dt.timedelta(days=fwd)
    if tense == "past":
        return a - dt.timedelta(days=back)
    if tense == "present":
        return a + dt.timedelta(days=fwd) if fwd < back else a - dt.timedelta(days=back)
    return a - dt.timedelta(days=back)


def num_value(s: str) -> float | None:
    s = s.lower().strip()
    if s in VAGUE:
        return None
    if s in NUMBERS:
        return NUMBERS[s]
    if s.startswith("half"):
        return 0.5
    parts = re.split(r"[- ]", s)
    if len(parts) == 2 and parts[0] in NUMBERS and parts[1] in NUMBERS:
        return NUMBERS[parts[0]] + NUMBERS[parts[1]]
    m = re.fullmatch(r"(\d+(?:[.,]\d+)?)( 1/2)?", s)
    if m:
        v = float(m.group(1).replace(",", ""))
        return v + (0.5 if m.group(2) else 0)
    return None


def duration_value(n: float | None, unit: str) -> str:
    u = unit.lower().rstrip("s")
    if u.startswith("centur"):
        u = "century"
    code = UNITS.get(u, "D")
    if u == "fortnight":
        n = 2 * n if n is not None else None
    if n is None:
        num = "X"
    elif n != int(n):
        if code in ("Y", "M", "D", "H", "W"):  # "2 1/2 years" is P2Y6M; "1 1/2 hours" PT1H30M
            whole, half = int(n), {"Y": (6, "M"), "M": (15, "D"), "D": (12, "H"), "H": (30, "M"),
                                   "W": (3.5, "D")}[code]
            t = "T" if code in ("D", "H") and half[1] in ("H", "M") else ""
            lead = f"PT{whole}{code}" if code == "H" else f"P{whole}{code}"
            if code == "H":
                return f"{lead}{half[0]}M" if whole else f"PT{half[0]}M"
            return f"{lead}{t}{half[0]}{half[1]}" if whole else f"P{t}{half[0]}{half[1]}"
        num = str(n)
    else:
        num = str(int(n))
    if code in ("H", "S") or (code == "M" and u == "minute"):
        return f"PT{num}{code}"
    if code == "DE":
        return f"P{num}0Y" if num != "X" else "PXDE"
    if code == "CE":
        return f"P{num}00Y" if num != "X" else "PXCE"
    return f"P{num}{code}"


# ---------------------------------------------------------------- the rules

@dataclass(slots=True)
class Match:
    start: int
    end: int
    type: str
    value: str | None
    rule: str
    priority: int = 0


class Ctx:
    """What value functions need: the anchor, the tense at a span, and whether the anchor's year was used."""

    def __init__(self, doc: Doc, anchor: Anchor | None):
        self.doc, self.anchor = doc, anchor
        self.text = doc_text(doc)
        self.used_year = False

    @property
    def a(self) -> dt.date | None:
        if self.anchor is None:
            return None
        if not self.anchor.year_known:
            self.used_year = True
        return self.anchor.date

    def tense(self, m: re.Match) -> str | None:
        before = self.text[max(0, m.start() - 16):m.start()].lower()
        if before.endswith(("ahead of ", "in time for ", "due on ", "due ", "scheduled for ", "set for ", "until ",
                            "as soon as ", "no later than ")):
            return "future"  # "ahead of Thursday's election"
        if before.endswith(("since ", "as of ")):
            return "past"
        return tense_at(self.doc, m.start(), m.end())


Rule = tuple[str, re.Pattern, str, Callable[[re.Match, Ctx], str | None], int]
RULES: list[Rule] = []


def rule(name: str, pattern: str, type_: str, priority: int = 0, flags: int = re.I):
    def deco(fn: Callable[[re.Match, Ctx], str | None]):
        RULES.append((name, re.compile(pattern, flags), type_, fn, priority))
        return fn
    return deco


def _month(s: str) -> int:
    return MONTHS[s.lower().rstrip(".")]


def _day(s: str) -> int:
    return int(re.match(r"\d+", s).group())


@rule("iso_date", r"\b(?P<y>(?:19|20)\d\d)-(?P<m>[01]\d)-(?P<d>[0-3]\d)\b", "DATE", 5)
def _iso(m: re.Match, c: Ctx) -> str:
    try:
        dt.date(int(m["y"]), int(m["m"]), int(m["d"]))
    except ValueError:
        return "__reject__"
    return f"{m['y']}-{m['m']}-{m['d']}"


@rule("numeric_date", r"\b(?P<m>0?[1-9]|1[0-2])/(?P<d>[0-3]?\d)/(?P<y>(?:19|20)?\d\d)\b", "DATE", 5)
def _numeric(m: re.Match, c: Ctx) -> str:
    y = m["y"] if len(m["y"]) == 4 else ("20" if int(m["y"]) < 50 else "19") + m["y"]
    try:
        dt.date(int(y), int(m["m"]), int(m["d"]))
    except ValueError:
        return "__reject__"
    return f"{y}-{int(m['m']):02d}-{int(m['d']):02d}"


@rule("month_day", rf"\b(?:(?P<wd>{_WD}|{_WD_ABBR}),?\s+)?(?P<mo>{_MONTH})\s+(?P<d>{_DAY})\b(?!\s*%)"
      rf"(?:(?:,|\s)\s*(?P<y>{_YEAR})\b)?(?:\s*(?P<part>{_PART})\b)?", "DATE", 4)
def _month_day(m: re.Match, c: Ctx) -> str | None:
    mo, d = _month(m["mo"]), _day(m["d"])
    if d > (29 if mo == 2 else 30 if mo in (4, 6, 9, 11) else 31):
        return "__reject__"  # "Feb. 30" is no date
    if m["y"]:
        y = int(m["y"])
        try:
            dt.date(y, mo, d)
        except ValueError:
            return "__reject__"
    elif c.a is not None:
        y = near_year(mo, d, c.a, c.tense(m))
    else:
        return f"XXXX-{mo:02d}-{d:02d}"
    part = m.groupdict().get("part")
    return f"{y}-{mo:02d}-{d:02d}" + (f"T{PARTS[part.lower()]}" if part else "")


@rule("day_month", rf"\b(?:(?P<wd>{_WD}),?\s+)?(?P<d>{_DAY})\s+(?:of\s+)?(?P<mo>{_MONTH})\b(?:,?\s+(?P<y>{_YEAR})\b)?",
      "DATE", 4)
def _day_month(m: re.Match, c: Ctx) -> str | None:
    return _month_day(m, c)


@rule("month_year", rf"\b(?:(?P<mod>{_EARLY})\s*)?(?P<mo>{_MONTH}),?\s+(?:of\s+)?(?P<y>{_YEAR})\b", "DATE", 3)
def _month_year(m: re.Match, c: Ctx) -> str:
    return f"{m['y']}-{_month(m['mo']):02d}"


@rule("month_rel_year", rf"\b(?:(?:early|late|mid-?)\s*)?(?P<mo>{_MONTH})\s+(?:of\s+)?(?P<rel>last|this|next)\s+year\b", "DATE", 4)
def _month_rel_year(m: re.Match, c: Ctx) -> str | None:
    a = c.a
    mo = _month(m["mo"])
    if a is None:
        return f"XXXX-{mo:02d}"
    return f"{a.year + {'last': -1, 'next': 1}.get(m['rel'].lower(), 0)}-{mo:02d}"


@rule("period_end", r"\b(?:(?:the\s+)?(?P<edge>end|beginning|start|middle)\s+of\s+the\s+(?P<u>year|month|week)"
      r"|(?P<ye>year[- ]end|year's end))\b", "DATE", 3)
def _period_end(m: re.Match, c: Ctx) -> str | None:
    a = c.a
    u = "year" if m["ye"] else m["u"].lower()
    if a is None:
        return None
    if u == "year":
        return str(a.year)
    if u == "month":
        return a.strftime("%Y-%m")
    return iso_week(a)


# A bare month name; "May" and "March" only where a date is clearly meant.
@rule("month", rf"\b(?:(?P<rel>last|next|this|(?:the\s+)?(?:early|late|mid-?|end of|beginning of|middle of)|"
      rf"(?:the\s+)?(?:end|beginning|start|middle)\s+of)\s*)?(?P<mo>{_FULL_MONTH}|(?-i:Jan|Feb|Aug|Sept|Oct|Nov|Dec)\.)\b",
      "DATE", 1)
def _month_only(m: re.Match, c: Ctx) -> str | None:
    mo = _month(m["mo"])
    if m["mo"] in ("May", "March") and not m["rel"]:
        before = c.text[max(0, m.start() - 12):m.start()].lower()
        if not re.search(r"\b(?:in|since|until|till|by|of|through|from|to|during|and|or|early|late|mid|last|next|this)\s*$", before):
            return "__reject__"
    a = c.a
    if a is None:
        return f"XXXX-{mo:02d}"
    rel = (m["rel"] or "").lower()
    # "last February" written in March is a year back: the month just gone would be "last month".
    if rel == "last":
        y = a.year if mo < a.month - 1 else a.year - 1
    elif rel == "next":
        y = a.year if mo > a.month + 1 else a.year + 1
    elif rel == "this":
        y = a.year
    else:
        y = month_year(mo, a, c.tense(m))
    return f"{y}-{mo:02d}"


@rule("weekday", rf"\b(?:(?P<rel>last|next|this(?: coming| past)?|past|coming|previous|early|late|earlier|later)\s+)?(?P<wd>{_WD})(?!s)"
      rf"(?:,?\s+(?P<mo>{_MONTH})\s+(?P<d>{_DAY})\b(?:,?\s+(?P<y>{_YEAR})\b)?)?"
      rf"(?:\s+(?P<part>{_PART})\b)?", "DATE", 2)
def _weekday(m: re.Match, c: Ctx) -> str | None:
    if m["mo"]:
        v = _month_day(m, c)
    else:
        dow = WEEKDAYS[m["wd"].lower()]
        a = c.a
        if a is None:
            v = f"XXXX-WXX-{dow + 1}"
        else:
            rel = (m["rel"] or "").lower()
            rel = {"past": "last", "previous": "last", "this past": "last", "this coming": "next", "early": None,
                   "late": None, "earlier": None, "later": None}.get(rel, rel) or None
            v = weekday_date(dow, a, c.tense(m), rel).isoformat()
        if m["part"] and v:
            v += "T" + PARTS[m["part"].lower()]
    return v


@rule("weekday_set", rf"\b(?:every|each)\s+(?P<wd>{_WD})\b|\b(?P<wd2>{_WD})(?:s\b|\s+(?P<part>{_PART})s\b)",
      "SET", 2)
def _weekday_set(m: re.Match, c: Ctx) -> str:
    wd = (m["wd"] or m["wd2"]).lower()
    v = f"XXXX-WXX-{WEEKDAYS[wd] + 1}"
    return v + ("T" + PARTS[m["part"].lower()] if m["part"] else "")


@rule("year", rf"(?<![$£€\d.,/-])\b(?:(?P<mod>{_EARLY}|fiscal(?:\s+year)?|FY)\s*-?\s*)?(?P<y>{_YEAR})\b"
      r"(?![,.]?\d|\s*%|-\d|\s*(?:percent|people|troops|members|votes))", "DATE", 1)
def _year(m: re.Match, c: Ctx) -> str | None:
    if m["mod"]:
        return m["y"]
    before = c.text[max(0, m.start() - 14):m.start()]
    tok_ok = False
    span = c.doc.char_span(m.start(), m.end(), alignment_mode="expand")
    if span is not None and len(span) and span[0].ent_type_ in ("DATE", ""):
        tok_ok = span[0].ent_type_ == "DATE" or bool(
            re.search(r"\b(?:in|since|until|till|by|of|through|from|to|during|before|after|and|or|between|early|"
                      r"late|mid|year|fiscal|season|the)\s*$", before, re.I))
    return m["y"] if tok_ok else "__reject__"


@rule("decade", r"\b(?:the\s+)?(?:(?P<mod>early|late|mid-?)\s*)?(?P<dec>(?:1[6-9]|20)\d0)'?s\b"
      r"|\b(?:the\s+)?(?:(?:early|late|mid-?)\s*)?['’](?P<short>\d0)s\b", "DATE", 2)
def _decade(m: re.Match, c: Ctx) -> str:
    if m["dec"]:
        return m["dec"][:3]
    return ("19" if int(m["short"]) > 20 else "20") + m["short"][0]


@rule("century", r"\b(?:the\s+)?(?:(?:early|late|mid-?)\s*)?(?P<n>\d{1,2})(?:st|nd|rd|th)[- ]century\b|\b(?:the\s+)?"
      r"(?P<w>nineteenth|twentieth|twenty-first|eighteenth)[- ]century\b", "DATE", 2)
def _century(m: re.Match, c: Ctx) -> str:
    n = int(m["n"]) if m["n"] else {"eighteenth": 18, "nineteenth": 19, "twentieth": 20, "twenty-first": 21}[m["w"].lower()]
    return f"{n - 1:02d}"


@rule("today", r"\b(?:(?P<pre>earlier|later|late|early)\s+)?(?P<w>today|tonight|yesterday|tomorrow|the day before yesterday"
      rf"|the day after tomorrow)(?:\s+(?P<part>{_PART})\b)?(?!'s\s+(?:morning|afternoon|evening|night))", "DATE", 2)
def _today(m: re.Match, c: Ctx) -> str | None:
    a = c.a
    w = m["w"].lower()
    if w in ("today", "tomorrow") and re.match(r"['’]s\s+(?:world|youth|society|generation|children|economy|"
                                                r"standards|computers|people|leaders)\b", c.text[m.end():m.end() + 20]):
        return "__reject__"  # "today's world": the present in general, not the day
    if a is None:
        return "PRESENT_REF" if w == "today" else None
    off = {"today": 0, "tonight": 0, "yesterday": -1, "tomorrow": 1, "the day before yesterday": -2,
           "the day after tomorrow": 2}[w]
    v = (a + dt.timedelta(days=off)).isoformat()
    if w == "tonight":
        return v + "TNI"
    if m["part"]:
        return v + "T" + PARTS[m["part"].lower()]
    return v


@rule("this_part", rf"\b(?:(?P<pre>earlier|later)\s+)?(?P<rel>this|last|tomorrow|yesterday)\s+(?P<part>{_PART})\b", "TIME", 3)
def _this_part(m: re.Match, c: Ctx) -> str | None:
    a = c.a
    if a is None:
        return None
    rel = m["rel"].lower()
    off = -1 if rel in ("yesterday",) or (rel == "last" and m["part"].lower() != "night") else 0
    if rel == "last" and m["part"].lower() == "night":
        off = -1
    if rel == "tomorrow":
        off = 1
    return (a + dt.timedelta(days=off)).isoformat() + "T" + PARTS[m["part"].lower()]


@rule("clock", rf"\b(?:(?:about|around|approximately|shortly after|shortly before)\s+)?(?P<clock>{_CLOCK}){_TZ}"
      rf"(?:,?\s+(?:(?:on\s+)?(?P<wd>{_WD})|(?P<rd>today|yesterday|tomorrow|tonight)|(?P<mo>{_MONTH})\s+(?P<d>{_DAY})\b))?(?!\w)",
      "TIME", 3)
def _clock(m: re.Match, c: Ctx) -> str | None:
    s = m["clock"].lower()
    if s in ("noon", "midnight") and (m["clock"][0].isupper() and m.start() > 0 and c.text[m.start() - 2] not in ".\n"
                                      or c.text[max(0, m.start() - 5):m.start()].lower() == "high "):
        return "__reject__"  # "High Noon", a title
    if s in ("noon", "midday"):
        hh, mm = 12, 0
    elif s == "midnight":
        hh, mm = 24, 0
    else:
        t = re.match(r"(\d{1,2})(?::(\d{2}))?", s)
        hh, mm = int(t.group(1)), int(t.group(2) or 0)
        if "p" in s and hh < 12:
            hh += 12
        elif "a" in s and hh == 12:
            hh = 0
        if hh > 24 or mm > 59:
            return "__reject__"
        if not re.search(r"[ap]", s) and ":" in s:
            # "3:1" scores and "1:30" ratios look like times; keep only with a time zone or weekday.
            if not (m["wd"] or m["rd"]) and m.end("clock") == m.end():
                return "__reject__"
    a = c.a
    if a is None:
        return f"XXXX-XX-XXT{hh:02d}:{mm:02d}"
    day = a
    if m["wd"]:
        day = weekday_date(WEEKDAYS[m["wd"].lower()], a, c.tense(m), None)
    elif m["rd"]:
        day = a + dt.timedelta(days={"yesterday": -1, "tomorrow": 1}.get(m["rd"].lower(), 0))
    elif m.re.groupindex.get("mo") and m["mo"]:
        mo, d = _month(m["mo"]), _day(m["d"])
        try:
            day = dt.date(near_year(mo, d, a, c.tense(m)), mo, d)
        except ValueError:
            return "__reject__"
    return f"{day.isoformat()}T{hh:02d}:{mm:02d}"


@rule("mid_part", r"\bmid-?\s?(?P<part>morning|afternoon|day)\b(?:\s+(?P<rd>today|yesterday|tomorrow))?", "TIME", 3)
def _mid_part(m: re.Match, c: Ctx) -> str | None:
    a = c.a
    if a is None:
        return None
    d = a + dt.timedelta(days={"yesterday": -1, "tomorrow": 1}.get((m["rd"] or "").lower(), 0))
    return d.isoformat() + {"morning": "TMO", "afternoon": "TAF", "day": "T12:00"}[m["part"].lower()]


@rule("full_year", r"\bthe\s+(?:full|fiscal|current\s+fiscal|calendar|whole|entire)\s+year\b(?!\s+(?:ended|ending|to)\b)", "DATE", 4)
def _full_year(m: re.Match, c: Ctx) -> str | None:
    a = c.a
    return str(a.year) if a else "XXXX"


@rule("spoken_decade", r"\bthe\s+(?:(?:early|late|mid-?)\s*)?(?P<d>twenties|thirties|forties|fifties|sixties|seventies|eighties|nineties)\b",
      "DATE", 2)
def _spoken_decade(m: re.Match, c: Ctx) -> str:
    return "19" + str(["twenties", "thirties", "forties", "fifties", "sixties", "seventies", "eighties",
                       "nineties"].index(m["d"].lower()) + 2)


@rule("military_clock", r"\b(?P<h>[01]\d|2[0-3])(?P<m>[0-5]\d)\s*(?:GMT|UTC)\b", "TIME", 4, flags=0)
def _military_clock(m: re.Match, c: Ctx) -> str | None:
    a = c.a
    return f"{a.isoformat() if a else 'XXXX-XX-XX'}T{m['h']}:{m['m']}"


@rule("q_number", rf"\b(?-i:Q)(?P<n>[1-4])\b(?:\s+(?P<y>{_YEAR})\b)?", "DATE", 3)
def _q_number(m: re.Match, c: Ctx) -> str | None:
    a = c.a
    y = m["y"] or (str(a.year) if a else "XXXX")
    return f"{y}-Q{m['n']}"


@rule("weekday_clock", rf"\b(?P<wd>{_WD})\s+(?:at\s+)?(?P<clock>{_CLOCK}){_TZ}", "TIME", 3)
def _weekday_clock(m: re.Match, c: Ctx) -> str | None:
    return _clock(m, c)


# "last week", "this year", "next month", "earlier this year", "the end of last year"
@rule("relative_period", r"\b(?:(?P<edge>(?:the\s+)?(?:end|beginning|start|middle|rest|remainder|first half|second half)\s+of)\s+)?"
      r"(?:(?P<pre>earlier|later|early|late|mid-?)\s*)?(?P<rel>last|this|next|past|coming|previous|current)\s+"
      r"(?P<unit>week|weekend|month|year|quarter|decade|century|spring|summer|fall|autumn|winter|fiscal year|season)\b",
      "DATE", 3)
def _relative_period(m: re.Match, c: Ctx) -> str | None:
    if m["unit"] == "Week" and m["rel"][0].isupper():
        return "__reject__"  # "This Week", a programme
    a = c.a
    rel, unit = m["rel"].lower(), m["unit"].lower()
    step = {"last": -1, "past": -1, "previous": -1, "next": 1, "coming": 1}.get(rel, 0)
    if a is None:
        return {-1: "PAST_REF", 1: "FUTURE_REF"}.get(step, "PRESENT_REF")
    if unit == "week":
        return iso_week(a + dt.timedelta(weeks=step))
    if unit == "weekend":
        return iso_week(a + dt.timedelta(weeks=step) if step or a.weekday() < 5 else a) + "-WE"
    if unit == "month":
        return add_months(a, step).strftime("%Y-%m")
    if unit in ("year", "fiscal year"):
        return str(a.year + step)
    if unit == "quarter":
        q = (a.month - 1) // 3 + step
        return f"{a.year + q // 4}-Q{q % 4 + 1}"
    if unit == "decade":
        return str(a.year // 10 + step)
    if unit == "century":
        return f"{a.year // 100 + step:02d}"
    if unit == "season":
        return None
    s = SEASONS[unit]
    cur = {12: "WI", 1: "WI", 2: "WI", 3: "SP", 4: "SP", 5: "SP", 6: "SU", 7: "SU", 8: "SU"}.get(a.month, "FA")
    y = a.year
    order = ["WI", "SP", "SU", "FA"]
    if step < 0:
        y = a.year if order.index(s) < order.index(cur) else a.year - 1
    elif step > 0:
        y = a.year if order.index(s) > order.index(cur) else a.year + 1
    if s == "WI" and a.month == 12 and step >= 0:
        y = a.year
    return f"{y}-{s}"


# "the past three months", "the next few years", "the last decade" as stretches of time
@rule("past_n", rf"\b(?:{_MOD})?(?P<the>the\s+|this\s+)?(?P<rel>past|last|next|coming|first|previous|final|latest|recent|following)\s+"
      rf"(?:(?P<n>{_NUMW})\s+)?(?P<unit>{_UNIT})\b", "DURATION", 4)
def _past_n(m: re.Match, c: Ctx) -> str | None:
    unit = m["unit"].lower()
    rel = m["rel"].lower()
    if not m["n"] and not m["the"] and rel in ("last", "next", "past", "coming", "previous"):
        if not unit.endswith("s"):
            return "__reject__"  # "last week" without "the": the relative_period rule
    if rel == "recent" and not m["n"]:
        return "PAST_REF" if unit.startswith("year") else duration_value(None, unit)
    if rel == "latest" and not m["n"] and unit == "quarter" and c.a is not None:
        q = (c.a.month - 1) // 3 - 1  # the latest reported quarter: the last one completed
        return f"{c.a.year + q // 4}-Q{q % 4 + 1}", "DATE"
    if not m["n"]:
        if unit.endswith("s") and unit not in ("centuries",):
            return duration_value(None, unit)
        return duration_value(1, unit)
    return duration_value(num_value(m["n"]), unit)


@rule("ago", rf"\b(?:{_MOD})?(?P<n>{_NUMW})\s+(?P<unit>{_UNIT})\s+(?:or so\s+)?(?P<dir>ago|earlier|from now|hence)\b", "DATE", 5)
def _ago(m: re.Match, c: Ctx) -> str | None:
    unit = m["unit"].lower().rstrip("s")
    if unit.startswith("centur"):
        unit = "century"
    if m["dir"].lower() == "earlier" and not (unit == "year" and num_value(m["n"]) == 1):
        return "__reject__"  # "three days earlier" is relative to the story, not the anchor
    a = c.a
    n = num_value(m["n"])
    sign = 1 if m["dir"].lower() in ("from now", "hence") else -1
    if a is None:
        return "PAST_REF" if sign < 0 else "FUTURE_REF"
    if n is None:
        if unit in ("year", "decade", "century"):
            return "PAST_REF" if sign < 0 else "FUTURE_REF"
        return {"month": a.strftime("%Y") if sign < 0 else None}.get(unit, "PAST_REF" if sign < 0 else "FUTURE_REF")
    n = int(n) if n == int(n) else n
    if unit in ("year",):
        return str(a.year + sign * int(n))
    if unit == "decade":
        return str(a.year + sign * 10 * int(n))[:3]
    if unit == "century":
        return f"{(a.year + sign * 100 * int(n)) // 100:02d}"
    if unit == "month":
        return add_months(a, sign * int(n)).strftime("%Y-%m")
    if unit in ("week", "fortnight"):
        return iso_week(a + dt.timedelta(weeks=sign * int(n) * (2 if unit == "fortnight" else 1)))
    if unit in ("day", "night"):
        return (a + dt.timedelta(days=sign * int(n))).isoformat()
    if unit == "quarter":
        return None
    if unit in ("hour", "minute", "second"):
        return "PAST_REF" if sign < 0 else "FUTURE_REF"
    return None


@rule("duration", rf"\b(?:{_MOD})?(?P<the>the\s+(?=(?:\d+(?:[.,]\d+)?|[a-z]+)\s))?(?P<n>{_NUMW})[\s-]+(?:more\s+|additional\s+)?(?P<unit>{_UNIT})"
      r"(?P<half>\s+and\s+a\s+half)?(?P<old>[\s-]+old)?\b(?!-old)", "DURATION", 2)
def _duration(m: re.Match, c: Ctx) -> str | None:
    if m["old"]:
        return "__reject__"  # ages ("57 years old") are not annotated in TimeML news corpora
    n = num_value(m["n"])
    if m["the"] and (n is None or m["n"].lower() in ("a", "an", "one")):
        return "__reject__"  # "the some years" is no expression; "the one day" rarely a duration
    if m["half"] and n is not None:
        n += 0.5
    if m["n"].lower() in ("a", "an"):
        before = c.text[max(0, m.start() - 14):m.start()]
        if re.search(r"(?:times|once|twice|\bper)\s*$", before, re.I):
            return "__set__"
        prev = c.doc.char_span(m.start(), m.end(), alignment_mode="expand")
        prev_tok = c.doc[prev.start - 1] if prev is not None and prev.start > 0 else None
        if re.search(r"(?:\d|cents?|dollars?|euros?|million|billion|%|percent)\s*$", before, re.I) or (
                prev_tok is not None and prev_tok.tag_ == "NNS"):
            return "__reject__"  # a rate: "$2 million a year", "700 seats a week"
        if m["unit"].lower() == "second":
            return "__reject__"  # "a second group": the ordinal
    if m["unit"][0].isupper() and not m["n"][0].isupper():
        return "__reject__"  # "60 Minutes": a title
    if m["n"].lower() in ("some", "many") and not m["unit"].lower().endswith("s"):
        return "__reject__"
    return duration_value(n, m["unit"])


@rule("bare_units", r"(?:(?<=\bfor )|(?<=\bover )|(?<=\bafter )|(?<=\bwithin ))(?P<u>years|months|decades|weeks|centuries|days|hours)\b|"
      r"(?<=\bin )(?P<u2>years|decades)\b", "DURATION", 1)
def _bare_units(m: re.Match, c: Ctx) -> str:
    return duration_value(None, m["u"] or m["u2"])


@rule("quarter", rf"\b(?:(?P<det>the|this\s+year's|last\s+year's|next\s+year's)\s+(?![a-z]+-quarter))?(?:(?:fiscal|latest|current|calendar)[\s-]+)?"
      rf"(?P<ord>first|second|third|fourth|1st|2nd|3rd|4th)[\s-]+(?:fiscal[\s-]+)?(?P<u>quarter|half)\b"
      rf"(?:\s+of\s+(?:(?P<y>{_YEAR})|(?P<ry>last year|this year|next year|the year)))?", "DATE", 4)
def _quarter(m: re.Match, c: Ctx) -> str | None:
    n = ORDINALS[m["ord"].lower()]
    a = c.a
    u = "Q" if m["u"].lower() == "quarter" else "H"
    if u == "H" and n > 2:
        return "__reject__"
    det = (m["det"] or "").lower()
    if m["y"]:
        y = int(m["y"])
    elif a is None:
        return f"XXXX-{u}{n}"
    elif m["ry"] or det.endswith("year's"):
        r = (m["ry"] or det).lower()
        y = a.year + (-1 if r.startswith("last") else 1 if r.startswith("next") else 0)
    else:
        y = a.year
        cur = (a.month - 1) // 3 + 1 if u == "Q" else (a.month - 1) // 6 + 1
        if n > cur and c.tense(m) != "future":
            y -= 1
    return f"{y}-{u}{n}"


@rule("season", rf"\b(?:(?P<det>the|this|last|next)\s+)?(?:(?P<mod>early|late|mid-?)\s*)?(?P<s>spring|summer|autumn|winter|fall)\b"
      rf"(?:\s+(?:of\s+)?(?P<y>{_YEAR})\b)?", "DATE", 2)
def _season(m: re.Match, c: Ctx) -> str | None:
    s = SEASONS[m["s"].lower()]
    if m["y"]:
        return f"{m['y']}-{s}"
    det = (m["det"] or "").lower()
    if det in ("last", "next", "this"):
        return "__reject__"  # relative_period handles these
    if not det or (m["s"].lower() == "fall" and not m["mod"]):
        return "__reject__"  # "fall" and bare season words are too often something else
    a = c.a
    if a is None:
        return f"XXXX-{s}"
    y = a.year
    if c.tense(m) == "past" and SEASON_START[s] > a.month:
        y -= 1
    return f"{y}-{s}"


@rule("holiday", r"\b(?-i:Christmas(?: Eve| Day)?|New Year's (?:Eve|Day)|Independence Day|Valentine's Day|Halloween|Boxing Day)\b",
      "DATE", 2, flags=0)
def _holiday(m: re.Match, c: Ctx) -> str | None:
    mo, d = _HOLIDAYS[m.group().lower()]
    a = c.a
    if a is None:
        return f"XXXX-{mo:02d}-{d:02d}"
    return f"{near_year(mo, d, a, c.tense(m))}-{mo:02d}-{d:02d}"


@rule("thanksgiving", r"\b(?-i:Thanksgiving)(?: (?-i:Day))?\b", "DATE", 2, flags=0)
def _thanksgiving(m: re.Match, c: Ctx) -> str | None:
    a = c.a
    if a is None:
        return "XXXX-11"
    y = a.year if a.month >= 6 or c.tense(m) == "future" else a.year - 1
    first = dt.date(y, 11, 1)
    d = first + dt.timedelta(days=(3 - first.weekday()) % 7 + 21)
    return d.isoformat()


@rule("the_weekend", r"\bthe\s+weekend\b", "DATE", 1)
def _the_weekend(m: re.Match, c: Ctx) -> str | None:
    a = c.a
    if a is None:
        return "XXXX-WXX-WE"
    t = c.tense(m)
    d = a - dt.timedelta(days=7) if t == "past" and a.weekday() < 5 else a
    return iso_week(d) + "-WE"


@rule("the_quarter", r"\bthe\s+(?:latest\s+|most\s+recent\s+)?quarter\b(?!\s+of\b)", "DATE", 1)
def _the_quarter(m: re.Match, c: Ctx) -> str | None:
    a = c.a
    if a is None:
        return "XXXX-QX"
    q = (a.month - 1) // 3 - 1  # the quarter a report talks about: the last one completed
    return f"{a.year + q // 4}-Q{q % 4 + 1}"


# "that day", "the next morning", "the following year": dates relative to the story's last-mentioned
# date (its reference time), resolved after selection in text order; the value is a placeholder here.
@rule("anaphoric", r"\b(?:(?P<pre>earlier|later|early|late)\s+)?(?:(?P<that>that|the\s+same)\s+(?P<u1>day|week|month|year|night|morning|afternoon|evening)"
      r"|the\s+(?P<rel>next|following|previous|preceding)\s+(?P<u2>day|morning|night|evening|week|month|year))\b"
      r"(?!\s*-)", "DATE", 5)
def _anaphoric(m: re.Match, c: Ctx) -> str:
    unit = (m["u1"] or m["u2"]).lower()
    shift = {"next": 1, "following": 1, "previous": -1, "preceding": -1}.get((m["rel"] or "").lower(), 0)
    return f"__ref__|{shift}|{unit}"


def _resolve_ref(value: str, ref: str, anchor: Anchor | None) -> str | None:
    _, shift_s, unit = value.split("|")
    shift = int(shift_s)
    prec = precision_of(ref)
    day = None
    if prec == "day":
        day = dt.date.fromisoformat(ref[:10])
    elif prec == "week":
        day = dt.date.fromisocalendar(int(ref[:4]), int(ref[6:8]), 1)
    if unit == "year":
        return str(int(ref[:4]) + shift) if prec else None
    if unit == "month":
        if prec in ("day", "month"):
            return add_months(dt.date(int(ref[:4]), int(ref[5:7]), 1), shift).strftime("%Y-%m")
        return None
    if unit == "week":
        return iso_week(day + dt.timedelta(weeks=shift)) if day else None
    if day is None:
        return None
    d = (day + dt.timedelta(days=shift)).isoformat()
    return d + ("T" + PARTS[unit] if unit in PARTS else "")


REFS = {"now": "PRESENT_REF", "currently": "PRESENT_REF", "current": "PRESENT_REF", "nowadays": "PRESENT_REF",
        "these days": "PRESENT_REF", "at present": "PRESENT_REF", "the present": "PRESENT_REF",
        "presently": "PRESENT_REF", "recently": "PAST_REF", "recent": "PAST_REF", "previously": "PAST_REF",
        "formerly": "PAST_REF", "the past": "PAST_REF", "lately": "PAST_REF", "in the past": "PAST_REF",
        "once": "PAST_REF", "the future": "FUTURE_REF", "future": "FUTURE_REF", "soon": "FUTURE_REF",
        "shortly": "FUTURE_REF", "the near future": "FUTURE_REF", "a later date": "FUTURE_REF",
        "the near term": "FUTURE_REF", "the short term": "FUTURE_REF",
        "the coming days": "FUTURE_REF", "the coming weeks": "FUTURE_REF", "the coming months": "FUTURE_REF",
        "the coming years": "FUTURE_REF", "the days ahead": "FUTURE_REF"}


@rule("ref", r"\b(?:now|currently|current|nowadays|these days|the present|presently|(?:more )?recently"
      r"|formerly|the past(?!\s+(?:\w+\s+)?(?:years?|months?|weeks?|days?|decades?|centur\w+|hours?|quarters?)\b)"
      r"|lately|the (?:near |distant |foreseeable )?future|a later date|the (?:near|short) term"
      r"|the coming (?:days|weeks|months|years))\b", "DATE", 0)
def _ref(m: re.Match, c: Ctx) -> str | None:
    w = m.group().lower()
    span = c.doc.char_span(m.start(), m.end(), alignment_mode="expand")
    w = w.removeprefix("more ")
    w = re.sub(r"the (?:distant|foreseeable) future", "the future", w)
    if w == "future" and span is not None and len(span) == 1 and span[0].dep_ not in ("amod", "pobj", "compound"):
        return "__reject__"
    if w in ("current", "future", "recent") and span is not None and len(span) == 1:
        nxt = c.doc[span[0].i + 1] if span[0].i + 1 < len(c.doc) else None
        if nxt is not None and nxt.lower_ in ("account", "accounts", "affairs", "events", "generations", "events"):
            return "__reject__"
    return REFS[w]


@rule("set", r"\b(?:(?P<every>every|each|per)\s+(?:(?P<n>other|two|three|four|five|six)\s+)?(?P<u>day|week|month|year|hour|minute|morning|night|evening|summer|winter)s?"
      r"|(?P<ly>daily|weekly|monthly|annually|yearly|hourly|nightly|quarterly|biannually)"
      r"|(?P<times>once|twice|(?:three|four|five|several) times)\s+(?:a|an|per|every)\s+(?P<u2>day|week|month|year|decade))\b", "SET", 3)
def _set(m: re.Match, c: Ctx) -> str | None:
    if m["ly"]:
        span = c.doc.char_span(m.start(), m.end(), alignment_mode="expand")
        if m["ly"].lower() == "quarterly" and span is not None and len(span) == 1 and span[0].pos_ == "ADJ":
            return "__reject__"  # "quarterly dividend": an attribute, never annotated
        if span is not None and len(span) == 1 and span[0].pos_ in ("NOUN", "PROPN") and span[0].dep_ != "npadvmod":
            return "__reject__"  # "the Media Indonesia daily said": a newspaper
        if span is not None and len(span) == 1 and span[0].pos_ == "ADJ" and span[0].lower_ in ("monthly", "weekly", "daily", "quarterly"):
            nxt = span[0].nbor(1) if span[0].i + 1 < len(c.doc) else None
            if nxt is not None and nxt.pos_ == "PROPN":
                return "__reject__"  # "the Daily Telegraph": a name, not a recurrence
        return {"daily": "P1D", "weekly": "P1W", "monthly": "P1M", "annually": "P1Y", "yearly": "P1Y",
                "hourly": "PT1H", "nightly": "P1D", "quarterly": "P1Q", "biannually": "P6M"}[m["ly"].lower()]
    u = (m["u"] or m["u2"]).lower()
    code = {"day": "P1D", "week": "P1W", "month": "P1M", "year": "P1Y", "hour": "PT1H", "minute": "PT1M",
            "morning": "TMO", "night": "TNI", "evening": "TEV", "summer": "XXXX-SU", "winter": "XXXX-WI",
            "decade": "P10Y"}[u]
    if m["n"]:
        n = 2 if m["n"].lower() == "other" else NUMBERS[m["n"].lower()]
        code = re.sub(r"1", str(n), code, count=1)
    return code


SET_VALUES = {"second": "PT1S", "minute": "PT1M", "hour": "PT1H", "day": "P1D", "week": "P1W", "month": "P1M",
              "year": "P1Y", "quarter": "P1Q", "decade": "P10Y"}

# Scanning the whole text with every rule is slow; each rule has key words (one of which it cannot
# match without) and runs only in a window of (back, forward) characters around their hits. One scan of
# the lowercased text with a plain alternation finds all hits.
_UNIT_WORDS = ("second seconds minute minutes hour hours day days week weeks fortnight fortnights month months "
               "year years decade decades century centuries quarter quarters weekend weekends")
_MONTH_WORDS = ("january february march april may june july august september october november december "
                "jan feb mar apr jun jul aug sep sept oct nov dec")
_WD_WORDS = " ".join(w + s for w in ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
                     for s in ("", "s"))
KEYS: dict[str, tuple[str, int, int]] = {
    "iso_date": ("#date", 8, 10), "numeric_date": ("#date", 6, 10),
    "month_day": (_MONTH_WORDS, 20, 40), "day_month": (_MONTH_WORDS, 20, 30), "month_year": (_MONTH_WORDS, 30, 20),
    "month": (_MONTH_WORDS, 30, 12), "weekday": (_WD_WORDS, 20, 60), "weekday_set": (_WD_WORDS, 15, 25),
    "year": ("#year", 25, 30), "decade": ("#decade", 20, 5), "century": ("century centuries", 30, 10),
    "today": ("today tonight yesterday tomorrow", 30, 15), "this_part": ("morning afternoon evening night", 30, 12),
    "clock": ("#clock noon midnight midday", 35, 40), "mid_part": ("mid midday", 2, 16),
    "full_year": ("year", 30, 2), "weekday_clock": (_WD_WORDS, 5, 40),
    "spoken_decade": ("twenties thirties forties fifties sixties seventies eighties nineties", 20, 2),
    "relative_period": ("last this next past coming previous current", 50, 25),
    "past_n": (_UNIT_WORDS, 90, 5), "ago": ("ago earlier hence now", 90, 10),
    "duration": (_UNIT_WORDS, 80, 10), "bare_units": ("years months decades weeks centuries days hours", 20, 5),
    "military_clock": ("gmt utc", 8, 2), "q_number": ("q1 q2 q3 q4", 2, 8),
    "quarter": ("quarter half", 50, 30), "season": ("spring summer autumn winter fall", 25, 12),
    "holiday": ("christmas new independence valentine halloween boxing", 2, 20), "thanksgiving": ("thanksgiving", 2, 10),
    "the_weekend": ("weekend", 15, 2), "the_quarter": ("quarter", 25, 2), "month_rel_year": (_MONTH_WORDS, 12, 30),
    "anaphoric": ("day week month year night morning afternoon evening", 40, 2),
    "period_end": ("end year", 25, 20),
    "ref": ("now currently current nowadays these present presently recently recent previously formerly past "
            "lately future soon later coming term", 12, 30),
    "set": ("every each per once twice times daily weekly monthly annually yearly hourly nightly quarterly "
            "biannually", 15, 30),
}
_RULES_BY_KEY: dict[str, list[str]] = {}
for _name, (_words, _b, _f) in KEYS.items():
    for _w in _words.split():
        _RULES_BY_KEY.setdefault(_w, []).append(_name)
_WORDS = sorted((w for w in _RULES_BY_KEY if not w.startswith("#")), key=len, reverse=True)
KEY = re.compile(r"\b(?:" + "|".join(_WORDS) + r")\b|\d[\d:/'’-]*(?:s\b)?")
_RULE_TABLE = {name: (pattern, type_, fn, prio) for name, pattern, type_, fn, prio in RULES}
_CLOCK_AFTER = re.compile(r"\s*[ap]\.?m\b")


def _digit_keys(text: str, lower: str, m: re.Match) -> list[str]:
    w = m.group()
    keys = []
    if re.fullmatch(r"(?:1[6-9]|20)\d\d", w):
        keys.append("#year")
    if w.endswith("0s") or w.endswith("0's"):
        keys.append("#decade")
    if ":" in w or _CLOCK_AFTER.match(lower, m.end()):
        keys.append("#clock")
    if "-" in w or "/" in w:
        keys.append("#date")
    return keys


def _windows(text: str) -> dict[str, list[tuple[int, int]]]:
    """Per rule, the merged stretches of text around its key words' hits."""
    lower = text.lower()
    n = len(text)
    out: dict[str, list[tuple[int, int]]] = {}
    for m in KEY.finditer(lower):
        w = m.group()
        names = [r for k in _digit_keys(text, lower, m) for r in _RULES_BY_KEY[k]] if w[0].isdigit() \
            else _RULES_BY_KEY[w]
        for name in names:
            _, back, fwd = KEYS[name]
            s, e = max(0, m.start() - back), min(n, m.end() + fwd)
            spans = out.setdefault(name, [])
            if spans and s <= spans[-1][1]:
                spans[-1] = (spans[-1][0], max(e, spans[-1][1]))
            else:
                spans.append((s, e))
    return out


def _candidates(doc: Doc, ctx: Ctx) -> Iterator[Match]:
    text = ctx.text
    for name, spans in _windows(text).items():
        pattern, type_, fn, prio = _RULE_TABLE[name]
        seen: set[tuple[int, int]] = set()
        for ws, we in spans:
            for m in pattern.finditer(text, ws, we):
                if (m.start(), m.end()) in seen:
                    continue
                seen.add((m.start(), m.end()))
                yield from _make(m, ctx, text, name, type_, fn, prio)


def _make(m: re.Match, ctx: Ctx, text: str, name: str, type_: str, fn: Callable, prio: int) -> Iterator[Match]:
    ctx.used_year = False
    v = fn(m, ctx)
    if v == "__reject__":
        return
    t = type_
    if isinstance(v, tuple):  # a rule that decides the type itself
        v, t = v
    if v == "__set__":
        v, t = SET_VALUES.get(m["unit"].lower().rstrip("s"), "P1Y"), "SET"
    elif v and "T" in v and v[:4].isdigit() and len(v) > 10 and type_ == "DATE":
        t = "TIME"
    if ctx.used_year and v and v[:4].isdigit() and ctx.anchor is not None:
        v = "XXXX" + v[4:]  # the dateline gave no year
    start, end = m.start(), m.end()
    # Trailing/leading whitespace or punctuation never belongs to a span.
    while end > start and not text[end - 1].isalnum() and text[end - 1] not in ".'’":
        end -= 1
    while start < end and text[start].isspace():
        start += 1
    if end > start and text[end - 1] == "." and not re.search(
            r"(?:\b[a-z]\.[a-z]\.|\b(?:Jan|Feb|Mar|Apr|Aug|Sept?|Oct|Nov|Dec|Mon|Tue|Tues|Wed|Thu|Thur|Thurs|Fri|Sat|Sun)\.)$",
            text[start:end], re.I):
        end -= 1
    yield Match(start, end, t, v, name, prio)


def _select(matches: list[Match]) -> list[Match]:
    """Longest match first (then the rule's priority); overlapping shorter matches are dropped."""
    matches.sort(key=lambda m: (-(m.end - m.start), -m.priority, m.start))
    taken: list[Match] = []
    for m in matches:
        if all(m.end <= t.start or m.start >= t.end for t in taken):
            taken.append(m)
    return sorted(taken, key=lambda m: m.start)


def find_times(doc: Doc, anchor: Anchor | None = None) -> list[Timex]:
    """Every time expression in the document, with TIMEX3 type and value; ids t1, t2 ... in text order."""
    if anchor is None:
        anchor = anchor_of(doc)
    ctx = Ctx(doc, anchor)
    selected = _select(list(_candidates(doc, ctx)))
    head = DATELINE.match(ctx.text[:200])
    if head is not None:  # the dateline's date is the story's anchor, not one of its expressions
        selected = [m for m in selected if m.start >= head.end()]
    ref = anchor.date.isoformat() if anchor is not None and anchor.year_known else None
    for m in selected:
        if m.value and m.value.startswith("__ref__"):
            try:
                m.value = _resolve_ref(m.value, ref, anchor) if ref else None
            except ValueError:  # a reference like "XXXX-10-30" or an impossible date
                m.value = None
            if m.value and "T" in m.value:
                m.type = "TIME"
        elif m.type in ("DATE", "TIME") and precision_of(m.value) in ("day", "week", "month", "year"):
            ref = m.value
    text = ctx.text
    return [Timex(id=f"t{i}", start=m.start, end=m.end, text=text[m.start:m.end], type=m.type, value=m.value)
            for i, m in enumerate(selected, 1)]


# ---------------------------------------------------------------- event dates

REPORTING = {"say", "tell", "announce", "state", "report", "add", "note", "claim", "insist", "declare", "explain",
             "write", "comment", "confirm", "deny", "warn", "stress", "emphasize", "emphasise", "urge",
             "acknowledge", "argue", "assert", "reiterate", "remark", "reply", "respond", "tweet", "post",
             "continue", "describe", "suggest", "indicate", "mention", "predict", "vow", "pledge", "admit"}
_CLAUSE_DEPS = {"ROOT", "ccomp", "advcl", "relcl", "conj", "parataxis", "csubj", "xcomp", "acl", "pcomp", "advmod"}


PRECISION_PATTERNS = [(re.compile(p), name) for p, name in (
    (r"\d{4}-\d{2}-\d{2}", "day"), (r"\d{4}-W\d{2}(?:-WE)?", "week"), (r"\d{4}-\d{2}", "month"),
    (r"\d{4}-Q\d", "quarter"), (r"\d{4}-H\d", "half"), (r"\d{4}-(?:SP|SU|FA|WI)", "season"),
    (r"\d{4}", "year"), (r"\d{3}", "decade"), (r"\d{2}", "century"))]


def precision_of(value: str | None) -> str | None:
    """'day', 'week', 'month', 'quarter', 'season', 'year', 'decade' or 'century' for a calendar value, else None."""
    if not value or not value[:2].isdigit():
        return None
    v = value.split("T")[0]
    return next((name for pattern, name in PRECISION_PATTERNS if pattern.fullmatch(v)), None)


def _clause_head(tok: Token) -> Token:
    """The verb heading the clause a token sits in (the token itself if it is one)."""
    t = tok
    for _ in range(12):
        if t.pos_ in ("VERB", "AUX") and (t.dep_ in _CLAUSE_DEPS or t.head is t):
            return t
        if t.head is t:
            return t
        t = t.head
    return t


def _in_complement(trigger: Token, tok: Token) -> bool:
    """Whether tok lies inside a complement clause (ccomp, "said he met ...") of the trigger."""
    for child in trigger.children:
        if child.dep_ in ("ccomp", "parataxis", "xcomp") and child.left_edge.i <= tok.i <= child.right_edge.i:
            return True
    return False


def _calendar_date(t: Timex) -> str | None:
    if t.type not in ("DATE", "TIME") or not t.value:
        return None
    v = t.value.split("T")[0] if t.type == "TIME" else t.value
    if t.type == "DATE" and "T" in v:
        v = v.split("T")[0]
    return v if precision_of(v) else None


def _published(doc: Doc) -> str | None:
    published = getattr(doc._.article, "published", None) if Doc.has_extension("article") else None
    if published:
        return published[:10]
    anchor = anchor_of(doc)
    return anchor.date.isoformat() if anchor is not None and anchor.year_known else None


def _previous_sentence_date(doc: Doc, sent, times: list[Timex], recent_only: bool) -> Timex | None:
    """The calendar date a story's previous sentence was set at (its last one), for narrative carry-over."""
    if sent.start == 0:
        return None
    prev = doc[sent.start - 1].sent
    found = []
    for t in times:
        if prev.start_char <= t.start < prev.end_char and _calendar_date(t):
            span = doc.char_span(t.start, t.end, alignment_mode="expand")
            th = _clause_head(span.root) if span is not None and len(span) else None
            # Only the time the previous sentence's main clause is set at: not one of an embedded clause.
            if th is not None and (th == prev.root or th.dep_ == "conj" and th.head == prev.root):
                found.append(t)
    if not found:
        return None
    t = found[-1]
    if recent_only:
        published = _published(doc)
        v = _calendar_date(t)
        if not published or precision_of(v) not in ("day", "week") or not v.startswith(published[:4]):
            return None
    return t


def event_date(doc: Doc, token: Token, *, carry: bool = True, news_day: bool = True
               ) -> tuple[str | None, str | None, str | None]:
    """(value, timex id, precision) dating the event whose trigger is ``token``.

    In order: the time expression governing the trigger's clause; a calendar date in the same
    sentence; with ``carry``, when the sentence has no time expression at all, the date the previous
    sentence was set at (for reporting verbs only a recent day or week: "Shoigu was in attendance and
    said ..." after "Last week, ..."); for reporting verbs ("said", "told") the publication date; with
    ``news_day``, the publication date for a past-tense clause (the news of the day); else Nones.
    """
    times = doc._.times
    if times is None:
        times = find_times(doc)
    sent = token.sent
    head = _clause_head(token)
    reporting = token.lemma_.lower() in REPORTING
    same_sentence: list[tuple[int, Timex, Token]] = []
    for t in times:
        if t.end <= sent.start_char or t.start >= sent.end_char:
            continue
        value = _calendar_date(t)
        if value is None:
            continue
        span = doc.char_span(t.start, t.end, alignment_mode="expand")
        if span is None or not len(span):
            continue
        root = span.root
        th = _clause_head(root)
        if th == head or th == token or root.head == token:
            return value, t.id, precision_of(value)
        # Distance in the tree: a time attached to an ancestor clause (the trigger is its xcomp or
        # advcl) still governs it; one inside another verb's clause is only a sentence-level guess.
        anc = head
        depth = 0
        while anc.head is not anc and anc != th and depth < 6:
            anc = anc.head
            depth += 1
        score = depth if anc == th else 10 + abs(root.i - token.i)
        same_sentence.append((score, t, root))
    if same_sentence:
        same_sentence.sort(key=lambda x: x[0])
        for score, t, root in same_sentence:
            if reporting and score >= 10 and _in_complement(token, root):
                continue  # "said he met Xi on Tuesday": Tuesday dates the meeting, not the saying
            if score >= 10 and th_is_below(head, root):
                continue  # "called for an end to the spat that began in September": the spat's date
            value = _calendar_date(t)
            return value, t.id, precision_of(value)
    own = any(t.start < sent.end_char and t.end > sent.start_char and _calendar_date(t) for t in times)
    if carry and not own:
        t = _previous_sentence_date(doc, sent, times, recent_only=reporting)
        if t is not None:
            value = _calendar_date(t)
            return value, t.id, precision_of(value)
    published = _published(doc)
    # Here no date in the sentence dates the trigger (none, or only ones of embedded clauses).
    if published and (reporting or news_day and _news_tense(head)):
        return published, None, "day"
    return None, None, None


def _news_tense(v: Token) -> bool:
    """Past, present or present progressive ("is sending a protest"): the news of the day, not a plan."""
    aux = {c.lower_ for c in v.children if c.dep_ in ("aux", "auxpass")}
    if aux & FUTURE_AUX:
        return False
    return verb_tense(v) in ("past", "present") or v.tag_ == "VBG" and bool(aux & {"is", "are", "'s", "'re"})


def th_is_below(head: Token, tok: Token) -> bool:
    """Whether tok sits in a clause embedded under the trigger's clause head (a relative or complement clause)."""
    t = tok
    for _ in range(12):
        if t is head:
            return False
        if t.head is t:
            return False
        if t.pos_ in ("VERB", "AUX") and t.dep_ in ("relcl", "ccomp", "acl", "advcl", "xcomp", "pcomp"):
            return head in t.ancestors
        t = t.head
    return False


@Language.component("gestae_times", assigns=["doc._.times"])
def times_stage(doc: Doc) -> Doc:
    doc._.times = find_times(doc)
    return doc


__all__ = ["Anchor", "anchor_of", "event_date", "find_times", "precision_of", "tense_at", "times_stage"]

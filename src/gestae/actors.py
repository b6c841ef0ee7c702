"""Stage 3, actors: mentions grouped into coded actors.

Every actor mention the text offers is found and linked: names ("Vladimir Putin", "Putin"),
titled names ("Gen. Zhang Youxia"), states by name, demonym, capital or metonym ("Beijing
announced" is China's government), international bodies (NATO, the West), title-only noun phrases
("the Russian leader", "a senior Chinese military leader"), pronouns ("he said") and group phrases
("the two nations" -> members). Countries and CAMEO sectors come from the shipped dictionary
(``data/actors.json.gz``, built by ``scripts/build_actors.py`` from the Phoenix dictionaries,
pycountry and hand tables; roles picked by the article's date), from titles and appositives in the
text ("Shoigu, Russia's defense minister"), and from a user file (``--actors``).

Interface the later stages rely on:
- ``doc._.actors``: list of :class:`gestae.model.Actor`, each with all its mentions.
- :func:`actor_at(doc, start, end)`: the actor with a mention overlapping that character span.
- :func:`actor_for_token(doc, token)`: the actor whose mention contains the token.
- :func:`add_actor(doc, start, end)`: make (or find) an actor for a noun phrase a later stage found.
"""
from __future__ import annotations

import bisect
import csv
import functools
import gzip
import json
import re
import unicodedata
from dataclasses import dataclass, field, replace
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc, Token
from spacy.tokens import Span as SpacySpan

from .errors import ConfigError, ModelError
from .model import Actor, Span
from .nlp import doc_text

DATA = Path(__file__).resolve().parent / "data" / "actors.json.gz"

# Spec codes of international bodies -> their CAMEO-style actor code.
IGO_CODES = {
    "NATO": "IGOWSTNAT", "EU": "IGOEUREEC", "UN": "IGOUNO", "AU": "IGOAFRAFU", "ASEAN": "IGOSEAASN",
    "SCO": "IGOSCO", "BRICS": "IGOBRICS", "OPEC": "IGOBUSOPC", "IAEA": "IGOUNOIAE", "WHO": "IGOUNOHLHWHO",
    "WTO": "IGOBUSWTO", "IMF": "IGOBUSIMF", "WB": "IGOUNODEVWBK", "ICC": "IGOJUDICC", "G7": "IGOG7",
    "G20": "IGOG20", "G8": "IGOG8", "ARL": "IGOMEAARL", "WST": "WST",
}
# CAMEO IGO code chunks -> spec code; the most specific chunk wins (IGOUNOIAE is the IAEA, not the UN).
_IGO_CHUNKS = (("IAE", "IAEA"), ("WHO", "WHO"), ("WTO", "WTO"), ("IMF", "IMF"), ("WBK", "WB"), ("ICC", "ICC"),
               ("NAT", "NATO"), ("EEC", "EU"), ("AFU", "AU"), ("OAU", "AU"), ("ASN", "ASEAN"), ("OPC", "OPEC"),
               ("ARL", "ARL"), ("UNO", "UN"))
SECTOR_CODES = {
    "GOV", "MIL", "REB", "OPP", "PTY", "COP", "JUD", "SPY", "IGO", "NGO", "MED", "EDU", "BUS", "CRM", "CVL",
    "REF", "HLH", "LAB", "LEG", "AGR", "ELI", "ENV", "HRI", "REL", "MOD", "RAD", "UAF", "SEP", "INS", "IMG",
    "DEV", "AMN", "IRC", "GRP",
}


def igo_country(code: str) -> str | None:
    chunks = [code[i:i + 3] for i in range(3, len(code), 3)]
    for chunk, spec in _IGO_CHUNKS:
        if chunk in chunks:
            return spec
    return None


def split_code(code: str) -> tuple[str | None, list[str]]:
    """'RUSGOV' -> ('RUS', ['GOV']); 'IGOWSTNAT' -> ('NATO', ['IGO']); 'GOV' -> (None, ['GOV'])."""
    code = code.strip().upper()
    if code in IGO_CODES:
        return code, [] if code == "WST" else ["IGO"]
    if code.startswith("IGO"):
        return igo_country(code), ["IGO"]
    if code[:3] in SECTOR_CODES:
        country, rest = None, code
    else:
        country, rest = (code[:3] or None), code[3:]
    sectors = [rest[i:i + 3] for i in range(0, len(rest), 3) if rest[i:i + 3] in SECTOR_CODES]
    return country, sectors


@functools.lru_cache(maxsize=1 << 16)
def norm_key(text: str) -> str:
    """Dictionary key of a name: ASCII letters and digits only, lower case ("U.S." -> "us")."""
    text = unicodedata.normalize("NFKD", text)
    return re.sub(r"[^0-9a-z]+", "", text.encode("ascii", "ignore").decode().lower())


# --------------------------------------------------------------------------------------------
# The dictionary
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Entry:
    name: str
    kind: str
    country: str | None
    sectors: tuple[str, ...]
    code: str | None
    roles: tuple[tuple[str | None, tuple[str, ...], str | None, str | None], ...] = ()
    kb_id: str | None = None

    def at(self, date: str | None) -> tuple[str | None, tuple[str, ...]]:
        """Country and sectors of the role held on ``date`` (YYYY-MM-DD); the default role otherwise."""
        if date and self.roles:
            valid = [r for r in self.roles if (r[2] is None or r[2] <= date) and (r[3] is None or date <= r[3])
                     and (r[2] or r[3])]
            if valid:
                best = max(valid, key=lambda r: r[2] or "")
                return best[0], best[1]
        return self.country, self.sectors


@dataclass(slots=True)
class Lexicon:
    # Entries stay as the raw JSON lists until a text names them: loading is then only json.load.
    entries: list[Entry | list]
    keys: dict[str, list[int]]
    # Lone name words unique to one dictionary person ("Xi"): used only while that person holds a role.
    surnames: dict[str, list[int]] = field(default_factory=dict)
    max_tokens: int = 6

    def entry(self, i: int) -> Entry:
        e = self.entries[i]
        if not isinstance(e, Entry):
            name, kind, country, sectors, code, roles = e
            rl = tuple((r[0], tuple(r[1]), r[2], r[3]) for r in roles) if roles else ()
            # kb_id from kind and name, not the index: stable across dictionary rebuilds.
            e = self.entries[i] = Entry(name, kind, country, tuple(sectors), code, rl,
                                        kb_id=f"gestae:{kind}:{norm_key(name)}")
        return e

    def get(self, key: str) -> list[Entry]:
        return [self.entry(i) for i in self.keys.get(key, ())]

    def surname(self, key: str, date: str | None) -> list[Entry]:
        """The one person of that surname in office on ``date``, if exactly one is."""
        live = [e for e in (self.entry(i) for i in self.surnames.get(key, ())) if _holds_role(e, date)]
        return live if len({e.name for e in live}) == 1 else []

    def first_last(self, words: list[str]) -> Entry | None:
        """The one dictionary person a first name and surname pick out, middle names left out:
        "Laurent Kabila" is "Laurent Desire Kabila", "Fidel Ramos" is "Fidel V. Ramos"."""
        if len(words) < 2:
            return None
        first, last = norm_key(words[0]), norm_key(words[-1])
        if len(first) < 2 or first in NAME_TITLES or first in TITLE_SECTORS or first in HONORIFICS:
            return None  # "Sheikh Ahmad" is a title and a name, not "Sheikh Rashid Ahmad"
        found = {e.name: e for e in (self.entry(i) for i in self.surnames.get(last, ()))
                 if e.kind == "person" and norm_key(e.name.split()[0]) == first
                 and last in {norm_key(w) for w in e.name.split()[1:]}}
        return next(iter(found.values())) if len(found) == 1 else None


def _code(country: str | None, sectors) -> str | None:
    if country in IGO_CODES:
        return IGO_CODES[country]
    if not country and not sectors:
        return None
    return (country or "") + "".join(sectors)


@functools.lru_cache(maxsize=1)
def _base_lexicon() -> Lexicon:
    try:
        with gzip.open(DATA, "rt", encoding="utf-8") as fh:
            raw = json.load(fh)
    except OSError as e:
        raise ModelError(f"cannot read the actor dictionary {DATA}: {e}. Rebuild it with "
                         "python scripts/build_actors.py") from None
    return Lexicon(raw["entries"], raw["keys"], raw.get("surnames", {}))


USER_KINDS = ("person", "organization", "state", "group", "location", "other")


def read_user_actors(path: str | Path) -> list[tuple[list[str], Entry]]:
    """User actors from YAML or CSV (format in README, section Actors); ConfigError names file and line."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise ConfigError(f"{path}: cannot read actors file: {e}") from None
    rows: list[tuple[str, dict]] = []
    if path.suffix.lower() in (".yaml", ".yml"):
        try:
            import yaml
        except ImportError:
            raise ConfigError(f"{path}: reading YAML needs PyYAML (pip install pyyaml)") from None
        try:
            data = yaml.load(text, Loader=_line_loader(yaml))
        except yaml.YAMLError as e:
            mark = getattr(e, "problem_mark", None)
            where = f":{mark.line + 1}" if mark else ""
            raise ConfigError(f"{path}{where}: not valid YAML: {getattr(e, 'problem', e)}") from None
        if isinstance(data, dict) and "actors" in data:
            data = data["actors"]
        if not isinstance(data, list):
            raise ConfigError(f"{path}:1: want a list of actors (or a mapping with key 'actors')")
        for item in data:
            line = item.pop("__line__", "?") if isinstance(item, dict) else "?"
            if not isinstance(item, dict):
                raise ConfigError(f"{path}: each actor must be a mapping with at least 'name', got {item!r}")
            rows.append((f"{path}:{line}", item))
    elif path.suffix.lower() in (".csv", ".tsv"):
        reader = csv.DictReader(text.splitlines(), delimiter="\t" if path.suffix.lower() == ".tsv" else ",")
        if not reader.fieldnames or "name" not in [f.strip() for f in reader.fieldnames]:
            raise ConfigError(f"{path}:1: CSV header must have a 'name' column (name,aliases,kind,country,"
                              "sectors,code,start,end)")
        for n, rec in enumerate(reader, 2):
            rows.append((f"{path}:{n}", {k.strip(): v for k, v in rec.items() if k}))
    else:
        raise ConfigError(f"{path}: actors file must be .yaml, .yml, .csv or .tsv")
    out = []
    for origin, rec in rows:
        unknown = set(rec) - {"name", "aliases", "kind", "country", "sectors", "code", "start", "end", "title"}
        if unknown:
            raise ConfigError(f"{origin}: unknown field(s) {', '.join(sorted(unknown))}")
        name = str(rec.get("name") or "").strip()
        if not name:
            raise ConfigError(f"{origin}: actor without a name")
        aliases = rec.get("aliases") or []
        if isinstance(aliases, str):
            aliases = [a.strip() for a in aliases.split("|") if a.strip()]
        if not isinstance(aliases, list):
            raise ConfigError(f"{origin}: aliases must be a list (CSV: separated by |)")
        kind = str(rec.get("kind") or "person").strip()
        if kind not in USER_KINDS:
            raise ConfigError(f"{origin}: kind must be one of {', '.join(USER_KINDS)}, got {kind!r}")
        code = str(rec.get("code") or "").strip().upper() or None
        country = str(rec.get("country") or "").strip().upper() or None
        sectors = rec.get("sectors") or []
        if isinstance(sectors, str):
            sectors = [s for s in re.split(r"[|,\s]+", sectors.upper()) if s]
        if code:
            c, s = split_code(code)
            country = country or c
            sectors = sectors or s
        if country and not (re.fullmatch(r"[A-Z]{3}", country) or country in IGO_CODES):
            raise ConfigError(f"{origin}: country must be an ISO 3166 alpha-3 code or one of "
                              f"{', '.join(IGO_CODES)}, got {country!r}")
        bad = [s for s in sectors if s not in SECTOR_CODES]
        if bad:
            raise ConfigError(f"{origin}: unknown sector code(s) {', '.join(bad)}")
        dates = []
        for k in ("start", "end"):
            v = rec.get(k)
            v = str(v).strip() if v not in (None, "") else None
            if v and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", v):
                raise ConfigError(f"{origin}: {k} must be a date YYYY-MM-DD, got {v!r}")
            dates.append(v)
        sectors_t = tuple(sectors)
        roles = ((country, sectors_t, dates[0], dates[1]),) if any(dates) else ()
        entry = Entry(name, kind, None if roles else country, () if roles else sectors_t,
                      code or _code(country, sectors_t), roles, kb_id=f"user:{origin}")
        out.append(([name, *map(str, aliases)], entry))
    return out


def _line_loader(yaml):
    class LineLoader(yaml.SafeLoader):
        def construct_mapping(self, node, deep=False):
            mapping = super().construct_mapping(node, deep=deep)
            mapping["__line__"] = node.start_mark.line + 1
            return mapping
    return LineLoader


@functools.lru_cache(maxsize=8)
def load_lexicon(actors_file: str | None = None) -> Lexicon:
    """The shipped dictionary, with a user file's actors added first (they win over shipped ones)."""
    base = _base_lexicon()
    if not actors_file:
        return base
    user = read_user_actors(actors_file)
    entries = list(base.entries)
    keys = dict(base.keys)
    for aliases, entry in user:
        idx = len(entries)
        entries.append(entry)
        for alias in aliases:
            k = norm_key(alias)
            if k:
                keys[k] = [idx, *[i for i in keys.get(k, ()) if i != idx]]
    return Lexicon(entries, keys, base.surnames)


# --------------------------------------------------------------------------------------------
# Titles and sectors
# --------------------------------------------------------------------------------------------

# Title words -> CAMEO sector. Multi-word titles are looked up before single words.
TITLE_SECTORS: dict[str, str] = {}
for _sector, _words in {
    "MIL": "defense minister|defence minister|defense secretary|defence secretary|defense ministry|defence ministry|"
           "chief of staff|air force|general|gen|lt|lieutenant|col|colonel|maj|admiral|adm|marshal|commander|army|"
           "military|troops|soldier|soldiers|navy|naval|forces|brig|brigadier|sgt|sergeant|armed|militaries|"
           "second-in-command|paratroopers|marines|officer|officers",
    "GOV": "prime minister|foreign minister|vice president|head of state|secretary of state|state councilor|"
           "foreign ministry|interior ministry|president|premier|minister|ministers|chancellor|secretary|spokesman|"
           "spokeswoman|spokesperson|official|officials|government|governments|administration|ministry|cabinet|"
           "leader|leaders|king|queen|prince|emir|sultan|monarch|ambassador|envoy|diplomat|diplomats|governor|"
           "mayor|councilor|councillor|authorities|regime|presidency|negotiator|negotiators|delegation|dictator|"
           "aide|aides|adviser|advisers|advisor|pm|embassy|consul|statesman|crown|vice|deputy|junta|"
           "commissioner|commission|secretary-general|chairman of the council|leadership",
    "COP": "police|policeman|policemen|policewoman|gendarmes",
    "JUD": "judge|judges|court|courts|prosecutor|prosecutors|justice|attorney general|tribunal",
    "LEG": "lawmaker|lawmakers|legislator|legislators|senator|senators|sen|rep|congressman|congresswoman|"
           "parliament|parliamentarian|parliamentarians|mp|mps|congress|senate|legislature|deputies|lower house|"
           "upper house",
    "OPP": "opposition|dissident|dissidents",
    "REB": "rebel|rebels|insurgent|insurgents|militant|militants|guerrilla|guerrillas|separatist|separatists|"
           "jihadist|jihadists|fighters|militia|militias|gunmen",
    "MED": "journalist|journalists|reporter|reporters|newspaper|media|editor|broadcaster|correspondent|"
           "television|radio|news agency|daily|newspapers|tv",
    "BUS": "company|companies|businessman|businessmen|executive|executives|ceo|firm|firms|businesses|bank|"
           "banks|industry|investors|chairman",
    "CVL": "civilians|civilian|residents|protesters|protestors|demonstrators|villagers|citizens|activist|"
           "activists|people|workers|farmers",
    "EDU": "student|students|professor|university|teachers",
    "HLH": "doctor|doctors|hospital|nurses",
    "REL": "cleric|clerics|priest|imam|bishop|pope|church|clergy|rabbi|monk|monks|ayatollah",
    "SPY": "intelligence|spy|spies|spymaster",
    "REF": "refugee|refugees|migrants",
}.items():
    for _w in _words.split("|"):
        TITLE_SECTORS[_w] = _sector
TITLE_PHRASES = sorted((w for w in TITLE_SECTORS if " " in w), key=lambda w: -len(w))

# Head nouns that make a noun phrase an actor, with the kind of actor they make.
PERSON_HEADS = {
    "president", "premier", "minister", "chancellor", "secretary", "spokesman", "spokeswoman", "spokesperson",
    "official", "leader", "king", "queen", "prince", "emir", "sultan", "monarch", "ambassador", "envoy",
    "diplomat", "governor", "mayor", "general", "commander", "admiral", "colonel", "marshal", "judge",
    "prosecutor", "lawmaker", "senator", "journalist", "reporter", "chief", "head", "negotiator", "aide",
    "adviser", "advisor", "chairman", "chairwoman", "director", "executive", "ceo", "dictator", "councilor",
    "officer", "soldier", "cleric", "analyst", "counterpart", "deputy", "legislator", "congressman",
    "activist", "protester", "demonstrator", "resident", "villager", "witness", "student", "farmer", "worker",
    "refugee", "militant", "rebel", "fighter", "insurgent", "civilian", "policeman", "commissioner",
}
GROUP_HEADS = {
    "officials", "leaders", "diplomats", "troops", "soldiers", "forces", "lawmakers", "legislators", "protesters",
    "demonstrators", "rebels", "militants", "insurgents", "authorities", "police", "civilians", "residents",
    "ministers", "generals", "commanders", "activists", "journalists", "fighters", "militias", "gunmen",
    "negotiators", "envoys", "prosecutors", "senators", "investigators", "separatists", "refugees", "workers",
    "students", "people", "citizens", "farmers", "villagers", "officers", "delegates", "delegation", "military",
    "militaries", "army", "navy", "government", "governments", "administration", "ministry", "cabinet",
    "parliament", "congress", "senate", "court", "regime", "embassy", "company", "junta", "opposition", "media",
    "intelligence", "coalition", "alliance", "party", "television", "radio", "newspaper", "agency", "leadership",
    "presidency", "mission",
}
ORG_HEADS = {"military", "army", "navy", "government", "administration", "ministry", "cabinet", "parliament",
             "congress", "senate", "court", "regime", "embassy", "company", "junta", "alliance", "party",
             "coalition", "intelligence", "media", "opposition", "delegation", "television", "radio", "newspaper",
             "agency", "daily", "leadership", "presidency", "mission"}
# Words that may sit in a person's title before the name ("Russian Defense Minister Sergey Shoigu").
TITLE_MODIFIERS = {"former", "acting", "deputy", "vice", "senior", "top", "chief", "then", "foreign", "defense",
                   "defence", "prime", "interior", "finance", "economy", "trade", "state", "supreme", "first",
                   "lt.", "lt", "gen.", "maj.", "col.", "adm.", "sen.", "rep.", "dr.", "mr.", "mrs.", "ms.", "mr",
                   "mrs", "ms", "dr", "secretary-general", "army", "navy", "military", "opposition", "rebel",
                   "security", "national", "air", "force", "staff", "of", "the", "general", "health",
                   "justice", "home", "labor", "labour", "energy", "education", "agriculture", "information",
                   "culture", "oil", "industry", "transport", "communications", "environment", "intelligence",
                   "party", "parliament", "parliamentary", "speaker", "commander", "chairman", "leader", "head"}
# Titles written as part of a name: never a first name ("Sheikh Ahmad", "Mullah Omar").
NAME_TITLES = {"sheikh", "sheik", "shaikh", "sayed", "sayyid", "syed", "mullah", "haji", "hajji", "emir", "amir",
               "prince", "princess", "king", "queen", "sultan", "ayatollah", "imam", "rabbi", "father", "sister",
               "brother", "comrade", "lord", "lady", "dame", "sir", "gen", "col", "maj", "capt", "lt", "sgt", "adm"}
HONORIFICS = {"mr", "mrs", "ms", "dr", "sir", "madam", "mr.", "mrs.", "ms.", "dr."}
# Not "from", "to": "officials from Uganda" are Ugandan, "flights to Libya" concern the state.
LOCATIVE_PREPS = {"in", "at", "near", "inside", "outside", "across", "throughout", "around", "within"}
PRONOUNS_SG = {"he", "him", "his", "himself", "she", "her", "hers", "herself"}
FEMALE_WORDS = {"mrs", "ms", "madam", "spokeswoman", "chairwoman", "congresswoman", "queen", "princess", "policewoman",
                "businesswoman", "woman", "first lady", "lady", "dame", "baroness"}
MALE_WORDS = {"mr", "sir", "spokesman", "chairman", "congressman", "king", "prince", "policeman", "businessman",
              "man", "lord"}
PRONOUNS_PL = {"they", "them", "their", "theirs", "themselves"}
GROUP_NOUNS_STATES = {"nations", "countries", "states", "governments", "neighbours", "neighbors", "powers",
                      "capitals", "allies", "sides", "parties"}
GROUP_NOUNS_PEOPLE = {"leaders", "presidents", "ministers", "men", "sides", "officials", "heads", "generals",
                      "counterparts"}


def title_sectors(words: list[str]) -> tuple[str, ...]:
    """CAMEO sectors of a title: MIL wins over GOV ("defense minister", "military leader")."""
    text = " " + " ".join(w.lower().strip(".") for w in words) + " "
    found: list[str] = []
    for phrase in TITLE_PHRASES:
        if f" {phrase} " in text:
            found.append(TITLE_SECTORS[phrase])
            text = text.replace(f" {phrase} ", " | ")
    for w in text.split():
        s = TITLE_SECTORS.get(w)
        if s:
            found.append(s)
    if not found:
        return ()
    if "MIL" in found:
        return ("MIL",)
    return (found[0],)


# --------------------------------------------------------------------------------------------
# Mention finding
# --------------------------------------------------------------------------------------------

@dataclass(slots=True)
class Mention:
    start: int  # token indices, end exclusive
    end: int
    type: str  # name | state | org | title | pronoun | group | location
    entry: Entry | None = None
    country: str | None = None
    sectors: tuple[str, ...] = ()
    title: str | None = None
    name: str | None = None
    kind: str = "other"
    ref: int | None = None  # index of the mention this one refers to (pronouns, surnames, titles)
    members: list[int] = field(default_factory=list)
    plural: bool = False
    subject: bool = False
    key: tuple | None = None
    default_country: bool = False


DEFAULT_COUNTRY_TYPES = ("name", "title", "org")
HEADS_NEED_COUNTRY = {"mission"}
# Bodies states send ambassadors to: "UN Ambassador X" is a state's (the EU has ambassadors of its own).
HOSTING_BODIES = {"UN", "NATO", "IAEA", "WTO", "OPEC", "AU", "ASEAN"}
LOCAL_HEADS = {"governor", "mayor", "councilor", "councillor"}
ARMED_SECTORS = {"MIL", "COP", "REB"}  # "the soldiers", "the rebels": the armed group last named
GENERIC_HEADS = {"leader", "official", "chief", "head", "counterpart", "man", "woman"}


def _capitalised(text: str) -> bool:
    return bool(text) and (text[0].isupper() or text[0].isdigit())


def _is_cap(tok: Token) -> bool:
    return _capitalised(tok.text)


def _quote_mask(text: str) -> list[bool]:
    """For each character: inside quotation marks? Curly quotes pair by shape; straight ones alternate."""
    mask = [False] * len(text)
    inside = False
    for i, ch in enumerate(text):
        if ch == "“" or (ch == '"' and not inside):
            inside = True
        elif ch == "”" or ch == '"':
            mask[i] = True
            inside = False
            continue
        elif ch == "\n":
            inside = False
        mask[i] = inside
    return mask


def lexicon_matches(doc: Doc, lex: Lexicon, tokens: list[Token] | None = None):
    """Longest dictionary matches over capitalised token runs: ([(start, end, entries)], the starts
    of matches that are a lone surname). ``tokens``: ``list(doc)`` where the caller has it."""
    date = _published(doc)
    out = []
    surname_hits: set[int] = set()
    tokens = tokens if tokens is not None else list(doc)  # doc[i] builds a new Token on every access
    toks = [t.text for t in tokens]
    keys = [norm_key(t) for t in toks]
    cap = [_capitalised(t) for t in toks]
    # a match may end on a capitalised word or a group noun ("Western countries"), never on punctuation
    can_end = [not (t.is_punct or t.is_space) for t in tokens]
    group_end = [t.lower_ in ("countries", "nations", "powers", "governments", "allies") for t in tokens]
    n = len(doc)
    i = 0
    while i < n:
        if not cap[i] or not keys[i]:
            i += 1
            continue
        hit = None
        for L in range(min(lex.max_tokens, n - i), 0, -1):
            j = i + L - 1
            if not can_end[j] or (L > 1 and not (cap[j] or group_end[j])):
                continue
            key = "".join(keys[i:i + L])
            if key in lex.keys:
                if doc[i + L - 1].ent_iob_ in ("B", "I") and i + L < n and doc[i + L].ent_iob_ == "I" \
                        and doc[i + L].ent_type_ in ("GPE", "LOC", "FAC"):
                    continue  # "South" of "South Ossetia", "West" of "West Africa": part of a longer place
                span_text = doc[i:i + L].text
                if len(key) <= 3 and not "".join(c for c in span_text if c.isalpha()).isupper():
                    continue
                hit = (i, i + L, lex.get(key))
                break
        if hit is None and keys[i] in lex.surnames and doc[i].pos_ == "PROPN" and doc[i].ent_type_ in ("PERSON", "ORG", "GPE", ""):
            hit = (i, i + 1, lex.surname(keys[i], date))
            if hit[2]:
                surname_hits.add(i)
            else:
                hit = None
        if hit:
            out.append(hit)
            i = hit[1]
        else:
            i += 1
    return out, surname_hits


def _pick(entries: list[Entry], date: str | None) -> Entry | None:
    """Of the entries a name matches, the first whose dated role covers the date, else the first."""
    return next((e for e in entries if _holds_role(e, date)), entries[0] if entries else None)


def _holds_role(entry: Entry, date: str | None) -> bool:
    return bool(date) and any((r[2] is None or r[2] <= date) and (r[3] is None or date <= r[3]) for r in entry.roles
                              if r[2] or r[3])


def _place_country(name: str) -> str | None:
    """Country of a city or region by the shipped gazetteer (gestae.places), or None."""
    from .places import lookup  # places imports this module: imported here, on use

    loc = lookup(name)
    return loc.country if loc is not None else None


def _one_edit(a: str, b: str) -> bool:
    """Do two different words differ by one inserted, deleted or replaced letter?"""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) > len(b):
        a, b = b, a
    i = next((k for k in range(len(a)) if a[k] != b[k]), len(a))
    return a[i + (len(a) == len(b)):] == b[i + 1:]


def _published(doc: Doc) -> str | None:
    art = getattr(doc._, "article", None)
    return getattr(art, "published", None) if art is not None else None


def _country_of_tokens(tokens, lex: Lexicon) -> str | None:
    for t in tokens:
        if not _is_cap(t):
            continue
        for e in lex.get(norm_key(t.text)):
            if e.country and (e.kind in ("state", "group") or e.country in IGO_CODES):
                return e.country
    return None


class Finder:
    """Finds and links the mentions of one Doc."""

    def __init__(self, doc: Doc, lex: Lexicon):
        self.doc = doc
        self.lex = lex
        self.date = _published(doc)
        self.claimed: list[int | None] = [None] * len(doc)  # token -> mention index
        self.mentions: list[Mention] = []
        self.qmask = _quote_mask(doc_text(doc))
        self.home: str | None = None  # the country the article is clearly about, if any
        self.toks = list(doc)  # one Token object per token, reused by every pass
        self._sorted: list[tuple[int, int]] | None = None  # (start, mention index), kept sorted by add()

    def in_quote(self, i: int) -> bool:
        return self.qmask[self.doc[i].idx] if self.doc[i].idx < len(self.qmask) else False

    def free(self, start: int, end: int) -> bool:
        return all(self.claimed[i] is None for i in range(start, end))

    def add(self, m: Mention) -> int:
        idx = len(self.mentions)
        self.mentions.append(m)
        for i in range(m.start, m.end):
            self.claimed[i] = idx
        head = self.doc[m.start:m.end].root
        m.subject = head.dep_ in ("nsubj", "nsubjpass")
        if self._sorted is not None:
            bisect.insort(self._sorted, (m.start, idx))
        return idx

    # -- 1. people by name ---------------------------------------------------------------
    def people(self, matches) -> None:
        doc = self.doc
        spans: list[tuple[int, int, Entry | None]] = []
        matches, surname_hits = matches
        # Non-person dictionary names by their last token: "White House spokesman Mike McCurry".
        self.match_at_end = {e - 1: (s, ents) for s, e, ents in matches if ents[0].kind != "person"}
        nonperson = [(s, e) for s, e, ents in matches if ents[0].kind in ("state", "organization", "group")]
        self.coded = [(s, e, ents[0].country, ents[0].kind == "state" and "GOV" in ents[0].sectors)
                      for s, e, ents in matches
                      if ents[0].kind in ("state", "organization", "group") and ents[0].country]
        lex_people = {(s, e): [_pick([x for x in ents if x.kind == "person"], self.date)] for s, e, ents in matches
                      if ents[0].kind == "person"
                      and (s not in surname_hits or _holds_role(ents[0], self.date))}
        for ent in doc.ents:
            if ent.label_ == "PERSON":
                s, e = ent.start, ent.end
                while s < e - 1 and (doc[s].lower_ in HONORIFICS or doc[s].lower_.strip(".") in TITLE_SECTORS):
                    s += 1
                while e > s and (doc[e - 1].is_punct or doc[e - 1].tag_ == "POS"):
                    e -= 1
                if any(ms <= s and (me >= e or (me == e - 1 and len(doc[e - 1]) <= 6)) for ms, me in nonperson):
                    continue  # "Sri Lankan", "Kremlin" tagged PERSON: the dictionary names a state or body
                if e < len(doc) and e > s and doc[e - 1].dep_ == "compound" and doc[e - 1].head.i == e \
                        and doc[e].tag_ == "NNS" and doc[e].lower_ in GROUP_HEADS:
                    # "Tamil Tiger rebels": a name modifying a group noun names the group's side, not a
                    # person; the dictionary may know it in the plural ("Tamil Tigers").
                    side = [x for x in self.lex.get(norm_key(doc[s:e].text) + "s") if x.kind != "person"]
                    if side and self.free(s, e):
                        matches.append((s, e, side))
                    continue
                if e > s:
                    k = norm_key(doc[s:e].text)
                    entry = _pick([x for x in self.lex.get(k) if x.kind == "person"] or self.lex.get(k), self.date)
                    if entry is not None and entry.kind != "person" and e - s == 1:
                        continue  # "SPLA", "Haaretz" tagged PERSON: the dictionary knows better
                    if entry is None and k in self.lex.surnames:
                        entry = next(iter(self.lex.surname(k, self.date)), None)
                    if entry is None and e - s > 1:
                        entry = self.lex.first_last(doc[s:e].text.split())
                    spans.append((s, e, entry if entry and entry.kind == "person" else None))
        for (s, e), people in lex_people.items():
            if e - s == 1 and doc[s].pos_ != "PROPN":
                continue  # "Some information ...": a common word, not the surname it shares
            if people and not any(a <= s < b or s <= a < e for a, b, _ in spans):
                spans.append((s, e, people[0]))
        spans.sort()
        # Full names first, so that a later (or earlier) lone surname can link to them.
        full: dict[str, int] = {}
        same_name: dict[str, int] = {}
        for s, e, entry in sorted(spans, key=lambda x: -(x[1] - x[0])):
            if not self.free(s, e):
                continue
            words = doc[s:e].text.split()  # "al-Bashir" is one name word
            surname_of = full.get(norm_key(words[-1])) if len(words) == 1 else None
            if surname_of is None:  # the same name again ("Putin" ... "Putin"): one person, one base
                surname_of = same_name.get(norm_key(doc[s:e].text))
            if surname_of is None and len(words) > 1:
                # "Hassan al-Bashir" after "Omar Hassan al-Bashir": a shorter form of a longer name.
                keys_here = {norm_key(w) for w in words}
                surname_of = next((i for i in {full.get(k) for k in keys_here} - {None}
                                   if keys_here < {norm_key(w) for w in (self.mentions[i].name or "").split()}),
                                  None)
            if surname_of is not None:
                self.add(Mention(s, e, "name", ref=surname_of, kind="person"))
                continue
            m = Mention(s, e, "name", entry=entry, kind="person", name=doc[s:e].text)
            idx = self.add(m)
            same_name.setdefault(norm_key(doc[s:e].text), idx)
            if len(words) > 1:
                # Either end may be the surname ("Zhang Youxia" -> "Zhang", "Vladimir Putin" -> "Putin").
                for w in words:
                    if len(norm_key(w)) > 1 and w.lower() not in HONORIFICS:
                        full.setdefault(norm_key(w), idx)
                full.setdefault(norm_key(doc[s:e].text), idx)
        self.surnames = full
        # Lone tokens the tagger called GPE/ORG/PROPN that are a known person's surname ("Zhang met").
        for t in self.toks:
            if self.claimed[t.i] is None and _is_cap(t) and t.pos_ == "PROPN":
                ref = full.get(norm_key(t.text))
                if ref is None:
                    ref = self.spelling_variant(t, full)
                if ref is not None:
                    self.add(Mention(t.i, t.i + 1, "name", ref=ref, kind="person"))
        for idx, m in sorted(enumerate(list(self.mentions)), key=lambda x: x[1].start):  # in text order
            if m.type == "name" and m.ref is None:
                self.titles_of(idx)

    def spelling_variant(self, tok: Token, full: dict[str, int]) -> int | None:
        """The one person whose name word is this unknown word but for one letter: wires misspell
        names ("Charles Million" ... "Millon"). Long words only, same first letter, never a known name."""
        key = norm_key(tok.text)
        if len(key) < 5 or key in self.lex.keys:
            return None
        if tok.ent_iob_ == "I" or (tok.ent_iob_ == "B" and tok.i + 1 < len(self.doc)
                                   and self.doc[tok.i + 1].ent_iob_ == "I"):
            return None  # the first word of a longer name: "Dunnes Stores" is not "Ben Dunne"
        refs = {ref for w, ref in full.items() if w[:1] == key[:1] and abs(len(w) - len(key)) <= 1
                and len(w) >= 5 and _one_edit(w, key)}
        return refs.pop() if len(refs) == 1 else None

    def titles_of(self, idx: int) -> None:
        """Title before the name and appositive after it give a person's title, country and sectors."""
        doc, m = self.doc, self.mentions[idx]
        s = m.start
        pre: list[Token] = []
        j = s - 1
        match_country = None
        while j >= 0 and self.claimed[j] is None:
            t = doc[j]
            low = t.lower_
            ms, ents = self.match_at_end.get(j, (j, []))
            if ms < j and ents[0].country and self.free(ms, j + 1):
                match_country = match_country or ents[0].country
                pre[:0] = list(doc[ms:j + 1])
                j = ms - 1
                continue
            is_country = _is_cap(t) and any(e.kind in ("state", "group") for e in self.lex.get(norm_key(t.text)))
            if t.tag_ == "POS" and j > 0 and any(e.kind == "state" for e in self.lex.get(norm_key(doc[j - 1].text))):
                pre.insert(0, t)
                j -= 1
                continue
            if t.text == ")" and j >= 2 and doc[j - 2].text == "(":
                pre[:0] = list(doc[j - 2:j + 1])  # "European Union (EU) commissioner"
                j -= 3
                continue
            chained = t.dep_ in ("compound", "amod") and s <= t.head.i < m.end or (
                pre and t.dep_ in ("compound", "amod") and t.head.i == pre[0].i)
            # "Deputy Prime Minister and Defense Minister Sergei Ivanov"
            joined = low == "and" and pre and j > 0 and doc[j - 1].lower_.strip(".") in TITLE_SECTORS
            if (low.strip(".") in TITLE_SECTORS or low in TITLE_MODIFIERS or low in PERSON_HEADS or is_country
                    or joined or (chained and t.pos_ in ("PROPN", "NOUN", "ADJ"))) and not t.is_space:
                if low in ("the", "of") and not pre:
                    break
                pre.insert(0, t)
                j -= 1
                continue
            break
        head = doc[m.start:m.end].root
        if not pre and head.dep_ == "appos" and m.start - 2 <= head.head.i < m.start and head.head.pos_ == "NOUN":
            # "the disgraced Pakistani nuclear scientist Abdul Qadeer Khan": the name is the noun's appositive.
            pre = [t for t in doc[head.head.left_edge.i:head.head.i + 1] if self.claimed[t.i] is None]
        while pre and pre[0].lower_ in ("the", "a", "an", "of", "'s", "’s"):
            pre.pop(0)
        country = match_country
        place = None
        title_words: list[str] = []
        for t in pre:
            c = _country_of_tokens([t], self.lex) if _is_cap(t) else None
            if c is None and t.ent_type_ in ("GPE", "LOC") and t.ent_iob_ == "B" and _is_cap(t) and not (
                    t.i + 1 < len(doc) and doc[t.i + 1].ent_iob_ == "I"):
                # "Kanagawa governor Shigefumi Matsuzawa": a one-word place the gazetteer knows (Japan's)
                place = place or _place_country(t.text)
                if place:
                    continue
            if c and country is None:
                country = c
            elif t.tag_ != "POS":
                title_words.append(t.text)
        country = country or place
        # Appositive: "Shoigu, Russia's defense minister" / "Zhang Youxia, second-in-command of China's military".
        head = doc[m.start:m.end].root
        app_tokens: list[Token] = []
        if m.end < len(doc) and doc[m.end].text == ",":
            for child in head.rights:
                if child.i > m.end and child.dep_ in ("appos", "npadvmod", "amod") and child.pos_ in ("NOUN", "PROPN", "ADJ"):
                    sub = [t for t in child.subtree if not self.in_quote(t.i)]
                    if sub and len(sub) <= 12:
                        app_tokens = sub
                    break
        if app_tokens:
            app_words = [t.text for t in app_tokens]
            app_sec = title_sectors(app_words)
            if app_sec or any(t.lower_ in PERSON_HEADS for t in app_tokens):
                country = country or self.country_in(app_tokens[0].i, app_tokens[-1].i + 1) \
                    or _country_of_tokens(app_tokens, self.lex)
                title_words += [w for w in app_words if w.lower() in TITLE_SECTORS or w.lower() in PERSON_HEADS
                                or w.lower() in TITLE_MODIFIERS]
        sectors = title_sectors(title_words)
        first = pre[0].i if pre else m.start
        if country is None and title_words and first >= 2 and doc[first - 1].lower_ == "and":
            # "EU commissioner A and aid commissioner B": B shares A's country.
            other = self.claimed[first - 2]
            om = self.mentions[other] if other is not None else None
            if om is not None and om.type == "name" and om.title and \
                    om.title.split()[-1].lower() == title_words[-1].lower():
                country = om.country
        if country in HOSTING_BODIES and "ambassador" in {w.lower() for w in title_words}:
            # "UN Ambassador William Richardson": a state's ambassador to the body, not its official; the
            # state is the one the phrase he stands in apposition to names ("the US mediator, UN Ambassador ...")
            first = pre[0].i if pre else m.start
            host = doc[first - 2] if first >= 2 and doc[first - 1].text == "," and doc[first - 2].pos_ == "NOUN" \
                else None
            country = _country_of_tokens(list(doc[host.left_edge.i:host.i]), self.lex) if host is not None else None
            if country in IGO_CODES:
                country = None
        if country in IGO_CODES and country != "WST" and sectors:
            sectors = ("IGO",)  # "EU commissioner", "UN envoy": the body's own officials
        if pre:
            m.start = pre[0].i
            self._sorted = None  # a start moved: re-sort on next use
            for i in range(m.start, m.end):
                self.claimed[i] = idx
        m.title = " ".join(t.text for t in pre if t.tag_ != "POS") or (" ".join(t.text for t in app_tokens) or None)
        if m.entry is not None:
            ec, es = m.entry.at(self.date)
            m.country = country or ec
            m.sectors = sectors or es
        else:
            m.country, m.sectors = country, sectors

    # -- 2. states, organisations and the West from the dictionary ------------------------
    def unknown_name_words(self, s: int, e: int) -> int:
        """Capitalised words around ``doc[s:e]`` in the same name ("of"/"for" may join its parts) that
        the dictionary does not know, when there are such words on both sides, else 0."""
        doc, sides = self.doc, []
        for step, i in ((-1, s - 1), (1, e)):
            n = 0
            while 0 <= i < len(doc):
                t = doc[i]
                if _is_cap(t) and not t.is_stop and t.ent_iob_ != "O":
                    n += norm_key(t.text) not in self.lex.keys
                elif not (t.lower_ in ("of", "for") and 0 <= i + step < len(doc) and _is_cap(doc[i + step])):
                    break
                i += step
            sides.append(n)
        # Only a name inside a longer one counts: "UN Security Council" is the UN's own body.
        return sum(sides) if all(sides) else 0

    def named(self, matches) -> None:
        doc = self.doc
        # A tagged person's span without its possessive: "Sri Lanka's" tagged PERSON still holds "Sri Lanka".
        person_ents = [(e.start, e.end - (e[-1].tag_ == "POS")) for e in doc.ents
                       if e.label_ == "PERSON" and e.end - e.start > 1]
        # Words of the long organisation names in the text: a lone word of one ("the Tigers" after "the
        # Liberation Tigers of Tamil Eelam") is a short form of it, not another body the word names elsewhere.
        long_orgs: dict[str, Entry] = {}
        for s, e, entries in matches[0]:
            org = next((x for x in entries if x.kind == "organization"), None)
            if org is not None and e - s >= 3:
                for t in doc[s:e]:
                    k = norm_key(t.text)
                    if len(k) >= 4 and _is_cap(t) and not t.is_stop:
                        long_orgs.setdefault(k, org)
        for s, e, entries in matches[0]:
            if not self.free(s, e):
                continue
            if e - s == 1 and norm_key(doc[s].text) in long_orgs and long_orgs[norm_key(doc[s].text)] not in entries \
                    and all(x.kind == "organization" for x in entries):  # never a state: "India", "Press Trust of India"
                entries = [long_orgs[norm_key(doc[s].text)]]
            if any(a <= s and e <= b and (a, b) != (s, e) for a, b in person_ents):
                continue  # "Jordan" in "Michael Jordan"
            entry = next((x for x in entries if x.kind != "person"), None)
            if entry is None:
                continue
            if entry.kind not in ("state", "location") and self.unknown_name_words(s, e) > max(1, e - s):
                # "Tigers" in an unknown (or misspelt) "Liberation Tigers of Tamil Elam": a dictionary name
                # that leaves most of a longer capitalised name unmatched is not that organisation.
                continue
            country, sectors = entry.at(self.date)
            root = doc[s:e].root
            kind = entry.kind
            mtype = "state" if kind == "state" else "org"
            # "at a military forum in Beijing": a place, not an actor.
            placeish = kind == "state" or (kind == "group" and entry.country not in IGO_CODES)  # regions
            dateline = s == 0 and doc[s:e].text.isupper() and e < len(doc) and doc[e].text in (",", "(")
            if placeish and (dateline or root.dep_ == "pobj" and root.head.lower_ in LOCATIVE_PREPS):
                mtype, kind, sectors = "location", "location", ()
            name = entry.name
            if kind in ("state", "location") and entry.sectors:
                name = doc[s:e].text  # "Beijing", "the Kremlin": named as written ("BEIJING" as "Beijing")
                name = name.title() if name.isupper() and len(name) > 3 else name
            self.add(Mention(s, e, mtype, entry=entry, country=country, sectors=tuple(sectors), kind=kind, name=name,
                             plural=entry.country == "WST"))
        # Organisations and groups the tagger found but the dictionary does not know.
        for ent in doc.ents:
            if ent.label_ in ("ORG", "NORP") and self.free(ent.start, ent.end) and _is_cap(ent[-1]):
                s = ent.start + (1 if doc[ent.start].lower_ == "the" else 0)
                if s >= ent.end:
                    continue
                words = [t.text for t in doc[s:ent.end]]
                country = _country_of_tokens(doc[s:ent.end], self.lex) or self.country_after(doc[s:ent.end].root)
                kind = "organization" if ent.label_ == "ORG" else "group"
                self.add(Mention(s, ent.end, "org", country=country, sectors=title_sectors(words), kind=kind,
                                 name=" ".join(words), plural=ent.label_ == "NORP"))

    # -- 3. group phrases: "the two nations", "both sides" --------------------------------
    def groups(self) -> None:
        doc = self.doc
        for t in self.toks:
            low = t.lower_
            if low not in GROUP_NOUNS_STATES | GROUP_NOUNS_PEOPLE or self.claimed[t.i] is not None:
                continue
            prev = doc[t.i - 1] if t.i > 0 else None
            if prev is None or prev.lower_ not in ("two", "both"):
                continue  # see below for "the two" alone
            s = t.i - 1
            if s > 0 and doc[s - 1].lower_ in ("the", "these", "those"):
                s -= 1
            if not self.free(s, t.i + 1):
                continue
            m = Mention(s, t.i + 1, "group", kind="group", name=doc[s:t.i + 1].text, plural=True)
            m.members = self.recent_pair(s, states=low in GROUP_NOUNS_STATES, people=low in GROUP_NOUNS_PEOPLE
                                         and low not in GROUP_NOUNS_STATES)
            if not m.members and low in GROUP_NOUNS_STATES:  # "both sides", "the two countries": states, else people
                m.members = self.recent_pair(s, states=False, people=True)
            self.add(m)

        # "when the two met": "two" standing for the two people just named.
        for t in self.toks:
            if t.lower_ == "two" and t.dep_ in ("nsubj", "nsubjpass") and t.i > 0 and doc[t.i - 1].lower_ == "the" \
                    and self.free(t.i - 1, t.i + 1):
                m = Mention(t.i - 1, t.i + 1, "group", kind="group", name=doc[t.i - 1:t.i + 1].text, plural=True)
                m.members = self.recent_pair(t.i - 1, states=False, people=True) or \
                    self.recent_pair(t.i - 1, states=True, people=False)
                if m.members:
                    self.add(m)

    def recent_pair(self, before: int, states: bool, people: bool) -> list[int]:
        """The two most recent distinct actors (by country for states, by person for people)."""
        seen: list[int] = []
        keys: set = set()
        for idx in sorted(range(len(self.mentions)), key=lambda k: -self.mentions[k].start):
            m = self.mentions[idx]
            if m.start >= before or m.type == "dropped":
                continue
            base = self.resolve(idx)
            bm = self.mentions[base]
            ok = (states and bm.kind in ("state",) and bm.country) or (people and bm.kind == "person")
            if not ok:
                continue
            key = bm.country if bm.kind == "state" else base
            if key in keys:
                continue
            keys.add(key)
            seen.append(base)
            if len(seen) == 2:
                break
        return seen if len(seen) == 2 else []

    # -- 4. title-only noun phrases: "the Russian leader", "Chinese officials" -----------
    def titles(self) -> None:
        doc = self.doc
        for t in self.toks:
            low = t.lower_
            if self.claimed[t.i] is not None or t.pos_ not in ("NOUN", "PROPN"):
                continue
            # "Japan's lower house": a legislature ("the House of Representatives" is a name)
            chamber = low == "house" and any(c.lower_ in ("lower", "upper") for c in t.lefts)
            if low not in PERSON_HEADS and low not in GROUP_HEADS and not chamber:
                continue
            if t.i > 0 and doc[t.i - 1].lower_ in ("two", "both") and low in GROUP_NOUNS_STATES | GROUP_NOUNS_PEOPLE:
                continue  # a group phrase ("both leaders"): see groups()
            if any(c.dep_ == "compound" and c.i > t.i for c in t.children) or t.dep_ == "compound":
                continue  # "navy drills", "President Putin": a modifier, not the phrase's head
            # Left modifiers only: determiners, adjectives, compounds, possessives.
            left = [c for c in t.lefts if c.dep_ in ("det", "amod", "compound", "poss", "nummod", "nmod")]
            s = min((c.left_edge.i for c in left), default=t.i)
            # "US and South Korean officials": the phrase is the last conjunct; the others stay their own.
            cut = [k for k in range(s, t.i) if doc[k].dep_ == "cc" or doc[k].text == ","]
            shared: list[int] = []  # earlier conjuncts' state mentions: "Japanese" of "the Japanese and US governments"
            if cut:
                shared = sorted({self.claimed[k] for k in range(s, cut[-1]) if self.claimed[k] is not None
                                 and self.mentions[self.claimed[k]].type == "state"})
                s = cut[-1] + 1
                left = [c for c in left if c.i >= s]
            toks = list(doc[s:t.i + 1])
            # Possessor: "China's military", "Russia's defense minister".
            country = None
            for c in toks:
                if c.i != t.i and self.claimed[c.i] is not None:
                    pm = self.mentions[self.claimed[c.i]]
                    base = self.mentions[self.resolve(self.claimed[c.i])]
                    if base.kind in ("state", "location", "person", "organization") and base.country:
                        country = country or base.country  # "EU foreign ministers", "Putin's government"
                    elif pm.type != "pronoun":
                        break
            country = country or _country_of_tokens([c for c in toks if self.claimed[c.i] is None], self.lex)
            named_country = country  # from a name in the phrase itself, not from "its" or the context
            if low == "presidency" and country in IGO_CODES:
                # "the EU's Dutch presidency": a body's rotating presidency is the state that holds it.
                held = [self.mentions[self.resolve(self.claimed[c.i])] for c in toks
                        if c.i != t.i and self.claimed[c.i] is not None]
                country = next((x.country for x in held if x.kind == "state" and x.country
                                and x.country not in IGO_CODES), country)
            if any(c.dep_ == "poss" and c.lower_ in ("your", "my", "our") for c in left):
                continue  # "your leadership": the addressee or speaker of a quote, not a new actor
            poss = next((c for c in left if c.dep_ == "poss" and c.lower_ in ("its", "their", "his", "her")), None)
            if country is None and poss is not None:
                # "its troops": the state or body the sentence is about; "his government": the person's.
                if poss.lower_ in ("his", "her"):
                    ref = self.antecedent(poss, lambda x: x.kind == "person" and bool(x.country))
                else:
                    ref = self.antecedent(poss, lambda x: x.kind in ("state", "organization", "group")
                                          and bool(x.country) and x.type != "location", max_sents=1)
                country = self.mentions[ref].country if ref is not None else None
            # "second-in-command of China's military" / "the foreign minister of Japan"
            if country is None:
                country = self.country_after(t)
            words = [c.text for c in toks]
            sectors = title_sectors(words)
            if country in IGO_CODES and country != "WST" and (sectors or low in ORG_HEADS):
                sectors = ("IGO",)
            if not named_country and low in HEADS_NEED_COUNTRY:
                continue  # "the mission" alone is rarely an actor; "the UN mission" is
            if not sectors and not country and low not in PERSON_HEADS and low not in ORG_HEADS:
                continue
            plural = low in GROUP_HEADS and low not in ORG_HEADS or t.tag_ in ("NNS", "NNPS")
            kind = "group" if plural else ("organization" if low in ORG_HEADS or chamber else "person")
            # A demonym modifying the head ("a senior Chinese military leader") belongs to the phrase;
            # a possessor ("China's military") stays its own mention, and the phrase starts after it.
            for c in toks:
                ci = self.claimed[c.i]
                # the mention's own head decides: "Sri" is a compound inside the possessor "Sri Lanka's"
                if ci is not None and c.i == self.mentions[ci].end - 1 and c.dep_ in ("amod", "compound") \
                        and self.mentions[ci].end <= t.i and (
                        self.mentions[ci].type == "state"
                        or (self.mentions[ci].type == "name" and low in ORG_HEADS)):  # "the Xi administration"
                    self.drop(ci)
            # The phrase starts after the last token another mention holds ("a UN spokesman" -> "spokesman").
            held = [i for i in range(s, t.i) if self.claimed[i] is not None]
            s2 = held[-1] + 1 if held else s
            while s2 < t.i and doc[s2].tag_ == "POS":
                s2 += 1
            if not self.free(s2, t.i + 1):
                continue
            det = next((c.lower_ for c in left if c.dep_ == "det"), None)
            guessed = False
            if country is None and det == "the" and set(sectors) & {"GOV", "MIL", "LEG", "JUD", "COP"}:
                # "Japan's lower house called on the government": the country the sentence is about.
                country = self.sentence_country(t)
                guessed = country is not None
            m = Mention(s2, t.i + 1, "title", country=country, sectors=sectors, kind=kind, name=doc[s:t.i + 1].text,
                        title=low, plural=plural)
            for ci in shared:  # each conjunct is its own body of the same kind
                sm = self.mentions[ci]
                sm.type, sm.kind, sm.sectors, sm.title = "title", kind, sectors, low
                sm.name = f"{doc[sm.start:sm.end].text} {t.lemma_ if plural else t.text}"
            if det == "the" and (guessed or country is None) and kind != "person":
                # "the government" again: the same body as the last "government" phrase.
                prev = [i for i, x in enumerate(self.mentions) if x.type == "title" and x.title == low
                        and x.ref is None and x.plural == plural and x.country]
                if not prev and plural and set(sectors) & ARMED_SECTORS:
                    # "Georgia arrested four Russian soldiers ... Georgia freed the military officers": a
                    # definite group without a country of its own is the last group of its sector named.
                    prev = [i for i, x in enumerate(self.mentions) if x.type == "title" and x.plural
                            and x.ref is None and x.sectors == sectors and x.country and not x.default_country]
                if prev:
                    m.ref = prev[-1]
            m.default_country = guessed
            m.key = ("definite" if det in ("the", "this", "that") or any(c.dep_ == "poss" for c in left) else
                     "indefinite" if det in ("a", "an") else "bare",)
            self.add(m)

    # -- 5. pronouns ---------------------------------------------------------------------
    def gender(self, m: Mention) -> str | None:
        """'f' or 'm' from a title ("spokeswoman", "Mrs."), else from pronouns already resolved to it."""
        words = {w.lower().strip(".") for w in (m.title or "").split()} | {self.doc[m.start].lower_.strip(".")}
        if words & FEMALE_WORDS:
            return "f"
        if words & MALE_WORDS:
            return "m"
        return self.genders.get(id(m))

    def pronouns(self) -> None:
        self.genders: dict[int, str] = {}
        for t in self.toks:
            low = t.lower_
            if self.claimed[t.i] is not None or self.in_quote(t.i):
                continue
            if low in PRONOUNS_SG:
                g = "f" if low in ("she", "her", "hers", "herself") else "m"
                # "X thanked him": an object pronoun is not its own clause's subject.
                clause_subj = {c.i for c in t.head.children if c.dep_ in ("nsubj", "nsubjpass")} \
                    if low in ("him", "her") and t.dep_ in ("dobj", "pobj", "dative") else set()
                ref = self.antecedent(t, lambda m, g=g: m.kind == "person" and not m.plural
                                      and self.gender(m) in (None, g), exclude=clause_subj)
                if ref is not None:
                    self.genders.setdefault(id(self.mentions[ref]), g)
            elif low in PRONOUNS_PL:
                ref = self.antecedent(t, lambda m: m.plural and m.kind in ("group", "organization", "state"),
                                      max_sents=1)
            else:
                continue
            if ref is not None:
                self.add(Mention(t.i, t.i + 1, "pronoun", ref=ref, kind=self.mentions[ref].kind))

    def antecedent(self, tok: Token, ok, max_sents: int = 3, exclude: set[int] | None = None) -> int | None:
        """Most salient earlier compatible mention outside quotes: in the nearest sentence that has
        one, its subject if it has one, else the closest."""
        sents = list(self.doc.sents) if not hasattr(self, "_sents") else self._sents
        self._sents = sents
        si = next(k for k, s in enumerate(sents) if s.start <= tok.i < s.end)
        for k in range(si, max(-1, si - max_sents - 1), -1):
            sent = sents[k]
            cands = []
            for idx in self.mentions_in(sent.start, min(sent.end, tok.i)):
                m = self.mentions[idx]
                if not self.in_quote(m.start) and m.type != "dropped":
                    if exclude and any(m.start <= i < m.end for i in exclude):
                        continue
                    base = self.resolve(idx)
                    if ok(self.mentions[base]):
                        cands.append((idx, base))
            if cands:
                subj = [c for c in cands if self.mentions[c[0]].subject]
                pick = (subj or cands)[-1 if not subj else 0]
                return pick[1]
        return None

    def country_after(self, head: Token) -> str | None:
        """Country from the phrase's right: "the foreign minister of Japan", "officials from Uganda",
        "the Foreign Ministry in Moscow"."""
        for c in head.rights:
            if c.dep_ == "prep" and c.lower_ in ("of", "from", "in"):
                obj = [g for g in c.children if g.dep_ == "pobj"]
                if not obj:
                    continue
                toks = list(obj[0].subtree)[:4]
                if c.lower_ == "in":  # only a seat of government names the body's country
                    seat = self.country_in(toks[0].i, toks[-1].i + 1, govern=True)
                    if seat:
                        return seat
                    continue
                found = self.country_in(toks[0].i, toks[-1].i + 1) or _country_of_tokens(toks, self.lex)
                if found is None and c.lower_ == "of" and head.lower_ in LOCAL_HEADS:
                    # "the governor of a prefecture hosting the largest US Navy base in Japan": the place
                    # a local office governs is in the country of the place named in its description
                    sub = list(obj[0].subtree)[:12]
                    found = next((self.mentions[i].country for i in self.mentions_in(sub[0].i, sub[-1].i + 1)
                                  if self.mentions[i].type == "location" and self.mentions[i].country
                                  and self.mentions[i].country not in IGO_CODES), None)
                return found
        return None

    def sentence_country(self, tok: Token) -> str | None:
        """Country of the first coded non-place mention before ``tok`` in its sentence."""
        sent = tok.sent
        for idx in self.mentions_in(sent.start, tok.i):
            m = self.mentions[idx]
            if m.type in ("dropped", "location"):
                continue
            c = self.mentions[self.resolve(idx)].country
            if c and c not in IGO_CODES:
                return c
        return None

    def country_in(self, start: int, end: int, govern: bool = False) -> str | None:
        """Country of the first dictionary name inside a token range ("a State Department spokesman");
        with ``govern``, only seats of government count ("in Moscow")."""
        return next((c for s, e, c, gov in self.coded if start <= s and e <= end and (gov or not govern)), None)

    def drop(self, idx: int) -> None:
        m = self.mentions[idx]
        for i in range(m.start, m.end):
            if self.claimed[i] == idx:
                self.claimed[i] = None
        m.type = "dropped"

    def resolve(self, idx: int) -> int:
        seen = set()
        while self.mentions[idx].ref is not None and idx not in seen:
            seen.add(idx)
            idx = self.mentions[idx].ref  # type: ignore[assignment]
        return idx

    # -- 6. title NPs that name a person already in the text ------------------------------
    def link_titles(self) -> None:
        people = [i for i, m in enumerate(self.mentions) if m.type == "name" and m.ref is None]
        for m in self.mentions:
            if m.type != "title" or m.kind != "person" or m.plural:
                continue
            cands = [p for p in people if self.compatible(m, self.mentions[p])]
            kind = (m.key or ("bare",))[0]
            if kind == "definite":
                before = [p for p in cands if self.mentions[p].start < m.start]
                if before:
                    m.ref = max(before, key=lambda p: self.last_mention(p, m.start))
            elif kind == "indefinite" and len(cands) == 1:
                m.ref = cands[0]

    def titled_before_name(self) -> None:
        """"a UN spokesman told reporters ... spokesman Stephanie Dujarric said": a named person whose bare
        title says nothing of a country is the one an earlier phrase of that title coded."""
        for idx, m in enumerate(self.mentions):
            if m.type != "name" or m.ref is not None or m.country or not m.title or len(m.title.split()) != 1:
                continue
            head = m.title.lower()
            if head not in PERSON_HEADS:
                continue
            prev = [i for i, x in enumerate(self.mentions) if x.type == "title" and x.kind == "person" and not x.plural
                    and x.ref is None and x.title == head and x.start < m.start and x.country
                    and not x.default_country]
            if prev:
                tm = self.mentions[prev[-1]]
                m.country, m.sectors = tm.country, tm.sectors or m.sectors
                tm.ref = idx

    # -- 7. the article's own country for actors the text leaves uncoded ------------------
    def default_country(self) -> None:
        """People, unnamed officials and unknown organisations with no country of their own are most
        likely of the country the article is about: the one its actors and places are from far most often."""
        counts: dict[str, float] = {}
        for idx, m in enumerate(self.mentions):
            if m.type == "dropped":
                continue
            c = self.mentions[self.resolve(idx)].country
            if c and c not in IGO_CODES:
                counts[c] = counts.get(c, 0) + (0.5 if m.type == "location" else 1)
        if not counts:
            return
        ranked = sorted(counts.values(), reverse=True)
        top = max(counts, key=counts.get)
        if ranked[0] < 2 or (len(ranked) > 1 and ranked[0] < 1.25 * ranked[1]):
            return  # no clear home country
        self.home = top
        for m in self.mentions:
            if m.ref is None and m.country is None and m.type in DEFAULT_COUNTRY_TYPES and not m.members \
                    and "IGO" not in m.sectors:
                m.country = top
                m.default_country = True

    @staticmethod
    def compatible(m: Mention, pm: Mention) -> bool:
        """Can title phrase ``m`` ("the Russian leader") refer to the named person ``pm``?"""
        if m.country and m.country != pm.country and not m.default_country:
            return False
        if m.sectors and pm.sectors and not set(m.sectors) & set(pm.sectors) and pm.country not in IGO_CODES:
            return False  # (an international body's officials carry IGO, their titles read GOV: "the secretary-general")
        if pm.title and m.title and m.title in pm.title.lower():
            return True  # "the minister" -> "Defense Minister Sergey Shoigu"
        if m.country and not m.default_country and not pm.title:
            return True  # "the Chinese president" -> "Xi Jinping", named without a title
        # A generic head ("the Russian leader", "a senior Chinese military leader") needs the country.
        return bool(m.title in GENERIC_HEADS and m.country and (m.sectors or not pm.title))

    def last_mention(self, base: int, before: int) -> int:
        """Start of the base's last mention before token ``before`` (starts cached per base)."""
        cache = getattr(self, "_starts", None)
        if cache is None or cache[0] != len(self.mentions):
            starts: dict[int, list[int]] = {}
            for i, m in enumerate(self.mentions):
                if m.type != "dropped":
                    starts.setdefault(self.resolve(i), []).append(m.start)
            for v in starts.values():
                v.sort()
            cache = self._starts = (len(self.mentions), starts)
        lst = cache[1].get(base, [])
        k = bisect.bisect_left(lst, before)
        return lst[k - 1] if k else -1

    def mentions_in(self, start: int, end: int) -> list[int]:
        """Indices of the mentions starting in token range [start, end), in text order."""
        if self._sorted is None:
            self._sorted = sorted((m.start, i) for i, m in enumerate(self.mentions))
        lo = bisect.bisect_left(self._sorted, (start, -1))
        hi = bisect.bisect_left(self._sorted, (end, -1))
        return [i for _s, i in self._sorted[lo:hi]]


def find_actors(doc: Doc, lex: Lexicon | None = None) -> list[Actor]:
    """All actors of a Doc with their mentions (pure: reads the Doc, returns records)."""
    lex = lex or load_lexicon()
    f = Finder(doc, lex)
    matches = lexicon_matches(doc, lex, f.toks)
    f.people(matches)
    f.named(matches)
    f.titles()
    f.link_titles()
    f.titled_before_name()
    f.groups()
    f.pronouns()
    f.default_country()
    doc.user_data[HOME_KEY] = f.home  # for add_actor: "officials said" gets the article's country
    doc.user_data[LEXICON_KEY] = lex  # for add_actor: the user's --actors entries count there too
    return build_actors(doc, f)


def build_actors(doc: Doc, f: Finder) -> list[Actor]:
    groups: dict[tuple, list[int]] = {}
    for idx, m in enumerate(f.mentions):
        if m.type == "dropped":
            continue
        base = f.resolve(idx)
        bm = f.mentions[base]
        if bm.type == "name":
            # Unlinked mentions of the same name are the same person.
            key: tuple = ("person", bm.entry.name if bm.entry is not None else norm_key(bm.name or str(base)))
        elif bm.type in ("state", "org") and bm.entry is not None:
            same = bm.kind == "state" or bm.country in IGO_CODES
            key = (bm.kind, bm.country, bm.sectors, "" if same else bm.entry.name)
        elif bm.type == "location":
            key = ("location", bm.name)
        elif bm.type == "group":
            key = ("group", tuple(sorted(f.resolve(x) for x in bm.members)) or base)
        elif bm.type == "title" and not bm.plural and bm.kind == "person":
            key = ("title", base)
        else:
            key = (bm.kind, bm.country, bm.sectors, (bm.title or norm_key(bm.name or "")))
        groups.setdefault(key, []).append(idx)
    ordered = sorted(groups.values(), key=lambda ids: min(f.mentions[i].start for i in ids))
    text = doc_text(doc)
    base_to_id: dict[int, str] = {}
    for n, ids in enumerate(ordered, 1):
        for i in ids:
            base_to_id[f.resolve(i)] = f"a{n}"
    actors = []
    for n, ids in enumerate(ordered, 1):
        ms = [f.mentions[i] for i in ids]
        base = f.mentions[f.resolve(ids[0])]
        named = [m for m in ms if m.type in ("name",) and m.ref is None] or [base]
        head = named[0]
        name = head.name or doc[head.start:head.end].text
        if head.type == "name" and head.entry is not None and \
                {norm_key(w) for w in name.split()} < {norm_key(w) for w in head.entry.name.split()}:
            name = head.entry.name  # "Putin" alone -> "Vladimir Putin"
        written = doc[head.start:head.end].text
        if head.entry is not None and norm_key(head.entry.name) == norm_key(written) and \
                not (written.isupper() and len(written) > 4):  # not a dateline's "BEIJING"
            name = written  # as the article spells it: "AFP", "P.V. Narasimha Rao"
        if head.type == "title":
            name = head.name or doc[head.start:head.end].text
            if name.lower().startswith(("the ", "a ", "an ")):
                name = name.split(" ", 1)[1]
        country = next((m.country for m in named if m.country), head.country)
        sectors = next((m.sectors for m in named if m.sectors), head.sectors)
        title = next((m.title for m in named if m.title), None)
        members = ()
        if base.type == "group" and base.members:
            alive = [f.resolve(x) for x in base.members if f.resolve(x) in base_to_id]
            members = tuple(dict.fromkeys(base_to_id[x] for x in alive))
            cs = {f.mentions[x].country for x in alive}
            if len(cs) == 1:
                country = cs.pop()
        kb = head.entry.kb_id if head.entry is not None else None
        code = (head.entry.code if head.entry is not None and head.entry.kind not in ("person", "location")
                and head.kind != "location" and not head.sectors and head.entry.country == country
                else _code(country, sectors))
        spans = sorted({(doc[m.start].idx, doc[m.end - 1].idx + len(doc[m.end - 1].text)) for m in ms})
        actors.append(Actor(id=f"a{n}", name=name, kind=head.kind if head.kind in USER_KINDS else "other",
                            country=country, sectors=tuple(sectors), title=title, code=code, kb_id=kb,
                            mentions=tuple(Span(s, e, text[s:e]) for s, e in spans), members=members))
    return actors


# --------------------------------------------------------------------------------------------
# The spaCy component and the helpers later stages use
# --------------------------------------------------------------------------------------------

@Language.factory("gestae_actors", default_config={"actors_file": None},
                  assigns=["doc._.actors"], requires=["doc.ents"])
def make_actors_stage(nlp: Language, name: str, actors_file: str | None):
    return ActorsStage(actors_file)


class ActorsStage:
    def __init__(self, actors_file: str | None = None):
        self.actors_file = actors_file
        self.lexicon = load_lexicon(str(actors_file) if actors_file else None)

    def __call__(self, doc: Doc) -> Doc:
        doc._.actors = find_actors(doc, self.lexicon)
        return doc


_INDEX_KEY = "gestae_actor_index"
HOME_KEY = "gestae_home_country"
LEXICON_KEY = "gestae_lexicon"


def _mention_index(doc: Doc):
    """(starts, [(start, end, actor)], longest mention) sorted by start; cached on the Doc until
    ``doc._.actors`` is replaced or grows, so lookups stay logarithmic on long articles."""
    actors = doc._.actors or []
    # Actors are frozen: one gains a mention by being replaced, so the objects' identities say whether the
    # index is current (the index keeps them alive, so no identity is reused meanwhile).
    ids = list(map(id, actors))
    cached = doc.user_data.get(_INDEX_KEY)
    if cached is not None and cached[0] == ids:
        return cached[1]
    rows = sorted((m.start, m.end, a) for a in actors for m in a.mentions) if actors else []
    index = ([r[0] for r in rows], rows, max((r[1] - r[0] for r in rows), default=0))
    doc.user_data[_INDEX_KEY] = (ids, index)
    return index


def _overlapping(doc: Doc, start: int, end: int):
    starts, rows, longest = _mention_index(doc)
    hi = bisect.bisect_right(starts, max(end, start + 1) - 1)
    lo = bisect.bisect_left(starts, start - longest)
    return rows[lo:hi]


def actor_at(doc: Doc, start: int, end: int) -> Actor | None:
    """The actor whose mention overlaps [start, end) most; a zero-width span picks the mention holding it."""
    best, best_len = None, 0
    for m_start, m_end, a in _overlapping(doc, start, end):
        inter = min(end, m_end) - max(start, m_start)
        if inter > best_len or (start == end and m_start <= start < m_end and best is None):
            best, best_len = a, max(inter, 0)
    return best


FIRST_PERSON = {"i", "me", "my", "mine", "myself", "we", "us", "our", "ours", "ourselves"}


def actor_for_token(doc: Doc, token: Token) -> Actor | None:
    """The actor whose mention contains the token (pronouns and possessives resolved). "I" and "we"
    inside a quotation are its speaker once the quotes stage has run ("we are not creating a bloc")."""
    start = token.idx
    for m_start, m_end, a in _overlapping(doc, start, start + 1):
        if m_start <= start < m_end:
            return a
    if token.lower_ in FIRST_PERSON and doc.has_extension("quotes") and doc._.quotes:
        for q in doc._.quotes:
            if q.start <= start < q.end and q.speaker:
                return next((a for a in doc._.actors or () if a.id == q.speaker), None)
    return None


def add_actor(doc: Doc, start: int, end: int, kind: str = "group") -> Actor:
    """Find or make the actor of a noun phrase another stage found ("officials", "the ministry"),
    with its country and sector from the phrase's modifiers ("Chinese officials" -> CHN GOV)."""
    found = actor_at(doc, start, end)
    if found is not None:
        return found
    actors = list(doc._.actors or ())
    text = doc_text(doc)[start:end]
    span: SpacySpan | None = doc.char_span(start, end, alignment_mode="expand")
    # The Doc's own dictionary (with the user's --actors file), not the shipped one.
    lex = doc.user_data.get(LEXICON_KEY) or load_lexicon()
    country, sectors = None, ()
    entry = None
    if span is not None:
        words = [t for t in span if t.lower_ not in ("the", "a", "an")]
        if words and _is_cap(words[0]):  # dictionary names are capitalised, as in lexicon_matches
            entry = _pick(lex.get(norm_key("".join(t.text for t in words))), _published(doc))
    if entry is not None:
        # The phrase is itself a dictionary name ("the Wagner Group"): that actor, as the dictionary codes it.
        country, secs = entry.at(_published(doc))
        sectors = tuple(secs)
        if entry.kind in USER_KINDS:
            kind = entry.kind
    elif span is not None:
        country = _country_of_tokens(list(span), lex)
        if country is None:
            for t in span:
                if t.tag_ == "PRP$" or t.dep_ == "poss":
                    a = actor_for_token(doc, t)
                    if a is not None and a.country:
                        country = a.country
                        break
        sectors = title_sectors([t.text for t in span])
        if country is None and sectors and "IGO" not in sectors:
            country = doc.user_data.get(HOME_KEY)  # "officials said": of the country the article is about
    # Same phrase head, country and sectors as an existing unnamed actor: the same actor again.
    for i, a in enumerate(actors):
        if (entry is not None and a.kb_id == entry.kb_id) or (a.kind == kind and a.country == country and a.sectors
                                                             == sectors and norm_key(a.name) == norm_key(text)):
            new = replace(a, mentions=tuple(sorted(a.mentions + (Span(start, end, text),), key=lambda m: m.start)))
            actors[i] = new
            doc._.actors = actors
            return new
    ids = {a.id for a in actors}
    n = len(actors) + 1
    while f"a{n}" in ids:
        n += 1
    code = entry.code if entry is not None and entry.code and entry.kind != "person" else _code(country, sectors)
    actor = Actor(id=f"a{n}", name=entry.name if entry is not None else text, kind=kind, country=country,
                  sectors=sectors, code=code, kb_id=entry.kb_id if entry is not None else None,
                  mentions=(Span(start, end, text),))
    actors.append(actor)
    doc._.actors = actors
    return actor

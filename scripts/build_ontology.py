#!/usr/bin/env python3
"""Build gestae's event ontology and verb lexicon (package data) from the shared source files.

    python scripts/build_ontology.py [--shared ../shared]

Reads ``data/ontology/ontology.json`` (PLOVER types, modes, contexts; CAMEO tree with Goldstein
values), ``data/ontology/CAMEO2PLOVER-2021.txt`` (the CAMEO -> PLOVER type/mode/context table) and
the Phoenix verb dictionary ``data/phoenix/CAMEO.2.0.txt`` (MIT, Open Event Data Alliance), and
writes ``src/gestae/data/ontology.json`` and ``src/gestae/data/verbs.json``.
"""
from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "src" / "gestae" / "data"
PLOVER = ("AGREE", "CONSULT", "SUPPORT", "CONCEDE", "COOPERATE", "AID", "RETREAT", "REQUEST",
          "ACCUSE", "REJECT", "THREATEN", "PROTEST", "SANCTION", "MOBILIZE", "COERCE", "ASSAULT")


def cameo_tree(onto: dict) -> dict[str, dict]:
    """Every CAMEO code with its name and Goldstein value (missing values inherit the parent's)."""
    out: dict[str, dict] = {}

    def walk(node: dict, parent_g: float | None) -> None:
        g = node.get("goldstein", parent_g)
        out[node["code"]] = {"name": node.get("name"), "goldstein": g}
        for key in ("level2", "level3"):
            for child in node.get(key, ()):
                walk(child, g)

    for root in onto["cameo"]["root_codes"]:
        walk(root, None)
    return out


def cameo2plover(path: Path) -> dict[str, dict]:
    """code -> {type, mode, contexts} from the CAMEO2PLOVER table."""
    out: dict[str, dict] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        m = re.match(r"^(\d{2,4}):\s*([A-Z]+)\s*(?:,([^,#]*))?(?:,([^#]*))?", line)
        if not m or m.group(2) not in PLOVER:
            continue
        mode = (m.group(3) or "").strip() or None
        contexts = [c.strip() for c in (m.group(4) or "").split(";") if c.strip()]
        out[m.group(1)] = {"type": m.group(2), "mode": mode, "contexts": contexts}
    return out


# CAMEO 02x appeals are absent from CAMEO2PLOVER-2021; PLOVER's REQUEST covers appeals as well as
# demands (the codebook: "appeal, request, demand"), with the modes of the matching 10x demands.
APPEALS = {"02": None, "020": None, "021": "assist", "022": "assist", "023": "assist", "024": "change",
           "025": "yield", "026": "meet", "027": "meet", "028": "meet"}


def plover_of(code: str, table: dict[str, dict]) -> dict | None:
    if code[:3] in APPEALS or code in APPEALS:
        return {"type": "REQUEST", "mode": APPEALS.get(code[:3], APPEALS.get(code)), "contexts": []}
    """The PLOVER mapping of a code, falling back to its parents (1234 -> 123 -> 12)."""
    for n in (len(code), 3, 2):
        if code[:n] in table:
            return table[code[:n]]
    return None


CODE = re.compile(r"\[(\d{2,4})(?::\d+)?\]")


def phoenix_verbs(path: Path) -> tuple[dict[str, str], dict[str, list]]:
    """Lemma -> default CAMEO code, and lemma -> [(object words, code)] patterns, from the Phoenix
    verb dictionary. Multi-word verbs ("+BACK_DOWN") are kept as "back down"."""
    verbs: dict[str, str] = {}
    patterns: dict[str, list] = {}
    lines = path.read_text(encoding="utf-8").splitlines()
    start = next(i for i, ln in enumerate(lines) if "VERB PATTERNS" in ln)
    block_code: str | None = None
    block_verbs: list[str] = []
    for raw in lines[start + 1:]:
        line, _, comment = raw.partition("#")
        line = line.rstrip()
        if not line.strip():
            continue
        if line.startswith("---"):
            m = CODE.search(line)
            block_code = m.group(1) if m else None
            block_verbs = []
            continue
        if line.startswith("-"):
            m = CODE.search(line)
            if not m or not block_verbs:
                continue
            body = CODE.sub("", line[1:]).strip()
            if "*" not in body:
                continue
            after = body.split("*", 1)[1]
            # the object words after the verb, without synonym-set refs and markup
            words = [w.lower() for w in re.findall(r"[A-Za-z][A-Za-z_\-]*", after)
                     if not w.startswith("_")]
            words = [w.replace("_", " ") for w in words if w]
            if not words:
                continue
            # the comment names the verb a pattern was written for; without one it is the block's
            named = re.match(r"\s*([A-Z][A-Z_\-]*)", comment)
            owners = [named.group(1).lower().replace("_", " ")] if named else block_verbs
            for v in owners:
                patterns.setdefault(v, []).append([words[:3], m.group(1)])
            continue
        m = re.match(r"^\s*\+?([A-Z][A-Z_\-']*)\s*(\[[^\]]*\])?", line)
        if not m:
            continue
        lemma = m.group(1).lower().replace("_", " ").strip()
        own = CODE.search(m.group(2) or "")
        code = own.group(1) if own else block_code
        block_verbs.append(lemma)
        if code and lemma not in verbs:
            verbs[lemma] = code
    # a verb with no default code takes its patterns' most common code, when most agree on a root
    for v, ps in patterns.items():
        if v in verbs or len(ps) < 3:
            continue
        roots: dict[str, list[str]] = {}
        for _w, c in ps:
            roots.setdefault(c[:2], []).append(c)
        root, codes = max(roots.items(), key=lambda kv: len(kv[1]))
        if len(codes) * 2 > len(ps):
            verbs[v] = root + "0"
    return verbs, patterns


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", default=str(ROOT.parent / "shared"))
    args = ap.parse_args()
    shared = Path(args.shared)
    onto = json.loads((shared / "data/ontology/ontology.json").read_text(encoding="utf-8"))
    table = cameo2plover(shared / "data/ontology/CAMEO2PLOVER-2021.txt")
    tree = cameo_tree(onto)
    cameo = {}
    for code, info in sorted(tree.items()):
        p = plover_of(code, table)
        cameo[code] = {**info, "plover": p["type"] if p else None, "mode": p["mode"] if p else None,
                       "contexts": p["contexts"] if p else []}
    p = onto["plover"]
    ontology = {
        "_source": "built by scripts/build_ontology.py from ../shared/data/ontology (PLOVER, CAMEO, "
                   "CAMEO2PLOVER-2021, GDELT Goldstein scale)",
        "plover": {t: {"quad": p["event_types"][t]["quad_category"], "modes": p["event_types"][t]["modes"],
                       "score": p["event_types"][t]["plover_score"],
                       "mode_scores": p["event_types"][t]["mode_scores"]} for t in p["event_type_order"]},
        "contexts": p["contexts"],
        "auxiliary_modes": p["auxiliary_modes"],
        "cameo": cameo,
    }
    verbs, patterns = phoenix_verbs(shared / "data/phoenix/CAMEO.2.0.txt")
    # keep only verbs whose code maps to a PLOVER type (CAMEO 01x statements have none)
    verbs = {v: c for v, c in verbs.items() if c in cameo and cameo[c]["plover"]}
    patterns = {v: [[w, c] for w, c in ps if c in cameo and cameo[c]["plover"]] for v, ps in patterns.items()}
    patterns = {v: ps for v, ps in patterns.items() if ps}
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "ontology.json").write_text(json.dumps(ontology, indent=0, sort_keys=True) + "\n", encoding="utf-8")
    lexicon = {"_source": "Phoenix CAMEO.2.0 verb dictionary (MIT License, Copyright (c) 2015 Open Event "
                          "Data Alliance; see LICENSE-phoenix.txt), reduced by scripts/build_ontology.py",
               "verbs": dict(sorted(verbs.items())), "patterns": dict(sorted(patterns.items()))}
    (OUT / "verbs.json").write_text(json.dumps(lexicon, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"ontology: {len(cameo)} CAMEO codes; lexicon: {len(verbs)} verbs, {len(patterns)} with patterns")


if __name__ == "__main__":
    main()

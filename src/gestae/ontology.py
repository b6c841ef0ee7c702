"""The event ontology: PLOVER types, modes and contexts, the CAMEO tree with Goldstein values and the
CAMEO-to-PLOVER mapping, and the Phoenix-derived verb lexicon (package data written by
``scripts/build_ontology.py`` from ``../shared/data/ontology`` and ``../shared/data/phoenix``)."""
from __future__ import annotations

import functools
import json
from importlib import resources
from typing import Any

from .model import PLOVER_TYPES

# A representative CAMEO code per PLOVER type, for events whose trigger gives no finer code.
DEFAULT_CAMEO = {
    "AGREE": "030", "CONSULT": "040", "SUPPORT": "051", "CONCEDE": "080", "COOPERATE": "060", "AID": "070",
    "RETREAT": "084", "REQUEST": "020", "ACCUSE": "112", "REJECT": "120", "THREATEN": "130",
    "PROTEST": "140", "SANCTION": "160", "MOBILIZE": "150", "COERCE": "170", "ASSAULT": "190",
}


def _load(name: str) -> dict[str, Any]:
    return json.loads(resources.files("gestae").joinpath("data", name).read_text(encoding="utf-8"))


@functools.lru_cache(maxsize=1)
def ontology() -> dict[str, Any]:
    return _load("ontology.json")


@functools.lru_cache(maxsize=1)
def lexicon() -> dict[str, Any]:
    """{"verbs": lemma -> CAMEO code, "patterns": lemma -> [[object words], code]} from Phoenix."""
    return _load("verbs.json")


def cameo(code: str | None) -> dict[str, Any] | None:
    """name, goldstein, plover, mode, contexts of a CAMEO code (None when unknown)."""
    return ontology()["cameo"].get(code) if code else None


def plover_type(code: str | None) -> str | None:
    info = cameo(code)
    return info["plover"] if info else None


def goldstein(code: str | None) -> float | None:
    info = cameo(code)
    return info["goldstein"] if info else None


def modes(plover: str) -> list[str]:
    return list(ontology()["plover"].get(plover, {}).get("modes", ()))


def contexts() -> list[str]:
    return list(ontology()["contexts"])


def code_for(plover: str, code: str | None = None) -> str:
    """``code`` when it maps to ``plover``, else the type's representative code."""
    if code and plover_type(code) == plover:
        return code
    return DEFAULT_CAMEO[plover]


assert set(DEFAULT_CAMEO) == set(PLOVER_TYPES)

"""Stage 3, actors: mentions grouped into coded actors (FIRST STUB - to be replaced by the actors work).

Interface the later stages rely on:
- ``doc._.actors``: list of :class:`gestae.model.Actor`, each with all its mentions (names, titles,
  pronouns) as character spans.
- :func:`actor_at(doc, start, end)`: the actor with a mention overlapping that character span.
- :func:`add_actor(doc, start, end)`: make (or find) an actor for a noun phrase a later stage found
  (e.g. "officials" as a quote speaker).
"""
from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc

from .model import Actor, Span

KIND_BY_LABEL = {"PERSON": "person", "ORG": "organization", "GPE": "state", "NORP": "group"}


@Language.factory("gestae_actors", default_config={"actors_file": None},
                  assigns=["doc._.actors"], requires=["doc.ents"])
def make_actors_stage(nlp: Language, name: str, actors_file: str | None):
    return ActorsStage(actors_file)


class ActorsStage:
    def __init__(self, actors_file: str | None = None):
        self.actors_file = actors_file

    def __call__(self, doc: Doc) -> Doc:
        groups: dict[str, list] = {}
        for ent in doc.ents:
            if ent.label_ in KIND_BY_LABEL:
                groups.setdefault(ent.text, []).append(ent)
        actors = []
        for i, (name, ents) in enumerate(groups.items()):
            actors.append(Actor(id=f"a{i + 1}", name=name, kind=KIND_BY_LABEL[ents[0].label_], country=None,
                                mentions=tuple(Span(e.start_char, e.end_char, e.text) for e in ents)))
        doc._.actors = actors
        return doc


def actor_at(doc: Doc, start: int, end: int) -> Actor | None:
    best, best_len = None, 0
    for a in doc._.actors or ():
        for m in a.mentions:
            inter = min(end, m.end) - max(start, m.start)
            if inter > best_len:
                best, best_len = a, inter
    return best


def add_actor(doc: Doc, start: int, end: int, kind: str = "group") -> Actor:
    found = actor_at(doc, start, end)
    if found is not None:
        return found
    actors = list(doc._.actors or ())
    text = doc.text[start:end]
    actor = Actor(id=f"a{len(actors) + 1}", name=text, kind=kind, country=None,
                  mentions=(Span(start, end, text),))
    actors.append(actor)
    doc._.actors = actors
    return actor

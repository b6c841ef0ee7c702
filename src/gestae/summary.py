"""A readable summary of one analysis: quotes with speakers, events with dates and evidence."""
from __future__ import annotations

import textwrap
from typing import Any


def actor_label(actors: dict[str, dict[str, Any]], actor_id: str | None) -> str:
    a = actors.get(actor_id or "")
    if not a:
        return "-"
    code = a.get("code") or a.get("country") or "?"
    return f"{a['name']} ({code})"


def summarize(analysis: dict[str, Any], width: int = 100) -> str:
    art = analysis["article"]
    text = art["text"]
    actors = {a["id"]: a for a in analysis.get("actors", [])}
    lines = [f"== {art.get('title') or art['id']}  (published {art.get('published') or 'unknown'})", ""]
    lines.append(f"Quotes ({len(analysis.get('quotes', []))})")
    for q in analysis.get("quotes", []):
        who = actor_label(actors, q.get("speaker"))
        body = textwrap.shorten(q["text"], width=width - 8, placeholder=" ...")
        lines.append(f"  {who} [{q['kind']}]")
        lines.append(f"      {body}")
    lines.append("")
    lines.append(f"Events ({len(analysis.get('events', []))})")
    for e in analysis.get("events", []):
        flags = "".join(f" [{f}]" for f in ("negated", "hypothetical") if e.get(f))
        src, tgt = actor_label(actors, e.get("source")), actor_label(actors, e.get("target"))
        lines.append(f"  {e.get('date') or 'date?'}  {src} -> {e['type']} -> {tgt}  "
                     f"CAMEO {e.get('cameo') or '-'} ({e.get('goldstein')}){flags}")
        sent = text[e["sentence"]["start"]:e["sentence"]["end"]].replace("\n", " ")
        lines.append("      " + textwrap.shorten(f"“{sent}”", width=width - 6, placeholder=" ...”"))
    return "\n".join(lines)

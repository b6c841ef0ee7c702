"""Across articles: merge reports of the same event, count dyads per period, export the actor network,
plot cooperation and conflict over time.

    >>> from gestae.store import Store
    >>> from gestae import aggregate
    >>> store = Store("corpus.db")                                          # doctest: +SKIP
    >>> merged = aggregate.merge_events(store.events_df(factual=True))      # doctest: +SKIP
    >>> table = aggregate.dyads(store, freq="month", dyads=["RUS-CHN"])     # doctest: +SKIP

Merging: event mentions with the same (source, type, target, day) are one event; it keeps how many
mentions and articles report it and every sentence that does, with its article and offsets (the
evidence GDELT's NumMentions counts but does not keep); mentions missing the source or the target are
not merged, as nothing says two of them are the same event. ``source``/``target`` are the actors' CAMEO
codes (``by="code"``, falling back to the country, then the name) or their countries
(``by="country"``); ``day`` is the event's own date (its first day, for a week or month) or, when the
text gives none, the article's publication date.
"""
from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import ConfigError

if TYPE_CHECKING:
    import pandas as pd

    from .store import Store

FREQS = {"day": "D", "week": "W", "month": "M", "quarter": "Q", "year": "Y"}
MERGE_KEY = ("source", "type", "target", "day")


def _key_columns(df: pd.DataFrame, by: str) -> tuple[pd.Series, pd.Series]:
    if by == "country":
        return df["source_country"], df["target_country"]
    if by == "code":
        # A code without a country ("GOV": some government) would lump unrelated actors: use the name then.
        def key(side: str) -> pd.Series:
            known = df[f"{side}_country"].notna()
            return df[f"{side}_code"].fillna(df[f"{side}_country"]).where(known, df[f"{side}_name"])

        return key("source"), key("target")
    if by == "name":
        return df["source_name"], df["target_name"]
    raise ConfigError(f"merge key must be code, country or name, got {by!r}")


def merge_events(events: pd.DataFrame, *, by: str = "code") -> pd.DataFrame:
    """One row per (source, type, target, day) from event mentions (``Store.events_df``), with
    ``mentions``, ``articles``, mean ``goldstein``, the most frequent ``cameo`` and ``evidence``: a list
    of {article_id, event_id, sentence_start, sentence_end, sentence} for every mention, in order."""
    import pandas as pd

    cols = [*MERGE_KEY, "mentions", "articles", "goldstein", "cameo", "source_name", "target_name",
            "source_country", "target_country", "symmetric", "evidence"]
    if events.empty:
        return pd.DataFrame(columns=cols)
    df = events.copy()
    df["source"], df["target"] = _key_columns(df, by)
    # Missing actors still group (as ""), so an event with no target is merged with its like, not lost.
    df[["source", "target"]] = df[["source", "target"]].fillna("")
    df["day"] = df["day"].fillna("")
    # A symmetric event ("talks between A and B") is the same event whichever side a report names first.
    sym = df["symmetric"].astype(bool) & (df["source"] > df["target"]) if "symmetric" in df else None
    if sym is not None and sym.any():
        swap = {"source": "target", "target": "source", "source_name": "target_name", "target_name": "source_name",
                "source_country": "target_country", "target_country": "source_country"}
        df.loc[sym, list(swap)] = df.loc[sym, list(swap.values())].to_numpy()
    df = df.sort_values(["day", "article_id", "trigger_start", "id"], kind="stable")
    # Without an actor on both sides nothing says two reports are of one event: those stay apart.
    df["_solo"] = (df["article_id"] + "#" + df["id"]).where((df["source"] == "") | (df["target"] == ""), "")
    rows = []
    for key, g in df.groupby([*MERGE_KEY, "_solo"], sort=True, dropna=False):
        key = key[:-1]
        gold = g["goldstein"].dropna()
        cameo = g["cameo"].dropna()
        rows.append({
            **dict(zip(MERGE_KEY, key, strict=True)),
            "mentions": len(g),
            "articles": g["article_id"].nunique(),
            "goldstein": float(gold.mean()) if len(gold) else math.nan,
            "cameo": cameo.mode().iloc[0] if len(cameo) else None,
            "source_name": _most_common(g["source_name"]),
            "target_name": _most_common(g["target_name"]),
            "source_country": _most_common(g["source_country"]),
            "target_country": _most_common(g["target_country"]),
            "symmetric": bool(g["symmetric"].astype(bool).any()) if "symmetric" in g else False,
            "evidence": [{"article_id": r.article_id, "event_id": r.id, "sentence_start": r.sentence_start,
                          "sentence_end": r.sentence_end, "sentence": r.sentence_text}
                         for r in g.itertuples(index=False)],
        })
    out = pd.DataFrame(rows, columns=cols)
    out = out.replace({"source": {"": None}, "target": {"": None}, "day": {"": None}})
    return out.sort_values(["day", "source", "type", "target"], kind="stable", na_position="last",
                           ignore_index=True)


def _most_common(s: pd.Series) -> Any:
    s = s.dropna()
    return s.mode().iloc[0] if len(s) else None


def _mask(keep: list[bool], df: pd.DataFrame) -> pd.Series:
    # A Series, not a list: an empty list would select columns, not rows.
    import pandas as pd

    return pd.Series(keep, index=df.index, dtype=bool)


def parse_dyads(specs: Iterable[str]) -> list[tuple[str, str]]:
    """'RUS-CHN' (or RUS->CHN, RUS:CHN) -> ('RUS', 'CHN'): a directed dyad, source first."""
    out = []
    for spec in specs:
        for part in spec.split(","):
            part = part.strip().upper().replace("->", "-").replace(":", "-")
            if not part:
                continue
            a, sep, b = part.partition("-")
            if not sep or not a or not b:
                raise ConfigError(f"a dyad is SOURCE-TARGET, e.g. RUS-CHN; got {spec!r}")
            out.append((a, b))
    return out


def dyads(source: Store | pd.DataFrame, *, freq: str = "month", dyads: Sequence[str] | None = None,
          factual: bool = True) -> pd.DataFrame:
    """Per directed country dyad and period: merged ``events``, ``mentions``, ``articles`` and the mean
    Goldstein score of the merged events (−10 conflict … +10 cooperation).

    ``source`` is a Store or an event-mentions DataFrame; ``freq`` one of day/week/month/quarter/year;
    ``dyads`` e.g. ["RUS-CHN", "CHN-RUS"] keeps only those; ``factual`` leaves out negated and
    hypothetical events (they did not happen). Events without a country on both sides are left out;
    a symmetric event ("talks between A and B") counts for both A→B and B→A.
    """
    import pandas as pd

    if freq not in FREQS:
        raise ConfigError(f"--freq must be one of {', '.join(FREQS)}, got {freq!r}")
    wanted = parse_dyads(dyads or ())
    events = source if isinstance(source, pd.DataFrame) else source.events_df(factual=factual)
    if factual and not events.empty:
        events = events[(events["negated"] == 0) & (events["hypothetical"] == 0)]
    events = events.dropna(subset=["source_country", "target_country", "day"])
    if wanted:
        pairs = set(wanted) | {(t, s) for s, t in wanted}  # either way round: symmetric events count both ways
        keep = [(s, t) in pairs for s, t in zip(events["source_country"], events["target_country"], strict=True)]
        events = events.loc[_mask(keep, events)]
    cols = ["period", "source", "target", "events", "mentions", "articles", "goldstein"]
    if events.empty:
        return pd.DataFrame(columns=cols)
    merged = merge_events(events, by="country")
    # A symmetric event is cooperation (or conflict) in both directions of its dyad.
    back = merged[merged["symmetric"] & (merged["source"] != merged["target"])]
    back = back.rename(columns={"source": "target", "target": "source"})
    merged = pd.concat([merged, back[merged.columns]], ignore_index=True)
    if wanted:
        merged = merged.loc[_mask([(s, t) in set(wanted) for s, t in zip(merged["source"], merged["target"], strict=True)], merged)]
    if merged.empty:
        return pd.DataFrame(columns=cols)
    merged["period"] = pd.PeriodIndex(pd.to_datetime(merged["day"]), freq=FREQS[freq]).astype(str)
    grouped = merged.groupby(["period", "source", "target"], sort=True)
    out = grouped.agg(events=("type", "size"), mentions=("mentions", "sum"), goldstein=("goldstein", "mean"))
    out["articles"] = grouped["evidence"].apply(lambda ev: len({e["article_id"] for lst in ev for e in lst}))
    return out.reset_index()[cols]


def plot_dyads(table: pd.DataFrame, path: str | Path, *, dyads: Sequence[str], freq: str = "month",
               title: str | None = None) -> Path:
    """Mean Goldstein per period for each dyad (top) and its event count (bottom), each line labelled
    at its end so no legend is needed. Written with matplotlib's Agg backend (no display)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import pandas as pd

    wanted = parse_dyads(dyads)
    if not wanted:
        raise ConfigError("name the dyads to plot, e.g. --dyad RUS-CHN --dyad CHN-RUS")
    fig, (ax_g, ax_n) = plt.subplots(2, 1, figsize=(10, 6.2), sharex=True, height_ratios=[3, 1.3],
                                     constrained_layout=True)
    colors = ["#c0392b", "#1f5fa8", "#2e8b57", "#8e44ad", "#d68910", "#5d6d7e"]
    shown = table.loc[_mask([(s, t) in set(wanted) for s, t in zip(table["source"], table["target"], strict=True)], table)]
    periods = sorted(set(shown["period"]))
    span = [str(p) for p in pd.period_range(periods[0], periods[-1], freq=FREQS[freq])] if periods else []
    # A sparse corpus (a few months over years) would be dots lost on a long axis: then the axis has only
    # the periods with events, evenly spaced, and a dotted line marks each jump over empty ones.
    compressed = len(span) > 3 * len(periods) and len(span) > 24
    axis = periods if compressed else span
    x_of = {p: i for i, p in enumerate(axis)}
    for i, (s, t) in enumerate(wanted):
        color = colors[i % len(colors)]
        d = shown[(shown["source"] == s) & (shown["target"] == t)].sort_values("period")
        label = f"{s} → {t}"
        if d.empty:
            ax_g.annotate(f"{label}: no events", xy=(0.01, 0.97 - 0.07 * i), xycoords="axes fraction",
                          color=color, fontsize=10, va="top", fontweight="bold")
            continue
        xs = [x_of[p] for p in d["period"]]
        if compressed:
            ax_g.plot(xs, d["goldstein"].to_numpy(), color=color, linewidth=1.6, alpha=0.8)
        else:  # gaps (periods with no events) stay gaps
            ys = pd.Series(d["goldstein"].to_numpy(), index=xs).reindex(range(min(xs), max(xs) + 1))
            ax_g.plot(ys.index, ys.to_numpy(), color=color, linewidth=1.8)
        ax_g.scatter(xs, d["goldstein"], color=color, s=12 + 6 * d["events"].clip(upper=10), zorder=3)
        n_events = int(d["events"].sum())
        ax_g.annotate(f"{label} ({n_events} events)", xy=(xs[-1], d["goldstein"].iloc[-1]),
                      xytext=(8, 10 - 16 * i), textcoords="offset points", color=color, fontsize=10,
                      fontweight="bold")
        width = 0.8 / len(wanted)
        ax_n.bar([x - 0.4 + width * (i + 0.5) for x in xs], d["events"], width=width, color=color)
    if compressed:
        jumps = [j for j in range(1, len(axis)) if pd.Period(axis[j]) - pd.Period(axis[j - 1]) != pd.Period(axis[j]).freq * 1]
        for ax in (ax_g, ax_n):
            for j in jumps:
                ax.axvline(j - 0.5, color="#bbb", linestyle=":", linewidth=1)
    ax_g.axhline(0, color="#888", linewidth=0.8)
    ax_g.set_ylim(-10.5, 10.5)
    ax_g.set_ylabel("mean Goldstein score")
    ax_g.text(0.995, 0.98, "cooperation ▲", transform=ax_g.transAxes, ha="right", va="top", fontsize=9, color="#555")
    ax_g.text(0.995, 0.02, "conflict ▼", transform=ax_g.transAxes, ha="right", va="bottom", fontsize=9, color="#555")
    ax_g.grid(axis="y", alpha=0.3)
    ax_n.set_ylabel(f"events per {freq}")
    ax_n.grid(axis="y", alpha=0.3)
    if axis:
        step = max(1, len(axis) // 14)
        ticks = list(range(0, len(axis), step))
        ax_n.set_xticks(ticks, [axis[j] for j in ticks], rotation=45, ha="right", fontsize=8)
        ax_n.set_xlim(-1, len(axis) + max(2, len(axis) // 4))  # room for the labels at the line ends
    else:  # nothing to draw: say so where the lines would be, not with an empty 0..1 axis
        ax_n.set_xticks([])
        ax_g.text(0.5, 0.5, "no events for these dyads in this store", transform=ax_g.transAxes, ha="center",
                  va="center", fontsize=12, color="#555")
    if compressed:
        ax_n.set_xlabel(f"{freq}s with events only (dotted lines skip empty {freq}s)", fontsize=8, color="#555")
    names = ", ".join(f"{s}→{t}" for s, t in wanted)
    ax_g.set_title(title or f"Cooperation and conflict per {freq}: {names}", fontsize=12, loc="left")
    path = Path(path)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def write_graphml(store: Store, path: str | Path, *, by: str = "country", factual: bool = True) -> dict[str, int]:
    """The actor network as GraphML: a node per actor (its country, code or name, per ``by``), a directed
    edge per (source, target) weighted by merged events, with mentions, articles and mean Goldstein."""
    from xml.sax.saxutils import quoteattr

    merged = merge_events(store.events_df(factual=factual), by=by)
    merged = merged.dropna(subset=["source", "target"])
    nodes: dict[str, dict[str, Any]] = {}
    for r in merged.itertuples(index=False):
        for key, name, country in ((r.source, r.source_name, r.source_country),
                                   (r.target, r.target_name, r.target_country)):
            nodes.setdefault(key, {"label": key if by == "country" else (name or key), "country": country or ""})
    edges = (merged.groupby(["source", "target"], sort=True)
             .agg(weight=("type", "size"), mentions=("mentions", "sum"), goldstein=("goldstein", "mean"),
                  articles=("evidence", lambda ev: len({e["article_id"] for lst in ev for e in lst})))
             .reset_index())
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<graphml xmlns="http://graphml.graphdrawing.org/xmlns">',
             '  <key id="label" for="node" attr.name="label" attr.type="string"/>',
             '  <key id="country" for="node" attr.name="country" attr.type="string"/>',
             '  <key id="weight" for="edge" attr.name="weight" attr.type="int"/>',
             '  <key id="mentions" for="edge" attr.name="mentions" attr.type="int"/>',
             '  <key id="articles" for="edge" attr.name="articles" attr.type="int"/>',
             '  <key id="goldstein" for="edge" attr.name="goldstein" attr.type="double"/>',
             '  <graph id="actors" edgedefault="directed">']
    for key in sorted(nodes):
        n = nodes[key]
        lines.append(f'    <node id={quoteattr(key)}><data key="label">{_esc(n["label"])}</data>'
                     f'<data key="country">{_esc(n["country"])}</data></node>')
    for i, e in enumerate(edges.itertuples(index=False)):
        g = "" if e.goldstein != e.goldstein else f'<data key="goldstein">{e.goldstein:.3f}</data>'
        lines.append(f'    <edge id="e{i}" source={quoteattr(e.source)} target={quoteattr(e.target)}>'
                     f'<data key="weight">{e.weight}</data><data key="mentions">{e.mentions}</data>'
                     f'<data key="articles">{e.articles}</data>{g}</edge>')
    lines += ["  </graph>", "</graphml>", ""]
    Path(path).write_text("\n".join(lines), encoding="utf-8")
    return {"nodes": len(nodes), "edges": len(edges)}


def _esc(s: Any) -> str:
    from xml.sax.saxutils import escape

    return escape(str(s))

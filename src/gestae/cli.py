"""The command line: thin wrappers over library calls; typed errors become one-line messages here."""
from __future__ import annotations

import contextlib
import errno
import json
import sqlite3
import sys
import time
import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

import click

from . import __version__
from .config import Config, parse_date
from .errors import ConfigError, GestaeError, InputError
from .model import Article


def fail(message: str, code: int = 2) -> None:
    click.echo(f"gestae: error: {message}", err=True)
    sys.exit(code)


class Progress:
    """Articles done, rate and ETA on a terminal's stderr; silent in pipes."""

    def __init__(self, total: int | None = None, enabled: bool | None = None):
        self.total = total
        self.done = 0
        self.start = time.monotonic()
        self.enabled = sys.stderr.isatty() if enabled is None else enabled
        self._last = 0.0

    def step(self, n: int = 1) -> None:
        self.done += n
        now = time.monotonic()
        if not self.enabled or now - self._last < 0.2:
            return
        self._last = now
        rate = self.done / max(now - self.start, 1e-9)
        eta = f", ETA {((self.total - self.done) / rate):.0f}s" if self.total and rate else ""
        of = f"/{self.total}" if self.total else ""
        sys.stderr.write(f"\r{self.done}{of} articles, {rate:.1f}/s{eta}   ")
        sys.stderr.flush()

    def close(self) -> None:
        if self.enabled and self.done:
            sys.stderr.write("\n")


def open_output(path: str | None) -> TextIO:
    if path in (None, "-"):
        return sys.stdout
    try:
        return open(path, "w", encoding="utf-8")
    except OSError as e:
        fail(f"{path}: cannot write: {e.strerror or e}")
        raise  # unreachable


def config_from_options(**kw: Any) -> Config:
    try:
        return Config(**{k: v for k, v in kw.items() if v is not None})
    except ConfigError as e:
        fail(str(e))
        raise


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="gestae")
def main() -> None:
    """gestae: who did what to whom, when and where, and who said so, from news articles."""


@main.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--published", help="Publication date YYYY-MM-DD for inputs that carry none.")
@click.option("--format", "fmt", type=click.Choice(["json", "jsonl"]), default=None,
              help="json: one object (an array for several articles); jsonl: one analysis a line. "
                   "Default: json for one file of one article, jsonl otherwise.")
@click.option("-o", "--output", help="Write here instead of standard output.")
@click.option("--actors", "actors_file", type=click.Path(dir_okay=False), help="Extra actors (YAML or CSV).")
@click.option("--max-chars", type=int, help="Refuse articles longer than this (default 1,000,000).")
def extract(paths: tuple[str, ...], published: str | None, fmt: str | None, output: str | None,
            actors_file: str | None, max_chars: int | None) -> None:
    """Analyse articles: PATH is .txt, .html, .json, .jsonl, a folder of them, or - for standard input."""
    from . import analyze_articles
    from .ingest import read_inputs

    try:
        published = parse_date(published, "--published")
    except ConfigError as e:
        fail(str(e))
    config = config_from_options(actors_file=Path(actors_file) if actors_file else None, max_chars=max_chars)
    failures: list[Any] = []
    warned: set[str] = set()

    def articles() -> Iterator[Article]:
        for item in read_inputs(paths, published=published, max_chars=config.max_chars):
            if isinstance(item, InputError):
                failures.append(item)
                click.echo(f"gestae: error: {item}", err=True)
            else:
                for w in item.warnings:
                    if w not in warned:  # one warning a file, not one per record of it
                        warned.add(w)
                        click.echo(f"gestae: warning: {w}", err=True)
                yield item

    def on_error(article: Article, e: Exception) -> None:
        # A bug met on one article is reported, with where it happened, and the batch goes on.
        failures.append(e)
        frames = traceback.extract_tb(e.__traceback__)
        ours = [f for f in frames if f.filename.startswith(str(Path(__file__).parent))]  # the gestae frame
        where = (ours or frames or [None])[-1]
        at = f" at {Path(where.filename).name}:{where.lineno}" if where else ""
        click.echo(f"gestae: error: {article.origin or article.id}: analysis failed "
                   f"({type(e).__name__}{at}: {e})", err=True)

    single = fmt == "json" or (fmt is None and len(paths) == 1 and Path(paths[0]).suffix.lower() in
                               {".txt", ".html", ".htm", ".json", ""} and not Path(paths[0]).is_dir())
    out = open_output(output)
    # A terminal or pipe that is not UTF-8 (PYTHONIOENCODING=ascii, a Latin-1 locale) gets \u escapes:
    # the same JSON, still valid, instead of a UnicodeEncodeError after the work is done.
    ascii_only = not (getattr(out, "encoding", None) or "utf-8").lower().replace("-", "").startswith("utf")
    progress = Progress()
    n_ok = 0
    try:
        results = []
        for analysis in analyze_articles(articles(), config=config, on_error=on_error):
            n_ok += 1
            progress.step()
            if single:
                results.append(analysis.to_dict())
            else:
                out.write(json.dumps(analysis.to_dict(), ensure_ascii=ascii_only) + "\n")
        if single and results:
            payload: Any = results[0] if len(results) == 1 else results
            out.write(json.dumps(payload, ensure_ascii=ascii_only, indent=1) + "\n")
        out.flush()
    except GestaeError as e:
        fail(str(e))
    except OSError as e:  # the output cannot be written (disk full ...); a closed pipe is click's to handle
        if e.errno == errno.EPIPE:
            raise
        if out is not sys.stdout:
            with contextlib.suppress(OSError):  # the same error again, reported below
                out.close()
        fail(f"{output or 'standard output'}: cannot write: {e.strerror or e}", 1)
    finally:
        progress.close()
        if out is not sys.stdout and not out.closed:
            try:
                out.close()
            except OSError as e:
                fail(f"{output}: cannot write: {e.strerror or e}", 1)
    if failures or n_ok != 1:
        click.echo(f"gestae: {n_ok} articles analysed, {len(failures)} failed", err=True)
    if n_ok == 0:
        sys.exit(1)


def read_analyses(path: str) -> list[dict[str, Any]]:
    """Analyses from a json (object or array) or jsonl file written by extract."""
    try:
        raw = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
    except OSError as e:
        fail(f"{path}: cannot read: {e.strerror or e}")
    except UnicodeDecodeError as e:
        fail(f"{path}: not UTF-8 JSON ({e.reason} at byte {e.start})")
    raw = raw.strip()
    try:
        data = json.loads(raw)
        return data if isinstance(data, list) else [data]
    except (json.JSONDecodeError, RecursionError):
        pass
    out = []
    # Only \n ends a JSON line: extract writes U+2028, U+0085 ... unescaped inside strings (splitlines would cut there).
    for n, line in enumerate(raw.split("\n"), 1):
        if line.strip():
            try:
                out.append(json.loads(line))
            except json.JSONDecodeError as e:
                fail(f"{path}:{n}: invalid JSON ({e.msg})")
            except RecursionError:
                fail(f"{path}:{n}: invalid JSON (nested too deeply)")
    return out


@main.command()
@click.argument("path", default="-")
def show(path: str) -> None:
    """Print an analysis (from extract) as a readable summary: quotes with speakers, events with dates."""
    from .summary import summarize

    for a in read_analyses(path):
        click.echo(summarize(a))


@main.command()
@click.argument("pred", type=click.Path(dir_okay=False))
@click.argument("gold", nargs=-1, required=True)
@click.option("--details", is_flag=True, help="Also print per-article figures.")
def evaluate(pred: str, gold: tuple[str, ...], details: bool) -> None:
    """Score PRED.jsonl (extract output) against gold files (shared/spec/annotation.md format)."""
    from .evaluate import load_gold, load_predictions, score_gold

    try:
        result = score_gold(load_predictions(pred), load_gold(gold))
    except (GestaeError, OSError) as e:
        fail(str(e))
    for gid in result["missing"]:
        click.echo(f"gestae: warning: no prediction for {gid}", err=True)
    if not details:
        result.pop("articles")
    q, e = result["quotes"], result["events"]
    click.echo(f"quotes    P {q['p']:.2f}  R {q['r']:.2f}  F1 {q['f1']:.2f}   speakers {result['speaker_accuracy']:.2f}",
               err=True)
    click.echo(f"events    P {e['p']:.2f}  R {e['r']:.2f}  F1 {e['f1']:.2f}   dates {result['event_date_accuracy']}",
               err=True)
    click.echo(json.dumps(result, ensure_ascii=False))


@main.command()
@click.option("--db", type=click.Path(dir_okay=False), help="A store written by `gestae ingest` (opened read-only).")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to bind; loopback unless you mean it.")
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--allow-url-fetch", is_flag=True, help="Let users ask the server to download a URL to analyse.")
def serve(db: str | None, host: str, port: int, allow_url_fetch: bool) -> None:
    """Open the web app: read an article with its quotes and events laid over it, browse a store."""
    try:
        from .web import serve as run_server
    except ImportError as e:
        fail(f"the web app needs its extra: pip install 'gestae[web]' ({e})")
    if db and not Path(db).is_file():
        fail(f"{db}: store not found")
    run_server(db, host=host, port=port, allow_url_fetch=allow_url_fetch)


# -- corpora: ingest into a store, query it, aggregate (gestae.corpus, gestae.store, gestae.aggregate) --
def _store(db: str) -> Any:
    from .store import Store

    try:
        return Store(db, readonly=True)
    except GestaeError as e:
        fail(str(e))


def _write_table(df: Any, fmt: str, output: str | None, columns: list[str] | None = None) -> None:
    from .store import write_frame

    try:
        if fmt == "parquet":
            write_frame(df, fmt, path=output)
            return
        out = open_output(output)
        try:
            write_frame(df, fmt, out, columns=columns)
        finally:
            if out is not sys.stdout:
                out.close()
    except GestaeError as e:
        fail(str(e))


def _dates(since: str | None, until: str | None) -> tuple[str | None, str | None]:
    try:
        return parse_date(since, "--since"), parse_date(until, "--until")
    except ConfigError as e:
        fail(str(e))
        raise


FORMAT_OPTION = click.option("--format", "fmt", type=click.Choice(["table", "csv", "jsonl", "parquet"]),
                             default="table", show_default=True, help="parquet needs -o FILE.")


@main.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--db", required=True, type=click.Path(dir_okay=False), help="The SQLite store (created if missing).")
@click.option("--workers", type=click.IntRange(min=1), default=1, show_default=True, help="Local analysis processes.")
@click.option("--dask", "dask_address", metavar="ADDRESS", help="Analyse on this Dask scheduler (tcp://host:8786).")
@click.option("--published", help="Publication date YYYY-MM-DD for inputs that carry none.")
@click.option("--force", is_flag=True, help="Re-analyse articles already stored unchanged.")
@click.option("--actors", "actors_file", type=click.Path(dir_okay=False), help="Extra actors (YAML or CSV).")
@click.option("--max-chars", type=int, help="Refuse articles longer than this (default 1,000,000).")
def ingest(paths: tuple[str, ...], db: str, workers: int, dask_address: str | None, published: str | None,
           force: bool, actors_file: str | None, max_chars: int | None) -> None:
    """Analyse articles into a store; skips what is stored unchanged, so a stopped run resumes."""
    from .corpus import ingest as run_ingest

    try:
        published = parse_date(published, "--published")
    except ConfigError as e:
        fail(str(e))
    config = config_from_options(actors_file=Path(actors_file) if actors_file else None, max_chars=max_chars)
    try:
        summary = run_ingest(paths, db, workers=workers, dask=dask_address, published=published, config=config,
                             force=force)
    except KeyboardInterrupt:
        fail("interrupted; every article written so far is kept: run the same command again to resume", 130)
        raise
    except GestaeError as e:
        fail(str(e))
        raise
    except OSError as e:  # e.g. a Dask scheduler that cannot be reached
        fail(f"{type(e).__name__}: {e}")
        raise
    except sqlite3.Error as e:  # full or read-only disk, a lock held elsewhere: the store's fault, not an article's
        fail(f"{db}: cannot write to the store ({e}); every article written so far is kept: "
             "fix this and run the same command again to resume", 1)
        raise
    for line in summary.lines():
        click.echo(line)
    if summary.failed and not (summary.analysed or summary.skipped):
        sys.exit(1)


@main.command()
@click.option("--db", required=True, type=click.Path(dir_okay=False))
@click.option("--actor", help="A CAMEO code (RUSGOV) or part of a name, as source or target.")
@click.option("--country", help="ISO alpha-3 codes, comma-separated, as source or target.")
@click.option("--type", "type_", help="PLOVER types, comma-separated (CONSULT,AGREE).")
@click.option("--since", help="From this day (YYYY-MM-DD) on.")
@click.option("--until", help="Up to this day (YYYY-MM-DD).")
@click.option("--search", help="FTS5 query over the events' sentences.")
@click.option("--factual", is_flag=True, help="Leave out negated and hypothetical events.")
@click.option("--merged", is_flag=True, help="One row per (source, type, target, day) across articles, with "
                                             "mention and article counts and every sentence.")
@click.option("--by", type=click.Choice(["code", "country", "name"]), default="code", show_default=True,
              help="With --merged: what makes two actors the same.")
@FORMAT_OPTION
@click.option("-o", "--output", help="Write here instead of standard output.")
def events(db: str, actor: str | None, country: str | None, type_: str | None, since: str | None,
           until: str | None, search: str | None, factual: bool, merged: bool, by: str, fmt: str,
           output: str | None) -> None:
    """Events in a store, filtered; one row per mention, or merged across articles."""
    from .aggregate import merge_events

    since, until = _dates(since, until)
    try:
        df = _store(db).events_df(actor=actor, country=country, type=type_, since=since, until=until,
                                  search=search, factual=factual)
        if merged:
            df = merge_events(df, by=by)
    except GestaeError as e:
        fail(str(e))
        raise
    if merged:
        if fmt == "table":
            df = df.assign(sentence=[ev[0]["sentence"] if ev else None for ev in df["evidence"]])
        cols = ["day", "source", "type", "target", "mentions", "articles", "goldstein", "sentence"]
    else:
        cols = ["day", "source_name", "source_country", "type", "target_name", "target_country", "goldstein",
                "article_id", "sentence_text"]
    _write_table(df, fmt, output, cols)


@main.command()
@click.option("--db", required=True, type=click.Path(dir_okay=False))
@click.option("--actor", help="A CAMEO code or part of a name.")
@click.option("--country", help="ISO alpha-3 codes, comma-separated.")
@click.option("--kind", type=click.Choice(["person", "organization", "state", "group", "location", "other"]))
@click.option("--search", help="FTS5 query over article text: actors of the matching articles.")
@FORMAT_OPTION
@click.option("-o", "--output", help="Write here instead of standard output.")
def actors(db: str, actor: str | None, country: str | None, kind: str | None, search: str | None, fmt: str,
           output: str | None) -> None:
    """Actors in a store with the articles, mentions and events that name them, most mentioned first."""
    try:
        df = _store(db).actors_df(actor=actor, country=country, kind=kind, search=search)
    except GestaeError as e:
        fail(str(e))
        raise
    _write_table(df, fmt, output)


@main.command()
@click.option("--db", required=True, type=click.Path(dir_okay=False))
@click.option("--graphml", required=True, type=click.Path(dir_okay=False), help="Write the actor network here.")
@click.option("--by", type=click.Choice(["country", "code", "name"]), default="country", show_default=True,
              help="What a node is.")
def export(db: str, graphml: str, by: str) -> None:
    """Export the actor network (directed edges weighted by merged events) as GraphML."""
    from .aggregate import write_graphml

    try:
        n = write_graphml(_store(db), graphml, by=by)
    except GestaeError as e:
        fail(str(e))
        raise
    click.echo(f"{graphml}: {n['nodes']} actors, {n['edges']} directed edges")


@main.command()
@click.option("--db", required=True, type=click.Path(dir_okay=False))
@click.option("--freq", type=click.Choice(["day", "week", "month", "quarter", "year"]), default="month",
              show_default=True)
@click.option("--dyad", "dyad_specs", multiple=True, metavar="SRC-TGT", help="e.g. RUS-CHN; repeatable.")
@click.option("--plot", type=click.Path(dir_okay=False), help="Also draw the chosen dyads to this PNG.")
@FORMAT_OPTION
@click.option("-o", "--output", help="Write the table here instead of standard output.")
def dyads(db: str, freq: str, dyad_specs: tuple[str, ...], plot: str | None, fmt: str, output: str | None) -> None:
    """Events and mean Goldstein score per directed country dyad and period."""
    from .aggregate import dyads as dyad_table
    from .aggregate import plot_dyads

    try:
        table = dyad_table(_store(db), freq=freq, dyads=dyad_specs or None)
        if plot:
            plot_dyads(table, plot, dyads=dyad_specs, freq=freq)
    except GestaeError as e:
        fail(str(e))
        raise
    _write_table(table, fmt, output)
    if plot:
        click.echo(f"gestae: plot written to {plot}", err=True)


@main.command()
@click.argument("paths", nargs=-1)
@click.option("--published", help="Publication date YYYY-MM-DD for inputs that carry none.")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv", "jsonl", "parquet"]), default="table",
              show_default=True, help="parquet needs -o FILE.")
@click.option("-o", "--output", help="Write here instead of standard output.")
@click.option("--db", type=click.Path(dir_okay=False), help="Query a store (gestae ingest) instead of analysing PATHs.")
@click.option("--actor", help="With --db: the speaker's CAMEO code or part of the name.")
@click.option("--country", help="With --db: the speaker's country codes, comma-separated.")
@click.option("--since", help="With --db: articles published from this day (YYYY-MM-DD) on.")
@click.option("--until", help="With --db: articles published up to this day.")
@click.option("--search", help="With --db: FTS5 query over the quote text.")
def quotes(paths: tuple[str, ...], published: str | None, fmt: str, output: str | None, db: str | None,
           actor: str | None, country: str | None, since: str | None, until: str | None,
           search: str | None) -> None:
    """Who said what: the quotes of articles (PATH as for extract) with their speakers, or of a store (--db)."""
    from . import analyze_articles
    from .ingest import read_inputs
    from .quotes import format_quotes, quote_rows

    if db:
        _store_quotes(db, fmt, output, actor=actor, country=country, since=since, until=until, search=search)
        return
    if not paths:
        fail("give PATH... to analyse, or --db FILE to query a store")
    try:
        published = parse_date(published, "--published")
    except ConfigError as e:
        fail(str(e))
    config = Config()
    rows, n_ok, n_bad = [], 0, 0

    def articles() -> Iterator[Article]:
        nonlocal n_bad
        for item in read_inputs(paths, published=published, max_chars=config.max_chars):
            if isinstance(item, InputError):
                n_bad += 1
                click.echo(f"gestae: error: {item}", err=True)
            else:
                yield item

    try:
        for analysis in analyze_articles(articles(), config=config):
            n_ok += 1
            rows.extend(quote_rows(analysis.to_dict()))
    except GestaeError as e:
        fail(str(e))
    if fmt in ("jsonl", "parquet"):
        import pandas as pd

        from .quotes import QUOTE_COLUMNS

        _write_table(pd.DataFrame(rows, columns=list(QUOTE_COLUMNS)), fmt, output)
    else:
        out = open_output(output)
        out.write(format_quotes(rows, fmt) + "\n")
        if out is not sys.stdout:
            out.close()
    if n_ok == 0:
        sys.exit(1)


def _store_quotes(db: str, fmt: str, output: str | None, **filters: Any) -> None:
    """``gestae quotes --db``: the store's quotes in the same rows and formats as for PATHs."""
    from .quotes import QUOTE_COLUMNS, format_quotes
    from .store import plain_value

    filters["since"], filters["until"] = _dates(filters["since"], filters["until"])
    try:
        df = _store(db).quotes_df(**filters)
    except GestaeError as e:
        fail(str(e))
        raise
    df = df.rename(columns={"article_id": "article", "speaker": "speaker_id", "speaker_name": "speaker",
                            "speaker_country": "country", "source_text": "source", "cue_text": "cue"})
    df = df[list(QUOTE_COLUMNS)]
    if fmt in ("jsonl", "parquet"):
        _write_table(df, fmt, output)
        return
    rows = [{k: plain_value(v) for k, v in r.items()} for r in df.to_dict(orient="records")]
    out = open_output(output)
    out.write(format_quotes(rows, fmt) + "\n")
    if out is not sys.stdout:
        out.close()

if __name__ == "__main__":
    main()

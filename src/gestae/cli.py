"""The command line: thin wrappers over library calls; typed errors become one-line messages here."""
from __future__ import annotations

import json
import sys
import time
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
    failures: list[InputError] = []

    def articles() -> Iterator[Article]:
        for item in read_inputs(paths, published=published, max_chars=config.max_chars):
            if isinstance(item, InputError):
                failures.append(item)
                click.echo(f"gestae: error: {item}", err=True)
            else:
                yield item

    single = fmt == "json" or (fmt is None and len(paths) == 1 and Path(paths[0]).suffix.lower() in
                               {".txt", ".html", ".htm", ".json", ""} and not Path(paths[0]).is_dir())
    out = open_output(output)
    progress = Progress()
    n_ok = 0
    try:
        results = []
        for analysis in analyze_articles(articles(), config=config):
            n_ok += 1
            progress.step()
            if single:
                results.append(analysis.to_dict())
            else:
                out.write(json.dumps(analysis.to_dict(), ensure_ascii=False) + "\n")
        if single and results:
            payload: Any = results[0] if len(results) == 1 else results
            out.write(json.dumps(payload, ensure_ascii=False, indent=1) + "\n")
    except GestaeError as e:
        fail(str(e))
    finally:
        progress.close()
        if out is not sys.stdout:
            out.close()
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
    raw = raw.strip()
    try:
        data = json.loads(raw)
        return data if isinstance(data, list) else [data]
    except json.JSONDecodeError:
        pass
    out = []
    for n, line in enumerate(raw.splitlines(), 1):
        if line.strip():
            try:
                out.append(json.loads(line))
            except json.JSONDecodeError as e:
                fail(f"{path}:{n}: invalid JSON ({e.msg})")
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


if __name__ == "__main__":
    main()

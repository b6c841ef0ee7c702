"""The web app: an article view with quotes and events laid over the text, corpus views over a store,
and a JSON API mirroring the command line (OpenAPI at ``/openapi.json``).

Safety lives here, not in the pages: every template is autoescaped and the pages' scripts only ever
set ``textContent``; a Content-Security-Policy forbids inline script; request bodies are capped (413);
the server fetches no URL unless started with ``allow_url_fetch``; query endpoints open the store
read-only (``file:...?mode=ro``).
"""
from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from fastapi import FastAPI, File, Form, HTTPException, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from pydantic import BaseModel, Field
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .. import analyze_articles
from ..config import Config
from ..errors import GestaeError, InputError
from ..model import PLOVER_TYPES, Article
from . import render
from .corpus import Corpus, CorpusError

HERE = Path(__file__).resolve().parent
DEFAULT_MAX_BODY = 2_000_000  # bytes; an article is rarely over 100 kB
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; "
       "base-uri 'none'; form-action 'self'; frame-ancestors 'none'")


class BodyLimit:
    """ASGI middleware: refuse request bodies over ``limit`` bytes with a clear 413.

    The declared Content-Length is checked first; chunked bodies are counted as they arrive, so a
    client cannot get past the limit by leaving the header out.
    """

    def __init__(self, app: ASGIApp, limit: int):
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            await self.too_large(send)
            return
        body, more = [], True
        size = 0
        while more:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.limit:
                await self.too_large(send)
                return
            body.append(chunk)
            more = message.get("more_body", False)
        replay = [{"type": "http.request", "body": b"".join(body), "more_body": False}]

        async def replay_receive() -> Message:
            return replay.pop() if replay else await receive()

        await self.app(scope, replay_receive, send)

    async def too_large(self, send: Send) -> None:
        response = JSONResponse({"detail": f"request body too large: the limit is {self.limit:,} bytes",
                                 "code": "E413"}, status_code=413)
        await response({"type": "http"}, _no_receive, send)


async def _no_receive() -> Message:  # pragma: no cover - a response never reads the request
    return {"type": "http.disconnect"}


class SecurityHeaders:
    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"] = list(message["headers"]) + [
                    (b"content-security-policy", CSP.encode()),
                    (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"no-referrer"),
                    (b"x-frame-options", b"DENY"),
                ]
            await send(message)

        await self.app(scope, receive, send_with_headers)


class AnalyzeRequest(BaseModel):
    text: str | None = Field(None, description="the article's plain text")
    url: str | None = Field(None, description="fetch this page instead (only when the server runs with --allow-url-fetch)")
    published: str | None = Field(None, description="publication date YYYY-MM-DD; anchors relative dates")
    id: str | None = None
    title: str | None = None
    source: str | None = None


class Analyzer:
    """One spaCy pipeline shared by all requests; a lock keeps it to one document at a time (the
    stages are not written to be re-entrant) and a bound on waiting requests sheds load with a 503
    instead of queueing without end."""

    def __init__(self, config: Config, max_waiting: int = 64):
        self.config = config
        self.lock = threading.Lock()
        self.waiting = threading.BoundedSemaphore(max_waiting)

    def __call__(self, article: Article) -> dict[str, Any]:
        if not self.waiting.acquire(blocking=False):
            raise HTTPException(503, "server busy: too many analyses waiting, retry shortly")
        try:
            with self.lock:
                return next(analyze_articles([article], config=self.config)).to_dict()
        finally:
            self.waiting.release()


def fetch_url(url: str, limit: int, **fields: Any) -> Article:
    """Download a page (http/https only, size-capped) and extract its main text."""
    import urllib.request
    from urllib.parse import urlsplit

    from ..ingest import decode, html_to_article

    if urlsplit(url).scheme not in ("http", "https"):
        raise InputError(url, "only http and https URLs can be fetched")
    req = urllib.request.Request(url, headers={"User-Agent": "gestae"})
    try:
        with urllib.request.urlopen(req, timeout=15) as resp:  # noqa: S310 - scheme checked above
            data = resp.read(limit + 1)
    except OSError as e:  # URLError, HTTPError and timeouts are all OSErrors
        raise InputError(url, f"cannot fetch: {getattr(e, 'reason', None) or e}") from None
    if len(data) > limit:
        raise InputError(url, f"page larger than {limit:,} bytes")
    html, warning = decode(data, url)
    return html_to_article(html, url, url=url, warnings=[warning] if warning else (),
                           **{k: v for k, v in fields.items() if v})


def create_app(db: str | Path | None = None, *, allow_url_fetch: bool = False,
               max_body: int = DEFAULT_MAX_BODY, config: Config | None = None) -> FastAPI:
    """The ASGI app. ``db``: a store written by ``gestae ingest`` (opened read-only), or None."""
    config = config or Config()
    corpus = Corpus(db) if db else None
    analyzer = Analyzer(config)
    templates = Jinja2Templates(directory=str(HERE / "templates"))  # autoescape on for .html
    templates.env.globals.update(country_class=render.country_class, plover_types=PLOVER_TYPES, tone=render.tone,
                                 query_string=render.query_string, edge_query=render.edge_query,
                                 node_query=render.node_query, node_radius=render.node_radius)

    app = FastAPI(title="gestae", version=_version(),
                  description="Sourced event data from news articles: quotes with speakers, coded actors, "
                              "PLOVER/CAMEO events with evidence. Mirrors the gestae command line.")
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    app.state.corpus = corpus
    app.state.allow_url_fetch = allow_url_fetch

    @app.exception_handler(GestaeError)
    async def gestae_error(request: Request, exc: GestaeError) -> JSONResponse:
        return JSONResponse({"detail": str(exc), "code": exc.code}, status_code=422)

    @app.exception_handler(CorpusError)
    async def corpus_error(request: Request, exc: CorpusError) -> JSONResponse:
        return JSONResponse({"detail": str(exc), "code": f"E{exc.status}"}, status_code=exc.status)

    def need_corpus() -> Corpus:
        if corpus is None:
            raise HTTPException(404, "no store: start the server with --db FILE for corpus views")
        return corpus

    def page(request: Request, name: str, **ctx: Any) -> HTMLResponse:
        return templates.TemplateResponse(request, name, {"has_store": corpus is not None, **ctx})

    def article_page(request: Request, analysis: dict[str, Any], stored: bool) -> HTMLResponse:
        actors = {a["id"]: a for a in analysis["actors"]}
        quotes = [{**q, "speaker_name": render.actor_name(actors, q.get("speaker")) if q.get("speaker") else
                   "unknown speaker"} for q in analysis["quotes"]]
        return page(request, "article.html", analysis=analysis, article=analysis["article"], stored=stored,
                    segments=render.segments(analysis), events=render.event_rows(analysis), quotes=quotes,
                    legend=render.legend(analysis), actors=actors)

    # ---------------------------------------------------------------- pages

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def home(request: Request) -> HTMLResponse:
        recent = corpus.articles(limit=20)["items"] if corpus else []
        return page(request, "index.html", recent=recent, allow_url_fetch=allow_url_fetch)

    @app.post("/article", response_class=HTMLResponse, include_in_schema=False)
    def analyze_form(request: Request, text: str = Form(""), published: str = Form(""), title: str = Form(""),
                     url: str = Form(""), file: UploadFile | None = File(None)) -> HTMLResponse:
        try:
            article = form_article(text, published, title, url, file)
            analysis = analyzer(article)
        except GestaeError as e:
            return page(request, "index.html", recent=[], allow_url_fetch=allow_url_fetch, error=str(e),
                        form={"text": text, "published": published, "title": title})
        return article_page(request, analysis, stored=False)

    def form_article(text: str, published: str, title: str, url: str, file: UploadFile | None) -> Article:
        from ..ingest import decode, html_to_article, make_article

        fields = {"published": published or None, "title": title or None}
        if file is not None and file.filename:
            data = file.file.read()
            content, warning = decode(data, file.filename)
            # What reading had to repair (e.g. not UTF-8) goes on to the analysis and the page.
            warned = {"warnings": [warning] if warning else ()}
            if Path(file.filename).suffix.lower() in (".html", ".htm", ".xhtml"):
                return html_to_article(content, file.filename, **fields, **warned, max_chars=config.max_chars)
            return make_article(content, file.filename, **fields, **warned, max_chars=config.max_chars)
        if url and not text.strip():
            if not allow_url_fetch:
                raise InputError(url, "this server does not fetch URLs (start it with --allow-url-fetch)")
            return fetch_url(url, max_body, **fields, max_chars=config.max_chars)
        return make_article(text, "<form>", **fields, max_chars=config.max_chars)

    @app.get("/articles/{article_id:path}", response_class=HTMLResponse, include_in_schema=False)
    def stored_article(request: Request, article_id: str) -> HTMLResponse:
        return article_page(request, need_corpus().analysis(article_id), stored=True)

    @app.get("/events", response_class=HTMLResponse, include_in_schema=False)
    def events_page(request: Request, actor: str | None = None, country: str | None = None,
                    source: str | None = None, target: str | None = None,
                    type: str | None = None, since: str | None = None, until: str | None = None,
                    article: str | None = None, page_no: int = Query(1, alias="page", ge=1)) -> HTMLResponse:
        filters = {"actor": actor, "country": country, "source": source, "target": target, "type": type,
                   "since": since, "until": until, "article": article}
        per = 50
        result = need_corpus().events(**filters, limit=per, offset=(page_no - 1) * per)
        return page(request, "events.html", result=result, filters=filters, page_no=page_no, per=per)

    @app.get("/quotes", response_class=HTMLResponse, include_in_schema=False)
    def quotes_page(request: Request, speaker: str | None = None, country: str | None = None,
                    page_no: int = Query(1, alias="page", ge=1)) -> HTMLResponse:
        c = need_corpus()
        per = 50
        speakers = c.speakers(limit=200)
        result = c.quotes(speaker=speaker, country=country, limit=per, offset=(page_no - 1) * per)
        return page(request, "quotes.html", speakers=speakers, result=result, page_no=page_no, per=per,
                    filters={"speaker": speaker, "country": country})

    @app.get("/network", response_class=HTMLResponse, include_in_schema=False)
    def network_page(request: Request, level: str = Query("country", pattern="^(country|actor)$"),
                     min_events: int = Query(1, ge=1)) -> HTMLResponse:
        net = need_corpus().network(level=level, min_events=min_events)
        w, h = 760, 620
        pos = render.circle_layout([n["id"] for n in net["nodes"]], w, h)
        return page(request, "network.html", net=net, pos=pos, width=w, height=h, level=level,
                    min_events=min_events, max_weight=max((n["weight"] for n in net["nodes"]), default=1))

    @app.get("/timeline", response_class=HTMLResponse, include_in_schema=False)
    def timeline_page(request: Request, source: str | None = None, target: str | None = None,
                      freq: str = Query("month", pattern="^(month|year)$")) -> HTMLResponse:
        c = need_corpus()
        dyads = c.dyads(limit=24)
        if not source and not target and dyads:
            source, target = dyads[0]["source"], dyads[0]["target"]
        empty = {"points": [], "source": source, "target": target, "freq": freq}
        series = c.timeline(source, target, freq) if source and target else empty
        # The reverse direction on the same axes: how B answered A is half of the story.
        reverse = c.timeline(target, source, freq) if source and target and source != target else None
        lines = [series] + ([reverse] if reverse and reverse["points"] else [])
        return page(request, "timeline.html", dyads=dyads, series=series, reverse=reverse, freq=freq,
                    chart=timeline_chart(lines))

    # ---------------------------------------------------------------- JSON API

    @app.post("/api/analyze", tags=["analyze"], summary="Analyse one article (like `gestae extract`)")
    def api_analyze(req: AnalyzeRequest) -> dict[str, Any]:
        from ..ingest import make_article

        if req.text is None and req.url:
            if not allow_url_fetch:
                raise HTTPException(403, "this server does not fetch URLs (start it with --allow-url-fetch)")
            article = fetch_url(req.url, max_body, published=req.published, title=req.title, id=req.id,
                                source=req.source, max_chars=config.max_chars)
        else:
            article = make_article(req.text or "", "<request>", id=req.id, published=req.published,
                                   title=req.title, url=req.url, source=req.source, max_chars=config.max_chars)
        return analyzer(article)

    @app.get("/api/articles", tags=["store"], summary="Stored articles, newest first")
    def api_articles(limit: int = Query(50, ge=1, le=500), offset: int = Query(0, ge=0)) -> dict[str, Any]:
        return need_corpus().articles(limit=limit, offset=offset)

    @app.get("/api/articles/{article_id:path}", tags=["store"], summary="One stored article's analysis")
    def api_article(article_id: str) -> dict[str, Any]:
        return need_corpus().analysis(article_id)

    @app.get("/api/events", tags=["store"], summary="Events with filters (like `gestae events`)")
    def api_events(actor: str | None = Query(None, description="actor name contains (either side)"),
                   country: str | None = Query(None, description="either side's country code"),
                   source: str | None = Query(None, description="source actor's country code"),
                   target: str | None = Query(None, description="target actor's country code"),
                   type: str | None = Query(None, description="PLOVER type"),
                   since: str | None = None, until: str | None = None, article: str | None = None,
                   limit: int = Query(50, ge=1, le=1000), offset: int = Query(0, ge=0)) -> dict[str, Any]:
        return need_corpus().events(actor=actor, country=country, source=source, target=target, type=type,
                                    since=since, until=until, article=article, limit=limit, offset=offset)

    @app.get("/api/quotes", tags=["store"], summary="Quotes with speakers (like `gestae quotes`)")
    def api_quotes(speaker: str | None = None, country: str | None = None, article: str | None = None,
                   limit: int = Query(50, ge=1, le=1000), offset: int = Query(0, ge=0)) -> dict[str, Any]:
        return need_corpus().quotes(speaker=speaker, country=country, article=article, limit=limit, offset=offset)

    @app.get("/api/network", tags=["store"], summary="Actor network weighted by events")
    def api_network(level: str = Query("country", pattern="^(country|actor)$"),
                    min_events: int = Query(1, ge=1)) -> dict[str, Any]:
        return need_corpus().network(level=level, min_events=min_events)

    @app.get("/api/dyads", tags=["store"], summary="Directed country dyads by event count")
    def api_dyads(limit: int = Query(50, ge=1, le=1000)) -> list[dict[str, Any]]:
        return need_corpus().dyads(limit=limit)

    @app.get("/api/timeline", tags=["store"], summary="Mean Goldstein per month or year for one directed dyad")
    def api_timeline(source: str = Query(..., description="source country code, e.g. RUS"),
                     target: str = Query(..., description="target country code, e.g. CHN"),
                     freq: str = Query("month", pattern="^(month|year)$")) -> dict[str, Any]:
        return need_corpus().timeline(source, target, freq)

    @app.get("/api/health", tags=["meta"])
    def health() -> dict[str, Any]:
        return {"ok": True, "store": corpus is not None, "allow_url_fetch": allow_url_fetch}

    # Added last = outermost: security headers go on every response, the 413 included.
    app.add_middleware(BodyLimit, limit=max_body)
    app.add_middleware(SecurityHeaders)
    return app


def _period_index(period: str) -> int:
    """Months since year 0 for YYYY-MM, or the year's first month for YYYY: a linear time axis."""
    year, _, month = period.partition("-")
    return int(year) * 12 + (int(month) - 1 if month else 0)


def timeline_chart(lines: list[dict[str, Any]], width: int = 860, height: int = 340) -> dict[str, Any]:
    """Pixel positions for the dyad timeline: x is time (linear, shared), y the mean Goldstein (-10..+10);
    one series per directed dyad, each labelled at its last point so no legend is needed."""
    pad_l, pad_r, pad_t, pad_b = 50, 90, 20, 46
    plot_w, plot_h = width - pad_l - pad_r, height - pad_t - pad_b

    def y(g: float) -> float:
        return round(pad_t + (10 - g) / 20 * plot_h, 1)

    idx = [_period_index(p["period"]) for line in lines for p in line["points"]]
    lo, hi = (min(idx), max(idx)) if idx else (0, 0)
    span = max(hi - lo, 1)

    def x(period: str) -> float:
        i = _period_index(period)
        return round(pad_l + plot_w / 2 if hi == lo else pad_l + 10 + (plot_w - 20) * (i - lo) / span, 1)

    series = []
    for k, line in enumerate(lines):
        pts = [{**p, "x": x(p["period"]), "y": y(p["goldstein"] if p["goldstein"] is not None else 0)}
               for p in line["points"]]
        series.append({"label": f"{line['source']}→{line['target']}", "cls": f"series-{k}", "points": pts,
                       "path": " ".join(f"{p['x']},{p['y']}" for p in pts),
                       "end": pts[-1] if pts else None})
    periods = sorted({p["period"] for line in lines for p in line["points"]}, key=_period_index)
    # Axis labels: years when the span is long, else the periods themselves; none closer than 70 px.
    if span > 24 and periods:
        first_year, last_year = lo // 12, hi // 12
        candidates = [str(yr) for yr in range(first_year, last_year + 1)]
    else:
        candidates = periods
    labels: list[dict[str, Any]] = []
    for text in candidates:
        lx = x(text)
        if not labels or lx - labels[-1]["x"] >= 70:
            labels.append({"x": lx, "text": text})
    return {"width": width, "height": height, "series": series, "zero": y(0), "top": y(10), "bottom": y(-10),
            "left": pad_l, "right": width - pad_r, "ticks": [{"g": g, "y": y(g)} for g in (10, 5, 0, -5, -10)],
            "labels": labels, "empty": not periods}


def _version() -> str:
    from .. import __version__

    return __version__

"""gestae's local web app: ``gestae serve`` (see :func:`serve`) or ``create_app()`` for any ASGI server."""
from __future__ import annotations

from pathlib import Path


def create_app(*args, **kwargs):
    from .app import create_app as _create

    return _create(*args, **kwargs)


def serve(db: str | Path | None = None, host: str = "127.0.0.1", port: int = 8000, *,
          allow_url_fetch: bool = False) -> None:
    """Run the app under uvicorn; binds to loopback unless told otherwise."""
    import uvicorn

    uvicorn.run(create_app(db, allow_url_fetch=allow_url_fetch), host=host, port=port, log_level="info")

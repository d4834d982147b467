"""Bridge to the virtual card's test PKI (virtualcard.pki): demo and tests only, never production."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def load_test_pki(directory: str | None = None) -> Any:  # virtualcard's TestPki: server imports it lazily
    """The virtual card's TestPki (created on first use)."""
    from virtualcard import pki  # imported late: virtualcard/ is not installed with the production server

    return pki.load_or_create(Path(directory) if directory else None)


def test_pki_paths(directory: str | None = None) -> tuple[list[str], list[str]]:
    """Root PEM paths and CRL paths of the test PKI."""
    test_pki = load_test_pki(directory)
    return [str(p) for p in test_pki.root_pem_paths], [str(p) for p in test_pki.crl_paths]

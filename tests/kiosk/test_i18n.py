"""Catalogues: every key exists in every language, and the .po reader is strict."""

from __future__ import annotations

import pytest

from kiosk import i18n


def test_every_language_has_every_key() -> None:
    keys = set(i18n.catalogue("ja"))
    assert keys, "the Japanese catalogue is empty"
    for language in i18n.languages():
        assert i18n.missing_keys(sorted(keys), language) == []
        assert set(i18n.catalogue(language)) == keys


def test_parse_po_joins_continued_strings_and_skips_fuzzy() -> None:
    text = 'msgid "a"\nmsgstr ""\n"one "\n"two"\n\n#, fuzzy\nmsgid "b"\nmsgstr "draft"\n\nmsgid "c"\nmsgstr "\\u3042"\n'
    assert i18n.parse_po(text) == {"a": "one two", "c": "あ"}


@pytest.mark.parametrize("bad", ['msgstr "x"\n', 'msgid "a\nmsgstr "b"\n', "msgid a\n"])
def test_parse_po_rejects_malformed_files(bad: str) -> None:
    with pytest.raises(i18n.CatalogueError):
        i18n.parse_po(bad)


def test_missing_key_shows_itself() -> None:
    assert i18n.translate("no.such.key", "ja") == "no.such.key"

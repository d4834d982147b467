"""Catalogues: every key exists in every language, placeholders agree, and the .po reader is strict."""

from __future__ import annotations

import string

import pytest

from kiosk import i18n

#: The catalogues the kiosk ships (a new one must be added here on purpose).
SHIPPED = {"en", "ja", "ja-easy", "ko", "zh"}


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def test_the_shipped_catalogues_are_present() -> None:
    assert set(i18n.languages()) == SHIPPED


def test_every_language_has_every_key() -> None:
    keys = set(i18n.catalogue("ja"))
    assert keys, "the Japanese catalogue is empty"
    for language in i18n.languages():
        assert i18n.missing_keys(sorted(keys), language) == []
        assert set(i18n.catalogue(language)) == keys


# Values a language may leave out on purpose: the ISO date beside a date already written in numbers.
MAY_OMIT = {("expiry.result.valid_until", "iso")}


@pytest.mark.parametrize("language", sorted(SHIPPED - {"ja"}))
def test_placeholders_match_the_japanese_catalogue(language: str) -> None:
    ja, other = i18n.catalogue("ja"), i18n.catalogue(language)
    wrong = {}
    for key in ja:
        have, want = _placeholders(other.get(key, "")), _placeholders(ja[key])
        if have != want and not (have < want and all((key, name) in MAY_OMIT for name in want - have)):
            wrong[key] = (want, have)
    assert wrong == {}


@pytest.mark.parametrize(("language", "script"), [
    ("ja", "\u65e5"),           # 日本語
    ("ja-easy", "\u3084"),      # やさしい にほんご (hiragana)
    ("en", "E"),
    ("zh", "\u4e2d"),           # 中文
    ("ko", "\ud55c"),           # 한국어 (Hangul)
])
def test_each_language_names_itself_in_its_own_script(language: str, script: str) -> None:
    assert i18n.translate("language.name", language).startswith(script)


@pytest.mark.parametrize("language", ["zh", "ko", "ja-easy"])
def test_patron_text_is_translated_not_copied(language: str) -> None:
    """Patron text of a new language differs from English and from standard Japanese (staff screens aside)."""
    en, ja, other = i18n.catalogue("en"), i18n.catalogue("ja"), i18n.catalogue(language)
    patron = [k for k in ja if not k.startswith(("staff.", "diag.")) and k not in ("attract.welcome",)]
    assert [k for k in patron if other[k] == en[k]] == []
    if language != "ja-easy":  # やさしい日本語 may keep a short word such as もどる
        return
    same = [k for k in patron if other[k] == ja[k]]
    assert len(same) <= 5, same


def test_parse_po_joins_continued_strings_and_skips_fuzzy() -> None:
    text = 'msgid "a"\nmsgstr ""\n"one "\n"two"\n\n#, fuzzy\nmsgid "b"\nmsgstr "draft"\n\nmsgid "c"\nmsgstr "\\u3042"\n'
    assert i18n.parse_po(text) == {"a": "one two", "c": "あ"}
    assert i18n.parse_po('msgid "q"\nmsgstr "say \\"hi\\"\\n"\n') == {"q": 'say "hi"\n'}


@pytest.mark.parametrize("bad", ['msgstr "x"\n', 'msgid "a\nmsgstr "b"\n', "msgid a\n", 'msgid "\n',
                                 'msgid "a"b"\nmsgstr "c"\n'])
def test_parse_po_rejects_malformed_files(bad: str) -> None:
    with pytest.raises(i18n.CatalogueError):
        i18n.parse_po(bad)


def test_missing_key_shows_itself() -> None:
    assert i18n.translate("no.such.key", "ja") == "no.such.key"

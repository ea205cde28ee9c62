"""The catalogues: both languages hold the same codes, every one translated, and they compile."""

from __future__ import annotations

from datetime import date

import pytest
from babel.messages.pofile import read_po

from market.i18n import LOCALE_DIR, Bp, Msg, gettext, localize, negotiate, ngettext, render
from market.kit.money import Money


def _catalogues() -> dict[str, dict[str, dict[tuple[str, str | None], object]]]:
    out: dict[str, dict[str, dict[tuple[str, str | None], object]]] = {}
    for locale_dir in sorted(LOCALE_DIR.iterdir()):
        files: dict[str, dict[tuple[str, str | None], object]] = {}
        for po in sorted((locale_dir / "LC_MESSAGES").glob("*.po")):
            with po.open("rb") as fh:
                catalogue = read_po(fh, locale=locale_dir.name)
            files[po.name] = {
                ((m.id if isinstance(m.id, str) else m.id[0]), m.context): m.string for m in catalogue if m.id
            }
        out[locale_dir.name] = files
    return out


def test_both_languages_have_the_same_files_and_codes() -> None:
    catalogues = _catalogues()
    assert set(catalogues) == {"zh_CN", "en"}
    assert set(catalogues["zh_CN"]) == set(catalogues["en"]), "each catalogue file exists in both languages"
    for name, zh in catalogues["zh_CN"].items():
        en = catalogues["en"][name]
        assert sorted(set(zh) - set(en), key=str) == [], f"{name}: codes missing in en"
        assert sorted(set(en) - set(zh), key=str) == [], f"{name}: codes missing in zh_CN"


def test_every_message_is_translated() -> None:
    for locale, files in _catalogues().items():
        for name, messages in files.items():
            empty = [key for key, text in messages.items() if not text or (isinstance(text, tuple) and not all(text))]
            assert empty == [], f"{locale}/{name}: untranslated {empty}"


def test_codes_are_unique_across_files() -> None:
    for locale, files in _catalogues().items():
        seen: dict[tuple[str, str | None], str] = {}
        for name, messages in files.items():
            for key in messages:
                assert key not in seen, f"{locale}: {key} in both {seen[key]} and {name}"
                seen[key] = name


def test_plural_forms_follow_each_language() -> None:
    assert ngettext("en", "common.years", "common.years", 1) == "1 year"
    assert ngettext("en", "common.years", "common.years", 3) == "3 years"
    assert ngettext("zh", "common.years", "common.years", 3) == "3 年"


def test_parameters_are_formatted_for_the_reader() -> None:
    assert gettext("zh", "common.site_name") != gettext("en", "common.site_name")

    assert localize(Money("CNY", 123450), "zh") == "¥1,234.50"
    assert localize(Bp(350), "en") == "3.50%"
    assert localize(date(2026, 11, 29), "zh") == "2026年11月29日"
    assert render(Msg("common.site_name"), "en") == "Open-licence patent market"


@pytest.mark.parametrize(
    ("header", "language"),
    [
        ("en-US,en;q=0.9", "en"),
        ("zh-CN,zh;q=0.9,en;q=0.8", "zh"),
        ("fr, en;q=0.5", "en"),
        ("en;q=0.3, zh-TW;q=0.8", "zh"),
        ("de", "zh"),
        ("", "zh"),
        (None, "zh"),
        ("en;q=abc", "zh"),
    ],
)
def test_accept_language_is_negotiated(header: str | None, language: str) -> None:
    assert negotiate(header) == language

"""The catalogue check of the test command: every code the product asks for is translated in both languages.

``pybabel extract`` (``babel.cfg``, the keywords below) finds the codes passed to ``_``/``gettext``/``ngettext``/
``pgettext`` in Python and Jinja templates; ``missing`` names each one a catalogue lacks (or leaves untranslated).
``scripts/test.sh`` runs ``python -m tests.support.catalogues keywords`` and ``... check <pot>``; the tests use
``extracted`` directly.
"""

from __future__ import annotations

import re
import sys
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_keywords, parse_mapping_cfg
from babel.messages.pofile import read_po

from market.i18n import CATALOGUE_LOCALES, LOCALE_DIR

ROOT = Path(__file__).resolve().parents[2]
MAPPING = ROOT / "babel.cfg"
# Babel keyword specs (``name:arg`` positions, ``c`` context, ``t`` total arguments). Python passes the language
# first: gettext(lang, code), ngettext(lang, singular, plural, n), pgettext(lang, context, code); templates do not:
# _(code), gettext(code), ngettext(singular, plural, n), pgettext(context, code). Keyword arguments are parameters.
KEYWORDS = (
    "_",
    "gettext:1,1t",
    "gettext:2",
    "ngettext:1,2,3t",
    "ngettext:2,3",
    "pgettext:1c,2,2t",
    "pgettext:2c,3",
)

Key = tuple[str | None, str]  # (msgctxt, msgid)
PLACEHOLDER = re.compile(r"%\(([a-z_]+)\)s")


def extracted(root: Path = ROOT) -> set[Key]:
    """Every (context, code) the code and the templates ask for, as ``pybabel extract`` finds them."""
    with MAPPING.open(encoding="utf-8") as fh:
        method_map, options_map = parse_mapping_cfg(fh, filename=str(MAPPING))
    out: set[Key] = set()
    for _filename, _lineno, message, _comments, context in extract_from_dir(
        root, method_map, options_map, keywords=parse_keywords(KEYWORDS)
    ):
        for msgid in message if isinstance(message, tuple) else (message,):
            if msgid:
                out.add((context, msgid))
    return out


def from_pot(path: Path) -> set[Key]:
    with path.open("rb") as fh:
        catalogue = read_po(fh)
    out: set[Key] = set()
    for m in catalogue:
        for msgid in m.id if isinstance(m.id, tuple) else (m.id,):
            if msgid:
                out.add((m.context, msgid))
    return out


def translated() -> dict[str, set[Key]]:
    """Per catalogue locale, the (context, code) pairs that have words."""
    out: dict[str, set[Key]] = {}
    for locale in CATALOGUE_LOCALES.values():
        keys: set[Key] = set()
        for po in sorted((LOCALE_DIR / locale / "LC_MESSAGES").glob("*.po")):
            with po.open("rb") as fh:
                catalogue = read_po(fh, locale=locale)
            for m in catalogue:
                text = m.string
                if m.id and text and (all(text) if isinstance(text, tuple) else True):
                    for msgid in m.id if isinstance(m.id, tuple) else (m.id,):
                        keys.add((m.context, msgid))
        out[locale] = keys
    return out


def missing(wanted: Iterable[Key]) -> list[str]:
    have = translated()
    return [
        f"{locale}: {msgid}" + (f" (msgctxt {context})" if context else "")
        for context, msgid in sorted(wanted, key=lambda k: (k[1], k[0] or ""))
        for locale, keys in have.items()
        if (context, msgid) not in keys
    ]


def placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


def parameter_mismatches() -> list[str]:
    """Codes whose words take different parameters in the two languages, or do not format (a stray ``%``)."""
    texts: dict[str, dict[Key, list[str]]] = {}
    for locale in CATALOGUE_LOCALES.values():
        found: dict[Key, list[str]] = {}
        for po in sorted((LOCALE_DIR / locale / "LC_MESSAGES").glob("*.po")):
            with po.open("rb") as fh:
                for m in read_po(fh, locale=locale):
                    if m.id:
                        msgid = m.id[0] if isinstance(m.id, tuple) else m.id
                        found[(m.context, msgid)] = list(m.string) if isinstance(m.string, tuple) else [m.string]
        texts[locale] = found
    out = []
    zh, en = texts["zh_CN"], texts["en"]
    for key in sorted(set(zh) & set(en), key=lambda k: (k[1], k[0] or "")):
        # A parameter named ``*_zh`` or ``*_en`` is data given in both languages (an industry's name), each text
        # using its own: it counts as one parameter.
        names = [{re.sub(r"_(zh|en)$", "", n) for n in placeholders(t)} for t in zh[key] + en[key]]
        if any(n != names[0] for n in names):
            out.append(f"{key[1]}: parameters differ between zh_CN and en")
        for text in zh[key] + en[key]:
            if "%(" in text:
                try:
                    text % defaultdict(str)
                except (ValueError, TypeError, KeyError):
                    out.append(f"{key[1]}: does not format ({text!r}; write a literal % as %%)")
    return out


def main(argv: list[str]) -> int:
    if argv[:1] == ["keywords"]:
        print(" ".join(f"--keyword={k}" for k in KEYWORDS))
        return 0
    if argv[:1] == ["check"] and len(argv) == 2:
        wanted = from_pot(Path(argv[1]))
        gaps = missing(wanted) + parameter_mismatches()
        for gap in gaps:
            print(f"catalogues: {gap}", file=sys.stderr)
        print(f"catalogues: {len(wanted)} codes asked for, {len(gaps)} problems")
        return 1 if gaps else 0
    print("usage: python -m tests.support.catalogues keywords | check <messages.pot>", file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

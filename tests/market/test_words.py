"""No sentence meant for users lives in code: the domain returns codes, the catalogues hold the words."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.words import domain_files, is_sentence, scan

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("market", "listings", "finance", "pricing", "frontend")


@pytest.mark.parametrize("package", PACKAGES)
def test_no_sentences_for_users_in_code(package: str) -> None:
    found = scan(domain_files(ROOT, package))
    assert found == [], "sentences in code (use a catalogue code):\n" + "\n".join(map(str, found[:50]))


@pytest.mark.parametrize(
    ("text", "sentence"),
    [
        ("没有这项许可。", True),
        ("No such licence.", True),
        ("The payment was declined", True),
        ("declaration.not_granted", False),
        ("payment_mode", False),
        ("SELECT id FROM patent WHERE a = 1", False),
        ("X-Content-Type-Options", False),
    ],
)
def test_the_scanner_tells_sentences_from_codes(text: str, sentence: bool) -> None:
    assert is_sentence(text) is sentence


def test_the_scanner_finds_a_sentence_and_skips_docstrings_and_marked_data(tmp_path: Path) -> None:
    module = tmp_path / "service.py"
    module.write_text(
        '"""A module docstring in plain English words."""\n'
        "def refuse():\n"
        '    """A function docstring in plain English."""\n'
        '    raise NotFound("No such patent exists here.")\n'
        "def data():\n"
        '    return ["清华大学（演示）"]  # words: data\n'
        "def dev():\n"
        '    raise RuntimeError("No database engine is in use")\n',
        encoding="utf-8",
    )
    found = scan([module])
    assert [(f.line, f.text) for f in found] == [(4, "No such patent exists here.")]

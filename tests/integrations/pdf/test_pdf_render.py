"""The licence contract and the monthly statement, rendered through our code and read back with poppler."""

from __future__ import annotations

import hashlib
import logging
import re
from datetime import date
from typing import Any

import pytest

from market.integrations.pdf import (
    DocumentFolder,
    DocumentFolderInvalid,
    DocumentTemplateFailed,
    render_document,
    render_document_in_thread,
    render_html,
)
from market.integrations.pdf.filters import en_date, money, percent_bp, zh_date


def flat(text: str) -> str:
    """pdftotext output without whitespace: line breaks fall anywhere in CJK text, and inside patent numbers."""
    return re.sub(r"\s+", "", text)


def test_contract_shows_both_parties_the_patents_and_the_terms(
    contract_folder: DocumentFolder, contract_sample: dict[str, Any], pdftotext: Any
) -> None:
    doc = render_document(contract_folder, contract_sample)
    text = flat(pdftotext(doc.pdf))

    assert "北辰理工大学" in text  # licensor
    assert "深圳市青禾智能科技有限公司" in text  # licensee
    for patent in contract_sample["patents"]:
        assert flat(patent["number"]) in text
    assert "入门费加提成" in text and "¥50,000.00" in text and "3.50%" in text  # the declared terms
    assert "按季度结算" in text and "30日内" in text
    assert "2031年12月31日" in text  # term
    assert "2027年2月20日" in text  # filing deadline: Implementing Regulations Art 15, 87
    for article in ("第五十条", "第五十一条", "第五十二条", "第八十七条", "第十五条"):
        assert article in text
    assert "OL-LC-2026-000123" in text and "OL-2026-7K3M-P" in text
    assert "PatentLicenceContract(OpenLicence)" in text  # the English half
    assert "第1页/共3页" in text and "Page3of3" in text  # page numbers in the footer


def test_contract_is_three_pages_with_its_hash_and_version(
    contract_folder: DocumentFolder, contract_sample: dict[str, Any]
) -> None:
    doc = render_document(contract_folder, contract_sample)

    assert doc.pdf.startswith(b"%PDF-")
    assert doc.pages == 3
    assert doc.sha256 == hashlib.sha256(doc.pdf).hexdigest()
    assert (doc.document, doc.version) == ("licence_contract", "1.2.0")
    assert doc.refused_urls == ()


def test_same_values_give_the_same_bytes(contract_folder: DocumentFolder, contract_sample: dict[str, Any]) -> None:
    """A job that renders twice (a retry) stores the same file: the hash in the audit trail stays true."""
    assert render_document(contract_folder, contract_sample).sha256 == render_document(
        contract_folder, contract_sample
    ).sha256


def test_fonts_are_embedded_noto_cjk_subsets(
    contract_folder: DocumentFolder, contract_sample: dict[str, Any], pdffonts: Any
) -> None:
    fonts = pdffonts(render_document(contract_folder, contract_sample).pdf)

    assert fonts, "no fonts in the PDF"
    for font in fonts:
        assert "Noto" in font["name"] and "CJK" in font["name"], font
        assert (font["emb"], font["sub"], font["uni"]) == ("yes", "yes", "yes"), font


def test_rendering_uses_harfbuzz_subsetting(
    contract_folder: DocumentFolder, contract_sample: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    """Without libharfbuzz-subset0 WeasyPrint falls back to fontTools (~9 s instead of ~0.2 s for this contract,
    measured by tests/benchmarks/bench_pdf.py) and says so in a warning: there must be none."""
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        render_document(contract_folder, contract_sample)
    assert not [r for r in caplog.records if "HarfBuzz-Subset" in r.getMessage()]


@pytest.mark.parametrize(
    ("mode", "changes", "expected", "absent"),
    [
        (
            "lump_sum",
            {"lump_sum": {"minor": 12000000, "currency": "CNY"}},
            ["一次性支付", "¥120,000.00", "CN¥120,000.00"],
            ["结束后"],
        ),
        (
            "running_royalty",
            {"royalty_rate_bp": 2000, "report_period": "year"},
            ["提成支付", "20.00%", "按年度结算", "calendaryear"],
            ["入门费"],
        ),
        ("entry_fee_plus_royalty", {}, ["入门费加提成", "¥50,000.00", "3.50%"], ["一次性支付"]),
    ],
)
def test_each_declared_payment_mode(
    contract_folder: DocumentFolder,
    contract_sample: dict[str, Any],
    pdftotext: Any,
    mode: str,
    changes: dict[str, Any],
    expected: list[str],
    absent: list[str],
) -> None:
    contract_sample["terms"].update({"mode": mode, **changes})
    text = flat(pdftotext(render_document(contract_folder, contract_sample).pdf))

    for needle in expected:
        assert needle in text
    for needle in absent:
        assert needle not in text


def test_an_unknown_payment_mode_stops_the_render(
    contract_folder: DocumentFolder, contract_sample: dict[str, Any]
) -> None:
    contract_sample["terms"]["mode"] = "barter"
    with pytest.raises(DocumentTemplateFailed, match="payment_mode_must_be"):
        render_html(contract_folder, contract_sample)


def test_a_missing_value_stops_the_render(contract_folder: DocumentFolder, contract_sample: dict[str, Any]) -> None:
    """StrictUndefined: a contract never goes out with a blank where the licensee's name should be."""
    del contract_sample["licensee"]["name_zh"]
    with pytest.raises(DocumentTemplateFailed, match="name_zh"):
        render_html(contract_folder, contract_sample)


def test_credit_codes_and_addresses_only_when_given(
    contract_folder: DocumentFolder, contract_sample: dict[str, Any]
) -> None:
    for party in ("licensor", "licensee"):
        for key in ("credit_code", "address_zh", "address_en", "representative", "contact", "name_en"):
            contract_sample[party].pop(key)

    html = render_html(contract_folder, contract_sample)

    assert "统一社会信用代码" not in html and "住所" not in html
    assert "北辰理工大学" in html and "深圳市青禾智能科技有限公司" in html


def test_monthly_statement_shows_the_ledger(statement_folder: DocumentFolder, pdftotext: Any) -> None:
    doc = render_document(statement_folder, statement_folder.sample())
    text = flat(pdftotext(doc.pdf))

    assert (doc.document, doc.pages) == ("monthly_statement", 1)
    assert "北辰理工大学" in text and "深圳市青禾智能科技有限公司" in text
    assert "¥62,834.50" in text and "¥3,141.73" in text and "¥59,692.77" in text and "¥29,846.39" in text
    assert "第四十五条" in text  # inventor reward: Law on Promoting the Transformation of S&T Achievements


def test_a_folder_without_its_files_is_refused(tmp_path: Any) -> None:
    (tmp_path / "template.html").write_text("<p>x</p>")
    with pytest.raises(DocumentFolderInvalid, match=r"missing document\.yaml"):
        DocumentFolder.load(tmp_path)


async def test_render_in_a_thread_for_async_callers(
    contract_folder: DocumentFolder, contract_sample: dict[str, Any]
) -> None:
    doc = await render_document_in_thread(contract_folder.path, contract_sample)
    assert doc.pages == 3


def test_filters_format_money_rates_and_dates() -> None:
    assert money({"minor": 1283450, "currency": "CNY"}) == "¥12,834.50"
    assert money({"minor": 1283450, "currency": "CNY"}, "en") == "CN¥12,834.50"
    assert [percent_bp(bp) for bp in (350, 2000, 5, 0, 10000)] == ["3.50%", "20.00%", "0.05%", "0.00%", "100.00%"]
    assert zh_date("2027-02-20") == "2027年2月20日"
    assert en_date(date(2027, 2, 20)) == "Feb 20, 2027"

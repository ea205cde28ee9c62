"""The catalogues of listings, pricing and the law: each message takes the same parameters in both languages, none
named like gettext's own arguments, and the articles a rule cites are all there with their source."""

from __future__ import annotations

import re

import pytest
from babel.messages.pofile import read_po

from listings.declarations.schemas import DeclareReport, DeclareResult, ReasonOut
from market.i18n import LOCALE_DIR, Bp, Msg, gettext, render
from market.i18n.localized import localized, sentences
from market.kit.words import MsgOut

FILES = ("listings.po", "pricing.po", "law.po")
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def _messages(locale: str, name: str) -> dict[str, tuple[str, ...]]:
    with (LOCALE_DIR / locale / "LC_MESSAGES" / name).open("rb") as fh:
        catalogue = read_po(fh, locale=locale)
    out = {}
    for m in catalogue:
        if m.id:
            key = m.id if isinstance(m.id, str) else m.id[0]
            out[key] = (m.string,) if isinstance(m.string, str) else tuple(m.string)
    return out


@pytest.mark.parametrize("name", FILES)
def test_both_languages_take_the_same_parameters(name: str) -> None:
    zh, en = _messages("zh_CN", name), _messages("en", name)
    for code, texts in zh.items():
        # a name given in both languages as data (industry_zh, industry_en) is one parameter
        names_zh = {p.removesuffix("_zh") for t in texts for p in PLACEHOLDER.findall(t)}
        names_en = {p.removesuffix("_en") for t in en[code] for p in PLACEHOLDER.findall(t)}
        assert names_zh - {"n"} == names_en - {"n"}, code  # "n" (the count) may be left out in Chinese
        assert not names_zh & {"code", "lang", "context", "singular", "plural"}, code


def test_every_article_cited_by_a_rule_is_in_the_law_catalogue() -> None:
    law = _messages("en", "law.po")
    cited = set()
    for path in LOCALE_DIR.parent.parent.parent.glob("[lp]*/**/*.py"):
        cited.update(re.findall(r"\"(law\.[a-z0-9_.+]+)\"", path.read_text(encoding="utf-8")))
    assert cited, "rules cite articles by code"
    assert sorted(cited - set(law)) == []
    assert gettext("zh", "law.patent.art50") == "专利法第五十条"
    assert gettext("en", "law.patent.art50") == "Patent Law Art 50"


def test_a_parameter_may_be_a_message_or_a_list_of_names() -> None:
    kind = Msg("patent.kind.utility_model")
    assert render(Msg("declaration.evaluation_report_missing", {"kind": kind}), "en").startswith("A utility model")
    assert render(Msg("declaration.evaluation_report_missing", {"kind": kind}), "zh").startswith("实用新型专利")
    terms = Msg("declaration.advertising_language", {"terms": ("国际领先", "best-in-class")})
    assert "国际领先、best-in-class" in render(terms, "zh") and "国际领先, best-in-class" in render(terms, "en")


def test_an_answer_is_rendered_at_the_edge_through_nested_models_and_lists() -> None:
    summary = [MsgOut.of(Msg("declaration.terms.running_royalty", {"rate": Bp(350)}))]
    reason = ReasonOut(code="pledged_without_consent", field="pledgee_consent", article="law.regs.art86.4")
    result = DeclareResult(patent_id=1, number="CN1", outcome="refused", reasons=[reason])
    report = DeclareReport(published=0, drafts=0, refused=1, results=[result])
    en = localized(report, "en").results[0].reasons[0]
    assert en.message.startswith("The patent is pledged") and en.article_text == "Implementing Regulations Art 86(4)"
    assert report.results[0].reasons[0].message == ""  # the service's answer itself carries no words
    assert sentences(localized(summary, "zh"), "zh") == "按净销售额的 3.50% 提成支付，按期报告并支付。"

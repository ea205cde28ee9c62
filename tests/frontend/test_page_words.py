"""The pages' words come from the catalogues in the page's language: plurals, contexts, input errors."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from litestar.plugins.jinja import JinjaTemplateEngine
from pydantic import ValidationError

from frontend.pages import use_catalogues
from frontend.render import field_messages, labelled, words
from market.accounts.schemas import SignUpIn


def test_counts_take_the_plural_form_of_the_language() -> None:
    en, zh = words("en")["ngettext"], words("zh")["ngettext"]
    assert en("ui.n_patents", "ui.n_patents", 1) == "1 patent."
    assert en("ui.n_patents", "ui.n_patents", 2) == "2 patents."
    assert en("ui.years_n", "ui.years_n", 1) == "1 year"
    assert en("ui.years_n", "ui.years_n", Decimal("1.0")) == "1.0 years"  # shown with a decimal: plural (CLDR)
    assert zh("ui.years_n", "ui.years_n", 1) == "1 年"
    one_row = en("ui.statement_result", "ui.statement_result", 1, confirmed=3)
    assert one_row == "3 confirmed; 1 row needs a person to look."


def test_one_word_in_two_senses_has_a_context() -> None:
    for lang, button, heading in (("zh", "检查", "检查结果"), ("en", "Check", "Check")):
        pgettext = words(lang)["pgettext"]
        assert (pgettext("button", "ui.check"), pgettext("heading", "ui.check")) == (button, heading)
    assert words("zh")["pgettext"]("import", "ui.result") != words("zh")["pgettext"]("bank statement", "ui.result")


def test_parameters_fill_in_and_codes_from_values_fall_back() -> None:
    assert words("en")["_"]("ui.page_of", page=2, pages=5) == "Page 2 of 5"
    assert words("zh")["_"]("ui.page_of", page=2, pages=5) == "第 2 页，共 5 页"
    assert words("en")["_"]("ui.inventor_share_min", min=50) == "At least 50%, at most two decimals."
    tr = words("en")["tr"]
    assert tr("ui.kind_sme") == "Small or medium firm"
    assert tr("ui.lic_no_such_status", "no_such_status") == "no_such_status"


@pytest.mark.parametrize(
    ("lang", "password", "email"),
    [("zh", "至少 10 个字符", "电子邮箱格式不正确"), ("en", "at least 10 characters", "not a valid e-mail address")],
)
def test_input_errors_are_said_in_the_page_language_with_their_code(lang: str, password: str, email: str) -> None:
    with pytest.raises(ValidationError) as caught:
        SignUpIn(email="nope", password="short", display_name="王芳", org_name="某企业", org_kind="sme")
    errors = {e["field"]: e for e in field_messages(caught.value, lang)}
    assert errors["password"]["message"] == password and errors["password"]["code"] == "validation.string_too_short"
    assert errors["email"]["message"] == email and errors["email"]["code"] == "validation.value_error.email"
    headed = {e["field"]: e["message"] for e in labelled(list(errors.values()), lang)}
    assert headed["password"] == ("密码：至少 10 个字符" if lang == "zh" else "Password: at least 10 characters")


def test_templates_speak_through_jinja_i18n_with_parameters_escaped(tmp_path: Path) -> None:
    engine = JinjaTemplateEngine(directory=tmp_path)
    use_catalogues(engine)
    template = engine.engine.from_string(
        "{% trans %}ui.sign_in{% endtrans %} · {% trans n=count %}ui.years_n{% pluralize %}ui.years_n{% endtrans %}"
        " · {{ _('ui.page_of', page=page, pages=1) }}"
    )
    assert template.render(**words("en"), count=1, page=2) == "Sign in · 1 year · Page 2 of 1"
    assert template.render(**words("zh"), count=3, page=2) == "登录 · 3 年 · 第 2 页，共 1 页"
    assert "&lt;b&gt;" in template.render(**words("en"), count=2, page="<b>")

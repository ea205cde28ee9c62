"""Reading the pages' form fields into the services' schemas: yuan to fen and percent to basis points exactly
(Decimal, never float), and the declaration terms. Which terms are allowed is the service's business, not ours."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from listings.declarations.schemas import TermsIn, VersionOut
from listings.patents.schemas import PatentFactsIn

MAX_DIGITS = 15  # far above any fee a declaration may state; guards against "1e999999" and the like
PAYMENT_MODES = ("lump_sum", "running_royalty", "entry_plus_royalty")
PLAIN_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]+)?")
"""What a yuan or percent field accepts once spaces, commas and ¥ are gone: digits with an optional decimal part."""


class FieldProblem(ValueError):
    """A form field that cannot be read; ``key`` is the i18n key of the message."""

    def __init__(self, field_name: str, key: str) -> None:
        super().__init__(f"{field_name}: {key}")
        self.field = field_name
        self.key = key


def _decimal(text: str, field_name: str) -> Decimal | None:
    cleaned = text.strip().replace(",", "").replace("，", "").replace(" ", "").removeprefix("¥").removeprefix("￥")
    if not cleaned:
        return None
    if len(cleaned) > MAX_DIGITS + 2:
        raise FieldProblem(field_name, "ui.err_number_too_large")
    try:
        value = Decimal(cleaned)
    except InvalidOperation as exc:
        raise FieldProblem(field_name, "ui.err_not_a_number") from exc
    if not value.is_finite():
        raise FieldProblem(field_name, "ui.err_not_a_number")
    if value < 0:
        raise FieldProblem(field_name, "ui.err_negative")
    if value.adjusted() >= MAX_DIGITS:
        raise FieldProblem(field_name, "ui.err_number_too_large")
    if not PLAIN_NUMBER.fullmatch(cleaned):  # Decimal() also reads "1e5", "1_000" and "0x10"-like typos
        raise FieldProblem(field_name, "ui.err_not_a_number")
    return value


def hundredths(text: str, field_name: str) -> int | None:
    """A decimal with at most 2 places, times 100, exactly: yuan -> fen, percent -> basis points.
    ``"12345.67"`` -> 1234567; ``"1.005"`` is refused (it is not a whole number of hundredths)."""
    value = _decimal(text, field_name)
    if value is None:
        return None
    scaled = value * 100
    if scaled != scaled.to_integral_value():
        raise FieldProblem(field_name, "ui.err_two_decimals")
    return int(scaled)


def yuan_to_fen(text: str, field_name: str = "amount") -> int | None:
    return hundredths(text, field_name)


def percent_to_bp(text: str, field_name: str = "rate") -> int | None:
    return hundredths(text, field_name)


def hundredths_text(value: int | None) -> str:
    """What an input shows for a value kept in hundredths (fen of yuan, basis points of a percent), the inverse of
    ``hundredths``: a plain decimal a user can edit (1234567 -> "12345.67", 350 -> "3.50"); shown to people, money
    and rates go through ``market.kit.formatting`` instead."""
    if value is None:
        return ""
    return f"{Decimal(value) / 100:.2f}"


def whole(text: str, field_name: str) -> int | None:
    cleaned = text.strip()
    if not cleaned:
        return None
    if not cleaned.isdigit() or len(cleaned) > 6:
        raise FieldProblem(field_name, "ui.err_whole_number")
    return int(cleaned)


# ------------------------------------------------------------------------------------------------- terms


@dataclass
class TermsForm:
    """The terms fields as typed (strings), so a form with an error shows back what was typed."""

    payment_mode: str = "running_royalty"
    lump_sum_yuan: str = ""
    royalty_pct: str = ""
    entry_fee_yuan: str = ""
    entry_royalty_pct: str = ""
    term_kind: str = "expiry"
    term_years: str = ""
    other_matters: str = ""
    royalty_base: str = "net_sales"
    problems: list[FieldProblem] = field(default_factory=list)

    @classmethod
    def of(cls, form: Mapping[str, Any]) -> TermsForm:
        def value(name: str) -> str:
            return str(form.get(name) or "").strip()

        return cls(
            payment_mode=value("payment_mode"),
            lump_sum_yuan=value("lump_sum_yuan"),
            royalty_pct=value("royalty_pct"),
            entry_fee_yuan=value("entry_fee_yuan"),
            entry_royalty_pct=value("entry_royalty_pct"),
            term_kind=value("term_kind") or "expiry",
            term_years=value("term_years"),
            other_matters=str(form.get("other_matters") or "").strip(),
            royalty_base=value("royalty_base") or "net_sales",
        )

    @classmethod
    def of_version(cls, v: VersionOut) -> TermsForm:
        mode = v.payment_mode.value
        return cls(
            payment_mode=mode,
            lump_sum_yuan=hundredths_text(v.lump_sum_minor),
            royalty_pct=hundredths_text(v.royalty_rate_bp) if mode == "running_royalty" else "",
            entry_fee_yuan=hundredths_text(v.entry_fee_minor),
            entry_royalty_pct=hundredths_text(v.royalty_rate_bp) if mode == "entry_plus_royalty" else "",
            term_kind="years" if v.term_years else "expiry",
            term_years=str(v.term_years or ""),
            other_matters=v.other_matters,
            royalty_base=v.royalty_base,
        )

    def term_years_value(self) -> int | None:
        """The licence term in years, or None for "until expiry" (or when it cannot be read)."""
        if self.term_kind != "years":
            return None
        try:
            return whole(self.term_years, "term_years")
        except FieldProblem:
            return None

    def terms(self) -> TermsIn:
        """The TermsIn these fields say: only the amounts of the chosen payment mode are sent. Raises
        FieldProblem for a field that cannot be read, pydantic's ValidationError for what TermsIn refuses."""
        if self.payment_mode not in PAYMENT_MODES:
            raise FieldProblem("payment_mode", "ui.err_choose_mode")
        values: dict[str, Any] = {"payment_mode": self.payment_mode, "other_matters": self.other_matters}
        if self.payment_mode != "lump_sum":  # a royalty base applies to a running royalty only
            values["royalty_base"] = self.royalty_base
        readers: dict[str, list[tuple[str, Callable[[], int | None]]]] = {
            "lump_sum": [("lump_sum_minor", lambda: yuan_to_fen(self.lump_sum_yuan, "lump_sum_yuan"))],
            "running_royalty": [("royalty_rate_bp", lambda: percent_to_bp(self.royalty_pct, "royalty_pct"))],
            "entry_plus_royalty": [
                ("entry_fee_minor", lambda: yuan_to_fen(self.entry_fee_yuan, "entry_fee_yuan")),
                ("royalty_rate_bp", lambda: percent_to_bp(self.entry_royalty_pct, "entry_royalty_pct")),
            ],
        }
        problems: list[FieldProblem] = []
        for name, read in readers[self.payment_mode]:
            try:
                values[name] = read()
            except FieldProblem as exc:
                problems.append(exc)
                continue
            if values[name] is None:  # the chosen payment needs this amount
                target = FORM_FIELD_OF[name]
                if name == "royalty_rate_bp" and self.payment_mode == "entry_plus_royalty":
                    target = "entry_royalty_pct"
                problems.append(FieldProblem(target, "ui.err_required_for_mode"))
        if self.term_kind == "years":
            try:
                values["term_years"] = whole(self.term_years, "term_years")
            except FieldProblem as exc:
                problems.append(exc)
            if values.get("term_years") is None and not problems:
                problems.append(FieldProblem("term_years", "ui.err_term_years"))
        elif self.term_kind != "expiry":
            problems.append(FieldProblem("term_kind", "ui.err_choose_term"))
        if problems:
            self.problems = problems
            raise problems[0]
        return TermsIn.model_validate({k: v for k, v in values.items() if v is not None})


FORM_FIELD_OF = {  # a TermsIn field -> the form input that gives it (for error messages next to the input)
    "lump_sum_minor": "lump_sum_yuan",
    "entry_fee_minor": "entry_fee_yuan",
    "royalty_rate_bp": "royalty_pct",
    "term_years": "term_years",
    "other_matters": "other_matters",
    "payment_mode": "payment_mode",
}


# ------------------------------------------------------------------------------------------------- facts


def facts_in(form: Mapping[str, Any]) -> PatentFactsIn:
    """The patent facts form: checkboxes absent mean "no"; an empty date leaves the stored one."""
    values: dict[str, Any] = {
        "pledged": form.get("pledged") == "on",
        "pledgee_consent": form.get("pledgee_consent") == "on",
        "suspension": str(form.get("suspension") or ""),
        "evaluation_report_ref": str(form.get("evaluation_report_ref") or ""),
    }
    if "infringement_dispute" in form:  # the field set of listings_0012: a pending infringement dispute and its note
        values["infringement_dispute"] = str(form.get("infringement_dispute") or "")
        values["infringement_dispute_note"] = str(form.get("infringement_dispute_note") or "")
    for name in ("legal_status", "grant_date", "annual_fees_paid_through", "claims_count"):
        text = str(form.get(name) or "").strip()
        if text:
            values[name] = text
    return PatentFactsIn.model_validate(values)


def form_int(value: Any) -> int:
    """A whole number typed in a form (an id, a version, a row count): 0 when blank, not digits, or too long."""
    text = str(value or "").strip()
    return int(text) if text.isdigit() and len(text) < 12 else 0


def form_date(value: Any) -> date | None:
    """An ISO date typed in a form (``<input type="date">``), or None."""
    try:
        return date.fromisoformat(str(value or "").strip())
    except ValueError:
        return None

"""The programme arithmetic, pure: what a voucher pays of a price and why, line by line; whether a day is in an
application window, a region is accepted, which cap period a day falls in.

voucher part = min(share x price, the category's per-claim cap, the programme's per-claim cap), rounded down to the
fen (a voucher never rounds up); for face-value vouchers, further down to whole vouchers and at most the vouchers
one use may take. The co-pay is the price less the voucher part. Caps across claims (per period, per firm) and the
balance left are not here: they are running totals the modules that hold them decide in the database.
"""

from __future__ import annotations

from datetime import date, timedelta

from finance.voucher_programmes.records import CYCLE_MONTHS, ProgrammeTerms, VoucherPart
from market.kit.messages import Bp, Msg
from market.kit.money import Money

BP = 10_000


def share_for(terms: ProgrammeTerms, category: str) -> int:
    """The share of the price (basis points) the voucher pays in ``category``: 0 when the programme does not cover
    the category."""
    found = terms.category(category)
    return found.share_bp if found else 0


def _category(code: str) -> Msg:
    return Msg(f"voucher.category.{code}")


def voucher_part(terms: ProgrammeTerms, category: str, price_minor: int) -> VoucherPart:
    """What the voucher pays of ``price_minor`` in ``category`` under ``terms`` and why (see the module's
    docstring). A price at or below zero, or a category the programme does not cover, pays nothing."""
    cur = terms.currency
    price = Money(cur, max(price_minor, 0))
    zero = Money(cur, 0)
    found = terms.category(category)
    if found is None:
        line = Msg("voucher.part.not_covered", {"category": _category(category)})
        return VoucherPart(category=category, price=price, share_bp=0, gross=zero, cap=None, amount=zero,
                           copay=price, limited_by="not_eligible", vouchers=None, lines=(line,))  # fmt: skip
    gross = Money(cur, price.minor * found.share_bp // BP)
    lines: list[Msg] = [
        Msg("voucher.part.share", {"category": _category(category), "price": price, "share": Bp(found.share_bp),
                                   "amount": gross}),
    ]  # fmt: skip
    amount, limited_by, cap = gross.minor, "share", None
    if found.cap_minor is not None:
        lines.append(Msg("voucher.part.category_cap", {"cap": Money(cur, found.cap_minor)}))
        if found.cap_minor < amount:
            amount, limited_by = found.cap_minor, "category_cap"
        cap = found.cap_minor
    if terms.per_claim_minor is not None:
        lines.append(Msg("voucher.part.per_claim_cap", {"cap": Money(cur, terms.per_claim_minor)}))
        if terms.per_claim_minor < amount:
            amount, limited_by = terms.per_claim_minor, "per_claim"
        cap = terms.per_claim_minor if cap is None else min(cap, terms.per_claim_minor)
    vouchers = None
    if terms.value_kind == "face_value" and terms.face_value_minor:
        face = terms.face_value_minor
        vouchers = amount // face
        if vouchers * face < amount:
            limited_by = "face_value"
        most = terms.max_vouchers_per_use
        if most is not None and vouchers > most:
            vouchers, limited_by = most, "max_vouchers"
            lines.append(Msg("voucher.part.max_vouchers", {"count": most, "face": Money(cur, face)}))
        amount = vouchers * face
        lines.append(Msg("voucher.part.vouchers", {"count": vouchers, "face": Money(cur, face),
                                                   "amount": Money(cur, amount)}))  # fmt: skip
    if limited_by in ("category_cap", "per_claim"):
        lines.append(Msg(f"voucher.part.limited.{limited_by}", {"amount": Money(cur, amount)}))
    paid = Money(cur, amount)
    copay = price - paid
    lines.append(Msg("voucher.part.amount", {"amount": paid, "copay": copay}))
    return VoucherPart(category=category, price=price, share_bp=found.share_bp, gross=gross,
                       cap=Money(cur, cap) if cap is not None else None, amount=paid, copay=copay,
                       limited_by=limited_by, vouchers=vouchers, lines=tuple(lines))  # fmt: skip


def in_window(terms: ProgrammeTerms, day: date) -> bool:
    """Whether ``day`` is in one of the application windows (both days included). A programme without windows
    takes applications on any day it is open."""
    if not terms.windows:
        return True
    return any(w.opens_on <= day <= w.closes_on for w in terms.windows)


def region_ok(terms: ProgrammeTerms, region: str) -> bool:
    """Whether an organisation of ``region`` (an administrative division code, e.g. "330100") is accepted: the
    programme's regions are prefixes ("33" Zhejiang, "3310" Taizhou); none accepts any region. An organisation
    without a region is accepted only where any region is."""
    if not terms.regions:
        return True
    return bool(region) and any(region.startswith(prefix) for prefix in terms.regions)


def period_key(terms: ProgrammeTerms, day: date) -> str:
    """The cap period ``day`` falls in: "2027" (year), "2027H1" / "2027H2" (half year), "programme" (the whole
    programme: one period)."""
    if terms.period == "half_year":
        return f"{day.year}H{1 if day.month <= 6 else 2}"
    if terms.period == "programme":
        return "programme"
    return str(day.year)


def next_window(terms: ProgrammeTerms, day: date) -> tuple[date, date] | None:
    """The window ``day`` is in, or the next one to open (None: no window is left)."""
    for w in sorted(terms.windows, key=lambda w: w.opens_on):
        if w.closes_on >= day:
            return (w.opens_on, w.closes_on)
    return None


def cycle_bounds(terms: ProgrammeTerms, day: date) -> tuple[date, date]:
    """The settlement cycle ``day`` falls in: its first and last day (monthly, quarterly, half-yearly cycles run on
    calendar months: January-June and July-December for half-yearly)."""
    months = CYCLE_MONTHS.get(terms.settlement_cycle, 6)
    first_month = (day.month - 1) // months * months + 1
    start = date(day.year, first_month, 1)
    end_month = first_month + months
    end = date(day.year + (end_month > 12), (end_month - 1) % 12 + 1, 1) - timedelta(days=1)
    return start, end

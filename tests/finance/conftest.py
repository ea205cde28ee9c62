"""Finance fixtures: a published open licence, a firm to take it, and Stripe through localstripe."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest

from finance.payments import gateways
from finance.voucher_entitlements.tables import VoucherEntitlement
from market.integrations.payments import StripeConfig, StripeGateway
from tests.conftest import AFTER_EACH_TEST
from tests.finance.support import move_today_on
from tests.finance.voucher_entitlement_support import assert_ledger_balanced
from tests.integrations.payments.conftest import localstripe_url, webhook_receiver  # noqa: F401 - fixtures
from tests.integrations.payments.stripe_support import API_KEY, WEBHOOK_SECRET, LocalstripeTransport


@dataclass
class Offer:
    university: Any  # Account
    university_principal: Any
    patent_id: int
    declaration_id: int


@pytest.fixture
def stripe_gateway(backend: Any, localstripe_url: str) -> StripeGateway:  # noqa: F811
    """The app's Stripe adapter pointed at localstripe (through the recording transport that bridges its gaps)."""
    gateway = StripeGateway(
        StripeConfig(
            api_key=API_KEY,
            webhook_secret=WEBHOOK_SECRET,
            api_base=localstripe_url,
            platform_fee_bp=500,
            max_network_retries=0,
        ),
        http_client=LocalstripeTransport(),
    )
    gateways.use_stripe(gateway)  # in the runtime of the test (or of its app, when the app started first)
    return gateway


@pytest.fixture(autouse=True)
def _no_stripe_by_default() -> None:
    """Each test's runtime is built from test settings, which hold no Stripe key: no Stripe unless a test asks."""


async def _voucher_ledgers_balanced() -> None:
    """After every test that has a database, each voucher entitlement's ledger sums to its balance (the entries, the
    guard column and the holds agree): whatever a test did to vouchers, it left no money unaccounted."""
    for row in await VoucherEntitlement.select(VoucherEntitlement.id):
        await assert_ledger_balanced(row["id"])


AFTER_EACH_TEST.append(_voucher_ledgers_balanced)


@pytest.fixture
def quarters_ended(monkeypatch: pytest.MonkeyPatch) -> date:
    """Royalties are reported per calendar quarter once it has ended: "today" (``finance.licences.service.today``)
    is moved 200 days on, so a licence starting now has its first two quarters ended."""
    return move_today_on(monkeypatch)

"""The payment adapters of this process: the runtime's (``market.runtime.PaymentGateways``)."""

from __future__ import annotations

import dataclasses

from market import runtime
from market.integrations.payments import BankTransferGateway, StripeGateway


def stripe() -> StripeGateway | None:
    """The Stripe adapter, or None where no Stripe key is configured (bank transfer only)."""
    return runtime.current().payments.stripe


def bank_transfer() -> BankTransferGateway:
    return runtime.current().payments.bank_transfer


def methods() -> list[str]:
    """The methods offered: the configured ones that have an adapter here."""
    return runtime.current().payments.methods


def use_stripe(gateway: StripeGateway | None) -> None:
    """Tests: put a Stripe adapter (or none) in the runtime's place."""
    runtime.replace(payments=dataclasses.replace(runtime.current().payments, stripe=gateway))

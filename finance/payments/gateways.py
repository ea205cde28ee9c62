"""Which payment adapters this process uses, built once from settings (tests may put their own in place)."""

from __future__ import annotations

from market.integrations.payments import BankTransferGateway, StripeConfig, StripeGateway
from market.integrations.payments.localstripe import LocalstripeBridge
from market.settings import Settings, get_settings

_stripe: StripeGateway | None = None
_configured = False


def use_stripe(gateway: StripeGateway | None) -> None:
    global _stripe, _configured
    _stripe, _configured = gateway, True


def stripe_from_settings(settings: Settings) -> StripeGateway | None:
    if not settings.stripe_api_key.get_secret_value():
        return None
    client = None
    if settings.stripe_localstripe:
        client = LocalstripeBridge()
    return StripeGateway(StripeConfig.from_settings(settings), http_client=client)


def stripe() -> StripeGateway | None:
    """The Stripe adapter, or None where no Stripe key is configured (bank transfer only)."""
    global _stripe, _configured
    if not _configured:
        _stripe, _configured = stripe_from_settings(get_settings()), True
    return _stripe


def bank_transfer() -> BankTransferGateway:
    return BankTransferGateway(platform_fee_bp=get_settings().platform_fee_bp)


def methods() -> list[str]:
    """The methods offered: the configured ones that have an adapter here."""
    wanted = [m.strip() for m in get_settings().payment_methods.split(",") if m.strip()]
    available = {"bank_transfer"} | ({"card", "alipay", "wechat_pay"} if stripe() is not None else set())
    return [m for m in wanted if m in available]

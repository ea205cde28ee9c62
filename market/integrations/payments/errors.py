"""Errors of the payments adapters, each with the HTTP status the one error handler gives it.

Temporary provider trouble (network, rate limit, 5xx) is ``market.errors.TemporaryFailure``, so a job retries it
with backoff; everything here is final for the request that raised it.
"""

from __future__ import annotations

from market.errors import Conflict, MarketError, ServiceUnavailable


class PaymentError(MarketError):
    status = 400
    code = "payment-error"
    title = "The payment could not be processed"


class PaymentDeclined(PaymentError):
    """The payer's bank or wallet refused (card declined, authentication failed): the payer may try again."""

    status = 402
    code = "payment-declined"
    title = "The payment was declined"


class PaymentRejected(PaymentError):
    """The provider refused our request as invalid (a bug on our side or a state the provider forbids)."""

    status = 502
    code = "payment-rejected"
    title = "The payment provider refused the request"


class PaymentConflict(Conflict):
    """The same idempotency key was reused with different parameters, or the payment is in another state."""

    code = "payment-conflict"


class PaymentProviderMisconfigured(ServiceUnavailable):
    """Wrong or missing API key, or an account without the permission: an operator must fix the settings."""

    code = "payment-provider-misconfigured"
    title = "The payment provider is not configured correctly"


class WebhookSignatureInvalid(PaymentError):
    """A webhook whose signature does not verify (or is too old): answered 400 and otherwise ignored."""

    status = 400
    code = "webhook-signature-invalid"
    title = "The webhook signature does not verify"


class TestModeOnly(PaymentError):
    """A test-mode helper was called with a live key."""

    __test__ = False  # not a pytest test class, despite the name
    status = 403
    code = "test-mode-only"
    title = "Only allowed with a test-mode key"

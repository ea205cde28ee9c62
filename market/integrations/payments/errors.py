"""Errors of the payments adapters, each with the HTTP status the one error handler gives it.

Temporary provider trouble (network, rate limit, 5xx) is ``market.errors.TemporaryFailure``, so a job retries it
with backoff; everything here is final for the request that raised it.
"""

from __future__ import annotations

from market.errors import Conflict, ServiceUnavailable, TemporaryFailure
from market.integrations.errors import AdapterError


class PaymentError(AdapterError):
    status = 400
    code = "payment-error"
    title = says = "payment_provider.failed"


class PaymentDeclined(PaymentError):
    """The payer's bank or wallet refused (card declined, authentication failed): the payer may try again."""

    status = 402
    code = "payment-declined"
    title = says = "payment_provider.declined"


class PaymentRejected(PaymentError):
    """The provider refused our request as invalid (a bug on our side or a state the provider forbids)."""

    status = 502
    code = "payment-rejected"
    title = says = "payment_provider.rejected"


class PaymentConflict(AdapterError, Conflict):
    """The same idempotency key was reused with different parameters, or the payment is in another state."""

    code = "payment-conflict"
    title = says = "payment_provider.conflict"


class PaymentProviderMisconfigured(AdapterError, ServiceUnavailable):
    """Wrong or missing API key, or an account without the permission: an operator must fix the settings."""

    code = "payment-provider-misconfigured"
    title = says = "payment_provider.misconfigured"


class WebhookSignatureInvalid(PaymentError):
    """A webhook whose signature does not verify (or is too old): answered 400 and otherwise ignored."""

    status = 400
    code = "webhook-signature-invalid"
    title = says = "payment_provider.bad_signature"


class TestModeOnly(PaymentError):
    """A test-mode helper was called with a live key."""

    __test__ = False  # not a pytest test class, despite the name
    status = 403
    code = "test-mode-only"
    title = says = "payment_provider.test_mode_only"


class PaymentProviderUnavailable(AdapterError, TemporaryFailure):
    """The provider is unreachable, rate-limiting or failing (5xx): a job retries with backoff."""

    code = "payment-provider-unavailable"
    title = says = "payment_provider.unreachable"

"""Payments behind one port (money as integer minor units with a currency, never floats).

- ``StripeGateway`` (cards, Alipay, WeChat Pay through the official SDK; universities as connected accounts,
  the platform fee as ``application_fee_amount``; signed webhooks normalised into ``PaymentEvent``);
- ``BankTransferGateway`` (对公转账: a reference with a check character to quote) and ``match_statement_file``
  (a bank statement CSV matched against the open references, a verdict per row).
"""

from market.integrations.payments.bank_statement import (
    MatchStatus,
    ParsedStatement,
    RowInvalid,
    RowResult,
    StatementError,
    StatementLine,
    StatementReport,
    match_statement,
    match_statement_file,
    parse_statement,
)
from market.integrations.payments.bank_transfer import (
    BankTransferGateway,
    find_references,
    new_reference,
    parse_reference,
)
from market.integrations.payments.errors import (
    PaymentConflict,
    PaymentDeclined,
    PaymentError,
    PaymentProviderMisconfigured,
    PaymentProviderUnavailable,
    PaymentRejected,
    TestModeOnly,
    WebhookSignatureInvalid,
)
from market.integrations.payments.port import (
    STRIPE_METHODS,
    Payment,
    PaymentEvent,
    PaymentGateway,
    PaymentMethod,
    PaymentRequest,
    PaymentStatus,
    Refund,
    platform_fee,
)
from market.integrations.payments.stripe_gateway import StripeConfig, StripeGateway, StripeSettings

__all__ = [
    "STRIPE_METHODS",
    "BankTransferGateway",
    "MatchStatus",
    "ParsedStatement",
    "Payment",
    "PaymentConflict",
    "PaymentDeclined",
    "PaymentError",
    "PaymentEvent",
    "PaymentGateway",
    "PaymentMethod",
    "PaymentProviderMisconfigured",
    "PaymentProviderUnavailable",
    "PaymentRejected",
    "PaymentRequest",
    "PaymentStatus",
    "Refund",
    "RowInvalid",
    "RowResult",
    "StatementError",
    "StatementLine",
    "StatementReport",
    "StripeConfig",
    "StripeGateway",
    "StripeSettings",
    "TestModeOnly",
    "WebhookSignatureInvalid",
    "find_references",
    "match_statement",
    "match_statement_file",
    "new_reference",
    "parse_reference",
    "parse_statement",
    "platform_fee",
]

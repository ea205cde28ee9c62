"""Every API controller of the finance package, for the app's one assembly point."""

from finance.ledger.controllers import LedgerController
from finance.licences.controllers import LicenceController
from finance.payments.controllers import WEBHOOK_PATH, AdminPaymentController, StripeWebhookController

FINANCE_CONTROLLERS = [LicenceController, StripeWebhookController, AdminPaymentController, LedgerController]
CSRF_EXEMPT = [WEBHOOK_PATH]  # signed by Stripe instead (and sent without cookies)

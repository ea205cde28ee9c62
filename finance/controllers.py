"""Every API controller of the finance package, for the app's one assembly point."""

from finance.contracts.controllers import LicenceContractController
from finance.desk.controllers import CalendarAdminController, DeskController
from finance.dossiers.controllers import DossierController
from finance.exports.controllers import PledgePackageController, PortfolioController
from finance.insurance.controllers import InsuranceController
from finance.insurance_claims.controllers import InsuranceClaimController
from finance.insurance_products.controllers import InsuranceProductController
from finance.ledger.controllers import LedgerController
from finance.letters.controllers import LetterController
from finance.licences.controllers import LicenceController
from finance.loan_products.controllers import BankProductController, LoanProductController
from finance.parties.controllers import PartiesController
from finance.payees.controllers import PayeeController
from finance.payments.controllers import (
    WEBHOOK_PATH,
    AdminPaymentController,
    LicencePaymentController,
    StripeWebhookController,
    UniversityTransferController,
)
from finance.pledges.controllers import PledgeController
from finance.policies.controllers import PolicyController
from finance.qualifications.controllers import QualificationAdminController, QualificationController
from finance.registrations.controllers import RegistrationController
from finance.royalties.controllers import LicenceRoyaltyController
from finance.servicing.controllers import LoanController
from finance.signatures.controllers import SealController
from finance.subsidies.controllers import (
    SubsidyClaimController,
    SubsidyEstimateController,
    SubsidyProgrammeController,
)
from finance.valuation.controllers import ValuationController
from finance.voucher_entitlements.controllers import VoucherEntitlementController
from finance.voucher_programmes.controllers import VoucherProgrammeController
from finance.voucher_providers.controllers import VoucherProviderController, VoucherServiceController
from finance.voucher_redemptions.controllers import (
    LicenceVoucherController,
    VoucherClaimController,
    VoucherOrderController,
)
from finance.voucher_settlements.controllers import VoucherReportController, VoucherSettlementController

FINANCE_CONTROLLERS = [
    LicenceController,
    LicencePaymentController,
    LicenceRoyaltyController,
    LicenceContractController,
    StripeWebhookController,
    AdminPaymentController,
    LedgerController,
    PayeeController,
    UniversityTransferController,
    RegistrationController,
    LoanController,
    DeskController,
    CalendarAdminController,
    DossierController,
    SealController,
    LetterController,
    LoanProductController,
    BankProductController,
    ValuationController,
    PortfolioController,
    PledgePackageController,
    PledgeController,
    InsuranceClaimController,
    PolicyController,
    InsuranceController,
    InsuranceProductController,
    SubsidyProgrammeController,
    SubsidyEstimateController,
    SubsidyClaimController,
    LicenceVoucherController,
    VoucherOrderController,
    VoucherClaimController,
    VoucherSettlementController,
    VoucherReportController,
    QualificationController,
    QualificationAdminController,
    PartiesController,
    VoucherProgrammeController,
    VoucherProviderController,
    VoucherServiceController,
    VoucherEntitlementController,
]
CSRF_EXEMPT = [WEBHOOK_PATH]  # signed by Stripe instead (and sent without cookies)

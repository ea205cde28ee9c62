"""The ``finance`` Piccolo app: licences, payments and webhook events, contracts, royalty reports, ledger entries
issued statements, payee accounts and bank statement runs; the review desk (cases, decisions, working-day calendar)."""

import os

from piccolo.conf.apps import AppConfig

from finance.contracts.tables import ContractDocument
from finance.desk.tables import CalendarDay, DeskCase, DeskDecision
from finance.dossiers.tables import DossierDocument
from finance.insurance.tables import InsuranceApplication, InsuranceApplicationPatent, InsuranceConsent
from finance.insurance_claims.tables import (
    InsuranceClaim,
    InsuranceClaimCost,
    InsuranceClaimPayment,
    InsuranceGuarantee,
)
from finance.insurance_products.tables import InsuranceProduct, InsuranceProductVersion
from finance.ledger.tables import LedgerEntry, Statement, StatementRow, VoucherIncomeEntry
from finance.letters.tables import DecisionLetter
from finance.licences.tables import Licence
from finance.loan_products.tables import LoanProduct, LoanProductVersion, RiskPool
from finance.parties.tables import PartyFacts, PartyShareholder
from finance.payees.tables import PayeeAccount
from finance.payments.tables import BankStatementLine, BankStatementRun, LicencePayment, PaymentEvent
from finance.pledges.tables import PledgeApplication, PledgePatent
from finance.policies.tables import (
    Endorsement,
    InsurancePolicy,
    InsurancePolicyPatent,
    PremiumEntry,
    PremiumPayment,
)
from finance.qualifications.tables import Qualification
from finance.registrations.tables import PledgeDocument, PledgeRegistration, PledgeRegistrationPatent
from finance.royalties.tables import RoyaltyReport
from finance.servicing.tables import Loan, LoanEntry, PoolClaim
from finance.signatures.tables import Signature
from finance.subsidies.tables import (
    SubsidyCap,
    SubsidyClaim,
    SubsidyPayment,
    SubsidyProgramme,
    SubsidyProgrammeVersion,
)
from finance.voucher_entitlements.tables import (
    VoucherApplication,
    VoucherCap,
    VoucherEntitlement,
    VoucherEntry,
    VoucherHold,
)
from finance.voucher_programmes.tables import VoucherProgramme, VoucherProgrammeVersion
from finance.voucher_providers.tables import VoucherObjection, VoucherProvider, VoucherService
from finance.voucher_redemptions.tables import (
    VoucherClaimCap,
    VoucherDeliverable,
    VoucherRedemption,
    VoucherShareAlert,
)
from finance.voucher_settlements.tables import VoucherBatch, VoucherBatchLine, VoucherPayout, VoucherStatement

APP_CONFIG = AppConfig(
    app_name="finance",
    migrations_folder_path=os.path.join(os.path.dirname(os.path.abspath(__file__)), "piccolo_migrations"),
    table_classes=[
        Licence,
        LicencePayment,
        PaymentEvent,
        ContractDocument,
        RoyaltyReport,
        LedgerEntry,
        Statement,
        StatementRow,
        PayeeAccount,
        BankStatementRun,
        BankStatementLine,
        PledgeRegistration,
        PledgeRegistrationPatent,
        PledgeDocument,
        Loan,
        LoanEntry,
        PoolClaim,
        DeskCase,
        DeskDecision,
        CalendarDay,
        DossierDocument,
        Signature,
        DecisionLetter,
        RiskPool,
        LoanProduct,
        LoanProductVersion,
        PledgeApplication,
        PledgePatent,
        InsurancePolicy,
        InsurancePolicyPatent,
        PremiumPayment,
        Endorsement,
        PremiumEntry,
        InsuranceApplication,
        InsuranceApplicationPatent,
        InsuranceConsent,
        InsuranceProduct,
        InsuranceProductVersion,
        SubsidyProgramme,
        SubsidyProgrammeVersion,
        SubsidyClaim,
        SubsidyPayment,
        SubsidyCap,
        InsuranceClaim,
        InsuranceClaimCost,
        InsuranceClaimPayment,
        InsuranceGuarantee,
        VoucherRedemption,
        VoucherDeliverable,
        VoucherClaimCap,
        VoucherShareAlert,
        Qualification,
        PartyFacts,
        PartyShareholder,
        VoucherBatch,
        VoucherBatchLine,
        VoucherPayout,
        VoucherStatement,
        VoucherIncomeEntry,
        VoucherProgramme,
        VoucherProgrammeVersion,
        VoucherProvider,
        VoucherObjection,
        VoucherService,
        VoucherApplication,
        VoucherEntitlement,
        VoucherHold,
        VoucherEntry,
        VoucherCap,
    ],
    migration_dependencies=["market.piccolo_app", "listings.piccolo_app"],
    commands=[],
)

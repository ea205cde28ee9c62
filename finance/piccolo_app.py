"""The ``finance`` Piccolo app: licences, payments and webhook events, contracts, royalty reports."""

import os

from piccolo.conf.apps import AppConfig

from finance.contracts.tables import ContractDocument
from finance.licences.tables import Licence
from finance.payments.tables import LicencePayment, PaymentEvent
from finance.royalties.tables import RoyaltyReport

APP_CONFIG = AppConfig(
    app_name="finance",
    migrations_folder_path=os.path.join(os.path.dirname(os.path.abspath(__file__)), "piccolo_migrations"),
    table_classes=[Licence, LicencePayment, PaymentEvent, ContractDocument, RoyaltyReport],
    migration_dependencies=["market.piccolo_app", "listings.piccolo_app"],
    commands=[],
)

"""The ``listings`` Piccolo app: patents, recorded licences, declarations, imports, university settings, the search
outbox, technology needs and saved searches."""

import os

from piccolo.conf.apps import AppConfig

from listings.declarations.tables import Declaration, DeclarationVersion
from listings.imports.tables import ImportRejection, ImportRun
from listings.needs.tables import AlertEmail, Need, SavedSearch
from listings.patents.tables import Patent, PledgeeConsent, RecordedLicence
from listings.search.tables import IndexedListing, SearchOutbox
from listings.universities.tables import PatenteeAlias, UniversityProfile

APP_CONFIG = AppConfig(
    app_name="listings",
    migrations_folder_path=os.path.join(os.path.dirname(os.path.abspath(__file__)), "piccolo_migrations"),
    table_classes=[
        Patent,
        RecordedLicence,
        PledgeeConsent,
        Declaration,
        DeclarationVersion,
        ImportRun,
        ImportRejection,
        UniversityProfile,
        PatenteeAlias,
        SearchOutbox,
        IndexedListing,
        Need,
        SavedSearch,
        AlertEmail,
    ],
    migration_dependencies=["market.piccolo_app"],
    commands=[],
)

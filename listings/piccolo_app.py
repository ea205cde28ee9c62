"""The ``listings`` Piccolo app: patents, recorded licences, declarations, imports, university settings."""

import os

from piccolo.conf.apps import AppConfig

from listings.declarations.tables import Declaration, DeclarationVersion
from listings.imports.tables import ImportRun
from listings.patents.tables import Patent, RecordedLicence
from listings.universities.tables import UniversityProfile

APP_CONFIG = AppConfig(
    app_name="listings",
    migrations_folder_path=os.path.join(os.path.dirname(os.path.abspath(__file__)), "piccolo_migrations"),
    table_classes=[Patent, RecordedLicence, Declaration, DeclarationVersion, ImportRun, UniversityProfile],
    migration_dependencies=["market.piccolo_app"],
    commands=[],
)

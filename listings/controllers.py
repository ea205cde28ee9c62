"""Every API controller of the listings package, for the app's one assembly point."""

from listings.advice.controllers import PricingController
from listings.declarations.controllers import DeclarationController
from listings.imports.controllers import ImportController
from listings.needs.controllers import ListingNeedsController, NeedController, SavedSearchController
from listings.patents.controllers import PatentController
from listings.search.controllers import ListingController, SearchController
from listings.universities.controllers import PatenteeAliasController, UniversitySettingsController

LISTINGS_CONTROLLERS = [
    PatentController,
    ImportController,
    DeclarationController,
    ListingController,
    UniversitySettingsController,
    PatenteeAliasController,
    PricingController,
    SearchController,
    SavedSearchController,
    NeedController,
    ListingNeedsController,
]

"""Piccolo's configuration: the engine from settings, and the app registry (one Piccolo app per package)."""

from piccolo.conf.apps import AppRegistry

from market.db import build_engine
from market.settings import get_settings

DB = build_engine(get_settings())

APP_REGISTRY = AppRegistry(apps=["market.piccolo_app", "listings.piccolo_app", "finance.piccolo_app"])

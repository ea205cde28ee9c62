"""The `market` command and the settings' embedded default."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from frontend.i18n import MESSAGES
from market.accounts.tables import User
from market.orgs.schemas import OrgKind
from market.orgs.tables import Organisation
from market.settings import Settings
from tests.conftest import Backend
from tests.market.test_audit import market_cli


def test_an_empty_environment_gives_the_embedded_default(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)  # no .env file here
    for name in list(__import__("os").environ):
        if name.startswith("MARKET_"):
            monkeypatch.delenv(name)
    settings = Settings()
    assert settings.sqlite_path == Path("var/market.sqlite3")
    assert not settings.is_postgres
    assert settings.jobs_backend == "in-process"
    assert settings.search_backend == "embedded"


def test_production_refuses_the_development_secret() -> None:
    with pytest.raises(ValueError, match="MARKET_SECRET_KEY"):
        Settings(env="production")


async def test_seed_demo_creates_every_kind_prints_sign_ins_and_is_idempotent(backend: Backend) -> None:
    first = market_cli(backend.settings, "seed", "--demo", "--listings", "50")
    assert first.returncode == 0, first.stderr
    kinds = {row["kind"] for row in await Organisation.select(Organisation.kind)}
    assert kinds == {k.value for k in OrgKind}
    for kind in OrgKind:
        assert re.search(rf"^\s+{kind.value}\s+\S+@demo\.market\s+\S+", first.stdout, re.M), first.stdout
    users = await User.count()
    again = market_cli(backend.settings, "seed", "--demo", "--listings", "50")
    assert again.returncode == 0, again.stderr
    assert await User.count() == users


def test_migrate_on_a_fresh_sqlite_file(tmp_path: Path) -> None:
    settings = Settings(env="test", data_dir=tmp_path, database_url=f"sqlite:///{tmp_path / 'fresh.sqlite3'}")
    result = market_cli(settings, "migrate")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "fresh.sqlite3").stat().st_size > 0
    again = market_cli(settings, "migrate")  # nothing left to apply
    assert again.returncode == 0, again.stderr


def test_every_page_text_exists_in_both_languages() -> None:
    assert set(MESSAGES["zh"]) == set(MESSAGES["en"])
    assert all(MESSAGES["zh"][k].strip() and MESSAGES["en"][k].strip() for k in MESSAGES["zh"])


def test_every_template_key_is_translated() -> None:
    templates = Path(__file__).parents[2] / "frontend" / "templates"
    used = set()
    for path in templates.rglob("*.html"):
        used |= set(re.findall(r"(?<![\w.])t\('([a-z0-9_]+)'\)", path.read_text()))
    missing = {k for k in used if k not in MESSAGES["zh"]}
    assert not missing

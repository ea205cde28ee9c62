"""The `market` command and the settings' embedded default."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from finance.payees.tables import PayeeAccount
from listings.declarations.tables import Declaration
from listings.patents.tables import Patent
from market.accounts.tables import User
from market.i18n import gettext
from market.orgs.schemas import OrgKind, Role
from market.orgs.tables import Organisation
from market.settings import Settings
from tests.conftest import Backend
from tests.market.test_audit import cli_env, market_cli
from tests.support.catalogues import extracted, missing, parameter_mismatches


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
    one = await Declaration.select(Declaration.id).where(Declaration.status == "published").first()
    await Declaration.update({Declaration.status: "withdrawn"}).where(Declaration.id == one["id"])  # a patent unlisted
    again = market_cli(backend.settings, "seed", "--demo", "--listings", "50")
    assert again.returncode == 0, again.stderr
    assert "search.drained" not in first.stdout + first.stderr  # quiet: the summary, not the jobs' log
    listed = await Declaration.count().where(Declaration.status == "published")
    assert 0 < listed < await Patent.count()  # a patent withdrawn from the list: the count must be of listings
    assert f"Demo listings: {listed} published" in again.stdout, again.stdout
    assert await User.count() == users
    universities = await Organisation.count().where(Organisation.kind == "university")
    assert await PayeeAccount.count() == universities  # each can be paid by transfer, once


def test_migrate_on_a_fresh_sqlite_file(tmp_path: Path) -> None:
    settings = Settings(env="test", data_dir=tmp_path, database_url=f"sqlite:///{tmp_path / 'fresh.sqlite3'}")
    result = market_cli(settings, "migrate")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "fresh.sqlite3").stat().st_size > 0
    again = market_cli(settings, "migrate")  # nothing left to apply
    assert again.returncode == 0, again.stderr


def test_every_code_the_pages_ask_for_is_translated() -> None:
    """Every ``_('ui....')`` in the templates and every ``gettext(lang, "ui....")`` in the page code (as
    ``pybabel extract`` finds them) is in both catalogues, with the same parameters."""
    wanted = extracted()
    assert len({code for _, code in wanted if code.startswith("ui.")}) > 300
    assert missing(wanted) == []
    assert parameter_mismatches() == []


def test_the_catalogue_check_names_what_either_language_lacks() -> None:
    assert missing({(None, "ui.sign_in"), ("button", "ui.check")}) == []
    assert missing({(None, "ui.no_such_code"), ("no such sense", "ui.check")}) == [
        "zh_CN: ui.check (msgctxt no such sense)",
        "en: ui.check (msgctxt no such sense)",
        "zh_CN: ui.no_such_code",
        "en: ui.no_such_code",
    ]


def test_codes_made_from_values_are_translated() -> None:
    """Templates also make codes from values (``tr('ui.kind_' ~ kind)``): each value has its words."""
    codes = [f"ui.kind_{k.value}" for k in OrgKind] + [f"ui.role_{r.value}" for r in Role]
    codes += [f"ui.dash_{k.value}" for k in OrgKind]
    for lang in ("zh", "en"):
        assert [c for c in codes if gettext(lang, c) == c] == []


def test_links_follow_the_port_served_in_development_only() -> None:
    dev = Settings(env="development")
    assert dev.served_base_url("127.0.0.1", 8017) == "http://127.0.0.1:8017"
    assert dev.served_base_url("0.0.0.0", 8017) == "http://127.0.0.1:8017"  # noqa: S104 - links go to this machine
    chosen = Settings(env="development", base_url="https://market.example.cn")
    assert chosen.served_base_url("127.0.0.1", 8017) == "https://market.example.cn"  # MARKET_BASE_URL set: kept
    prod = Settings(env="production", secret_key="x" * 40, base_url="https://market.example.cn")
    assert prod.served_base_url("0.0.0.0", 9000) == "https://market.example.cn"  # noqa: S104


def test_serve_prints_the_address_it_serves(backend: Backend) -> None:
    """`market serve --port N` says where it is (and where to sign in) before serving there, not port 8000."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {k: v for k, v in cli_env(backend.settings).items() if k != "MARKET_BASE_URL"}
    env["MARKET_ENV"] = "development"
    server = subprocess.Popen(
        [sys.executable, "-m", "market", "serve", "--port", str(port)], env=env, stdout=subprocess.PIPE, text=True
    )
    try:
        assert server.stdout is not None
        first = server.stdout.readline().strip()
        assert first == f"Serving http://127.0.0.1:{port} - sign in at http://127.0.0.1:{port}/sign-in"
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "market serve did not answer"
            time.sleep(0.2)
    finally:
        server.terminate()
        server.wait(timeout=30)

"""The audit trail: hash-chained, and `market audit verify` names the first edited or deleted event."""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys

from market import jobs
from market.audit import service as audit
from market.audit.records import AuditEventRecord
from market.audit.service import Actor
from market.audit.tables import AuditEvent
from market.settings import Settings
from tests.conftest import Backend, make_account


async def record_events(n: int) -> None:
    async with jobs.unit_of_work():
        for i in range(n):
            await audit.record(
                actor=Actor(user_id=None, org_id=7),
                action="tests.changed",
                entity_type="thing",
                entity_id=i,
                before={"n": i, "名称": "旧"},
                after={"n": i + 1, "名称": "新", "at": "2026-11-22"},
            )


def cli_env(settings: Settings) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MARKET_")}
    env["MARKET_DATA_DIR"] = str(settings.data_dir)
    env["MARKET_DATABASE_URL"] = settings.database_url or f"sqlite:///{settings.sqlite_path}"
    return env


def market_cli(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "market", *args], env=cli_env(settings), capture_output=True, text=True, timeout=120
    )


async def test_an_intact_chain_verifies(backend: Backend) -> None:
    await record_events(5)
    report = await audit.verify()
    assert report.ok and report.checked == 5
    rows = await AuditEvent.select().order_by(AuditEvent.seq)
    assert rows[0]["prev_hash"] == audit.GENESIS
    assert all(b["prev_hash"] == a["hash"] for a, b in itertools.pairwise(rows))


async def test_an_edited_event_is_named(backend: Backend) -> None:
    await record_events(5)
    third = await AuditEvent.select(AuditEvent.id).where(AuditEvent.seq == 3).first()
    await AuditEvent.update({AuditEvent.after: json.dumps({"n": 999})}).where(AuditEvent.seq == 3)
    report = await audit.verify()
    assert not report.ok
    assert (report.broken_seq, report.broken_id, report.checked) == (3, third["id"], 2)
    assert "edited" in (report.reason or "")


async def test_a_deleted_event_is_named(backend: Backend) -> None:
    await record_events(5)
    await AuditEvent.delete().where(AuditEvent.seq == 2)
    report = await audit.verify()
    assert not report.ok and report.broken_seq == 3 and "deleted" in (report.reason or "")


async def test_an_edit_that_rehashes_its_own_row_breaks_the_next_link(backend: Backend) -> None:
    """An edit that recomputes the row's own hash still breaks the next row's link."""
    await record_events(4)
    row = await AuditEvent.select().where(AuditEvent.seq == 2).first()
    edited = AuditEventRecord(**{**row, "after": {"n": 12345}, "before": json.loads(row["before"])})
    new_hash = audit.event_hash(edited)
    await AuditEvent.update({AuditEvent.after: json.dumps({"n": 12345}), AuditEvent.hash: new_hash}).where(
        AuditEvent.seq == 2
    )
    report = await audit.verify()
    assert not report.ok and report.broken_seq == 3 and "prev_hash" in (report.reason or "")


async def test_state_changes_land_in_the_trail_with_actor_and_organisation(backend: Backend) -> None:
    from market.accounts import service as accounts
    from market.accounts.schemas import TokenIn

    account = await make_account()
    principal = await accounts.principal_for(user_id=account.user_id, org_id=None)
    async with jobs.unit_of_work():
        token = await accounts.create_token(principal=principal, data=TokenIn(name="erp"))
    async with jobs.unit_of_work():
        await accounts.revoke_token(principal=principal, token_id=token.id)
    rows = await AuditEvent.select().where(AuditEvent.entity_type == "api_token").order_by(AuditEvent.seq)
    assert [r["action"] for r in rows] == ["accounts.token_created", "accounts.token_revoked"]
    assert {(r["actor_user_id"], r["org_id"]) for r in rows} == {(account.user_id, account.org_id)}
    assert json.loads(rows[1]["before"]) == {"revoked_at": None}


async def test_market_audit_verify_command(backend: Backend) -> None:
    await record_events(3)
    ok = market_cli(backend.settings, "audit", "verify")
    assert ok.returncode == 0, ok.stderr
    assert "intact: 3 events" in ok.stdout
    second = await AuditEvent.select(AuditEvent.id).where(AuditEvent.seq == 2).first()
    await AuditEvent.update({AuditEvent.action: "tests.forged"}).where(AuditEvent.seq == 2)
    broken = market_cli(backend.settings, "audit", "verify")
    assert broken.returncode == 1
    assert f"seq=2 (id={second['id']})" in broken.stderr and "edited" in broken.stderr

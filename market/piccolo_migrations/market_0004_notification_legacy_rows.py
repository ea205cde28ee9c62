"""Hand-written: the notifications written before codes (one "中文 · number / English" title) get codes.

Titles the finance jobs and the welcome job wrote are recognised and mapped to their codes with parameters (the
licence number, dates), so they show in the reader's language; any other row keeps its text and is shown through
``notification.legacy`` (its old title and body as parameters). ``title`` and ``body`` are left as they were.
Self-contained on purpose: a migration must not change when the code it once ran with changes.
"""

from __future__ import annotations

import json
import re
from typing import Any

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from market.notifications.tables import Notification  # the table's name only: every query here is SQL

ID = "2026-11-29T14:31:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "notifications written before codes: map known titles to codes, keep the rest as legacy text"

DATE = r"(\d{4}-\d{2}-\d{2})"
NUMBER = re.compile(r" · (\S+) / ")
FIXED = {
    "licence_requested": "notification.licence_requested",
    "licence_activated": "notification.licence_activated",
    "licence_contract": "notification.contract_ready",
}
FILING = re.compile(rf"请在 {DATE} 前")  # words: data (the old text being recognised)
PERIOD = re.compile(rf"{DATE}\s*–\s*{DATE}")


def _day(text: str) -> dict[str, str]:
    return {"$date": text}


def convert(kind: str, title: str, body: str) -> tuple[str, dict[str, Any], str]:
    """(code, params, body_code) of an old row."""
    legacy = ("notification.legacy", {"title": title, "body": body}, "notification.legacy.body" if body else "")
    if kind == "welcome":
        return "notification.welcome", {}, "notification.welcome.body"
    found = NUMBER.search(title)
    if not kind.startswith("licence_") or found is None:
        return legacy
    number: dict[str, Any] = {"number": found[1]}
    if kind in FIXED:
        return FIXED[kind], number, ""
    if kind.startswith("licence_paid-"):
        return "notification.payment_received", number, ""
    if kind.startswith("licence_filing-") and (deadline := FILING.search(title)):
        return "notification.filing_due", {**number, "deadline": _day(deadline[1])}, ""
    period = PERIOD.search(title)
    if period is not None and kind.startswith("licence_report-"):
        return "notification.report_overdue", {**number, "start": _day(period[1]), "end": _day(period[2])}, ""
    if period is not None and kind.startswith("licence_unpaid-"):
        return "notification.royalty_unpaid", {**number, "start": _day(period[1]), "end": _day(period[2])}, ""
    return legacy


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="market", description=DESCRIPTION)

    async def up() -> None:
        rows = await Notification.raw(
            "SELECT id, kind, title, body FROM market_notification WHERE code = 'notification.legacy'"
        )
        for row in rows:
            code, params, body_code = convert(str(row["kind"]), str(row["title"]), str(row["body"] or ""))
            await Notification.raw(
                "UPDATE market_notification SET code = {}, params = {}, body_code = {} WHERE id = {}",
                code,
                json.dumps(params, ensure_ascii=False),
                body_code,
                row["id"],
            )

    manager.add_raw(up)
    return manager

"""Stored message parameters (notifications) come back as the types they were stored as, a message inside a
message included: an organisation's decision notice carries its status and reason as messages."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal

from market.i18n import gettext
from market.kit.message_json import message_from_json, params_from_json, params_to_json
from market.kit.messages import Bp, Msg
from market.kit.money import Money


def test_every_kind_of_parameter_survives_json() -> None:
    params = {
        "text": "清华大学",
        "count": 3,
        "none": None,
        "amount": Money.of("12.34"),
        "rate": Bp(350),
        "day": date(2026, 11, 20),
        "at": datetime(2026, 11, 20, 8, 30, tzinfo=UTC),
        "share": Decimal("1.5"),
        "kinds": ("university", "bank"),
        "status": Msg("org.status.approved"),
        "reason": Msg("org.reason.evidence_ok", {"count": 2}),
    }
    stored = json.loads(json.dumps(params_to_json(params)))  # as a JSON column keeps it
    assert params_from_json(stored) == params


def test_a_decision_notice_with_messages_inside_renders_in_both_languages() -> None:
    status, reason = Msg("org.status.approved"), Msg("org.reason.evidence_ok")
    stored = json.loads(json.dumps(params_to_json({"status": status, "reason": reason})))
    body = message_from_json("notification.org_decided.body", stored)
    for lang in ("zh", "en"):
        text = gettext(lang, body.code, **dict(body.params))
        assert gettext(lang, status.code) in text and gettext(lang, reason.code) in text
        assert "Msg(" not in text

"""What a search hit shows that is fixed when its document is written, stored with the document
(``SearchDocument.payload``) so a page of hits is built without reading each listing back: the patent's number,
kind, titles, patentee and technology fields, and the price badge, with the version of the terms they were
computed for. The request reads only the current terms of the page (one statement); a hit whose current version is
not the payload's (a revision the outbox has not carried yet), or whose document has no payload (an engine that does
not return it, an index written before payloads), is built from the database as before.

The badge's messages carry typed parameters (money, rates, dates, nested messages), so they are stored as tagged
JSON values and read back as the same types: the badge renders exactly as one computed at request time.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from listings.advice.schemas import PriceCheckOut
from market.kit.messages import Bp, Msg, Param
from market.kit.money import Money
from market.kit.words import MsgOut

FORMAT = 1  # bumped when the stored shape changes: an older payload is then ignored (the hit is read back instead)


@dataclass(frozen=True, slots=True)
class HitPayload:
    """The stored part of a hit; ``version``: the declaration version its badge was computed for."""

    version: int
    patent_number: str
    kind: str
    title_zh: str
    title_en: str
    patentee: str
    tech_fields: tuple[str, ...]
    price_badge: PriceCheckOut | None


def dump(payload: HitPayload) -> str:
    badge = payload.price_badge
    return json.dumps(
        {
            "format": FORMAT,
            "version": payload.version,
            "patent_number": payload.patent_number,
            "kind": payload.kind,
            "title_zh": payload.title_zh,
            "title_en": payload.title_en,
            "patentee": payload.patentee,
            "tech_fields": list(payload.tech_fields),
            "price_badge": None
            if badge is None
            else {
                "position": badge.position,
                "over_legal_cap": badge.over_legal_cap,
                "messages": [_msg(m.msg) for m in badge.messages],
            },
        },
        ensure_ascii=False,
        separators=(",", ":"),
    )


def load(text: str) -> HitPayload | None:
    """The payload stored with a document; None when there is none or it is of another format (read back instead)."""
    if not text:
        return None
    try:
        data = json.loads(text)
        if data.get("format") != FORMAT:
            return None
        badge = data["price_badge"]
        return HitPayload(
            version=int(data["version"]),
            patent_number=str(data["patent_number"]),
            kind=str(data["kind"]),
            title_zh=str(data["title_zh"]),
            title_en=str(data["title_en"]),
            patentee=str(data["patentee"]),
            tech_fields=tuple(str(c) for c in data["tech_fields"]),
            price_badge=None
            if badge is None
            else PriceCheckOut(
                position=str(badge["position"]),
                over_legal_cap=bool(badge["over_legal_cap"]),
                messages=[MsgOut.of(_from_msg(m)) for m in badge["messages"]],
            ),
        )
    except (ValueError, KeyError, TypeError):
        return None


# ----------------------------------------------------------------------------- typed message parameters


def _msg(msg: Msg) -> dict[str, Any]:
    return {"code": msg.code, "params": {k: _param(v) for k, v in msg.params.items()}}


def _from_msg(data: dict[str, Any]) -> Msg:
    return Msg(str(data["code"]), {str(k): _from_param(v) for k, v in data["params"].items()})


def _param(value: Param) -> Any:
    """A parameter as a tagged JSON value (its type kept: money renders as money, a date as a date)."""
    if value is None:
        return None
    if isinstance(value, Msg):
        return ["msg", _msg(value)]
    if isinstance(value, Money):
        return ["money", value.currency, value.minor]
    if isinstance(value, Bp):
        return ["bp", value.value]
    if isinstance(value, bool):
        raise TypeError("a message parameter is never a bool")
    if isinstance(value, int):
        return ["int", value]
    if isinstance(value, Decimal):
        return ["decimal", str(value)]
    if isinstance(value, datetime):
        return ["datetime", value.isoformat()]
    if isinstance(value, date):
        return ["date", value.isoformat()]
    if isinstance(value, tuple):
        return ["names", [str(v) for v in value]]
    return ["str", str(value)]


def _from_param(value: Any) -> Param:
    if value is None:
        return None
    tag, *rest = value
    decoders: dict[str, Any] = {
        "msg": lambda: _from_msg(rest[0]),
        "money": lambda: Money(str(rest[0]), int(rest[1])),
        "bp": lambda: Bp(int(rest[0])),
        "int": lambda: int(rest[0]),
        "decimal": lambda: Decimal(rest[0]),
        "datetime": lambda: datetime.fromisoformat(rest[0]),
        "date": lambda: date.fromisoformat(rest[0]),
        "names": lambda: tuple(str(v) for v in rest[0]),
        "str": lambda: str(rest[0]),
    }
    if tag not in decoders:
        raise ValueError(f"unknown parameter type {tag!r}")
    result: Param = decoders[tag]()
    return result

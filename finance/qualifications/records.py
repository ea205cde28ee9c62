"""The qualifications module's records: what its repository and service return, frozen."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from market.kit.messages import Msg, Param


@dataclass(frozen=True, slots=True)
class QualificationRecord:
    """One recorded qualification (without its file's bytes). ``expires_on`` is the last day it is valid."""

    id: int
    organisation: int
    kind: str
    certificate_number: str
    issuing_body: str
    issued_on: date
    expires_on: date
    filename: str
    content_type: str
    size: int
    sha256: str
    status: str
    version: int
    reason_code: str
    note: str
    superseded_by: int | None
    recorded_by: int | None
    recorded_at: datetime
    reviewed_by: int | None
    reviewed_at: datetime | None
    ended_at: datetime | None

    @property
    def live(self) -> bool:
        """Recorded or verified: neither rejected, revoked nor superseded."""
        return self.status in ("recorded", "verified")

    def valid_on(self, day: date) -> bool:
        """Live, and ``day`` between the issue date and the expiry date (both included)."""
        return self.live and self.issued_on <= day <= self.expires_on

    def expired_on(self, day: date) -> bool:
        return day > self.expires_on

    def snapshot(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "certificate_number": self.certificate_number,
            "issuing_body": self.issuing_body,
            "issued_on": self.issued_on.isoformat(),
            "expires_on": self.expires_on.isoformat(),
            "sha256": self.sha256,
            "status": self.status,
        }


@dataclass(frozen=True, slots=True)
class QualificationContentRecord:
    """A record's evidence file: its bytes and the SHA-256 stored with them."""

    id: int
    organisation: int
    filename: str
    content_type: str
    sha256: str
    content: bytes


@dataclass(frozen=True, slots=True)
class QualificationFinding:
    """A coded finding of a qualification check, the shape of a desk reason (``finance.desk.reasons.Reason.of``
    turns it into one): ``qualification.missing`` with the kind."""

    code: str
    source: str
    severity: str
    params: dict[str, Param]

    @property
    def msg(self) -> Msg:
        return Msg(f"reason.{self.code}", self.params)


@dataclass(frozen=True, slots=True)
class QualificationCheck:
    """Which of the asked kinds an organisation holds on a day. ``held``: live and unexpired that day (recorded or
    verified); ``verified``: those of ``held`` a platform administrator verified; ``missing``: asked and not held.
    Kinds in the order asked. ``records``: the records behind ``held``."""

    org_id: int
    on: date
    asked: tuple[str, ...]
    held: tuple[str, ...]
    missing: tuple[str, ...]
    verified: tuple[str, ...]
    records: tuple[QualificationRecord, ...]

    @property
    def ok(self) -> bool:
        return not self.missing

    def findings(self) -> tuple[QualificationFinding, ...]:
        """One ``qualification.missing`` finding per kind missing."""
        return tuple(missing_finding(kind) for kind in self.missing)

    def snapshot(self) -> dict[str, Any]:
        """What a decision keeps of the check: the day, the kinds asked, held, verified and missing, and each held
        record's kind, certificate number, issuing body, dates, evidence SHA-256 and status as read."""
        return {
            "org_id": self.org_id,
            "on": self.on.isoformat(),
            "kinds": list(self.asked),
            "held": list(self.held),
            "verified": list(self.verified),
            "missing": list(self.missing),
            "records": [r.snapshot() for r in self.records],
        }


MISSING = "qualification.missing"
MISSING_SOURCE = "law.qualifications.programme_requires"


def missing_finding(kind: str) -> QualificationFinding:
    return QualificationFinding(
        code=MISSING, source=MISSING_SOURCE, severity="block", params={"kind": Msg(f"qualification.kind.{kind}")}
    )

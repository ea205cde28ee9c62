"""A mailer that keeps what it would send, for tests of the e-mails (invitations, sign-up attempts)."""

from __future__ import annotations

from dataclasses import dataclass, field

from market import runtime
from market.runtime import Mailer


@dataclass(frozen=True)
class RecordingMailer(Mailer):
    sent: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def enabled(self) -> bool:
        return True

    async def send(self, *, to: str, subject: str, text: str) -> None:
        self.sent.append((to, subject, text))


def record_mail() -> RecordingMailer:
    """Install a recording mailer in the current runtime; what the mail jobs send lands in its ``sent``."""
    mailer = RecordingMailer(config=None, sender="noreply@market.test")
    runtime.replace(mail=mailer)
    return mailer

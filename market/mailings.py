"""The e-mails the core sends itself: the link that verifies a new account's address.

A job of its own (it needs the secret key, the base URL and the mailer, which only the runtime holds): it writes
the in-app notification with the link (always) and e-mails it (when SMTP is configured). Safe to run twice: the
token is made from the time the e-mail was requested, and the notification's dedupe key too.
"""

from __future__ import annotations

from datetime import UTC, datetime

from market import jobs, runtime
from market.accounts import service as accounts
from market.i18n import Msg
from market.notifications import service as notifications


def verify_link(token: str) -> str:
    return f"{runtime.current().base_url}/verify-email?token={token}"


@jobs.job(accounts.VERIFY_EMAIL_JOB, transactional=False)
async def verify_email(*, user_id: int, requested_at: int) -> bool:
    """Write and send the verification link; False when there is nothing to send (verified, or no such user)."""
    async with jobs.unit_of_work():
        user = await accounts.user_by_id(user_id)
        if user is None or user.email_verified_at is not None:
            return False
        settings = runtime.current().settings
        token = accounts.email_token(
            user_id=user.id,
            email=user.email,
            secret=settings.secret_key.get_secret_value(),
            issued_at=datetime.fromtimestamp(requested_at, UTC),
        )
        dedupe_key = f"verify-email:{user.id}:{requested_at}"
        written = await notifications.notify(
            user_id=user.id,
            kind="verify_email",
            message=Msg("notification.verify_email"),
            body=Msg("notification.verify_email.body", {"link": verify_link(token)}),
            dedupe_key=dedupe_key,
        )
    mail = runtime.current().mail
    if not written or not mail.enabled:
        return written
    note = await notifications.for_email(dedupe_key)  # in the recipient's language
    if note is not None:
        await mail.send(to=note.email, subject=note.title, text=note.body)
    return True

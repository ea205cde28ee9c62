"""E-mails that an in-app notification cannot carry: an invitation's link (to an address that may have no account,
and with a secret that is never stored), and the notice to an account's owner that someone tried to sign up with
their address (sign-up answers the same either way, so it must not say so on the page).

Jobs: they sit above the runtime (the mailer, the server's key, the base URL), over the services they read.
Without SMTP (``MARKET_SMTP_URL`` empty) nothing is sent: an invitee with an account still finds the invitation
in the app (``/invitations``).

And the link that verifies a new account's address: written as an in-app notification (always) and e-mailed (when
SMTP is configured); safe to run twice (the token and the dedupe key are made from the time it was requested).
"""

from __future__ import annotations

from datetime import UTC, datetime

import structlog

from market import jobs, runtime
from market.accounts import service as accounts
from market.i18n import Msg, gettext, language_of
from market.jobs import job
from market.notifications import service as notifications
from market.orgs import service as orgs

log = structlog.get_logger("market.mailings")
ROLE_WORDS = {"owner": "ui.role_owner", "member": "ui.role_member"}


@job(orgs.INVITATION_MAIL_JOB, transactional=False)
async def invitation(*, invitation_id: int, nonce: str, lang: str = "zh") -> bool:
    """Mail an invitation's link to its address; False when there is nothing to send (no mailer, or the invitation
    is gone or no longer pending)."""
    current = runtime.current()
    if not current.mail.enabled:
        return False
    row = await orgs.invitation_for_mail(invitation_id)
    if row is None:
        return False
    invited, org_name = row
    token = orgs.invitation_token(key=current.settings.secret_key.get_secret_value(), nonce=nonce)
    existing = await accounts.user_by_email(invited.email)
    # an address with an account reads its own language; a new one, the language the inviter's page was in
    lang = language_of(existing.locale if existing is not None and existing.locale else lang)
    link = f"{current.base_url}/invitations/{token}"
    role = gettext(lang, ROLE_WORDS.get(invited.role, "ui.role_member"))
    subject = gettext(lang, "mail.invitation.subject", org=org_name)
    text = gettext(
        lang, "mail.invitation.body", org=org_name, role=role, link=link, expires=invited.expires_at.date().isoformat()
    )
    await current.mail.send(to=invited.email, subject=subject, text=text)
    log.info("invitation.mailed", invitation_id=invitation_id)
    return True


@job(accounts.SIGN_UP_ATTEMPT_JOB, transactional=False)
async def sign_up_attempt(*, user_id: int) -> bool:
    """Tell an account's owner that someone tried to sign up with their address (and how to reset nothing: their
    account is unchanged)."""
    current = runtime.current()
    contact = await accounts.contact(user_id)
    if not current.mail.enabled or contact is None:
        return False
    lang = language_of(contact.locale)
    await current.mail.send(
        to=contact.email,
        subject=gettext(lang, "mail.sign_up_attempt.subject"),
        text=gettext(lang, "mail.sign_up_attempt.body", link=current.base_url + "/sign-in"),
    )
    log.info("sign_up_attempt.mailed", user_id=user_id)
    return True


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
    note = await notifications.for_email(dedupe_key, runtime.current().base_url)  # the recipient's language
    if note is not None:
        await mail.send(to=note.email, subject=note.title, text=note.body)
    return True

"""Sign-up, sign-in, the principal behind a session or token, and API tokens. No HTTP here."""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from market import jobs
from market.accounts import passwords, repository
from market.accounts.principal import Principal
from market.accounts.schemas import MembershipOut, MeOut, SignUpIn, TokenCreated, TokenIn, TokenOut
from market.audit.service import Actor, record
from market.errors import Conflict, FieldError, InvalidCredentials, MarketError, NotFound, ValidationFailed
from market.i18n import Msg, language_of
from market.kit import credit_code as credit_codes
from market.orgs import service as org_service
from market.orgs.schemas import OrgKind, OrgStatus, Role

# What other modules read and write of users: through this service, never the repository.
user_by_id = repository.user_by_id
user_by_email = repository.user_by_email
create_user = repository.create_user
mark_email_verified = repository.mark_email_verified

# The job (market.mailings) that tells an account's owner someone tried to sign up with their address.
SIGN_UP_ATTEMPT_JOB = "mail.sign_up_attempt"

TOKEN_PREFIX = "mkt_"  # noqa: S105 - a public prefix that marks our tokens, not a secret
_TOUCH_EVERY = timedelta(minutes=1)
VERIFY_EMAIL_VALID = timedelta(days=3)  # how long the link in a verification e-mail works
VERIFY_EMAIL_JOB = "accounts.verify_email"  # market.verification: writes and e-mails the link


def _hour() -> str:
    return datetime.now(UTC).strftime("%Y%m%d%H")


def check_password(password: str, *, email: str, min_length: int) -> None:
    """Refuse a new password that breaks the policy (passwords.password_problems), as errors on its field."""
    problems = passwords.password_problems(password, email=email, min_length=min_length)
    if problems:
        raise ValidationFailed(problems[0], errors=[FieldError("password", p) for p in problems])


async def sign_up(*, data: SignUpIn, locale: str = "zh", min_password_length: int = 10) -> Principal | None:
    """Create a user, their organisation (pending a platform administrator's approval) and their owner membership,
    and send the e-mail that verifies the address; None (and nothing written) when the address already has an
    account: its owner is told by e-mail instead, and the caller answers as for a new account, so sign-up does not
    reveal which addresses have one. A malformed credit code, or a name or code another organisation has (both
    public), is refused with the field."""
    check_password(data.password, email=data.email, min_length=min_password_length)
    code_error = org_service.credit_code_error(data.credit_code)
    if code_error is not None:
        raise ValidationFailed(code_error.message, errors=[code_error])
    existing = await repository.user_by_email(data.email)
    if existing is not None:
        passwords.hash_password(data.password)  # the same work as for a new account: no answer by timing either
        await jobs.enqueue(SIGN_UP_ATTEMPT_JOB, user_id=existing.id, job_id=f"sign-up-attempt:{existing.id}:{_hour()}")
        return None
    user_id = await repository.create_user(
        email=data.email,
        password_hash=passwords.hash_password(data.password),
        display_name=data.display_name,
        locale=locale,
    )
    org_id = await org_service.create_org(
        name=data.org_name,
        kind=data.org_kind.value,
        region=data.region,
        credit_code=credit_codes.normalise(data.credit_code),
        address=data.address,
    )
    await org_service.add_membership(user_id=user_id, org_id=org_id, role=Role.owner.value)
    actor = Actor(user_id=user_id, org_id=org_id)
    await record(
        actor=actor,
        action="accounts.user_created",
        entity_type="user",
        entity_id=user_id,
        after={"email": data.email, "display_name": data.display_name},
    )
    await record(
        actor=actor,
        action="orgs.org_created",
        entity_type="organisation",
        entity_id=org_id,
        after={
            "name": data.org_name,
            "kind": data.org_kind.value,
            "region": data.region,
            "owner": user_id,
            "credit_code": credit_codes.normalise(data.credit_code),
            "status": OrgStatus.pending.value,
        },
    )
    await jobs.enqueue("notifications.welcome", user_id=user_id)
    await jobs.enqueue(VERIFY_EMAIL_JOB, user_id=user_id, requested_at=int(datetime.now(UTC).timestamp()))
    principal = await principal_for(user_id=user_id, org_id=org_id, via="session")
    assert principal is not None
    return principal


@dataclass(frozen=True)
class Contact:
    """How to reach a user, and in which language (the account's locale)."""

    user_id: int
    email: str
    locale: str


async def contact(user_id: int) -> Contact | None:
    user = await repository.user_by_id(user_id)
    if user is None:
        return None
    return Contact(user_id=user.id, email=user.email, locale=user.locale or "")


async def remember_language(*, user_id: int, lang: str) -> str:
    """The language the user chose (switching it while signed in): kept on the account, so e-mails, notifications
    and the next sign-in follow it. Returns the language kept (``zh`` or ``en``)."""
    chosen = language_of(lang)
    await repository.set_locale(user_id, chosen)
    return chosen


async def language_of_user(user_id: int) -> str | None:
    """The account's language (``zh`` or ``en``), or None for no such user."""
    user = await repository.user_by_id(user_id)
    return None if user is None else language_of(user.locale)


async def authenticate(*, email: str, password: str) -> Principal:
    user = await repository.user_by_email(email.lower())
    ok = passwords.verify_password(user.password_hash if user else None, password)
    if not user or not ok or user.disabled_at is not None:
        wrong = Msg("account.wrong_credentials")
        raise InvalidCredentials(wrong, errors=[FieldError("password", wrong, code="invalid")])
    if passwords.needs_rehash(user.password_hash):
        await repository.set_password_hash(user.id, passwords.hash_password(password))
    principal = await principal_for(user_id=user.id, org_id=None, via="session")
    if principal is None:
        raise InvalidCredentials(Msg("account.no_organisation"))
    return principal


async def principal_for(
    *, user_id: int, org_id: int | None, via: str = "session", token_id: int | None = None
) -> Principal | None:
    """The user acting for ``org_id`` (or their first organisation), or None if that is not a membership."""
    user = await repository.user_by_id(user_id)
    if user is None or user.disabled_at is not None:
        return None
    memberships = await org_service.memberships_of_user(user_id)
    chosen = next((m for m in memberships if org_id is None or m.org_id == org_id), None)
    if chosen is None:
        return None
    return Principal(
        user_id=user_id,
        email=user.email,
        display_name=user.display_name,
        org_id=chosen.org_id,
        org_name=chosen.org_name,
        org_kind=OrgKind(chosen.org_kind),
        role=Role(chosen.role),
        via="token" if via == "token" else "session",
        token_id=token_id,
        org_status=chosen.org_status,
    )


async def me(*, principal: Principal) -> MeOut:
    """Who is signed in, for whom they act, and every organisation they may switch to."""
    memberships = await org_service.memberships_of_user(principal.user_id)
    return MeOut(
        user_id=principal.user_id,
        email=principal.email,
        display_name=principal.display_name,
        org_id=principal.org_id,
        org_name=principal.org_name,
        org_kind=principal.org_kind,
        role=principal.role,
        org_status=OrgStatus(principal.org_status),
        email_verified=await email_verified(principal.user_id),
        memberships=[MembershipOut.model_validate(m) for m in memberships],
    )


async def email_verified(user_id: int) -> bool:
    user = await repository.user_by_id(user_id)
    return user is not None and user.email_verified_at is not None


def _email_signature(*, payload: str, email: str, secret: str) -> str:
    message = f"verify-email:{payload}:{email}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()[:40]


def email_token(*, user_id: int, email: str, secret: str, issued_at: datetime) -> str:
    """A link's token: the user, when it expires, and an HMAC over both and the address (a changed address makes
    it void). Nothing is stored."""
    expires = int((issued_at + VERIFY_EMAIL_VALID).timestamp())
    payload = f"{user_id}.{expires}"
    return f"{payload}.{_email_signature(payload=payload, email=email, secret=secret)}"


class BadEmailToken(MarketError):
    status = 400
    code = "email-token-invalid"
    title = "problem.email-token-invalid"


async def confirm_email(*, token: str, secret: str, now: datetime | None = None) -> int:
    """Verify the address the token was made for; returns the user id. Safe to repeat."""
    now = now or datetime.now(UTC)
    user_part, _, rest = token.strip().partition(".")
    expires_part, _, signature = rest.partition(".")
    user = await repository.user_by_id(int(user_part)) if user_part.isdigit() and len(user_part) < 12 else None
    payload = f"{user_part}.{expires_part}"
    if user is None or not hmac.compare_digest(
        signature, _email_signature(payload=payload, email=user.email, secret=secret)
    ):
        raise BadEmailToken(Msg("account.email_token_invalid"))
    if not expires_part.isdigit() or int(expires_part) < now.timestamp():
        raise BadEmailToken(Msg("account.email_token_expired"))
    if await repository.mark_email_verified(user_id=user.id, email=user.email, at=now):
        await record(
            actor=Actor(user.id, None),
            action="accounts.email_verified",
            entity_type="user",
            entity_id=user.id,
            after={"email": user.email},
        )
    return user.id


async def resend_verification(*, principal: Principal) -> bool:
    """Send the verification e-mail again; False when the address is verified already."""
    if await email_verified(principal.user_id):
        return False
    await jobs.enqueue(VERIFY_EMAIL_JOB, user_id=principal.user_id, requested_at=int(datetime.now(UTC).timestamp()))
    return True


def _hash_token(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


async def principal_for_token(secret: str) -> Principal | None:
    """The principal behind a bearer token; None if unknown or revoked."""
    if not secret.startswith(TOKEN_PREFIX):
        return None
    token = await repository.token_by_hash(_hash_token(secret))
    if token is None or token.revoked_at is not None:
        return None
    now = datetime.now(UTC)
    if token.last_used_at is None or now - token.last_used_at > _TOUCH_EVERY:
        await repository.touch_token(token.id, now)
    principal = await principal_for(user_id=token.user_id, org_id=token.org_id, via="token", token_id=token.id)
    if principal is None:
        return None
    return dataclasses.replace(principal, scopes=frozenset(s for s in token.scopes.split(",") if s))


async def create_token(*, principal: Principal, data: TokenIn) -> TokenCreated:
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token_id = await repository.create_token(
        user_id=principal.user_id,
        org_id=principal.org_id,
        name=data.name,
        prefix=secret[: len(TOKEN_PREFIX) + 6],
        token_hash=_hash_token(secret),
        scopes=",".join(sorted(scope.value for scope in data.scopes)),
    )
    await record(
        actor=Actor(principal.user_id, principal.org_id),
        action="accounts.token_created",
        entity_type="api_token",
        entity_id=token_id,
        after={"name": data.name, "scopes": sorted(scope.value for scope in data.scopes)},
    )
    row = await repository.token_by_id(token_id)
    assert row is not None
    return TokenCreated(**TokenOut.model_validate(row).model_dump(), token=secret)


async def list_tokens(*, principal: Principal) -> list[TokenOut]:
    return [TokenOut.model_validate(r) for r in await repository.tokens_of_user(principal.user_id)]


async def revoke_token(*, principal: Principal, token_id: int) -> TokenOut:
    """Only the token's owner may revoke it; anyone else is told it does not exist."""
    row = await repository.token_by_id(token_id)
    if row is None or row.user_id != principal.user_id:
        raise NotFound(Msg("token.not_found"))
    if row.revoked_at is None:
        now = datetime.now(UTC)
        await repository.revoke_token(token_id, now)
        await record(
            actor=Actor(principal.user_id, principal.org_id),
            action="accounts.token_revoked",
            entity_type="api_token",
            entity_id=token_id,
            before={"revoked_at": None},
            after={"revoked_at": now.isoformat()},
        )
        row = await repository.token_by_id(token_id)
        assert row is not None
    return TokenOut.model_validate(row)


async def sign_up_invited(
    *, token: str, display_name: str, password: str, key: str, min_password_length: int = 10, locale: str = "zh"
) -> Principal:
    """Create the account of an invitation's address and accept the invitation with it: the token, mailed to that
    address, is the proof that the person signing up reads its mail. An address that already has an account signs
    in to accept instead."""
    invitation = await org_service.open_invitation(token=token, key=key)
    check_password(password, email=invitation.email, min_length=min_password_length)
    if await repository.email_taken(invitation.email):
        raise Conflict(Msg("org.invitation_sign_in"))
    user_id = await repository.create_user(
        email=invitation.email,
        password_hash=passwords.hash_password(password),
        display_name=display_name,
        locale=locale,
    )
    await record(
        actor=Actor(user_id=user_id, org_id=invitation.org_id),
        action="accounts.user_created",
        entity_type="user",
        entity_id=user_id,
        after={"email": invitation.email, "display_name": display_name, "invitation": invitation.id},
    )
    await org_service.accept_invitation(invitation=invitation, user_id=user_id, email=invitation.email)
    principal = await principal_for(user_id=user_id, org_id=invitation.org_id, via="session")
    assert principal is not None
    return principal

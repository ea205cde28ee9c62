"""Every query on users and API tokens."""

from __future__ import annotations

from datetime import datetime

from market.accounts.records import ApiTokenRecord, UserRecord
from market.accounts.tables import ApiToken, User


async def user_by_email(email: str) -> UserRecord | None:
    row = await User.select().where(User.email == email).first()
    return UserRecord(**row) if row else None


async def user_by_id(user_id: int) -> UserRecord | None:
    row = await User.select().where(User.id == user_id).first()
    return UserRecord(**row) if row else None


async def email_taken(email: str) -> bool:
    return bool(await User.exists().where(User.email == email))


async def create_user(*, email: str, password_hash: str, display_name: str, locale: str) -> int:
    rows = await User.insert(
        User(email=email, password_hash=password_hash, display_name=display_name, locale=locale)
    ).returning(User.id)
    return int(rows[0]["id"])


async def mark_email_verified(*, user_id: int, email: str, at: datetime) -> bool:
    """Record the e-mail as verified once; False if it was already, or the address changed meanwhile."""
    rows = await (
        User.update({User.email_verified_at: at})
        .where((User.id == user_id) & (User.email == email) & User.email_verified_at.is_null())
        .returning(User.id)
    )
    return bool(rows)


async def set_locale(user_id: int, locale: str) -> bool:
    """Set the account's language; False when it was that already (or there is no such user)."""
    rows = (
        await User.update({User.locale: locale})
        .where((User.id == user_id) & (User.locale != locale))
        .returning(User.id)
    )
    return bool(rows)


async def set_password_hash(user_id: int, password_hash: str) -> None:
    await User.update({User.password_hash: password_hash}).where(User.id == user_id)


async def create_token(*, user_id: int, org_id: int, name: str, prefix: str, token_hash: str, scopes: str) -> int:
    rows = await ApiToken.insert(
        ApiToken(user=user_id, organisation=org_id, name=name, prefix=prefix, token_hash=token_hash, scopes=scopes)
    ).returning(ApiToken.id)
    return int(rows[0]["id"])


_TOKEN_COLUMNS = (
    ApiToken.id,
    ApiToken.name,
    ApiToken.prefix,
    ApiToken.organisation.as_alias("org_id"),
    ApiToken.user.as_alias("user_id"),
    ApiToken.scopes,
    ApiToken.created_at,
    ApiToken.last_used_at,
    ApiToken.revoked_at,
)


async def token_by_hash(token_hash: str) -> ApiTokenRecord | None:
    row = await ApiToken.select(*_TOKEN_COLUMNS).where(ApiToken.token_hash == token_hash).first()
    return ApiTokenRecord(**row) if row else None


async def token_by_id(token_id: int) -> ApiTokenRecord | None:
    row = await ApiToken.select(*_TOKEN_COLUMNS).where(ApiToken.id == token_id).first()
    return ApiTokenRecord(**row) if row else None


async def tokens_of_user(user_id: int) -> list[ApiTokenRecord]:
    rows = await ApiToken.select(*_TOKEN_COLUMNS).where(ApiToken.user == user_id).order_by(ApiToken.id)
    return [ApiTokenRecord(**r) for r in rows]


async def revoke_token(token_id: int, at: datetime) -> None:
    await ApiToken.update({ApiToken.revoked_at: at}).where(ApiToken.id == token_id)


async def touch_token(token_id: int, at: datetime) -> None:
    await ApiToken.update({ApiToken.last_used_at: at}).where(ApiToken.id == token_id)

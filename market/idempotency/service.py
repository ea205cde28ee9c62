"""``Idempotency-Key`` on API writes (IETF draft "The Idempotency-Key HTTP Header Field").

A client sends a key (any token up to 255 characters, a UUID say) with a POST, PUT or PATCH. The first request with
that key, for that principal, runs; its response, if a success (2xx), is stored and replayed for 24 hours to the
same request sent again (same method, path, query and body), marked ``Idempotent-Replayed: true``. A failed request
releases the key (it may be tried again). The same key with a different request is refused (422); while the first
is still running, a second one with the key gets 409. A claim left in progress for 5 minutes (the process died) is
given up.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from market.idempotency import repository
from market.idempotency.records import IdempotencyRecord

TTL = timedelta(hours=24)
ABANDONED = timedelta(minutes=5)
MAX_KEY_LENGTH = 255


@dataclass(frozen=True)
class Begun:
    """What to do with a request carrying a key: ``run`` it (``claim_id`` to finish), ``replay`` the stored
    response, or refuse it: ``mismatch`` (another request used the key) or ``in_progress``."""

    action: str
    claim_id: int | None = None
    stored: IdempotencyRecord | None = None


def fingerprint(method: str, path: str, query: bytes, body: bytes) -> str:
    digest = hashlib.sha256()
    for part in (method.encode(), path.encode(), query, body):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


async def begin(*, principal: str, key: str, method: str, path: str, fingerprint: str) -> Begun:
    now = datetime.now(UTC)
    await repository.purge_expired(now)
    for _ in range(3):
        claim_id = await repository.claim(
            principal=principal, key=key, fingerprint=fingerprint, method=method, path=path, expires_at=now + TTL
        )
        if claim_id is not None:
            return Begun("run", claim_id=claim_id)
        held = await repository.get(principal, key)
        if held is None:  # released meanwhile: claim again
            continue
        if held.expires_at <= now or (held.status == "in_progress" and held.created_at <= now - ABANDONED):
            await repository.release_stale(held)
            continue
        if held.fingerprint != fingerprint:
            return Begun("mismatch", stored=held)
        if held.status != "done":
            return Begun("in_progress", stored=held)
        return Begun("replay", stored=held)
    return Begun("in_progress")


async def finish(claim_id: int, *, status: int, content_type: str, body: str) -> None:
    """Store a success for replay; release the key after a failure."""
    if 200 <= status < 300:
        await repository.complete(claim_id, status=status, content_type=content_type, body=body)
    else:
        await repository.release(claim_id)


release = repository.release

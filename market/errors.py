"""One error hierarchy for the whole product.

Services raise these; ``market.app`` maps them once to problem+json (RFC 9457) for the API and to an error page
for the browser. Each error carries its HTTP status, a stable ``code`` (the problem ``type``) and optional
per-field ``errors`` so a client can show every reason at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str
    code: str = "invalid"
    # Article of the law a rule comes from, when it comes from one (shown to the user).
    article: str | None = None

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"field": self.field, "message": self.message, "code": self.code}
        if self.article:
            out["article"] = self.article
        return out


class MarketError(Exception):
    status: ClassVar[int] = 400
    code: ClassVar[str] = "bad-request"
    title: ClassVar[str] = "Bad request"

    def __init__(self, detail: str, *, errors: list[FieldError] | None = None, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors or []
        self.extra = extra


class ValidationFailed(MarketError):
    status = 422
    code = "validation-failed"
    title = "The input is not valid"


class NotAuthenticated(MarketError):
    status = 401
    code = "not-authenticated"
    title = "Sign-in required"


class InvalidCredentials(NotAuthenticated):
    code = "invalid-credentials"
    title = "Wrong e-mail or password"


class Forbidden(MarketError):
    status = 403
    code = "forbidden"
    title = "Not allowed"


class NotFound(MarketError):
    status = 404
    code = "not-found"
    title = "Not found"


class Conflict(MarketError):
    status = 409
    code = "conflict"
    title = "Conflict"


class TooManyRequests(MarketError):
    status = 429
    code = "too-many-requests"
    title = "Too many requests"


class ServiceUnavailable(MarketError):
    status = 503
    code = "service-unavailable"
    title = "A service this needs is unavailable"


class TemporaryFailure(MarketError):
    """Raised by a job when trying again later may succeed (network, lock, upstream 5xx): jobs retry it."""

    status = 503
    code = "temporary-failure"
    title = "Temporary failure"

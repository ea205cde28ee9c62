"""One error hierarchy for the whole product.

Services raise these; ``market.web.problems`` maps them once to problem+json (RFC 9457) for the API and to an
error page for the browser. Each error carries its HTTP status, a stable ``code`` (the problem ``type``), a
``message`` (a catalogue code with parameters, rendered in the reader's language) and optional per-field ``errors``
so a client can show every reason at once.

Words are never built here or in the domain: a message is a ``Msg`` (code + parameters) and an article is a
catalogue code too (``law.patent.art50``). A plain ``str`` is still accepted while the last services are moved
to codes; a test scans the domain for sentences.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field as dc_field
from typing import Any, ClassVar

from market.i18n import Msg, Param, gettext, localize


def _text(message: Msg | str, lang: str) -> str:
    return gettext(lang, message.code, **dict(message.params)) if isinstance(message, Msg) else message


def json_params(params: Mapping[str, Param], lang: str) -> dict[str, Any]:
    """Parameters as JSON: numbers and strings as they are, the rest (money, rates, dates) as the reader sees them."""
    return {k: v if isinstance(v, int | str) or v is None else localize(v, lang) for k, v in params.items()}


@dataclass(frozen=True)
class FieldError:
    """One reason a field is refused: ``code`` is stable for clients; ``message`` is rendered per language."""

    field: str
    message: Msg | str
    code: str = "invalid"
    # The article of the law (or product rule) the reason comes from: a catalogue code, e.g. ``law.patent.art50``.
    article: str | None = None
    params: Mapping[str, Param] = dc_field(default_factory=dict)

    def __post_init__(self) -> None:
        if isinstance(self.message, Msg):
            if self.code == "invalid":
                object.__setattr__(self, "code", self.message.code)
            if not self.params:
                object.__setattr__(self, "params", self.message.params)

    def text(self, lang: str) -> str:
        return _text(self.message, lang)

    def article_text(self, lang: str) -> str | None:
        return gettext(lang, self.article) if self.article else None

    def as_dict(self, lang: str = "zh") -> dict[str, Any]:
        out: dict[str, Any] = {"field": self.field, "code": self.code, "message": self.text(lang)}
        if self.params:
            out["params"] = json_params(self.params, lang)
        if self.article:
            out["article"] = self.article
            out["article_text"] = self.article_text(lang)
        return out


class MarketError(Exception):
    status: ClassVar[int] = 400
    code: ClassVar[str] = "bad-request"
    # The problem's title: a catalogue code (``problems.po``), rendered in the reader's language by ``title_text``.
    title: ClassVar[str] = "problem.bad-request"

    def __init__(self, message: Msg | str, *, errors: list[FieldError] | None = None, **extra: Any) -> None:
        super().__init__(message.code if isinstance(message, Msg) else message)
        self.message = message
        self.errors = errors or []
        self.extra = extra

    @property
    def detail(self) -> str:
        """The message in the default language (logs, the command line)."""
        return self.text("zh")

    @property
    def message_code(self) -> str | None:
        return self.message.code if isinstance(self.message, Msg) else None

    def text(self, lang: str) -> str:
        return _text(self.message, lang)

    def title_text(self, lang: str) -> str:
        return gettext(lang, self.title)


class ValidationFailed(MarketError):
    status = 422
    code = "validation-failed"
    title = "problem.validation-failed"


class NotAuthenticated(MarketError):
    status = 401
    code = "not-authenticated"
    title = "problem.not-authenticated"


class InvalidCredentials(NotAuthenticated):
    code = "invalid-credentials"
    title = "problem.invalid-credentials"


class Forbidden(MarketError):
    status = 403
    code = "forbidden"
    title = "problem.forbidden"


class NotFound(MarketError):
    status = 404
    code = "not-found"
    title = "problem.not-found"


class Conflict(MarketError):
    status = 409
    code = "conflict"
    title = "problem.conflict"


class TooManyRequests(MarketError):
    status = 429
    code = "too-many-requests"
    title = "problem.too-many-requests"


class ServiceUnavailable(MarketError):
    status = 503
    code = "service-unavailable"
    title = "problem.service-unavailable"


class TemporaryFailure(MarketError):
    """Raised by a job when trying again later may succeed (network, lock, upstream 5xx): jobs retry it."""

    status = 503
    code = "temporary-failure"
    title = "problem.temporary-failure"

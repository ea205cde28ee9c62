"""Errors to responses, in one place: problem+json (RFC 9457) for the API, a page or redirect for browsers."""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import asyncpg
import structlog
from litestar import Request, Response
from litestar.exceptions import HTTPException, SerializationException, ValidationException
from litestar.response import Redirect

from market.errors import MarketError
from market.i18n import Msg, gettext, language_of, negotiate, render
from market.i18n.validation import FALLBACK, validation_code, validation_message, validation_params
from market.web.requests import ensure_request_id

log = structlog.get_logger("market.errors")

PROBLEM_JSON = "application/problem+json"
TYPE_BASE = "https://market.local/problems/"
PROBLEM = "problem."  # a problem type's title is the code problem.<type>
DETAIL = "problem.detail."  # what the HTTP layer itself says

# Set by the app: renders an error page for browser requests (the frontend owns how it looks).
PageRenderer = Callable[[Request[Any, Any, Any], int, str, str], Response[Any]]


def wants_page(request: Request[Any, Any, Any]) -> bool:
    path = request.url.path
    if path.startswith(("/api/", "/health", "/schema", "/static/")):
        return False
    return "text/html" in request.headers.get("accept", "") or request.method == "POST"


def language(request: Request[Any, Any, Any]) -> str:
    """The reader's language: the API answers in ``Accept-Language``; pages in the language the reader chose
    (the ``lang`` cookie), else ``Accept-Language``."""
    if not request.url.path.startswith("/api/"):
        chosen = request.cookies.get("lang")
        if chosen:
            return language_of(chosen)
    return negotiate(request.headers.get("accept-language"))


@dataclass(frozen=True)
class UniqueConflict:
    """A unique index refused a write: which table and columns (as the database names them)."""

    table: str
    columns: tuple[str, ...]
    constraint: str


_SQLITE_UNIQUE = re.compile(r"UNIQUE constraint failed: (.+)$")
_PG_KEY = re.compile(r"Key \((.+?)\)=")


def unique_violation(exc: BaseException) -> UniqueConflict | None:
    """The conflict a unique-index violation names, on PostgreSQL or SQLite; None for any other error."""
    if isinstance(exc, asyncpg.UniqueViolationError):
        found = _PG_KEY.search(str(getattr(exc, "detail", "") or ""))
        columns = tuple(c.strip() for c in found.group(1).split(",")) if found else ()
        return UniqueConflict(
            table=str(getattr(exc, "table_name", "") or ""),
            columns=columns,
            constraint=str(getattr(exc, "constraint_name", "") or ""),
        )
    if isinstance(exc, sqlite3.IntegrityError):
        found = _SQLITE_UNIQUE.search(str(exc))
        if found is None:
            return None
        qualified = [c.strip() for c in found.group(1).split(",")]
        table = qualified[0].split(".")[0] if qualified else ""
        return UniqueConflict(table=table, columns=tuple(c.split(".")[-1] for c in qualified), constraint="")
    return None


def conflict_message(conflict: UniqueConflict) -> Msg:
    return Msg("db.unique_violation", {"columns": ", ".join(conflict.columns) or conflict.constraint})


def conflict_fields(conflict: UniqueConflict) -> dict[str, Any]:
    """What a 409 for a unique violation adds to the problem: the table and columns the index names."""
    return {"conflict": {"table": conflict.table, "columns": list(conflict.columns), "constraint": conflict.constraint}}


def conflict_body(conflict: UniqueConflict, scope: Any) -> bytes:
    """A 409 problem+json for a conflict found at commit time (outside any handler), as ``problem`` writes it."""
    headers = dict(scope.get("headers", []))
    lang = negotiate(headers.get(b"accept-language", b"").decode("latin-1"))
    message = conflict_message(conflict)
    body = {
        "type": TYPE_BASE + "conflict",
        "title": gettext(lang, "problem.conflict"),
        "status": 409,
        "detail": render(message, lang),
        "message_code": message.code,
        "instance": str(scope.get("path", "")),
        "request_id": ensure_request_id(scope),
        **conflict_fields(conflict),
    }
    return json.dumps(body, ensure_ascii=False).encode()


def problem(
    request: Request[Any, Any, Any],
    *,
    status: int,
    code: str,
    title: str,
    detail: str,
    message_code: str | None = None,
    errors: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> Response[Any]:
    """A problem+json response: ``type`` and ``message_code`` are codes (the same in every language), ``title``
    and ``detail`` the words in the reader's language; each error carries its own ``code``."""
    body: dict[str, Any] = {
        "type": TYPE_BASE + code,
        "title": title,
        "status": status,
        "detail": detail,
        "message_code": message_code,
        "instance": request.url.path,
    }
    body["request_id"] = ensure_request_id(request.scope)
    if errors:
        body["errors"] = errors
    body.update(extra)
    return Response(content=body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _validation_errors(exc: ValidationException, lang: str) -> list[dict[str, Any]]:
    """Each refused input with its code (``validation.<type>``), parameters and words in the reader's language.
    Pydantic's own errors (kept by Litestar as the cause) give the type; otherwise the field is just invalid."""
    cause = exc.__cause__
    found = getattr(cause, "errors", None)
    if isinstance(found, list) and all(isinstance(e, dict) and "type" in e for e in found):
        out = []
        for err in found:
            item: dict[str, Any] = {
                "field": ".".join(str(p) for p in err.get("loc") or ()) or "body",
                "code": validation_code(err),
                "message": validation_message(err, lang),
            }
            params = validation_params(err)
            if params:
                item["params"] = params
            out.append(item)
        return out
    return [
        {"field": item.get("key") or "body", "code": FALLBACK, "message": gettext(lang, FALLBACK)}
        for item in (exc.extra if isinstance(exc.extra, list) else [])
        if isinstance(item, dict)
    ]


# The detail the HTTP layer writes for a status Litestar raised (its own words are English and for developers).
STATUS_CODES = {
    400: "invalid-request",
    401: "not-authenticated",
    403: "forbidden",
    404: "not-found",
    405: "method-not-allowed",
    429: "too-many-requests",
}


def build_handlers(render_page: PageRenderer | None) -> dict[type[Exception] | int, Any]:
    def respond(request: Request[Any, Any, Any], status: int, code: str, message: Msg, **kw: Any) -> Any:
        lang = language(request)
        title, detail = gettext(lang, PROBLEM + code), render(message, lang)
        if render_page is not None and wants_page(request):
            if status == 401:
                return Redirect(path=f"/sign-in?next={quote(request.url.path)}")
            response = render_page(request, status, title, detail)
            response.headers.update(kw.get("headers") or {})  # Retry-After on a 429 page too
            return response
        return problem(request, status=status, code=code, title=title, detail=detail, message_code=message.code, **kw)

    def on_market_error(request: Request[Any, Any, Any], exc: MarketError) -> Any:
        if exc.status >= 500:
            log.error("market_error", code=exc.code, detail=exc.detail)
        lang = language(request)
        title = exc.title_text(lang)
        detail = exc.text(lang)
        if render_page is not None and wants_page(request):
            if exc.status == 401:
                return Redirect(path=f"/sign-in?next={quote(request.url.path)}")
            return render_page(request, exc.status, title, detail)
        return problem(
            request,
            status=exc.status,
            code=exc.code,
            title=title,
            detail=detail,
            message_code=exc.message_code,
            errors=[e.as_dict(lang) for e in exc.errors] or None,
            **exc.extra,
        )

    def on_http_exception(request: Request[Any, Any, Any], exc: HTTPException) -> Any:
        status = exc.status_code
        if isinstance(exc, ValidationException):
            why = str(exc.detail)
            bad_json = "JSON" in why or "decode" in why.lower()
            message = Msg(DETAIL + ("invalid-json" if bad_json else "invalid-request"))
            errors = _validation_errors(exc, language(request)) or None
            return respond(request, 400, "invalid-request", message, errors=errors)
        if status == 400:
            bad_json = isinstance(exc.__cause__, SerializationException)
            return respond(
                request, 400, "invalid-request", Msg(DETAIL + ("invalid-json" if bad_json else "invalid-request"))
            )
        if status == 403 and "CSRF" in str(exc.detail):
            return respond(request, 403, "csrf-failed", Msg(DETAIL + "csrf-failed"))
        code = STATUS_CODES.get(status, "http-error")
        return respond(request, status, code, Msg(DETAIL + code), headers=exc.headers or None)

    def on_unique_violation(request: Request[Any, Any, Any], exc: Exception) -> Any:
        conflict = unique_violation(exc)
        if conflict is None:
            return on_unexpected(request, exc)
        log.info("unique_violation", table=conflict.table, columns=conflict.columns)
        return respond(request, 409, "conflict", conflict_message(conflict), **conflict_fields(conflict))

    def on_bad_value(request: Request[Any, Any, Any], exc: Exception) -> Any:
        """A value the database cannot hold (an id or amount beyond its column's range, a text too long): the
        request is at fault, not the server. PostgreSQL's data exceptions (class 22) and SQLite's overflow."""
        log.info("bad_value", error=type(exc).__name__, path=request.url.path)
        return respond(request, 400, "invalid-request", Msg("db.value_out_of_range"))

    def on_unexpected(request: Request[Any, Any, Any], exc: Exception) -> Any:
        log.exception("unhandled_error", path=request.url.path)
        return respond(request, 500, "internal-error", Msg(DETAIL + "internal-error"))

    return {
        MarketError: on_market_error,
        HTTPException: on_http_exception,
        asyncpg.UniqueViolationError: on_unique_violation,
        sqlite3.IntegrityError: on_unique_violation,
        asyncpg.DataError: on_bad_value,
        OverflowError: on_bad_value,
        Exception: on_unexpected,
    }

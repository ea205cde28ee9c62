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
from market.i18n import gettext, language_of, negotiate
from market.web.requests import ensure_request_id

log = structlog.get_logger("market.errors")

PROBLEM_JSON = "application/problem+json"
TYPE_BASE = "https://market.local/problems/"

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


def _conflict_problem(conflict: UniqueConflict, lang: str, path: str, request_id: str) -> dict[str, Any]:
    columns = ", ".join(conflict.columns) or conflict.constraint
    return {
        "type": TYPE_BASE + "conflict",
        "title": gettext(lang, "db.unique_violation.title"),
        "status": 409,
        "detail": gettext(lang, "db.unique_violation", columns=columns),
        "instance": path,
        "request_id": request_id,
        "message_code": "db.unique_violation",
        "conflict": {"table": conflict.table, "columns": list(conflict.columns), "constraint": conflict.constraint},
    }


def conflict_body(conflict: UniqueConflict, scope: Any) -> bytes:
    """A 409 problem+json for a conflict found at commit time (outside any handler)."""
    headers = dict(scope.get("headers", []))
    lang = negotiate(headers.get(b"accept-language", b"").decode("latin-1"))
    body = _conflict_problem(conflict, lang, str(scope.get("path", "")), ensure_request_id(scope))
    return json.dumps(body, ensure_ascii=False).encode()


def problem(
    request: Request[Any, Any, Any],
    *,
    status: int,
    code: str,
    title: str,
    detail: str,
    errors: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> Response[Any]:
    body: dict[str, Any] = {
        "type": TYPE_BASE + code,
        "title": title,
        "status": status,
        "detail": detail,
        "instance": request.url.path,
    }
    body["request_id"] = ensure_request_id(request.scope)
    if errors:
        body["errors"] = errors
    body.update(extra)
    return Response(content=body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _validation_errors(exc: ValidationException) -> list[dict[str, Any]]:
    out = []
    for item in exc.extra if isinstance(exc.extra, list) else []:
        if isinstance(item, dict):
            out.append({"field": item.get("key") or "body", "message": item.get("message", ""), "code": "invalid"})
    return out


def build_handlers(render_page: PageRenderer | None) -> dict[type[Exception] | int, Any]:
    def respond(request: Request[Any, Any, Any], status: int, code: str, title: str, detail: str, **kw: Any) -> Any:
        if render_page is not None and wants_page(request):
            if status == 401:
                return Redirect(path=f"/sign-in?next={quote(request.url.path)}")
            return render_page(request, status, title, detail)
        return problem(request, status=status, code=code, title=title, detail=detail, **kw)

    def on_market_error(request: Request[Any, Any, Any], exc: MarketError) -> Any:
        if exc.status >= 500:
            log.error("market_error", code=exc.code, detail=exc.detail)
        lang = language(request)
        extra = dict(exc.extra)
        if exc.message_code:
            extra["message_code"] = exc.message_code
        return respond(
            request,
            exc.status,
            exc.code,
            exc.title,
            exc.text(lang),
            errors=[e.as_dict(lang) for e in exc.errors] or None,
            **extra,
        )

    def on_http_exception(request: Request[Any, Any, Any], exc: HTTPException) -> Any:
        status = exc.status_code
        if isinstance(exc, ValidationException):
            detail = exc.detail if exc.detail and exc.detail != "Bad Request" else "The request body is not valid."
            if "JSON" in str(exc.detail) or "decode" in str(exc.detail).lower():
                detail = "The request body is not valid JSON."
            return respond(
                request,
                400,
                "invalid-request",
                "Invalid request",
                detail,
                errors=_validation_errors(exc) or None,
            )
        if status == 400:
            detail = exc.detail
            if isinstance(exc.__cause__, SerializationException):
                detail = f"The request body is not valid JSON: {detail}"
            return respond(request, 400, "invalid-request", "Invalid request", detail)
        codes = {
            401: "not-authenticated",
            403: "forbidden",
            404: "not-found",
            405: "method-not-allowed",
            429: "too-many-requests",
        }
        detail = exc.detail
        if status == 403 and "CSRF" in detail:
            detail = "The form or request is missing a valid CSRF token. Reload the page and try again."
            code = "csrf-failed"
        else:
            code = codes.get(status, "http-error")
        return respond(request, status, code, _title(status), detail, headers=exc.headers or None)

    def on_unique_violation(request: Request[Any, Any, Any], exc: Exception) -> Any:
        conflict = unique_violation(exc)
        if conflict is None:
            return on_unexpected(request, exc)
        lang = language(request)
        body = _conflict_problem(conflict, lang, request.url.path, ensure_request_id(request.scope))
        log.info("unique_violation", table=conflict.table, columns=conflict.columns)
        if render_page is not None and wants_page(request):
            return render_page(request, 409, body["title"], body["detail"])
        return Response(content=body, status_code=409, media_type=PROBLEM_JSON)

    def on_unexpected(request: Request[Any, Any, Any], exc: Exception) -> Any:
        log.exception("unhandled_error", path=request.url.path)
        return respond(
            request,
            500,
            "internal-error",
            "Internal error",
            "Something went wrong on our side; the request id helps us find it.",
        )

    return {
        MarketError: on_market_error,
        HTTPException: on_http_exception,
        asyncpg.UniqueViolationError: on_unique_violation,
        sqlite3.IntegrityError: on_unique_violation,
        Exception: on_unexpected,
    }


def _title(status: int) -> str:
    return {
        400: "Bad request",
        401: "Sign-in required",
        403: "Not allowed",
        404: "Not found",
        405: "Method not allowed",
        429: "Too many requests",
    }.get(status, "Error")

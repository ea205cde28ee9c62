"""Every handler declares who may call it, in its ``opt``; one app-wide guard enforces the declaration.

    @get("/x", opt=public())                          anyone, signed in or not
    @get("/x", opt=signed_in())                       any signed-in user (session or API token)
    @get("/x", opt=signed_in(OrgKind.university))     users acting for a university
    @post("/x", opt=signed_in(owner=True))            owners of the organisation they act for
    @post("/x", opt=signed_in(OrgKind.university, approved=True))   ... whose organisation a platform
                                                      administrator has approved (else 403 org-not-approved)
    @post("/x", opt=signed_in(owner=True, session_only=True))   ... from a browser session, never an API token

An API token's scopes apply to every handler: a token without ``write`` is refused any unsafe method (403
``insufficient-scope``).

A handler without a declaration is refused (500) rather than served: forgetting is never an open door. Which
*objects* a caller may touch is the service's business (another tenant's object answers 404).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler

from market.accounts.principal import Principal
from market.errors import Forbidden, MarketError, NotAuthenticated
from market.kit.messages import Msg
from market.orgs import service as org_service
from market.orgs.schemas import OrgKind

OPT_KEY = "access"


@dataclass(frozen=True)
class Access:
    signed_in: bool
    kinds: frozenset[OrgKind] | None = None
    owner: bool = False
    session_only: bool = False
    approved: bool = False

    def describe(self) -> str:
        if not self.signed_in:
            return "public"
        who = ", ".join(sorted(k.value for k in self.kinds)) if self.kinds else "any organisation"
        extras = (", owner" if self.owner else "") + (", approved" if self.approved else "")
        return f"signed in ({who}{extras}{', browser session' if self.session_only else ''})"


def kind_names(kinds: list[str] | tuple[str, ...]) -> tuple[Msg, ...]:
    """Kinds of organisation as the reader names them ("高校、中小企业" / "universities, small and medium firms"),
    for a message's parameter; the codes stay in the problem's ``allowed_kinds``."""
    return tuple(Msg(f"kind.plural.{kind}") for kind in kinds)


def public() -> dict[str, Any]:
    return {OPT_KEY: Access(signed_in=False)}


def signed_in(
    *kinds: OrgKind, owner: bool = False, session_only: bool = False, approved: bool = False
) -> dict[str, Any]:
    return {
        OPT_KEY: Access(
            signed_in=True,
            kinds=frozenset(kinds) or None,
            owner=owner,
            session_only=session_only,
            approved=approved,
        )
    }


class UndeclaredAccess(MarketError):
    status = 500
    code = "undeclared-access"
    title = "problem.undeclared-access"


def declared_access(handler: BaseRouteHandler) -> Access | None:
    access = handler.opt.get(OPT_KEY)
    if access is None and handler.fn.__module__.startswith("litestar."):
        return Access(signed_in=False)  # Litestar's own routes (the OpenAPI document) are public
    return access if isinstance(access, Access) else None


class InsufficientScope(Forbidden):
    """An API token asked for what its scopes do not allow (a read-only token's unsafe request)."""

    code = "insufficient-scope"
    title = "problem.insufficient-scope"


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def access_guard(connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler) -> None:
    access = declared_access(handler)
    if access is None:
        raise UndeclaredAccess(Msg("problem.detail.undeclared-access", {"handler": handler.handler_name}))
    principal = connection.scope.get("user")
    # A token's scopes bound every handler, whatever it declares: a read token changes nothing.
    unsafe = connection.scope.get("method") not in SAFE_METHODS
    if isinstance(principal, Principal) and unsafe and not principal.may_write:
        raise InsufficientScope(Msg("problem.detail.token-read-only"), required_scope="write")
    if not access.signed_in:
        return
    if not isinstance(principal, Principal):
        raise NotAuthenticated(Msg("problem.detail.not-authenticated"))
    if access.session_only and principal.via != "session":
        raise Forbidden(Msg("problem.detail.browser-only"))
    if access.kinds is not None and principal.org_kind not in access.kinds:
        allowed = sorted(k.value for k in access.kinds)
        raise Forbidden(Msg("problem.detail.kinds-only", {"kinds": kind_names(allowed)}), allowed_kinds=allowed)
    if access.owner and not principal.is_owner:
        raise Forbidden(Msg("problem.detail.owner-only"))
    if access.approved:
        org_service.require_approved(principal)

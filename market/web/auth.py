"""Who is calling: a bearer API token, else the session cookie. Also CSRF and the session store."""

from __future__ import annotations

import secrets
from typing import Any

from litestar.connection import ASGIConnection
from litestar.enums import ScopeType
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult
from litestar.middleware.csrf import CSRFMiddleware
from litestar.middleware.session.server_side import ServerSideSessionBackend, ServerSideSessionConfig
from litestar.types import Empty, Message, Receive, Scope, ScopeSession, Send

from market.accounts import service as accounts
from market.accounts.principal import Principal
from market.errors import NotAuthenticated
from market.kit.messages import Msg

ROTATE_SESSION = "market.rotate_session"
_NEW_SESSION_ID = "market.new_session_id"


def _bearer(headers: Any) -> str | None:
    value = headers.get("authorization", "")
    scheme, _, token = value.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


class AuthMiddleware(AbstractAuthenticationMiddleware):
    """Sets ``request.user`` to a Principal or None. A bearer token, when sent, is the only credential
    considered: an invalid or revoked one is refused outright, never silently replaced by the session."""

    async def authenticate_request(self, connection: ASGIConnection[Any, Any, Any, Any]) -> AuthenticationResult:
        token = _bearer(connection.headers)
        if token is not None:
            principal = await accounts.principal_for_token(token)
            if principal is None:
                raise NotAuthenticated(Msg("problem.detail.token-invalid"))
            return AuthenticationResult(user=principal, auth="token")
        raw_session = connection.scope.get("session")
        session: dict[str, Any] = raw_session if isinstance(raw_session, dict) else {}
        user_id = session.get("user_id")
        if user_id is None:
            return AuthenticationResult(user=None, auth=None)
        principal = await accounts.principal_for(user_id=int(user_id), org_id=session.get("org_id"))
        return AuthenticationResult(user=principal, auth="session" if principal else None)


def start_session(connection: ASGIConnection[Any, Any, Any, Any], principal: Principal) -> None:
    """Sign in: a fresh session id (no fixation) holding only the user and organisation ids."""
    connection.scope.setdefault("state", {})[ROTATE_SESSION] = True
    connection.set_session({"user_id": principal.user_id, "org_id": principal.org_id})


class RotatingSessionBackend(ServerSideSessionBackend):
    """Stores a session only once there is something in it: a visitor without a session cookie whose request put
    nothing in the session gets no stored session and no session cookie (anonymous pages and the sign-in form
    need none; CSRF is its own signed cookie)."""

    async def store_in_message(
        self, scope_session: ScopeSession, message: Message, connection: ASGIConnection[Any, Any, Any, Any]
    ) -> None:
        if not scope_session:  # empty, or cleared at sign-out
            if connection.cookies.get(self.config.key):
                await super().store_in_message(Empty, message, connection)  # drop it and expire the cookie
            return
        await super().store_in_message(scope_session, message, connection)

    def get_session_id(self, connection: ASGIConnection[Any, Any, Any, Any]) -> str:
        state = connection.scope.setdefault("state", {})
        if state.get(ROTATE_SESSION):
            if _NEW_SESSION_ID not in state:
                state[_NEW_SESSION_ID] = secrets.token_hex(self.config.session_id_bytes)
            return str(state[_NEW_SESSION_ID])
        return super().get_session_id(connection)


class SessionConfig(ServerSideSessionConfig):
    _backend_class = RotatingSessionBackend


class BearerAwareCSRFMiddleware(CSRFMiddleware):
    """CSRF protects cookie-authenticated requests. A request carrying a bearer token cannot be forged by a
    third-party page (browsers do not add that header cross-site) and is authenticated by it alone."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == ScopeType.HTTP:
            for name, value in scope.get("headers", []):
                if name == b"authorization" and value[:7].lower() == b"bearer ":
                    await self.app(scope, receive, send)
                    return
        await super().__call__(scope, receive, send)

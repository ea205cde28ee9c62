"""Named, typed dependencies of the accounts domain."""

from __future__ import annotations

from typing import Any

from litestar import Request

from market.accounts.principal import Principal
from market.errors import NotAuthenticated
from market.kit.messages import Msg


async def provide_principal(request: Request[Any, Any, Any]) -> Principal:
    principal = request.scope.get("user")
    if not isinstance(principal, Principal):
        raise NotAuthenticated(Msg("problem.detail.not-authenticated"))
    return principal

"""Accounts API: sign-up, sign-in, sign-out, who am I, switch organisation, API tokens."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, delete, get, post
from litestar.di import Provide
from litestar.params import JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED, HTTP_202_ACCEPTED, HTTP_204_NO_CONTENT

from market.accounts import service
from market.accounts.deps import provide_principal
from market.accounts.principal import Principal
from market.accounts.schemas import (
    CsrfOut,
    InvitedSignUpIn,
    MeOut,
    SignInIn,
    SignUpAccepted,
    SignUpIn,
    SwitchOrgIn,
    TokenCreated,
    TokenIn,
    TokenOut,
    VerifyEmailIn,
)
from market.errors import NotFound
from market.kit.messages import Msg
from market.settings import Settings
from market.web.access import public, signed_in
from market.web.auth import start_session
from market.web.limits import INVITATION, SIGN_IN, SIGN_UP, limited


class AuthController(Controller):
    path = "/api/auth"
    tags = ["accounts"]

    @get("/csrf", opt=public(), summary="Get the CSRF cookie to send back in the x-csrftoken header")
    async def csrf(self) -> CsrfOut:
        return CsrfOut(csrf_cookie="csrftoken", header="x-csrftoken")

    @post(
        "/sign-up",
        opt={**public(), **limited(SIGN_UP)},
        status_code=HTTP_202_ACCEPTED,
        summary="Sign up; the same answer whether or not the address has an account: then sign in",
    )
    async def sign_up(
        self, request: Request[Any, Any, Any], settings: Settings, data: JSONBody[SignUpIn]
    ) -> SignUpAccepted:
        await service.sign_up(
            data=data,
            locale=request.cookies.get("lang", "zh"),
            min_password_length=settings.password_min_length,
        )
        return SignUpAccepted(email=data.email)

    @post(
        "/sign-up/invited",
        opt={**public(), **limited(INVITATION)},
        status_code=HTTP_201_CREATED,
        summary="Create the account of an invitation's address and join its organisation",
    )
    async def sign_up_invited(
        self, request: Request[Any, Any, Any], settings: Settings, data: JSONBody[InvitedSignUpIn]
    ) -> MeOut:
        principal = await service.sign_up_invited(
            token=data.token,
            display_name=data.display_name,
            password=data.password,
            key=settings.secret_key.get_secret_value(),
            min_password_length=settings.password_min_length,
            locale=request.cookies.get("lang", "zh"),
        )
        start_session(request, principal)
        return await service.me(principal=principal)

    @post("/sign-in", opt={**public(), **limited(SIGN_IN)}, status_code=HTTP_200_OK)
    async def sign_in(self, request: Request[Any, Any, Any], data: JSONBody[SignInIn]) -> MeOut:
        principal = await service.authenticate(email=data.email, password=data.password)
        start_session(request, principal)
        return await service.me(principal=principal)

    @post("/verify-email", opt=public(), status_code=HTTP_204_NO_CONTENT, summary="Confirm an e-mail address")
    async def verify_email(self, settings: Settings, data: JSONBody[VerifyEmailIn]) -> None:
        await service.confirm_email(token=data.token, secret=settings.secret_key.get_secret_value())

    @post("/sign-out", opt=signed_in(session_only=True), status_code=HTTP_204_NO_CONTENT)
    async def sign_out(self, request: Request[Any, Any, Any]) -> None:
        request.clear_session()

    @post(
        "/switch-org",
        opt=signed_in(session_only=True),
        status_code=HTTP_200_OK,
        dependencies={"principal": Provide(provide_principal)},
    )
    async def switch_org(
        self, request: Request[Any, Any, Any], principal: Principal, data: JSONBody[SwitchOrgIn]
    ) -> MeOut:
        switched = await service.principal_for(user_id=principal.user_id, org_id=data.org_id)
        if switched is None:
            raise NotFound(Msg("problem.detail.no-such-organisation"))
        start_session(request, switched)
        return await service.me(principal=switched)


class MeController(Controller):
    path = "/api/me"
    tags = ["accounts"]
    dependencies = {"principal": Provide(provide_principal)}

    @get("/", opt=signed_in())
    async def me(self, principal: Principal) -> MeOut:
        return await service.me(principal=principal)

    @post("/verify-email", opt=signed_in(session_only=True), status_code=HTTP_204_NO_CONTENT)
    async def resend_verification(self, principal: Principal) -> None:
        """Send the e-mail that verifies my address again."""
        await service.resend_verification(principal=principal)


class TokenController(Controller):
    path = "/api/tokens"
    tags = ["accounts"]
    dependencies = {"principal": Provide(provide_principal)}

    @get("/", opt=signed_in(), summary="My API tokens")
    async def list_tokens(self, principal: Principal) -> list[TokenOut]:
        return await service.list_tokens(principal=principal)

    @post(
        "/",
        opt=signed_in(owner=True, session_only=True),
        summary="Create an API token (the secret is shown once); owners, from a browser session",
    )
    async def create_token(self, principal: Principal, data: JSONBody[TokenIn]) -> TokenCreated:
        return await service.create_token(principal=principal, data=data)

    @delete(
        "/{token_id:int}",
        opt=signed_in(owner=True, session_only=True),
        status_code=HTTP_200_OK,
        summary="Revoke one of my API tokens; owners, from a browser session",
    )
    async def revoke_token(self, principal: Principal, token_id: int) -> TokenOut:
        return await service.revoke_token(principal=principal, token_id=token_id)

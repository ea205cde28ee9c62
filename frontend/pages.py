"""The pages, and what the app needs to assemble them (templates, static files, the error page)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.di import Provide
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.response import Redirect, Template
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig
from pydantic import ValidationError

from frontend import audit_words, dashboard_data, member_pages
from frontend.alias_pages import PatenteeAliasPages
from frontend.claim_pages import CLAIM_PAGES
from frontend.confirm import unless_confirmed
from frontend.declaration_pages import DeclarationPages
from frontend.desk_pages import CalendarPages, DeskPages
from frontend.dossier_pages import DossierPages
from frontend.insurance_pages import INSURANCE_PAGES
from frontend.insurance_product_pages import InsurerProductPages
from frontend.ledger_pages import LedgerPages, TransferPages
from frontend.licence_pages import LicencePages, LicenceRequestPages
from frontend.listing_pages import ListingPages
from frontend.loan_product_pages import BankProductPages
from frontend.notification_pages import NotificationPages, unread_into_state
from frontend.org_pages import ORG_PAGES
from frontend.overview_pages import OVERVIEW_PAGES
from frontend.patent_pages import PatentPages, UniversitySettingsPages
from frontend.payee_pages import PayeePages, UniversityTransferPages
from frontend.pledge_pages import PLEDGE_PAGES
from frontend.policy_pages import POLICY_PAGES
from frontend.portfolio_pages import PortfolioPages
from frontend.qualification_pages import QUALIFICATION_PAGES
from frontend.refund_pages import RefundPages
from frontend.registration_pages import LoanPages, RegistrationPages
from frontend.render import Form, field_messages, labelled, lang_of, page, safe_next
from frontend.search_pages import SEARCH_PAGES
from frontend.sme_pages import SmePatentPages
from frontend.subsidy_pages import SUBSIDY_PAGES
from frontend.voucher_entitlement_pages import VOUCHER_ENTITLEMENT_PAGES
from frontend.voucher_pages import VOUCHER_PROGRAMME_PAGES
from frontend.voucher_redemption_pages import VOUCHER_REDEMPTION_PAGES
from frontend.voucher_settlement_pages import VOUCHER_SETTLEMENT_PAGES
from frontend.webhook_pages import WebhookPages
from market.accounts import service as accounts
from market.accounts.deps import provide_principal
from market.accounts.principal import Principal
from market.accounts.schemas import SignInIn, SignUpIn, TokenIn
from market.audit import service as audit
from market.errors import MarketError, NotFound
from market.i18n import Msg, gettext, language_of
from market.notifications import service as notifications
from market.orgs import service as orgs
from market.orgs.schemas import SELF_SERVICE_KINDS
from market.settings import Settings
from market.web.access import public, signed_in
from market.web.auth import start_session
from market.web.limits import SIGN_IN, SIGN_UP, limited

HERE = Path(__file__).parent


@dataclass(frozen=True)
class FrontendParts:
    route_handlers: list[Any]
    template_config: TemplateConfig[JinjaTemplateEngine]
    render_error: Any
    before_request: Any  # before each page: the header's unread notifications


def use_catalogues(engine: JinjaTemplateEngine) -> None:
    """Templates speak through ``jinja2.ext.i18n``: ``_('ui.sign_in')``, ``ngettext``, ``pgettext`` and
    ``{% trans %}``, newstyle (parameters are keyword arguments, escaped with the rest). The environment is shared by
    every request, so the callables bound to the page's language come with each page's context (``render.words``)."""
    engine.engine.add_extension("jinja2.ext.i18n")
    engine.engine.newstyle_gettext = True  # type: ignore[attr-defined]


def render_error(request: Request[Any, Any, Any], status: int, title: str, detail: str) -> Response[Any]:
    return page(request, "error.html", status_code=status, title=title, detail=detail)


def set_lang_cookie(response: Response[Any], lang: str) -> None:
    response.set_cookie("lang", lang, max_age=365 * 24 * 3600, samesite="lax", httponly=True)


class AccountPages(Controller):
    include_in_schema = False

    @get("/", opt=public())
    async def home(self, request: Request[Any, Any, Any]) -> Redirect:
        return Redirect(path="/dashboard" if isinstance(request.scope.get("user"), Principal) else "/sign-in")

    @get("/lang/{code:str}", opt=public())
    async def switch_lang(self, request: Request[Any, Any, Any], code: str, next: str | None = None) -> Redirect:
        """The page's language (a cookie); signed in, the account's too, so e-mails and notifications follow it."""
        lang = language_of(code)
        user = request.scope.get("user")
        if isinstance(user, Principal) and user.via == "session":
            await accounts.remember_language(user_id=user.user_id, lang=lang)
        response = Redirect(path=safe_next(next or "/"))
        set_lang_cookie(response, lang)
        return response

    @get("/sign-in", opt=public())
    async def sign_in_form(self, request: Request[Any, Any, Any], next: str | None = None) -> Template:
        return page(request, "sign_in.html", next=safe_next(next), form={}, errors=[])

    @post("/sign-in", opt={**public(), **limited(SIGN_IN)})
    async def sign_in(self, request: Request[Any, Any, Any], data: Form) -> Any:
        lang = lang_of(request)
        next_path = safe_next(data.get("next"))
        form = {"email": data.get("email", "")}
        try:
            creds = SignInIn(email=data.get("email", ""), password=data.get("password", ""))
            principal = await accounts.authenticate(email=creds.email, password=creds.password)
        except ValidationError:
            return page(
                request,
                "sign_in.html",
                400,
                next=next_path,
                form=form,
                errors=[{"field": "email", "message": gettext(lang, "ui.wrong_credentials")}],
            )
        except MarketError:
            return page(
                request,
                "sign_in.html",
                401,
                next=next_path,
                form=form,
                errors=[{"field": "password", "message": gettext(lang, "ui.wrong_credentials")}],
            )
        start_session(request, principal)
        response = Redirect(path=next_path)
        remembered = await accounts.language_of_user(principal.user_id)
        if remembered is not None:
            set_lang_cookie(response, remembered)  # the language the account chose, on any device
        return response

    @get("/sign-up", opt=public())
    async def sign_up_form(self, request: Request[Any, Any, Any]) -> Template:
        return page(request, "sign_up.html", form={}, errors=[], kinds=SELF_SERVICE_KINDS)

    @post("/sign-up", opt={**public(), **limited(SIGN_UP)})
    async def sign_up(self, request: Request[Any, Any, Any], settings: Settings, data: Form) -> Any:
        lang = lang_of(request)
        form = {k: v for k, v in data.items() if k not in ("password", "_csrf_token")}
        try:
            payload = SignUpIn(**{k: v for k, v in data.items() if k in SignUpIn.model_fields})
            await accounts.sign_up(
                data=payload, locale=lang_of(request), min_password_length=settings.password_min_length
            )
        except ValidationError as exc:
            return page(
                request,
                "sign_up.html",
                400,
                form=form,
                errors=labelled(field_messages(exc, lang), lang),
                kinds=SELF_SERVICE_KINDS,
            )
        except MarketError as exc:
            errors = [{"field": e.field, "message": e.text(lang)} for e in exc.errors] or [
                {"field": "form", "message": exc.text(lang)}
            ]
            return page(
                request, "sign_up.html", exc.status, form=form, errors=labelled(errors, lang), kinds=SELF_SERVICE_KINDS
            )
        # The same page whether or not the address already had an account (its owner is told by e-mail).
        return page(request, "sign_up_done.html", email=payload.email)

    @post("/sign-out", opt=signed_in(session_only=True))
    async def sign_out(self, request: Request[Any, Any, Any]) -> Redirect:
        request.clear_session()
        return Redirect(path="/sign-in")


class DashboardPages(Controller):
    include_in_schema = False
    dependencies = {"principal": Provide(provide_principal)}

    @get("/dashboard", opt=signed_in())
    async def dashboard(self, request: Request[Any, Any, Any], principal: Principal, welcome: int = 0) -> Template:
        members = await orgs.list_members(principal=principal, org_id=principal.org_id)
        events = (
            await audit.list_for_org(principal=principal, org_id=principal.org_id, limit=10)
            if principal.is_owner
            else []
        )
        lang = lang_of(request)
        board = await dashboard_data.board_of(principal, lang)
        return page(
            request,
            "dashboard.html",
            members=members,
            notifications=await notifications.list_mine(principal=principal, lang=lang, limit=10),
            events=[audit_words.audit_line(e, lang) for e in events],
            welcome=bool(welcome),
            errors=[],
            invited=await orgs.my_invitations(principal=principal),
            board=board,
            university=board.university,
            email_verified=await accounts.email_verified(principal.user_id),
        )


class TokenPages(Controller):
    include_in_schema = False
    path = "/tokens"
    dependencies = {"principal": Provide(provide_principal)}

    @get("/", opt=signed_in(session_only=True))
    async def tokens(self, request: Request[Any, Any, Any], principal: Principal) -> Template:
        return page(
            request,
            "tokens.html",
            tokens=await accounts.list_tokens(principal=principal),
            created=None,
            errors=[],
        )

    @post("/", opt=signed_in(owner=True, session_only=True))
    async def create(self, request: Request[Any, Any, Any], principal: Principal, data: Form) -> Template:
        try:
            scopes = ["read", "write"] if data.get("write") else ["read"]
            payload = TokenIn.model_validate({"name": data.get("name", ""), "scopes": scopes})
        except ValidationError as exc:
            return page(
                request,
                "tokens.html",
                400,
                tokens=await accounts.list_tokens(principal=principal),
                created=None,
                errors=field_messages(exc, lang_of(request)),
            )
        created = await accounts.create_token(principal=principal, data=payload)
        return page(
            request,
            "tokens.html",
            201,
            tokens=await accounts.list_tokens(principal=principal),
            created=created,
            errors=[],
        )

    @post("/{token_id:int}/revoke", opt=signed_in(owner=True, session_only=True))
    async def revoke(self, request: Request[Any, Any, Any], principal: Principal, token_id: int) -> Any:
        names = [t.name for t in await accounts.list_tokens(principal=principal) if t.id == token_id]
        if not names:
            raise NotFound(Msg("token.not_found"))  # another's: 404, no confirmation page
        if (step := await unless_confirmed(request, button="ui.confirm_revoke_token", back="/tokens", details=names)):
            return step
        await accounts.revoke_token(principal=principal, token_id=token_id)
        return Redirect(path="/tokens")


def frontend_parts(settings: Settings) -> FrontendParts:
    static = create_static_files_router(
        path="/static",
        directories=[HERE / "static"],
        opt=public(),
        include_in_schema=False,
        cache_control=None,
    )
    return FrontendParts(
        route_handlers=[
            AccountPages,
            DashboardPages,
            NotificationPages,
            member_pages.MemberPages,
            member_pages.InvitationPages,
            TokenPages,
            PatentPages,
            UniversitySettingsPages,
            PatenteeAliasPages,
            SmePatentPages,
            DeclarationPages,
            ListingPages,
            LicenceRequestPages,
            LicencePages,
            LedgerPages,
            TransferPages,
            RefundPages,
            PayeePages,
            DossierPages,
            UniversityTransferPages,
            RegistrationPages,
            LoanPages,
            DeskPages,
            CalendarPages,
            BankProductPages,
            InsurerProductPages,
            *SEARCH_PAGES,
            *ORG_PAGES,
            WebhookPages,
            PortfolioPages,
            *PLEDGE_PAGES,
            *SUBSIDY_PAGES,
            *VOUCHER_PROGRAMME_PAGES,
            *VOUCHER_REDEMPTION_PAGES,
            *VOUCHER_SETTLEMENT_PAGES,
            *QUALIFICATION_PAGES,
            *VOUCHER_ENTITLEMENT_PAGES,
            *CLAIM_PAGES,
            *POLICY_PAGES,
            *INSURANCE_PAGES,
            *OVERVIEW_PAGES,
            static,
        ],
        template_config=TemplateConfig(
            directory=HERE / "templates", engine=JinjaTemplateEngine, engine_callback=use_catalogues
        ),
        render_error=render_error,
        before_request=unread_into_state,
    )

"""Taking an open licence and living with it: the request (Patent Law Art 51: accept the announced terms), the
licences of a firm or a university, paying (bank transfer, or Stripe's test card in test mode), the contract, the
filing details and the running-royalty reports. The rules are the finance services'; these pages read forms and
show results."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from litestar import Controller, Response, get, post
from litestar.di import Provide
from litestar.response import Redirect, Template
from pydantic import ValidationError

from finance.contracts import service as contracts
from finance.licences import service as licences
from finance.licences.schemas import FilingOut, LicenceOut, LicenceRequestIn
from finance.payees import service as payees
from finance.payments import gateways
from finance.payments import service as payments
from finance.payments.schemas import PaymentOut, PaymentStartIn
from finance.royalties import service as royalties
from finance.royalties.schemas import RoyaltyReportIn, RoyaltyReportOut
from finance.voucher_redemptions import checkout as voucher_checkout
from finance.voucher_redemptions import claims as voucher_claims
from finance.voucher_redemptions.schemas import OptionOut
from frontend.confirm import confirm_page, confirmed
from frontend.forms import FieldProblem, yuan_to_fen
from frontend.render import AnyRequest, Errors, form_of, labelled, lang_of, market_messages, page
from listings.search import listing as public_listings
from listings.search.schemas import ListingOut
from market.accounts.deps import provide_principal
from market.accounts.principal import Principal
from market.errors import Conflict, MarketError, NotFound
from market.i18n import gettext
from market.i18n.localized import localized
from market.i18n.validation import validation_message
from market.jobs import unit_of_work
from market.kit.formatting import format_date
from market.kit.messages import Msg
from market.orgs.schemas import OrgKind
from market.web.access import public, signed_in
from market.web.transactions import OWN_TRANSACTIONS

LICENSEE = signed_in(OrgKind.sme, session_only=True)
PARTIES = signed_in(OrgKind.university, OrgKind.sme, session_only=True)
TEST_CARD = "test_card"  # the page's name for "pay in test mode with Stripe's test card"
DONE = {"requested", "active", "transfer", "paid", "processing", "reported", "royalty_paid", "cancelled", "voucher",
        "voucher_withdrawn"}
CONTRACT_REFRESH_SECONDS = 3


def stripe_mode() -> str:
    """Which Stripe this site has: none (bank transfer only), test (a sk_test_ key) or live."""
    gateway = gateways.stripe()
    if gateway is None:
        return "none"
    return "test" if gateway.config.test_mode else "live"


def can_pay_in_test_mode() -> bool:
    return stripe_mode() == "test" and "card" in gateways.methods()


# ------------------------------------------------------------------------------------------------- the request


@dataclass
class RequestForm:
    credit_code: str = ""
    address: str = ""
    accepted: bool = False

    @classmethod
    def of(cls, form: Any) -> RequestForm:
        return cls(
            credit_code=str(form.get("licensee_credit_code") or "").strip().upper(),
            address=str(form.get("licensee_address") or "").strip(),
            accepted=form.get("accept_terms") == "on",
        )


def first_report_if_today() -> date:
    """When the first net-sales report would be due for a licence taking effect today (the services' own rule)."""
    return licences.quarter_end(licences.today()) + timedelta(days=licences.REPORT_DAYS)


class LicenceRequestPages(Controller):
    """/listings/{id}/request: the written notice of Patent Law Art 51, for a firm signed in."""

    include_in_schema = False
    path = "/listings/{declaration_id:int}/request"
    dependencies = {"principal": Provide(provide_principal)}

    @get("/", opt=public())
    async def form(self, request: AnyRequest, declaration_id: int) -> Template:
        listing = await public_listings.listing(declaration_id=declaration_id)  # drafts and withdrawn ones: 404
        return self._page(request, listing, RequestForm())

    @post("/", opt=LICENSEE)
    async def submit(self, request: AnyRequest, principal: Principal, declaration_id: int) -> Any:
        listing = await public_listings.listing(declaration_id=declaration_id)
        lang = lang_of(request)
        form = await form_of(request)
        typed = RequestForm.of(form)
        if not typed.accepted:
            errors = [{"field": "accept_terms", "message": gettext(lang, "ui.err_accept_terms")}]
            return self._page(request, listing, typed, errors=errors, status=400)
        version = str(form.get("declaration_version") or "")
        try:
            data = LicenceRequestIn(
                declaration_id=declaration_id,
                declaration_version=int(version) if version.isdigit() and len(version) < 9 else 0,
                accept_terms=True,
                licensee_credit_code=typed.credit_code,
                licensee_address=typed.address,
            )
        except ValidationError as exc:
            return self._page(request, listing, typed, errors=request_errors(exc, lang), status=400)
        try:
            licence = await licences.request_licence(principal=principal, data=data)
        except Conflict as exc:
            if any(e.code == "stale_terms" for e in exc.errors):
                fresh = await public_listings.listing(declaration_id=declaration_id)
                message = gettext(lang, "ui.terms_changed", v=fresh.version)
                errors = [{"field": "declaration_version", "message": message}]
                return self._page(request, fresh, typed, errors=errors, status=409, stale=True)
            return self._page(request, listing, typed, errors=market_messages(exc, lang), status=409, held=True)
        except MarketError as exc:
            return self._page(request, listing, typed, errors=market_messages(exc, lang), status=exc.status)
        done = "active" if licence.status == "active" else "requested"
        return Redirect(path=f"/licences/{licence.id}?done={done}")

    def _page(
        self,
        request: AnyRequest,
        listing: ListingOut,
        typed: RequestForm,
        *,
        errors: Errors | None = None,
        status: int = 200,
        stale: bool = False,
        held: bool = False,
    ) -> Template:
        return page(
            request,
            "finance/request.html",
            status,
            listing=listing,
            typed=typed,
            errors=errors or [],
            due=licences.amount_due_now(listing.terms),
            first_report=first_report_if_today() if listing.terms.royalty_rate_bp else None,
            stale=stale,
            held=held,
        )


def request_errors(exc: ValidationError, lang: str) -> Errors:
    out = []
    for err in exc.errors():
        name = str(err["loc"][-1]) if err["loc"] else "form"
        if name == "licensee_credit_code":
            out.append({"field": name, "message": gettext(lang, "ui.err_credit_code")})
        elif name == "declaration_version":
            out.append({"field": name, "message": gettext(lang, "ui.terms_reload")})
        else:
            out.append({"field": name, "message": validation_message(err, lang)})
    return labelled(out, lang)


# ------------------------------------------------------------------------------------------------- licences


@dataclass
class ReportForm:
    period_start: str = ""
    period_end: str = ""
    net_sales_yuan: str = ""
    problems: Errors = field(default_factory=list)


def next_period(licence: LicenceOut, reports: list[RoyaltyReportOut]) -> ReportForm:
    """The form pre-filled with the next period to report: from the day after the last one to its quarter's end."""
    if licence.starts_on is None:
        return ReportForm()
    start = max([licence.starts_on, *[r.period_end + timedelta(days=1) for r in reports]])
    end = licences.quarter_end(start)
    if licence.ends_on is not None:
        end = min(end, licence.ends_on)
    return ReportForm(period_start=start.isoformat(), period_end=end.isoformat())


class LicencePages(Controller):
    include_in_schema = False
    path = "/licences"
    dependencies = {"principal": Provide(provide_principal)}

    @get("/", opt=PARTIES)
    async def mine(self, request: AnyRequest, principal: Principal) -> Template:
        return page(request, "finance/licences.html", items=await licences.list_mine(principal=principal))

    @get("/{licence_id:int}", opt=PARTIES)
    async def one(self, request: AnyRequest, principal: Principal, licence_id: int, done: str = "") -> Template:
        return await licence_page(request, principal, licence_id, done=done if done in DONE else "")

    # ----------------------------------------------------------------------------------------- paying

    @post("/{licence_id:int}/payments", opt={**LICENSEE, OWN_TRANSACTIONS: True})  # see start_and_pay
    async def pay(self, request: AnyRequest, principal: Principal, licence_id: int) -> Any:
        await licences.get(principal=principal, licence_id=licence_id)  # another's: 404
        method = str((await form_of(request)).get("method") or "")
        try:
            payment = await start_and_pay(principal, licence_id, method, report_id=None)
        except MarketError as exc:
            errors = payment_errors(exc, lang_of(request))
            return await licence_page(request, principal, licence_id, errors=errors, status=exc.status)
        return Redirect(path=f"/licences/{licence_id}?done={paid_notice(payment)}")

    @post("/{licence_id:int}/cancel", opt=LICENSEE)
    async def cancel(self, request: AnyRequest, principal: Principal, licence_id: int) -> Any:
        licence = await licences.get(principal=principal, licence_id=licence_id)
        if licence.status == "pending_payment" and not confirmed(await form_of(request)):  # a second step first
            return confirm_page(
                request,
                action=f"/licences/{licence_id}/cancel",
                heading="ui.cancel_confirm_title",
                question="ui.cancel_confirm_question",
                button="ui.cancel_confirm_button",
                back=f"/licences/{licence_id}",
                details=[f"{licence.number} · {licence.patent_number} · {licence.patent_title}"],
                danger=True,
            )
        try:
            await licences.cancel(principal=principal, licence_id=licence_id)
        except MarketError as exc:
            errors = market_messages(exc, lang_of(request))
            return await licence_page(request, principal, licence_id, errors=errors, status=exc.status)
        return Redirect(path=f"/licences/{licence_id}?done=cancelled")

    # ----------------------------------------------------------------------------------------- the contract

    @get("/{licence_id:int}/contract", opt=PARTIES)
    async def contract(self, request: AnyRequest, principal: Principal, licence_id: int) -> Any:
        licence = await licences.get(principal=principal, licence_id=licence_id)  # another's: 404
        if licence.status != "active":
            return page(request, "finance/contract_wait.html", 409, lic=licence, preparing=False)
        try:
            name, pdf = await contracts.download(principal=principal, licence_id=licence_id)
        except NotFound:  # rendered by a job right after activation: not there yet
            return page(
                request,
                "finance/contract_wait.html",
                lic=licence,
                preparing=True,
                refresh=CONTRACT_REFRESH_SECONDS,
            )
        return Response(
            pdf,
            media_type="application/pdf",
            headers={"content-disposition": f'attachment; filename="{name}"', "cache-control": "private, no-store"},
        )

    # ----------------------------------------------------------------------------------------- royalties

    @post("/{licence_id:int}/royalty-reports", opt=LICENSEE)
    async def report(self, request: AnyRequest, principal: Principal, licence_id: int) -> Any:
        licence = await licences.get(principal=principal, licence_id=licence_id)
        lang = lang_of(request)
        form = await form_of(request)
        typed = ReportForm(
            period_start=str(form.get("period_start") or "").strip(),
            period_end=str(form.get("period_end") or "").strip(),
            net_sales_yuan=str(form.get("net_sales_yuan") or "").strip(),
        )
        try:
            net = yuan_to_fen(typed.net_sales_yuan, "net_sales_yuan")
            if net is None:
                raise FieldProblem("net_sales_yuan", "ui.err_net_sales_required")
            base = f"{licence.royalty_base}_minor"  # net_sales_minor, or profit_minor for a royalty on profit
            data = RoyaltyReportIn.model_validate(
                {"period_start": typed.period_start, "period_end": typed.period_end, base: net}
            )
        except FieldProblem as exc:
            errors = labelled([{"field": exc.field, "message": gettext(lang, exc.key)}], lang)
            return await licence_page(request, principal, licence_id, errors=errors, typed=typed, status=400)
        except ValidationError as exc:
            errors = report_errors(exc, lang)
            return await licence_page(request, principal, licence_id, errors=errors, typed=typed, status=400)
        try:
            await royalties.file_report(principal=principal, licence_id=licence_id, data=data)
        except MarketError as exc:
            errors = report_refusal(exc, licence, lang)
            return await licence_page(request, principal, licence_id, errors=errors, typed=typed, status=exc.status)
        return Redirect(path=f"/licences/{licence_id}?done=reported#royalties")

    @post("/{licence_id:int}/royalty-reports/{report_id:int}/payments", opt={**LICENSEE, OWN_TRANSACTIONS: True})
    async def pay_report(self, request: AnyRequest, principal: Principal, licence_id: int, report_id: int) -> Any:
        await licences.get(principal=principal, licence_id=licence_id)
        method = str((await form_of(request)).get("method") or "")
        try:
            payment = await start_and_pay(principal, licence_id, method, report_id=report_id)
        except MarketError as exc:
            errors = payment_errors(exc, lang_of(request))
            return await licence_page(request, principal, licence_id, errors=errors, status=exc.status)
        done = "royalty_paid" if payment.status == "succeeded" else paid_notice(payment)
        return Redirect(path=f"/licences/{licence_id}?done={done}#royalties")


async def start_and_pay(principal: Principal, licence_id: int, method: str, *, report_id: int | None) -> PaymentOut:
    """Open a payment (the licence's amount due, or a royalty invoice) by bank transfer, or pay it at once with
    Stripe's test card where the Stripe key is a test key. Two transactions: the payment is kept even if the
    provider then fails, and the same method asked again reuses it (never a second charge)."""
    test = method == TEST_CARD
    if test and not can_pay_in_test_mode():
        raise Conflict(Msg("ui.err_test_mode_needs_key"))
    data = PaymentStartIn(method="card" if test else method) if method in {TEST_CARD, "bank_transfer"} else None
    if data is None:
        raise Conflict(Msg("ui.err_method_not_offered"))
    async with unit_of_work():
        if report_id is None:
            payment = await payments.start(principal=principal, licence_id=licence_id, data=data)
        else:
            payment = await royalties.pay(principal=principal, licence_id=licence_id, report_id=report_id, data=data)
    if not test:
        return payment
    async with unit_of_work():
        return await payments.pay_in_test_mode(principal=principal, payment_id=payment.id, licence_id=licence_id)


def paid_notice(payment: PaymentOut) -> str:
    if payment.method == "bank_transfer" and payment.status == "awaiting_payer":
        return "transfer"
    return "paid" if payment.status == "succeeded" else "processing"


def payment_errors(exc: MarketError, lang: str) -> Errors:
    if any(e.code == "method" for e in exc.errors):
        return [{"field": "method", "message": gettext(lang, "ui.err_method")}]
    return market_messages(exc, lang)


def report_errors(exc: ValidationError, lang: str) -> Errors:
    out = []
    for err in exc.errors():
        name = str(err["loc"][-1]) if err["loc"] else "period_end"
        if not err["loc"]:  # the model's own check: the period ends before it starts
            out.append({"field": "period_end", "message": gettext(lang, "ui.err_period_order")})
        else:
            out.append({"field": name, "message": validation_message(err, lang)})
    return labelled(out, lang)


def report_refusal(exc: MarketError, licence: LicenceOut, lang: str) -> Errors:
    codes = {e.code for e in exc.errors}
    if "overlap" in codes:
        return [{"field": "period_start", "message": gettext(lang, "ui.err_report_overlap")}]
    if exc.status == 422 and "outside_term" in codes:
        start, end = (format_date(d, lang, missing="…") for d in (licence.starts_on, licence.ends_on))
        return [{"field": "period_start", "message": gettext(lang, "ui.err_report_outside", start=start, end=end)}]
    return market_messages(exc, lang)


async def voucher_view(principal: Principal, licence_id: int, lang: str) -> dict[str, Any]:
    """The licence's service-voucher card (``voucher_redemptions/_licence_voucher.html``; its forms post to
    ``frontend.voucher_redemption_pages``): the voucher's share held, and for the licensee waiting to pay, the
    entitlements it may spend on it with the voucher's part of the amount due."""
    found = await voucher_checkout.licence_voucher(principal=principal, licence_id=licence_id)
    options = []
    if principal.org_kind is OrgKind.sme:
        options = [OptionOut.of(e, p) for e, p in await voucher_checkout.licence_options(principal=principal,
                                                                                licence_id=licence_id)]
    held = await voucher_claims.redemption_out(principal, found) if found is not None else None
    return {"redemption": localized(held, lang) if held else None, "options": localized(options, lang)}


async def licence_page(
    request: AnyRequest,
    principal: Principal,
    licence_id: int,
    *,
    errors: Errors | None = None,
    typed: ReportForm | None = None,
    done: str = "",
    status: int = 200,
) -> Template:
    """One licence for either party: its terms and dates, payments, contract, filing details and royalties."""
    licence = await licences.get(principal=principal, licence_id=licence_id)  # another's: 404
    filing: FilingOut | None = None
    if licence.status == "active":
        filing = await licences.filing(principal=principal, licence_id=licence_id, lang=lang_of(request))
    reports = (
        await royalties.list_reports(principal=principal, licence_id=licence_id) if licence.royalty_rate_bp else []
    )
    return page(
        request,
        "finance/licence.html",
        status,
        lic=licence,
        is_licensee=principal.org_id == licence.licensee_org_id,
        payments=await payments.for_licence(principal=principal, licence_id=licence_id),
        filing=filing,
        reports=reports,
        report_form=typed or next_period(licence, reports),
        methods=gateways.methods(),
        can_transfer=await payees.current_account(licence.licensor_org_id) is not None,
        stripe_mode=stripe_mode(),
        test_pay=can_pay_in_test_mode(),
        report_days=licences.REPORT_DAYS,
        errors=errors or [],
        done=done,
        refresh=CONTRACT_REFRESH_SECONDS if licence.status == "active" and not licence.contract_ready else 0,
        voucher=await voucher_view(principal, licence_id, lang_of(request)),
    )

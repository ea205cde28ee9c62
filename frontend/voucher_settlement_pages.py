"""Voucher settlement in the browser: the issuer's batches (``/issuer/voucher-settlements``: list, make a batch for
a programme's cycle, one batch with its lines, exceptions and bank file with its SHA-256, propose, approve by a
different member or send back, cancel, record paid or upload the bank's return), the issuer's report
(``/issuer/voucher-reports``: charts with a table beside each, CSV), and the payees' statements
(``/provider/voucher-statements``: each paid batch's PDF, and the payee account a batch pays to). The rules are
``finance.voucher_settlements``'; these pages send the version they showed (a stale page gets a 409 and changes
nothing) and show every problem beside its field."""

from __future__ import annotations

from typing import Any

from litestar import Controller, get, post
from litestar.datastructures import UploadFile
from litestar.di import Provide
from litestar.response import Redirect, Template
from pydantic import ValidationError

from finance.payees import service as payees
from finance.payees.schemas import PayeeAccountIn
from finance.voucher_programmes import service as programmes
from finance.voucher_settlements import documents, reports
from finance.voucher_settlements import service as settlements
from finance.voucher_settlements.controllers import CSV, MAX_RETURN_BYTES, attachment
from frontend.charts import charts_available
from frontend.confirm import confirm_page, confirmed, echo
from frontend.forms import form_date, form_int
from frontend.render import AnyRequest, Errors, field_messages, form_of, lang_of, market_messages, page
from market.accounts.deps import provide_principal
from market.accounts.principal import Principal
from market.errors import MarketError, NotFound
from market.i18n import Msg, gettext
from market.i18n.localized import localized
from market.orgs.schemas import OrgKind
from market.web.access import signed_in

ISSUER = signed_in(OrgKind.voucher_issuer, session_only=True)
PAYEES = signed_in(OrgKind.university, OrgKind.service_provider, OrgKind.sme, session_only=True)
PAYEE_OWNERS = signed_in(OrgKind.university, OrgKind.service_provider, OrgKind.sme, owner=True, session_only=True)
ACTIONS = ("propose", "approve", "send-back", "cancel", "paid", "return")
CONFIRMED_ACTIONS = ("cancel", "paid")
BUTTONS = {"cancel": "voucher_settlement.ui.cancel", "paid": "voucher_settlement.ui.paid_button"}


async def batch_page(
    request: AnyRequest, principal: Principal, batch_id: int, *, errors: Errors | None = None, status: int = 200,
    done: str = "",
) -> Template:
    found = localized(await settlements.get_batch(principal=principal, batch_id=batch_id), lang_of(request))
    return page(request, "voucher_settlements/batch.html", status, b=found, errors=errors or [], done=done,
                me_id=principal.user_id)  # fmt: skip


class IssuerSettlementPages(Controller):
    include_in_schema = False
    path = "/issuer/voucher-settlements"
    dependencies = {"principal": Provide(provide_principal)}

    @get("/", opt=ISSUER)
    async def index(self, request: AnyRequest, principal: Principal) -> Template:
        return await self._index(request, principal)

    async def _index(
        self, request: AnyRequest, principal: Principal, *, errors: Errors | None = None, status: int = 200,
        typed: dict[str, str] | None = None,
    ) -> Template:
        rows = localized(await settlements.batches_of(principal=principal), lang_of(request))
        mine = await programmes.programmes_of_issuer(principal.org_id)
        return page(request, "voucher_settlements/batches.html", status, batches=rows, errors=errors or [],
                    programmes=mine, typed=typed or {"up_to": settlements.today().isoformat()})  # fmt: skip

    @post("/new", opt=ISSUER)
    async def create(self, request: AnyRequest, principal: Principal) -> Any:
        """A batch of a programme's captured claims up to a day, made by hand (the daily job makes one when a
        settlement cycle ends): every problem beside its field."""
        lang = lang_of(request)
        form = await form_of(request)
        typed = {"programme_id": str(form.get("programme_id") or ""), "up_to": str(form.get("up_to") or "")}
        up_to = form_date(typed["up_to"])
        errors: Errors = []
        if not form_int(typed["programme_id"]):
            errors.append({"field": "programme_id", "message": gettext(lang, "voucher_settlement.ui.err_programme")})
        if up_to is None:
            errors.append({"field": "up_to", "message": gettext(lang, "voucher_settlement.ui.err_date")})
        if errors or up_to is None:
            return await self._index(request, principal, errors=errors, status=400, typed=typed)
        try:
            made = await settlements.create_batch(principal=principal, programme_id=form_int(typed["programme_id"]),
                                                  up_to=up_to)  # fmt: skip
        except MarketError as exc:
            return await self._index(request, principal, errors=market_messages(exc, lang), status=exc.status,
                                     typed=typed)  # fmt: skip
        return Redirect(path=f"/issuer/voucher-settlements/{made.id}")

    @get("/{voucher_batch_id:int}", opt=ISSUER)
    async def one(self, request: AnyRequest, principal: Principal, voucher_batch_id: int, done: str = "") -> Template:
        return await batch_page(request, principal, voucher_batch_id, done=done)

    @get("/{voucher_batch_id:int}/file", opt=ISSUER)
    async def bank_file(self, principal: Principal, voucher_batch_id: int) -> Any:
        name, content = await settlements.bank_file(principal=principal, batch_id=voucher_batch_id)
        return attachment(name, content, CSV)

    @post("/{voucher_batch_id:int}/{action:str}", opt=ISSUER)
    async def act(self, request: AnyRequest, principal: Principal, voucher_batch_id: int, action: str) -> Any:
        shown = await settlements.get_batch(principal=principal, batch_id=voucher_batch_id)  # another's: 404
        if action not in ACTIONS:
            raise NotFound(Msg("voucher_settlement.batch_not_found"))
        lang = lang_of(request)
        form = await form_of(request)
        version = form_int(form.get("expected_version"))
        text = str(form.get("text") or "")
        batch_id = voucher_batch_id
        if action in CONFIRMED_ACTIONS and not confirmed(form):
            if action == "paid" and form_date(form.get("paid_on")) is None:
                message = gettext(lang, "voucher_settlement.ui.err_date")
                return await batch_page(request, principal, batch_id, status=400,
                                        errors=[{"field": "paid_on", "message": message}])  # fmt: skip
            return confirm_page(
                request, action=f"/issuer/voucher-settlements/{batch_id}/{action}",
                heading=f"voucher_settlement.ui.confirm_{action}_heading",
                question=f"voucher_settlement.ui.confirm_{action}_question",
                button=BUTTONS[action], back=f"/issuer/voucher-settlements/{batch_id}",
                fields=echo(form), details=[f"{shown.number} · {shown.payable.minor / 100:.2f} {shown.currency}"],
                danger=action == "cancel",
            )  # fmt: skip
        try:
            if action == "propose":
                await settlements.propose(principal=principal, batch_id=batch_id, expected_version=version, text=text)
            elif action == "approve":
                await settlements.approve(principal=principal, batch_id=batch_id, expected_version=version,
                                          proposal_id=form_int(form.get("proposal_id")), text=text)  # fmt: skip
            elif action == "send-back":
                await settlements.send_back(principal=principal, batch_id=batch_id, expected_version=version,
                                            text=text)  # fmt: skip
            elif action == "cancel":
                await settlements.cancel(principal=principal, batch_id=batch_id, expected_version=version, text=text)
            elif action == "paid":
                paid_on = form_date(form.get("paid_on"))
                assert paid_on is not None
                await settlements.record_paid(principal=principal, batch_id=batch_id, paid_on=paid_on,
                                              reference=str(form.get("reference") or "").strip()[:60],
                                              expected_version=version)  # fmt: skip
            else:
                upload = form.get("file")
                content = await upload.read(MAX_RETURN_BYTES + 1) if isinstance(upload, UploadFile) else b""
                if not content:
                    message = gettext(lang, "voucher_settlement.return_needed")
                    return await batch_page(request, principal, batch_id, status=400,
                                            errors=[{"field": "file", "message": message}])  # fmt: skip
                await settlements.reconcile(principal=principal, batch_id=batch_id, content=content,
                                            expected_version=version)  # fmt: skip
        except ValidationError as exc:
            return await batch_page(request, principal, batch_id, errors=field_messages(exc, lang), status=400)
        except MarketError as exc:
            return await batch_page(request, principal, batch_id, errors=market_messages(exc, lang),
                                    status=exc.status)  # fmt: skip
        return Redirect(path=f"/issuer/voucher-settlements/{batch_id}?done={action}")


async def statements_page(
    request: AnyRequest, principal: Principal, *, errors: Errors | None = None, typed: dict[str, str] | None = None,
    status: int = 200, done: str = "",
) -> Template:
    account = await payees.current_account(principal.org_id)
    return page(request, "voucher_settlements/statements.html", status,
                statements=await documents.statements_for(principal=principal), account=account,
                errors=errors or [], typed=typed or {}, done=done)  # fmt: skip


class PayeeStatementPages(Controller):
    include_in_schema = False
    path = "/provider/voucher-statements"
    dependencies = {"principal": Provide(provide_principal)}

    @get("/", opt=PAYEES)
    async def index(self, request: AnyRequest, principal: Principal, done: str = "") -> Template:
        return await statements_page(request, principal, done=done)

    @get("/{voucher_statement_id:int}/pdf", opt=PAYEES)
    async def pdf(self, principal: Principal, voucher_statement_id: int) -> Any:
        name, content = await documents.statement_pdf(principal=principal, statement_id=voucher_statement_id)
        return attachment(name, content, "application/pdf")

    @post("/account", opt=PAYEE_OWNERS)
    async def account(self, request: AnyRequest, principal: Principal) -> Any:
        """The account the issuer's batches pay to (``finance.payees``: the organisation's own name)."""
        lang = lang_of(request)
        form = await form_of(request)
        typed = {k: str(form.get(k) or "") for k in ("account_name", "bank_name", "account_number")}
        try:
            await payees.record_account(principal=principal, data=PayeeAccountIn(**typed))
        except ValidationError as exc:
            return await statements_page(request, principal, errors=field_messages(exc, lang), typed=typed,
                                         status=400)  # fmt: skip
        except MarketError as exc:
            return await statements_page(request, principal, errors=market_messages(exc, lang), typed=typed,
                                         status=exc.status)  # fmt: skip
        return Redirect(path="/provider/voucher-statements?done=account")


class IssuerReportPages(Controller):
    include_in_schema = False
    path = "/issuer/voucher-reports"
    dependencies = {"principal": Provide(provide_principal)}

    @get("/", opt=ISSUER)
    async def index(self, request: AnyRequest, principal: Principal, programme_id: int | None = None) -> Template:
        """A programme's report (the first of the issuer's when none is chosen): charts, each with its table."""
        choices = await reports.programmes_to_report(principal=principal)
        chosen = programme_id if programme_id is not None else (choices[0][0] if choices else None)
        found = None
        if chosen is not None:
            found = await reports.report_for(principal=principal, programme_id=chosen, lang=lang_of(request))
        return page(request, "voucher_settlements/report.html", r=found, programmes=choices, charts=charts_available())

    @get("/{voucher_programme_id:int}/csv", opt=ISSUER)
    async def csv(self, request: AnyRequest, principal: Principal, voucher_programme_id: int) -> Any:
        found = await reports.report_for(principal=principal, programme_id=voucher_programme_id,
                                         lang=lang_of(request))  # fmt: skip
        return attachment(f"voucher-report-{voucher_programme_id}.csv", reports.to_csv(found), CSV)


VOUCHER_SETTLEMENT_PAGES = [IssuerSettlementPages, IssuerReportPages, PayeeStatementPages]

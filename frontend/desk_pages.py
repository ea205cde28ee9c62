"""The review desk's pages: a reviewer organisation's queue (banks, insurers, voucher issuers: filters, claim, assign,
due day and SLA badge), a case link that leads to the page of its kind, and the platform admins' working-day
calendar (add, change, remove a day; removing goes through the confirmation step)."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import parse_qsl, urlencode

from litestar import Controller, get, post
from litestar.di import Provide
from litestar.exceptions import NotFoundException
from litestar.response import Redirect, Template
from pydantic import ValidationError

from finance.desk import service as desk
from finance.desk.schemas import CalendarDayIn
from frontend.confirm import confirm_page, confirmed
from frontend.render import AnyRequest, Errors, field_messages, form_of, lang_of, market_messages, page, page_count
from market.accounts.deps import provide_principal
from market.accounts.principal import Principal
from market.errors import MarketError, NotFound
from market.i18n import gettext
from market.orgs.schemas import OrgKind
from market.web.access import signed_in

REVIEWER = signed_in(OrgKind.bank, OrgKind.insurer, OrgKind.voucher_issuer, session_only=True)
ADMIN = signed_in(OrgKind.platform_admin, session_only=True)
PER_PAGE = 25
# The states a queue is filtered by (a module's own states show by their code until it names them).
STATES = (
    "submitted",
    "in_review",
    "more_info",
    "proposed",
    "approved",
    "offered",
    "accepted",
    "refused",
    "withdrawn",
    "offer_expired",
)
WHO = ("all", "mine", "unassigned")
DONE = ("claimed", "assigned")


def _int(value: object) -> int | None:
    try:
        return int(str(value or ""))
    except ValueError:
        return None


def _version(form: Any) -> int:
    """The case's version the form was drawn with (-1 when missing: the service answers 409, the case changed)."""
    version = _int(form.get("version"))
    return -1 if version is None else version


class DeskPages(Controller):
    include_in_schema = False
    path = "/desk"
    dependencies = {"principal": Provide(provide_principal)}

    @get("/", opt=REVIEWER)
    async def queue(
        self,
        request: AnyRequest,
        principal: Principal,
        kind: str = "",
        status: str = "",
        who: str = "all",
        breached: str = "",
        q: str = "",
        page: int = 1,
        done: str = "",
    ) -> Template:
        return await queue_page(
            request,
            principal,
            params={"kind": kind, "status": status, "who": who, "breached": breached, "q": q},
            page_no=page,
            done=done if done in DONE else "",
        )

    @get("/cases/{case_id:int}", opt=REVIEWER)
    async def case(self, principal: Principal, case_id: int) -> Redirect:
        """The page of the case's kind (a pledge loan: the bank's pledge page); 404 for a kind without one."""
        return Redirect(path=await desk.case_page_of(principal=principal, case_id=case_id))

    @post("/cases/{case_id:int}/claim", opt=REVIEWER)
    async def claim(self, request: AnyRequest, principal: Principal, case_id: int) -> Any:
        form = await form_of(request)
        back = str(form.get("back") or "")
        try:
            await desk.claim_for(principal=principal, case_id=case_id, version=_version(form))
        except NotFound:
            raise
        except MarketError as exc:
            return await queue_page(
                request, principal, errors=market_messages(exc, lang_of(request)), status=exc.status
            )
        return Redirect(path=_back(back, "claimed"))

    @post("/cases/{case_id:int}/assign", opt=REVIEWER)
    async def assign(self, request: AnyRequest, principal: Principal, case_id: int) -> Any:
        form = await form_of(request)
        back = str(form.get("back") or "")
        to_user = _int(form.get("to_user"))
        try:
            await desk.assign_for(
                principal=principal,
                case_id=case_id,
                to_user=to_user,
                version=_version(form),
            )
        except NotFound:
            raise
        except MarketError as exc:
            errors = [{**e, "field": f"to_user-{case_id}"} for e in market_messages(exc, lang_of(request))]
            return await queue_page(request, principal, errors=errors, status=exc.status)
        return Redirect(path=_back(back, "assigned"))


FILTERS = ("kind", "status", "who", "breached", "q", "page")


def _back(back: str, done: str) -> str:
    """Back to the queue as it was filtered (only its own filters are kept), saying what was done."""
    kept = [(k, v) for k, v in parse_qsl(back.lstrip("?")) if k in FILTERS]
    return "/desk?" + urlencode([*kept, ("done", done)])


async def queue_page(
    request: AnyRequest,
    principal: Principal,
    *,
    params: dict[str, str] | None = None,
    page_no: int = 1,
    done: str = "",
    errors: Errors | None = None,
    status: int = 200,
) -> Template:
    params = params or {}
    who = params.get("who") if params.get("who") in WHO else "all"
    state = params.get("status", "")
    page_no = max(1, page_no)
    filters = desk.QueueFilters(
        kind=params.get("kind") or None,
        states=(state,) if state else (),
        mine=who == "mine",
        unassigned=who == "unassigned",
        breached=True if params.get("breached") == "yes" else None,
        q=(params.get("q") or "")[:60],
        limit=PER_PAGE,
        offset=(page_no - 1) * PER_PAGE,
    )
    rows, total = await desk.queue_rows(principal=principal, filters=filters)
    pager_params = {k: v for k, v in {**params, "who": who}.items() if v}
    return page(
        request,
        "desk/queue.html",
        status,
        rows=rows,
        total=total,
        page_no=page_no,
        pages=page_count(total, PER_PAGE),
        pager_params=pager_params,
        back="?" + urlencode({**pager_params, "page": page_no}),
        filters={**params, "who": who},
        kinds=sorted(desk.CASE_PAGES),
        states=STATES,
        members=await desk.reviewers(principal.org_id),
        me_id=principal.user_id,
        done=done,
        errors=errors or [],
    )


class CalendarPages(Controller):
    include_in_schema = False
    path = "/admin/calendar"
    dependencies = {"principal": Provide(provide_principal)}

    @get("/", opt=ADMIN)
    async def calendar(self, request: AnyRequest, year: int = 0, saved: str = "") -> Template:
        return await calendar_page(request, year=year or desk.today().year, saved=saved)

    @post("/", opt=ADMIN)
    async def save(self, request: AnyRequest, principal: Principal) -> Any:
        form = await form_of(request)
        typed = {k: str(form.get(k) or "") for k in ("day", "kind", "name", "source")}
        typed["provisional"] = "yes" if form.get("provisional") else ""
        lang = lang_of(request)
        try:
            day = date.fromisoformat(typed["day"])
        except ValueError:
            errors = [{"field": "day", "message": gettext(lang, "ui.desk_calendar_day_invalid")}]
            return await calendar_page(request, year=desk.today().year, typed=typed, errors=errors, status=400)
        try:
            fields = {"kind": typed["kind"], "name": typed["name"], "source": typed["source"]}
            data = CalendarDayIn.model_validate({**fields, "provisional": bool(typed["provisional"])})
            await desk.set_calendar_day(
                day, data.kind, data.name, desk.actor_of(principal), source=data.source, provisional=data.provisional
            )
        except ValidationError as exc:
            errors = field_messages(exc, lang)
            return await calendar_page(request, year=day.year, typed=typed, errors=errors, status=400)
        except MarketError as exc:
            errors = market_messages(exc, lang)
            return await calendar_page(request, year=day.year, typed=typed, errors=errors, status=exc.status)
        return Redirect(path=f"/admin/calendar?year={day.year}&saved={day.isoformat()}")

    @post("/{day:date}/remove", opt=ADMIN)
    async def remove(self, request: AnyRequest, principal: Principal, day: date) -> Any:
        form = await form_of(request)
        if not confirmed(form):
            return confirm_page(
                request,
                action=f"/admin/calendar/{day.isoformat()}/remove",
                heading="ui.desk_calendar_remove_title",
                question="ui.desk_calendar_remove_question",
                button="ui.desk_calendar_remove",
                back=f"/admin/calendar?year={day.year}",
                details=[day.isoformat()],
                danger=True,
            )
        await desk.remove_calendar_day(day, desk.actor_of(principal))
        return Redirect(path=f"/admin/calendar?year={day.year}&saved={day.isoformat()}")


async def calendar_page(
    request: AnyRequest,
    *,
    year: int,
    saved: str = "",
    typed: dict[str, str] | None = None,
    errors: Errors | None = None,
    status: int = 200,
) -> Template:
    if not 2000 <= year <= 2100:
        raise NotFoundException()
    errors = errors or []
    days = await desk.calendar_out(year)
    return page(
        request,
        "desk/calendar.html",
        status,
        year=year,
        days=days,
        holidays=sum(1 for d in days if d.kind == "holiday"),
        workdays=sum(1 for d in days if d.kind == "workday"),
        provisional=any(d.provisional for d in days),
        form=typed or {"day": "", "kind": "holiday", "name": "", "source": "", "provisional": ""},
        errors=errors,
        bad={e["field"] for e in errors},
        saved=saved,
    )

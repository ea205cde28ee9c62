"""The review desk's API: a reviewer organisation's queue (filters, claim, assign), a case's decisions, and the
working-day calendar (read by anyone signed in, edited by platform admins)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from litestar import Controller, delete, get, post, put
from litestar.di import Provide
from litestar.params import JSONBody, Parameter, QueryParameter
from litestar.status_codes import HTTP_200_OK, HTTP_204_NO_CONTENT

from finance.desk import service
from finance.desk.schemas import AssignIn, CalendarDayIn, CalendarDayOut, CaseOut, CasePageOut, ClaimIn, DecisionOut
from market.accounts.deps import provide_principal
from market.accounts.principal import Principal
from market.i18n.localized import localized
from market.orgs.schemas import OrgKind
from market.web.access import signed_in

REVIEWERS = (OrgKind.bank, OrgKind.insurer, OrgKind.voucher_issuer)
REVIEWER = signed_in(*REVIEWERS, approved=True)
ANYONE = signed_in()
ADMIN = signed_in(OrgKind.platform_admin)


class DeskController(Controller):
    path = "/api/desk"
    tags = ["desk"]
    dependencies = {"principal": Provide(provide_principal)}

    @get("/cases", opt=REVIEWER, summary="My organisation's review queue (filters: kind, state, assignee, SLA breach)")
    async def cases(
        self,
        principal: Principal,
        kind: str | None = None,
        states: Annotated[list[str] | None, QueryParameter(name="state", description="One or more states")] = None,
        assignee: int | None = None,
        mine: Annotated[bool, Parameter(description="Only the cases assigned to me")] = False,
        unassigned: bool = False,
        breached: Annotated[bool | None, Parameter(description="true: past their due day; false: not")] = None,
        q: Annotated[str, Parameter(max_length=60, description="Part of the case's reference")] = "",
        limit: Annotated[int, Parameter(ge=1, le=200)] = 50,
        offset: Annotated[int, Parameter(ge=0, le=10_000_000)] = 0,
    ) -> CasePageOut:
        filters = service.QueueFilters(
            kind=kind,
            states=tuple(states or ()),
            assignee=assignee,
            mine=mine,
            unassigned=unassigned,
            breached=breached,
            q=q,
            limit=limit,
            offset=offset,
        )
        return await service.queue_for(principal=principal, filters=filters)

    @get("/cases/{case_id:int}", opt=REVIEWER, summary="One case of my organisation's queue")
    async def case(self, principal: Principal, case_id: int) -> CaseOut:
        return service.case_out(await service.case_for(principal=principal, case_id=case_id))

    @get("/cases/{case_id:int}/decisions", opt=REVIEWER, summary="A case's decisions, oldest first (never changed)")
    async def decisions(self, principal: Principal, case_id: int, lang: str) -> list[DecisionOut]:
        return localized(await service.decisions_for(principal=principal, case_id=case_id), lang)

    @post(
        "/cases/{case_id:int}/claim",
        opt=REVIEWER,
        status_code=HTTP_200_OK,
        summary="Take a case of the queue (409 if someone holds it or it changed since the version sent)",
    )
    async def claim(self, principal: Principal, case_id: int, data: JSONBody[ClaimIn]) -> CaseOut:
        return await service.claim_for(principal=principal, case_id=case_id, version=data.version)

    @post(
        "/cases/{case_id:int}/assign",
        opt=REVIEWER,
        status_code=HTTP_200_OK,
        summary="Give a case to a member of my organisation, or back to the queue (409 if it changed meanwhile)",
    )
    async def assign(self, principal: Principal, case_id: int, data: JSONBody[AssignIn]) -> CaseOut:
        return await service.assign_for(
            principal=principal, case_id=case_id, to_user=data.to_user, version=data.version
        )

    @get("/calendar/{year:int}", opt=ANYONE, summary="The working-day calendar of a year (holidays, make-up workdays)")
    async def calendar(self, year: int, lang: str) -> list[CalendarDayOut]:
        return localized(await service.calendar_out(year), lang)


class CalendarAdminController(Controller):
    path = "/api/admin/calendar"
    tags = ["desk"]
    dependencies = {"principal": Provide(provide_principal)}

    @put("/{day:date}", opt=ADMIN, status_code=HTTP_200_OK, summary="Add or change a day of the working-day calendar")
    async def set_day(
        self, principal: Principal, day: date, data: JSONBody[CalendarDayIn], lang: str
    ) -> CalendarDayOut:
        row = await service.set_calendar_day(
            day,
            data.kind,
            data.name,
            service.actor_of(principal),
            source=data.source,
            provisional=data.provisional,
        )
        return localized(service.calendar_day_out(row), lang)

    @delete("/{day:date}", opt=ADMIN, status_code=HTTP_204_NO_CONTENT, summary="Remove a day: the weekend rule applies")
    async def remove_day(self, principal: Principal, day: date) -> None:
        await service.remove_calendar_day(day, service.actor_of(principal))

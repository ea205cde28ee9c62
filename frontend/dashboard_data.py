"""What each role's dashboard leads with: its next actions and the numbers behind them, read through the services.

One function per kind of organisation; each returns a small frozen record the template shows as counters that link
to the page where the work is done (issue 16, point 4: "each role's first screen shows its next actions and
numbers"). Counts only: the pages behind the links list the items.
"""

from __future__ import annotations

from dataclasses import dataclass

from finance.desk import service as desk
from finance.insurance import service as insurance
from finance.insurance.machine import FINAL as INSURANCE_FINAL
from finance.licences import service as licences
from finance.payments import service as payments
from finance.pledges import service as pledges
from finance.pledges.machine import FINAL as PLEDGE_FINAL
from finance.voucher_entitlements import applications as voucher_applications
from finance.voucher_entitlements import eligibility as voucher_eligibility
from finance.voucher_programmes import service as voucher_programmes
from frontend.render import pick
from listings.declarations import filing
from listings.declarations import service as declarations
from listings.imports import service as imports
from listings.needs import service as needs
from listings.patents import service as patents
from market.accounts.principal import Principal
from market.events import service as events
from market.orgs import service as orgs
from market.orgs.schemas import OrgKind, OrgStatus


@dataclass(frozen=True, slots=True)
class NeedLine:
    id: int
    title: str


@dataclass(frozen=True, slots=True)
class SmeBoard:
    """An SME's first screen: search, post a need, its open needs, its applications in progress."""

    open_needs: int
    needs: tuple[NeedLine, ...]
    licences_to_pay: int
    pledges_open: int
    insurance_open: int
    vouchers_open: int

    @property
    def applications_open(self) -> int:
        return self.licences_to_pay + self.pledges_open + self.insurance_open + self.vouchers_open


@dataclass(frozen=True, slots=True)
class ImportLine:
    id: int
    filename: str
    status: str


@dataclass(frozen=True, slots=True)
class UniversityBoard:
    """A university's first screen: import, drafts to publish, transfers to confirm, CNIPA filings due."""

    patents: int
    published: int
    drafts: int
    transfers_to_confirm: int
    filings_due: int
    imports: tuple[ImportLine, ...]


@dataclass(frozen=True, slots=True)
class ReviewerBoard:
    """A bank's, insurer's or issuer's review queue with its SLA (the desk)."""

    open: int
    unassigned: int
    overdue: int
    due_soon: int
    paused: int
    due_soon_days: int


@dataclass(frozen=True, slots=True)
class ProgrammeLine:
    id: int
    name: str
    status: str
    currency: str
    budget_minor: int | None
    used_minor: int

    @property
    def left_minor(self) -> int | None:
        return None if self.budget_minor is None else max(self.budget_minor - self.used_minor, 0)


@dataclass(frozen=True, slots=True)
class IssuerBoard:
    """A voucher issuer's programme status: budget used and left per programme, applications waiting."""

    programmes: tuple[ProgrammeLine, ...]
    applications_waiting: int


@dataclass(frozen=True, slots=True)
class AdminBoard:
    """The platform administrator's first screen: organisations to approve, transfers to confirm, refunds due, jobs
    stuck (domain events failed, retried or pending too long; the platform overview lists them)."""

    approvals: int
    transfers_to_confirm: int
    refunds_due: int
    jobs_stuck: int
    stuck_minutes: int


@dataclass(frozen=True, slots=True)
class Board:
    """One dashboard's lead: at most one of these is set, by the organisation's kind."""

    sme: SmeBoard | None = None
    university: UniversityBoard | None = None
    reviewer: ReviewerBoard | None = None
    issuer: IssuerBoard | None = None
    admin: AdminBoard | None = None


NEEDS_SHOWN = 5
STUCK_SHOWN = 200  # the overview lists as many
IMPORTS_SHOWN = 3


async def sme_board(principal: Principal) -> SmeBoard:
    mine = [n for n in await needs.list_needs(principal=principal) if n.status == "open"]
    return SmeBoard(
        open_needs=len(mine),
        needs=tuple(NeedLine(id=n.id, title=n.title) for n in mine[:NEEDS_SHOWN]),
        licences_to_pay=sum(
            1 for lic in await licences.list_mine(principal=principal) if lic.status == "pending_payment"
        ),
        pledges_open=sum(1 for a in await pledges.list_mine(principal=principal) if a.state not in PLEDGE_FINAL),
        insurance_open=sum(1 for a in await insurance.list_mine(principal=principal) if a.state not in INSURANCE_FINAL),
        vouchers_open=len(await voucher_applications.applications_of(principal=principal, open_only=True)),
    )


async def university_board(principal: Principal) -> UniversityBoard:
    return UniversityBoard(
        patents=(await patents.list_patents(principal=principal, per_page=1)).total,
        published=(await patents.list_patents(principal=principal, declared="published", per_page=1)).total,
        drafts=await declarations.count_mine(principal=principal, status="draft"),
        transfers_to_confirm=len(await payments.pending_transfers_to(principal=principal)),
        filings_due=await filing.filings_due(principal=principal),
        imports=tuple(
            ImportLine(id=r.id, filename=r.filename, status=r.status)
            for r in await imports.recent_runs(principal=principal, limit=IMPORTS_SHOWN)
        ),
    )


async def reviewer_board(principal: Principal) -> ReviewerBoard:
    counts = await desk.queue_summary(principal=principal)
    return ReviewerBoard(
        open=counts.open,
        unassigned=counts.unassigned,
        overdue=counts.overdue,
        due_soon=counts.due_soon,
        paused=counts.paused,
        due_soon_days=desk.DUE_SOON_DAYS,
    )


async def issuer_board(principal: Principal, lang: str) -> IssuerBoard:
    lines = []
    for p in await voucher_programmes.programmes_of_issuer(principal.org_id):
        if p.status == "draft":
            continue
        lines.append(
            ProgrammeLine(
                id=p.id,
                name=pick(p.terms.name_zh, p.terms.name_en, lang),
                status=p.status,
                currency=p.terms.currency,
                budget_minor=p.terms.budget_minor,
                used_minor=await voucher_eligibility.committed(p.id),
            )
        )
    return IssuerBoard(
        programmes=tuple(lines),
        applications_waiting=len(await voucher_applications.applications_of(principal=principal, open_only=True)),
    )


async def admin_board(principal: Principal) -> AdminBoard:
    return AdminBoard(
        approvals=len(await orgs.review_queue(principal=principal, statuses=[OrgStatus.pending])),
        transfers_to_confirm=len(await payments.pending_transfers()),
        refunds_due=len(await payments.refunds_due()),
        jobs_stuck=len(await events.stuck(limit=STUCK_SHOWN)),
        stuck_minutes=int(events.STUCK_AFTER.total_seconds() // 60),
    )


async def board_of(principal: Principal, lang: str) -> Board:
    """The lead of the principal's dashboard, by the kind of its organisation."""
    kind = principal.org_kind
    if kind is OrgKind.sme:
        return Board(sme=await sme_board(principal))
    if kind is OrgKind.university:
        return Board(university=await university_board(principal))
    if kind in (OrgKind.bank, OrgKind.insurer):
        return Board(reviewer=await reviewer_board(principal))
    if kind is OrgKind.voucher_issuer:
        return Board(reviewer=await reviewer_board(principal), issuer=await issuer_board(principal, lang))
    if kind is OrgKind.platform_admin:
        return Board(admin=await admin_board(principal))
    return Board()

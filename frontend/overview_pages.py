"""Overview pages with charts (issue 16, point 3), each chart drawn from a table that stays on the page:

- ``/admin/overview``: the platform admin's pending work - organisations awaiting approval, bank transfers awaiting
  confirmation, jobs (domain events) stuck, the review desks' SLA breaches - and a chart of how long it has waited;
- ``/university/overview``: a university's funnel (patents, eligible, published, licensed, earning income) and its
  income and inventor reward by month.

Everything is read through the modules' services; the sums are made here, in plain functions the tests call."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from litestar import Controller, get
from litestar.di import Provide
from litestar.response import Template

from finance.desk import service as desk
from finance.ledger import service as ledger
from finance.ledger.schemas import LedgerOut
from finance.licences import service as licences
from finance.payments import service as payments
from frontend.charts import charts_available
from frontend.render import AnyRequest, page
from listings.declarations import service as declarations
from listings.patents import service as patents
from market.accounts.deps import provide_principal
from market.accounts.principal import Principal
from market.events import service as events
from market.orgs import service as orgs
from market.orgs.schemas import OrgKind, OrgStatus
from market.web.access import signed_in

ADMIN = signed_in(OrgKind.platform_admin, session_only=True)
UNIVERSITY = signed_in(OrgKind.university, session_only=True)

# How long a piece of work has waited: (bucket, up to this many days, or None for "and over").
AGE_BUCKETS: tuple[tuple[str, int | None], ...] = (
    ("day", 1),
    ("days3", 3),
    ("week", 7),
    ("month", 30),
    ("older", None),
)
WORK_KINDS = ("orgs", "payments", "jobs", "cases")
STUCK_MINUTES = int(events.STUCK_AFTER.total_seconds() // 60)


def age_bucket(since: datetime, now: datetime) -> str:
    """The bucket of work waiting since ``since`` (an aware time), seen at ``now``."""
    waited = now - since
    for bucket, days in AGE_BUCKETS:
        if days is not None and waited < timedelta(days=days):
            return bucket
    return AGE_BUCKETS[-1][0]


@dataclass(frozen=True)
class AgeRow:
    bucket: str
    counts: dict[str, int]  # per kind of work (WORK_KINDS)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def ageing(waiting: dict[str, Iterable[datetime]], now: datetime) -> list[AgeRow]:
    """Each age bucket with how many pieces of each kind of work have waited that long."""
    counted = {kind: Counter(age_bucket(since, now) for since in times) for kind, times in waiting.items()}
    return [
        AgeRow(bucket=bucket, counts={kind: counted.get(kind, Counter())[bucket] for kind in WORK_KINDS})
        for bucket, _ in AGE_BUCKETS
    ]


@dataclass(frozen=True)
class DeskBreaches:
    reviewer: str  # the reviewing organisation's name
    kind: str  # the desk's case kind (desk.kind.<kind>)
    open_cases: int
    breached: int


@dataclass(frozen=True)
class StuckJob:
    id: int
    name: str
    status: str
    created_at: datetime


@dataclass(frozen=True)
class PlatformOverview:
    orgs_pending: int
    payments_pending: int
    jobs_stuck: list[StuckJob]
    desks: list[DeskBreaches]
    breached: int  # open cases past their SLA, every desk
    ageing: list[AgeRow]
    now: datetime

    @property
    def waiting(self) -> int:
        return sum(row.total for row in self.ageing)


def aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


async def platform_overview(principal: Principal, *, now: datetime | None = None) -> PlatformOverview:
    now = now or datetime.now(UTC)
    pending_orgs = await orgs.review_queue(principal=principal, statuses=[OrgStatus.pending])
    transfers = await payments.pending_transfers()
    stuck = await events.stuck(limit=200)
    cases = await desk.open_cases_everywhere()
    names = {o.id: o.name for o in await orgs.public_orgs(sorted({c.reviewer_org for c in cases}))}
    per_desk: dict[tuple[int, str], list[bool]] = {}
    for case in cases:
        per_desk.setdefault((case.reviewer_org, case.kind), []).append(case.breached_at is not None)
    desks = sorted(
        (
            DeskBreaches(reviewer=names.get(org, str(org)), kind=kind, open_cases=len(flags), breached=sum(flags))
            for (org, kind), flags in per_desk.items()
        ),
        key=lambda d: (-d.breached, -d.open_cases, d.reviewer, d.kind),
    )
    return PlatformOverview(
        orgs_pending=len(pending_orgs),
        payments_pending=len(transfers),
        jobs_stuck=[StuckJob(e.id, e.name, e.status, aware(e.created_at)) for e in stuck],
        desks=desks,
        breached=sum(d.breached for d in desks),
        ageing=ageing(
            {
                "orgs": [aware(r.org.created_at) for r in pending_orgs],
                "payments": [aware(p.created_at) for p in transfers],
                "jobs": [aware(e.created_at) for e in stuck],
                "cases": [aware(c.opened_at) for c in cases],
            },
            now,
        ),
        now=now,
    )


@dataclass(frozen=True)
class FunnelStep:
    step: str  # patents, eligible, published, licensed, earning
    count: int


@dataclass(frozen=True)
class MonthLine:
    month: str  # YYYY-MM
    gross_minor: int
    net_minor: int
    inventor_reward_minor: int


def months_of(books: LedgerOut) -> list[MonthLine]:
    """Income by month, oldest first: licence payments (gross, net of the platform fee) and voucher payouts (no
    fee), with the inventor reward of each."""
    sums: dict[str, list[int]] = {}
    for line in books.lines:
        got = sums.setdefault(line.month, [0, 0, 0])
        got[0] += line.gross_minor
        got[1] += line.net_minor
        got[2] += line.inventor_reward_minor
    for voucher in books.voucher_lines:
        got = sums.setdefault(voucher.month, [0, 0, 0])
        got[0] += voucher.gross_minor
        got[1] += voucher.gross_minor
        got[2] += voucher.inventor_reward_minor
    return [MonthLine(month, *sums[month]) for month in sorted(sums)]


def earning_patents(books: LedgerOut) -> set[str]:
    return {line.patent_number for line in books.lines if line.gross_minor > 0}


@dataclass(frozen=True)
class UniversityOverview:
    funnel: list[FunnelStep]
    income_minor: int
    months: list[MonthLine]
    currency: str


def funnel_steps(counts: Sequence[tuple[str, int]]) -> list[FunnelStep]:
    return [FunnelStep(step, count) for step, count in counts]


async def university_overview(principal: Principal) -> UniversityOverview:
    total = (await patents.list_patents(principal=principal, per_page=1)).total
    published = (await patents.list_patents(principal=principal, declared="published", per_page=1)).total
    eligible = await declarations.eligible_count(principal=principal)
    mine = await licences.licences_of_org(principal.org_id, side="licensor", limit=10_000)
    licensed = len({lic.patent for lic in mine if lic.activated_at is not None})
    books = await ledger.ledger(principal=principal)
    months = months_of(books)
    return UniversityOverview(
        funnel=funnel_steps(
            [
                ("patents", total),
                ("eligible", eligible),
                ("published", published),
                ("licensed", licensed),
                ("earning", len(earning_patents(books))),
            ]
        ),
        income_minor=sum(m.gross_minor for m in months),
        months=months,
        currency=books.currency,
    )


class AdminOverviewPages(Controller):
    include_in_schema = False
    path = "/admin/overview"
    dependencies = {"principal": Provide(provide_principal)}

    @get("/", opt=ADMIN)
    async def overview(self, request: AnyRequest, principal: Principal) -> Template:
        return page(
            request,
            "overview/admin.html",
            o=await platform_overview(principal),
            kinds=WORK_KINDS,
            stuck_minutes=STUCK_MINUTES,
            charts=charts_available(),
        )


class UniversityOverviewPages(Controller):
    include_in_schema = False
    path = "/university/overview"
    dependencies = {"principal": Provide(provide_principal)}

    @get("/", opt=UNIVERSITY)
    async def overview(self, request: AnyRequest, principal: Principal) -> Template:
        return page(
            request, "overview/university.html", u=await university_overview(principal), charts=charts_available()
        )


OVERVIEW_PAGES = [AdminOverviewPages, UniversityOverviewPages]

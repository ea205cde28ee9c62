"""The Runtime: everything a process needs from its settings, built in one place for the app, the worker and the
command line, by one async context manager.

``open_runtime(settings)`` starts the database engine (and binds every table to it), the job queue (arq with
Redis, else in-process), the search index, the payment gateways and the mail sender, installs the runtime as the
process's one, and closes all of it on exit, in reverse order. Services take what they need as arguments; the few
places that sit at an edge (jobs, the search sync, the payment service choosing an adapter) read ``current()``.
No service reads the environment.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import AsyncIterator
from dataclasses import dataclass

from piccolo.engine.base import Engine

from market import db, jobs
from market.integrations.mail import SmtpConfig, build_message, parse_smtp_url, send_async
from market.integrations.payments import BankTransferGateway, StripeConfig, StripeGateway
from market.integrations.payments.localstripe import LocalstripeBridge
from market.integrations.search import SearchIndex, build_search
from market.settings import Settings

STRIPE_METHODS = frozenset({"card", "alipay", "wechat_pay"})


@dataclass(frozen=True)
class PaymentGateways:
    """The payment adapters this process offers: bank transfer always, Stripe where a key is configured."""

    bank_transfer: BankTransferGateway
    stripe: StripeGateway | None
    wanted_methods: tuple[str, ...]

    @classmethod
    def from_settings(cls, settings: Settings) -> PaymentGateways:
        stripe = None
        if settings.stripe_api_key.get_secret_value():
            client = LocalstripeBridge() if settings.stripe_localstripe else None
            stripe = StripeGateway(StripeConfig.from_settings(settings), http_client=client)
        wanted = tuple(m.strip() for m in settings.payment_methods.split(",") if m.strip())
        return cls(BankTransferGateway(platform_fee_bp=settings.platform_fee_bp), stripe, wanted)

    @property
    def methods(self) -> list[str]:
        """The methods offered: the configured ones that have an adapter here."""
        available = {"bank_transfer"} | (set(STRIPE_METHODS) if self.stripe is not None else set())
        return [m for m in self.wanted_methods if m in available]


@dataclass(frozen=True)
class Mailer:
    """E-mail over SMTP, or none (notifications then stay in the app)."""

    config: SmtpConfig | None
    sender: str

    @classmethod
    def from_settings(cls, settings: Settings) -> Mailer:
        return cls(parse_smtp_url(settings.smtp_url) if settings.smtp_url else None, settings.mail_from)

    @property
    def enabled(self) -> bool:
        return self.config is not None

    async def send(self, *, to: str, subject: str, text: str) -> None:
        if self.config is None:
            return
        await send_async(self.config, build_message(sender=self.sender, to=to, subject=subject, text=text))


@dataclass(frozen=True)
class Runtime:
    settings: Settings
    engine: Engine  # type: ignore[type-arg]
    queue: jobs.JobQueue
    search: SearchIndex | None  # None: a process without search (service tests); its outbox waits for one
    payments: PaymentGateways
    mail: Mailer

    @property
    def base_url(self) -> str:
        return self.settings.base_url.rstrip("/")


_active: Runtime | None = None


def current() -> Runtime:
    """The process's runtime (installed by ``open_runtime``)."""
    if _active is None:
        raise RuntimeError("no runtime is open in this process (market.runtime.open_runtime)")
    return _active


def install(runtime: Runtime) -> Runtime:
    """Make ``runtime`` the process's one: its engine bound to every table, its queue the one jobs go to."""
    global _active
    db.use(runtime.engine)
    jobs.configure(runtime.queue)
    _active = runtime
    return runtime


def replace(**changes: object) -> Runtime:
    """Install the current runtime with some parts replaced (tests: a flaky search index, a Stripe test gateway)."""
    return install(dataclasses.replace(current(), **changes))  # type: ignore[arg-type]


def build_queue(settings: Settings) -> jobs.JobQueue:
    if settings.redis_url:
        return jobs.ArqQueue(settings.redis_url, settings.job_queue_name)
    return jobs.InProcessQueue(max_tries=settings.job_max_tries, backoff_base=settings.job_backoff_seconds)


@contextlib.asynccontextmanager
async def open_runtime(
    settings: Settings,
    *,
    queue: jobs.JobQueue | None = None,
    search: SearchIndex | None = None,
    engine: Engine | None = None,  # type: ignore[type-arg]
    with_search: bool = True,
) -> AsyncIterator[Runtime]:
    """Build, install and (on exit) close the runtime. ``queue``, ``search`` and ``engine`` replace the parts
    built from settings (tests; an ``engine`` given is started and stopped by its owner); ``with_search=False``
    leaves the process without a search index (service tests)."""
    global _active
    own_engine = engine is None
    engine = engine or db.build_engine(settings)
    if own_engine:
        await db.start(engine, settings)
    job_queue = queue or build_queue(settings)
    # opened by the listings' start-up hook (ensure + catch-up)
    index = (search or build_search(settings)) if with_search else None
    runtime = Runtime(
        settings=settings,
        engine=engine,
        queue=job_queue,
        search=index,
        payments=PaymentGateways.from_settings(settings),
        mail=Mailer.from_settings(settings),
    )
    previous = _active
    install(runtime)
    try:
        yield runtime
    finally:
        _active = None
        if previous is not None:
            install(previous)  # a runtime opened inside another (tests) gives the outer one back
        await job_queue.close()
        if index is not None:
            await index.close()
        if own_engine:
            await db.stop(engine)

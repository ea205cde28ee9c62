"""create_app(): the ONE place Litestar is assembled."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from litestar import Litestar
from litestar.config.csrf import CSRFConfig
from litestar.datastructures import ResponseHeader
from litestar.di import Provide
from litestar.middleware import DefineMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin, YamlRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme
from litestar.stores.file import FileStore
from litestar.stores.memory import MemoryStore
from litestar.stores.redis import RedisStore
from litestar.stores.registry import StoreRegistry

from finance.controllers import CSRF_EXEMPT, FINANCE_CONTROLLERS
from frontend.pages import frontend_parts
from listings.controllers import LISTINGS_CONTROLLERS
from listings.search import service as search_sync
from market import jobs
from market.accounts.controllers import AuthController, MeController, TokenController
from market.audit.controllers import AuditController
from market.events import service as event_service
from market.events.controllers import EventAdminController
from market.health import HealthController
from market.integrations.search import SearchIndex
from market.logging import configure_logging
from market.notifications.controllers import NotificationController
from market.orgs.controllers import (
    EvidenceController,
    InvitationController,
    OrgController,
    OrgReviewController,
    PublicOrgController,
)
from market.runtime import build_queue, open_runtime
from market.settings import Settings, get_settings
from market.web.access import access_guard
from market.web.auth import AuthMiddleware, BearerAwareCSRFMiddleware, SessionConfig
from market.web.idempotency import IdempotencyMiddleware
from market.web.limits import RateLimitMiddleware, RateLimits
from market.web.problems import build_handlers, language
from market.web.requests import RequestIdMiddleware, echo_request_id
from market.web.transactions import TransactionMiddleware
from market.webhooks.controllers import WebhookController
from market.worker import load_jobs

SECURITY_HEADERS = [
    ResponseHeader(name="X-Content-Type-Options", value="nosniff"),
    ResponseHeader(name="X-Frame-Options", value="DENY"),
    ResponseHeader(name="Referrer-Policy", value="same-origin"),
    ResponseHeader(name="Cross-Origin-Opener-Policy", value="same-origin"),
    ResponseHeader(name="Permissions-Policy", value="camera=(), microphone=(), geolocation=()"),
    ResponseHeader(
        name="Content-Security-Policy",
        value="default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "object-src 'none'; frame-ancestors 'none'; form-action 'self'; base-uri 'self'",
    ),
]


def _stores(settings: Settings) -> StoreRegistry:
    if settings.redis_url:
        redis = RedisStore.with_client(url=settings.redis_url)
        return StoreRegistry(default_factory=lambda name: redis.with_namespace(f"market:{name}"))
    if settings.env == "test":
        return StoreRegistry(default_factory=lambda name: MemoryStore())

    def file_store(name: str) -> FileStore:
        path = settings.data_dir / "stores" / name
        path.mkdir(parents=True, exist_ok=True)
        return FileStore(path)

    return StoreRegistry(default_factory=file_store)


def create_app(
    settings: Settings | None = None, *, queue: jobs.JobQueue | None = None, search: SearchIndex | None = None
) -> Litestar:
    """The marketplace web app. ``settings`` defaults to the environment; ``queue`` lets a test hold jobs;
    ``search`` gives the search index (by default one per process, from settings)."""
    settings = settings or get_settings()
    configure_logging(level=settings.log_level, json=settings.log_json)
    load_jobs()
    job_queue = queue or build_queue(settings)

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        async with open_runtime(settings, queue=job_queue, search=search) as runtime:
            app.state.runtime = runtime
            app.state.search = runtime.search
            await search_sync.start(runtime.search)
            await event_service.start()  # events whose dispatch was lost are handled now
            scheduler = (
                asyncio.create_task(jobs.run_schedule_in_process())
                if isinstance(job_queue, jobs.InProcessQueue) and settings.env != "test"
                else None
            )
            try:
                yield
            finally:
                if scheduler is not None:
                    scheduler.cancel()
                await rate_limits.counter.close()

    pages = frontend_parts(settings)
    secret = settings.secret_key.get_secret_value()
    session = SessionConfig(
        key="market_session",
        max_age=settings.session_max_age_seconds,
        secure=settings.cookie_secure,
        httponly=True,
        samesite="lax",
        store="sessions",
    )
    csrf = CSRFConfig(secret=secret, cookie_secure=settings.cookie_secure, exclude=["/static/", *CSRF_EXEMPT])
    rate_limits = RateLimits.from_settings(settings)

    def provide_settings() -> Settings:
        return settings

    app = Litestar(
        route_handlers=[
            HealthController,
            AuthController,
            MeController,
            TokenController,
            OrgController,
            OrgReviewController,
            EvidenceController,
            PublicOrgController,
            InvitationController,
            AuditController,
            EventAdminController,
            NotificationController,
            WebhookController,
            *LISTINGS_CONTROLLERS,
            *FINANCE_CONTROLLERS,
            *pages.route_handlers,
        ],
        dependencies={
            "settings": Provide(provide_settings, sync_to_thread=False),
            # The reader's language ("zh" or "en"): Accept-Language for the API, the chosen one for pages.
            "lang": Provide(language, sync_to_thread=False),
        },
        middleware=[
            RequestIdMiddleware,
            DefineMiddleware(RateLimitMiddleware, limits=rate_limits),
            DefineMiddleware(BearerAwareCSRFMiddleware, config=csrf),
            session.middleware,
            DefineMiddleware(AuthMiddleware),
            IdempotencyMiddleware,  # claims an Idempotency-Key (committed) before the write's transaction
            TransactionMiddleware,  # innermost: one transaction per unsafe request, around the handler
        ],
        guards=[access_guard],
        before_send=[echo_request_id],
        before_request=pages.before_request,
        exception_handlers=build_handlers(pages.render_error),
        response_headers=SECURITY_HEADERS,
        template_config=pages.template_config,
        stores=_stores(settings),
        lifespan=[lifespan],
        openapi_config=OpenAPIConfig(
            title="Open-licence patent market API",  # words: data (the OpenAPI title, for developers)
            version="0.1.0",
            path="/schema",
            render_plugins=[JsonRenderPlugin(path=["/", "/openapi.json"]), YamlRenderPlugin()],
            components=Components(
                security_schemes={"bearer": SecurityScheme(type="http", scheme="bearer", description="API token")}
            ),
            security=[{"bearer": []}],
        ),
        debug=False,
    )
    app.state.settings = settings
    app.state.job_queue = job_queue
    return app


def _asgi() -> Any:
    return create_app()

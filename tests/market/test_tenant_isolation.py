"""Tenant isolation: every endpoint, called by every kind of organisation (and by nobody), against another
organisation's private objects, answers 401/403/404, leaks none of its data and changes nothing of it.

The routes come from the app itself, so a new endpoint is walked without this file being edited. Object references
in paths and bodies are filled in from ``tests/support/tenancy.py``.
"""

from __future__ import annotations

import dataclasses
import typing
from dataclasses import dataclass
from typing import Any

import pytest
from litestar import Litestar
from litestar.routes import HTTPRoute
from pydantic import BaseModel

from market.orgs.schemas import OrgKind
from market.settings import Settings
from market.web.access import declared_access
from tests.conftest import Backend, Client, make_account, running, sign_in
from tests.support.tenancy import NON_OBJECT_PARAMS, OBJECT_REFS, Victim, make_victim, snapshot

DENIED = {403, 404}
SAFE_METHODS = {"GET", "HEAD"}


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str  # with {name} placeholders
    params: tuple[str, ...]
    body_model: type[BaseModel] | None
    form: bool
    signed_in: bool
    operators_only: bool = False  # declared for platform administrators alone: the platform's review of everyone

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


def _body_model(handler: Any) -> tuple[type[BaseModel] | None, bool]:
    data = handler.parsed_fn_signature.parameters.get("data")
    if data is None:
        return None, False
    annotation = data.annotation
    while typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation, False
    return None, True  # a page form (URL-encoded fields)


def endpoints(app: Litestar) -> list[Endpoint]:
    found = []
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        for handler in route.route_handlers:
            if handler.fn.__module__.startswith("litestar."):
                continue  # Litestar's own OPTIONS and OpenAPI handlers
            access = declared_access(handler)
            assert access is not None, f"{route.path_format}: no access declaration"
            model, form = _body_model(handler)
            for method in sorted(handler.http_methods):
                found.append(
                    Endpoint(
                        method=method,
                        path=route.path_format,
                        params=tuple(route.path_parameters),
                        body_model=model,
                        form=form,
                        signed_in=access.signed_in,
                        operators_only=access.kinds == frozenset({OrgKind.platform_admin}),
                    )
                )
    return found


def example_body(model: type[BaseModel], victim: Victim) -> dict[str, Any]:
    examples = (model.model_config.get("json_schema_extra") or {}).get("examples")  # type: ignore[union-attr]
    assert examples, f"{model.__name__} needs an example (json_schema_extra) for the isolation walk and the docs"
    body = dict(examples[0])
    for key in body:
        if key in OBJECT_REFS:
            body[key] = OBJECT_REFS[key](victim)
    return body


def concrete_path(endpoint: Endpoint, victim: Victim) -> tuple[str, bool]:
    """The path with the victim's objects filled in, and whether it names any of them."""
    path, names_object = endpoint.path, False
    for name in endpoint.params:
        if name in OBJECT_REFS:
            value, names_object = OBJECT_REFS[name](victim), True
        elif name in NON_OBJECT_PARAMS:
            value = NON_OBJECT_PARAMS[name]
        else:
            pytest.fail(f"{endpoint}: add path parameter {name!r} to tests/support/tenancy.py")
        path = path.replace("{" + name + "}", str(value))
    return path, names_object


async def call(client: Client, endpoint: Endpoint, victim: Victim) -> tuple[Any, bool]:
    path, names_object = concrete_path(endpoint, victim)
    kwargs: dict[str, Any] = {"headers": {"accept": "application/json"}}
    names_object = names_object or bool(
        endpoint.body_model and set(endpoint.body_model.model_fields) & set(OBJECT_REFS)
    )
    if endpoint.method not in SAFE_METHODS:
        kwargs["headers"]["x-csrftoken"] = await client.csrf()
        if endpoint.body_model is not None:
            kwargs["json"] = example_body(endpoint.body_model, victim)
        elif endpoint.form:
            kwargs["data"] = {}
    response = await client.request(endpoint.method, path, follow_redirects=False, **kwargs)
    return response, names_object


ATTACKERS = [None, *OrgKind]  # None: not signed in


@pytest.fixture
async def walk_app(backend: Backend, tmp_path: Any) -> Any:
    from market import jobs
    from market.app import create_app
    from market.integrations.search import build_search

    # The walk signs in again whenever an endpoint (sign-out, switch-org, sign-up) changed its session.
    settings = Settings(**{**backend.settings.model_dump(), "sign_in_rate_per_minute": 10_000,
                           "sign_up_rate_per_hour": 10_000, "invitation_rate_per_minute": 10_000})
    app = create_app(settings, queue=jobs.InProcessQueue(max_tries=1, backoff_base=0.01),
                     search=build_search(settings, path=tmp_path / "index"))
    async with running(app):
        yield app


async def test_every_endpoint_refuses_another_organisations_objects(backend: Backend, walk_app: Litestar) -> None:
    victim = await make_victim()
    before = await snapshot(victim)
    walked = endpoints(walk_app)
    assert len(walked) >= 15  # sanity: the walk sees the app's routes
    failures: list[str] = []
    for kind in ATTACKERS:
        async with Client(walk_app) as client:
            attacker = await make_account(kind.value) if kind else None

            async def as_attacker(client: Client = client, attacker: Any = attacker) -> None:
                if attacker is None:
                    client.cookies.clear()
                    return
                me = await client.get("/api/me")
                if me.status_code != 200 or me.json()["user_id"] != attacker.user_id:
                    client.cookies.clear()
                    await sign_in(client, attacker)

            for endpoint in walked:
                if kind is OrgKind.platform_admin and endpoint.operators_only:
                    continue  # reviewing every organisation is what the operators' own routes are for
                await as_attacker()
                response, names_object = await call(client, endpoint, victim)
                who = kind.value if kind else "anonymous"
                status = response.status_code
                to_sign_in = status in {302, 303} and response.headers["location"].startswith("/sign-in")
                if status >= 500:
                    failures.append(f"{who}: {endpoint} -> {status} {response.text[:200]}")
                elif names_object and status not in DENIED | {401} and not (kind is None and to_sign_in):
                    failures.append(f"{who}: {endpoint} on the victim's object -> {status}, expected 403/404")
                elif kind is None and endpoint.signed_in and status != 401 and not to_sign_in:
                    failures.append(f"anonymous: {endpoint} -> {status}, expected 401 or a redirect to sign-in")
                leaked = [m for m in victim.markers if m in response.text]
                if leaked:
                    failures.append(f"{who}: {endpoint} -> {status} shows the victim's {leaked}")
    assert not failures, "\n".join(failures)
    assert await snapshot(victim) == before, "a forbidden request changed the victim's data"


async def test_the_walk_catches_a_leaking_endpoint(backend: Backend) -> None:
    """The walk's own check: an endpoint that hands out any organisation by id is caught."""
    from litestar import get

    from market import jobs
    from market.app import create_app
    from market.orgs import repository
    from market.web.access import signed_in

    @get("/api/leaky/{org_id:int}", opt=signed_in())
    async def leaky(org_id: int) -> dict[str, Any]:
        org = await repository.get_org(org_id)
        return dataclasses.asdict(org) if org else {}

    app = create_app(backend.settings, queue=jobs.InProcessQueue())
    app.register(leaky)
    victim = await make_victim()
    attacker = await make_account(OrgKind.sme.value)
    leaky_endpoints = [e for e in endpoints(app) if e.path.startswith("/api/leaky")]
    assert [str(e) for e in leaky_endpoints] == ["GET /api/leaky/{org_id}"]
    async with running(app), Client(app) as client:
        await sign_in(client, attacker)
        response, names_object = await call(client, leaky_endpoints[0], victim)
    assert names_object and response.status_code == 200  # what the walk reports as a failure
    assert victim.account.org_name in response.text

from __future__ import annotations


async def test_health_reports_each_component(client, backend) -> None:
    r = await client.get("/health")
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "ok"
    assert body["components"]["database"] == {
        **body["components"]["database"],
        "status": "ok",
        "engine": backend.engine.engine_type,
    }
    assert body["components"]["jobs"]["backend"] == "in-process"
    assert body["components"]["search"]["backend"] == "embedded"


async def test_schema_lists_the_api(client) -> None:
    r = await client.get("/schema")
    assert r.status_code == 200
    paths = r.json()["paths"]
    for path in (
        "/api/auth/sign-in",
        "/api/auth/sign-up",
        "/api/tokens",
        "/api/tokens/{token_id}",
        "/health",
        "/api/orgs/{org_id}/members",
    ):
        assert path in paths
    assert not any(p.startswith("/dashboard") for p in paths)  # pages are not API

"""Migrations run once per deployment, not in every app replica at start.

compose.yaml has a one-shot ``migrate`` service the app and the worker wait for; neither they, the image's default
command nor the app's startup migrate. (Two ``market migrate`` at once are safe: see test_migrations_drift.py.)
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]


def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((ROOT / "compose.yaml").read_text())
    return loaded


def test_a_one_shot_migrate_service_runs_before_the_app_and_the_worker() -> None:
    services = compose()["services"]
    assert services["migrate"]["command"] == ["market", "migrate"]
    assert services["migrate"]["restart"] == "no"
    for name in ("app", "worker"):
        assert services[name]["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}
        assert "migrate" not in " ".join(services[name]["command"]), f"{name} must not migrate on start"


def test_the_image_and_the_app_do_not_migrate_on_start() -> None:
    cmd = [line for line in (ROOT / "Dockerfile").read_text().splitlines() if line.startswith("CMD")]
    assert cmd == ['CMD ["market", "serve", "--host", "0.0.0.0"]']
    app = ast.parse((ROOT / "market" / "app.py").read_text())
    called = {
        node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        for node in ast.walk(app)
        if isinstance(node, ast.Call)
    }
    assert not called & {"migrate", "run_forwards"}

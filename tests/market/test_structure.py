"""The shape of the code, checked: no imports of our own code inside functions, typed records out of every
repository, and an import contract that covers every module of `market`."""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
OURS = ("market", "listings", "pricing", "finance", "frontend")
ENTRY_POINTS = ("app", "worker", "cli", "__main__")


def python_files(package: str) -> list[Path]:
    return sorted(p for p in (ROOT / package).rglob("*.py") if "piccolo_migrations" not in p.parts)


def function_level_imports(path: Path) -> list[str]:
    """``file:line module`` for each import of our own code inside a function."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for sub in ast.walk(node):
            names: list[str] = []
            if isinstance(sub, ast.ImportFrom) and sub.module and sub.level == 0:
                names = [sub.module]
            elif isinstance(sub, ast.Import):
                names = [alias.name for alias in sub.names]
            found += [f"{path.relative_to(ROOT)}:{sub.lineno} {name}" for name in names if name.split(".")[0] in OURS]
    return sorted(set(found))


def untyped_returns(path: Path) -> list[str]:
    """``file:line function -> annotation`` for each public repository function returning Any or dict[str, Any]."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in tree.body:
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) or node.name.startswith("_"):
            continue
        annotation = ast.unparse(node.returns) if node.returns is not None else "(none)"
        if (
            annotation == "(none)"
            or "Any" in annotation.replace("[", " ").replace("]", " ").replace(",", " ").split()
            or "dict[str, Any]" in annotation
        ):
            found.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name} -> {annotation}")
    return found


@pytest.mark.parametrize("package", OURS)
def test_no_import_of_our_code_inside_a_function(package: str) -> None:
    found = [hit for path in python_files(package) for hit in function_level_imports(path)]
    assert found == [], "imports of our code inside functions (a hidden cycle?):\n" + "\n".join(found)


@pytest.mark.parametrize("package", ["market", "listings", "finance"])
def test_repositories_return_typed_records(package: str) -> None:
    found = [hit for path in sorted((ROOT / package).rglob("repository.py")) for hit in untyped_returns(path)]
    assert found == [], "repository functions returning untyped rows:\n" + "\n".join(found)


def test_the_checks_catch_what_they_look_for(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(f"{__name__}.ROOT", tmp_path)
    module = tmp_path / "repository.py"
    module.write_text(
        "from typing import Any\n"
        "import json\n"
        "async def get(i: int) -> dict[str, Any] | None:\n"
        "    from market.db import engine_of\n"
        "    import json as j\n"
        "    return None\n"
        "async def count() -> int:\n"
        "    return 1\n"
        "def loose():\n"
        "    return 1\n",
        encoding="utf-8",
    )
    assert function_level_imports(module) == ["repository.py:4 market.db"]
    assert untyped_returns(module) == [
        "repository.py:3 get -> dict[str, Any] | None",
        "repository.py:9 loose -> (none)",
    ]


def test_the_layer_contract_names_every_module_of_market() -> None:
    """`market` sits at the bottom of the package layers except its entry points, which sit on top: a new module
    of `market` must be placed in the contract, or it would escape it."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = config["tool"]["importlinter"]["contracts"]
    layers = next(c["layers"] for c in contracts if c["type"] == "layers" and "frontend" in c["layers"])
    named = {m.strip() for layer in (layers[0], layers[-1]) for m in layer.split(":")}
    modules = {
        f"market.{p.stem if p.is_file() else p.name}"
        for p in (ROOT / "market").iterdir()
        if (p.suffix == ".py" and p.stem != "__init__") or (p.is_dir() and (p / "__init__.py").exists())
    }
    modules.discard("market.piccolo_migrations")  # history: not imported by anything
    assert sorted(modules - named) == []
    assert all("ignore_imports" not in c for c in contracts), "contracts hold without ignored imports"
    assert {f"market.{e}" for e in ENTRY_POINTS} <= {m.strip() for m in layers[0].split(":")}


def test_each_module_is_kept_from_every_other_modules_repository_and_tables() -> None:
    """A module's "never another module's repository" and "never another module's tables" contracts name every other
    module of the "inside a module" contract that has one: a module added later is covered without anyone editing
    the older contracts by hand."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = config["tool"]["importlinter"]["contracts"]
    modules = next(c["containers"] for c in contracts if c["name"].startswith("inside a module"))
    endings = {"repository": "never their repositories", "tables": "never touches other modules' tables"}
    missing = []
    for contract in contracts:
        for part, ending in endings.items():
            if contract["type"] == "forbidden" and contract["name"].endswith(ending):
                source = contract["name"].split(":")[0]
                others = [m for m in modules if m != source]
                want = {f"{m}.{part}" for m in others if (ROOT / m.replace(".", "/") / f"{part}.py").exists()}
                missing += [f"{source}: {m}" for m in sorted(want - set(contract["forbidden_modules"]))]
    assert missing == []

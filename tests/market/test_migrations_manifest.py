"""A landed migration is never edited again: each one's SHA-256 is in migrations_manifest.json and must still match.

Piccolo runs a migration id once per database, so an edit to a landed migration never reaches a database that has
already run it (issue 10: ``listings_0001_initial`` was edited after 7950572 and such databases lacked a column).
Change the schema with a NEW migration instead, and add the new file to the manifest (docs/migrations.md).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MANIFEST = Path(__file__).parent / "migrations_manifest.json"
HOW = "Never edit a landed migration: change the schema with a new migration (see docs/migrations.md)."


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def migration_files() -> dict[str, Path]:
    return {
        path.relative_to(ROOT).as_posix(): path
        for path in sorted(ROOT.glob("*/piccolo_migrations/*.py"))
        if path.name != "__init__.py"
    }


def test_every_landed_migration_is_unchanged() -> None:
    landed: dict[str, str] = json.loads(MANIFEST.read_text())
    files = migration_files()
    gone = sorted(set(landed) - set(files))
    assert not gone, f"landed migrations were removed or renamed: {gone}. {HOW}"
    changed = sorted(name for name, digest in landed.items() if sha256(files[name]) != digest)
    assert not changed, (
        f"landed migrations were edited: {changed}. {HOW} Revert them (git checkout main -- <file>) and put the "
        "change in a new migration; a database that already ran the old one would never see the edit."
    )


def test_every_migration_is_in_the_manifest() -> None:
    landed: dict[str, str] = json.loads(MANIFEST.read_text())
    new = {name: sha256(path) for name, path in migration_files().items() if name not in landed}
    entries = ",\n".join(f'  "{name}": "{digest}"' for name, digest in sorted(new.items()))
    assert not new, (
        f"new migrations are not in {MANIFEST.relative_to(ROOT)}: add these entries (once the migration is final; "
        f"from then on it is never edited):\n{entries}"
    )

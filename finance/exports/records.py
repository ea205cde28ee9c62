"""The exports module's records."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PackageFile:
    """One file of an application package, as the manifest lists it."""

    path: str
    content: bytes
    content_type: str


@dataclass(frozen=True)
class Package:
    """A pledge application's package: the zip and its download name."""

    filename: str
    content: bytes

"""Finds sentences meant for users in domain code: every one should be a catalogue code instead.

A string constant is reported when it holds Chinese characters, or reads like an English sentence (starts with a
capital letter and has three or more words). Not reported: docstrings; log event names and log calls; messages of
Python's own exceptions (``RuntimeError``, ``ValueError`` ...), which are for developers; SQL; and any line, or
statement, marked ``# words: data`` (patent data, bank statement headers, search tables: data, not sentences);
OpenAPI summaries and descriptions (``summary=``, ``description=``), which document the API for developers.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
ENGLISH_SENTENCE = re.compile(r"^[A-Z][a-z'’]*(?:[\s,;:()\-]+[A-Za-z'’0-9{}%$.]+){2,}")
SQL = re.compile(r"^\s*(SELECT|INSERT|UPDATE|DELETE|CREATE|ALTER|DROP|WITH|TRUNCATE|PRAGMA)\b")
DEVELOPER_EXCEPTIONS = frozenset(
    {
        "RuntimeError",
        "ValueError",
        "TypeError",
        "KeyError",
        "AssertionError",
        "NotImplementedError",
        "LookupError",
        "OSError",
        "DataFileError",
        "AttributeError",
        "IndexError",
        "ImportError",
    }
)
LOG_NAMES = frozenset({"log", "logger", "logging", "structlog", "typer", "progress"})
# API documentation for developers (OpenAPI summaries and field descriptions), not words shown to users.
DOC_KEYWORDS = frozenset({"summary", "description", "examples", "example", "help"})
MARK = "# words: data"


@dataclass(frozen=True)
class Found:
    path: Path
    line: int
    text: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.text[:80]!r}"


def _docstring_nodes(tree: ast.AST) -> set[int]:
    out: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                out.add(id(body[0].value))
        # a bare string statement anywhere (attribute docstrings) documents, it does not speak to users
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            out.add(id(node.value))
    return out


def _call_name(call: ast.Call) -> str:
    func = call.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        base = func.value
        while isinstance(base, ast.Attribute):
            base = base.value
        return base.id if isinstance(base, ast.Name) else func.attr
    return ""


def _silenced(tree: ast.AST) -> set[int]:
    """Strings inside log calls, developer exceptions or marked statements."""
    out: set[int] = set()
    for node in ast.walk(tree):
        inner: ast.AST | None = None
        if isinstance(node, ast.Call) and _call_name(node) in LOG_NAMES:
            inner = node
        elif isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call):
            if _call_name(node.exc) in DEVELOPER_EXCEPTIONS:
                inner = node.exc
        elif isinstance(node, ast.Call) and _call_name(node) in DEVELOPER_EXCEPTIONS:
            inner = node
        if inner is not None:
            out.update(id(sub) for sub in ast.walk(inner))
        if isinstance(node, ast.keyword) and node.arg in DOC_KEYWORDS:
            out.update(id(sub) for sub in ast.walk(node.value))
    return out


COMPOUND = (
    ast.FunctionDef,
    ast.AsyncFunctionDef,
    ast.ClassDef,
    ast.If,
    ast.For,
    ast.AsyncFor,
    ast.While,
    ast.With,
    ast.AsyncWith,
    ast.Try,
    ast.Match,
)


def _marked_ranges(tree: ast.AST, lines: list[str]) -> list[tuple[int, int]]:
    out = []
    for node in ast.walk(tree):
        simple = isinstance(node, ast.stmt) and not isinstance(node, COMPOUND)
        if (
            simple
            and node.end_lineno is not None
            and any(MARK in lines[i - 1] for i in range(node.lineno, node.end_lineno + 1))
        ):
            out.append((node.lineno, node.end_lineno))
    return out


def _text_of(node: ast.AST) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value if isinstance(v, ast.Constant) else "{}" for v in node.values)  # type: ignore[misc]
    return None


def is_sentence(text: str) -> bool:
    if HAN.search(text):
        return True
    stripped = text.strip()
    if " " not in stripped or SQL.match(stripped) or stripped.isupper():
        return False
    return bool(ENGLISH_SENTENCE.match(stripped))


def sentences_in(path: Path) -> Iterator[Found]:
    source = path.read_text(encoding="utf-8")
    lines = source.splitlines()
    tree = ast.parse(source)
    skip = _docstring_nodes(tree) | _silenced(tree)
    marked = _marked_ranges(tree, lines)
    inside_fstring: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            inside_fstring.update(id(v) for v in node.values)
    for node in ast.walk(tree):
        if id(node) in skip or id(node) in inside_fstring:
            continue
        text = _text_of(node)
        if text is None or not is_sentence(text):
            continue
        line = getattr(node, "lineno", 0)
        if any(start <= line <= end for start, end in marked) or MARK in lines[line - 1]:
            continue
        yield Found(path, line, text)


def scan(paths: Iterable[Path]) -> list[Found]:
    found: list[Found] = []
    for path in paths:
        found.extend(sentences_in(path))
    return found


def domain_files(root: Path, package: str) -> list[Path]:
    """A package's Python files, without its migrations (history, never edited)."""
    return sorted(p for p in (root / package).rglob("*.py") if "piccolo_migrations" not in p.parts)

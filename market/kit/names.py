"""How organisation names compare (duplicate organisations, patentees and their aliases, payee account names):
full-width made half-width (NFKC: 浙江大学（杭州） == 浙江大学(杭州)), case folded, without spaces. Pure."""

from __future__ import annotations

import unicodedata


def name_key(name: str) -> str:
    return "".join(unicodedata.normalize("NFKC", name).casefold().split())

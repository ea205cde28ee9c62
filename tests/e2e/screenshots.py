"""Screenshots of each role's dashboard at 1280 px and 375 px wide, in Chinese and in English, for a reviewer to look
at (issue 16): ``scripts/screenshots.sh [OUT_DIR]`` or ``python -m tests.e2e.screenshots [OUT_DIR]``.

Without ``--url`` it serves the app on a free port with a fresh SQLite database in a temporary directory (as the browser
tests do), seeds the demo (``tests.e2e.crawl.seed``) and stops the app afterwards; with ``--url`` it photographs an
app already running there with the demo seeded. ``--role`` (repeatable) limits the roles. The PNGs are written to
OUT_DIR (default /tmp/market-screens) as ``<role>-<lang>-<width>.png``; nothing is committed."""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from pathlib import Path

from playwright.async_api import async_playwright

from tests.e2e.conftest import CHROMIUM_ARGS, running_app
from tests.e2e.crawl import LANGS, ROLES, role_contexts, seed
from tests.support.services import CHROMIUM

WIDTHS = (1280, 375)
HEIGHT = 900
DEFAULT_OUT = Path("/tmp/market-screens")
SIGNED_IN = [role for role, email in ROLES.items() if email is not None]


async def photograph(base_url: str, out_dir: Path, roles: list[str]) -> list[Path]:
    """Each role's dashboard, full page, at each width and in each language."""
    out_dir.mkdir(parents=True, exist_ok=True)
    made = []
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            for role in roles:
                contexts = await role_contexts(browser, base_url, role)
                try:
                    for lang in LANGS:
                        page = await contexts[lang].new_page()
                        for width in WIDTHS:
                            await page.set_viewport_size({"width": width, "height": HEIGHT})
                            response = await page.goto("/dashboard", wait_until="load")
                            if response is None or response.status != 200:
                                raise RuntimeError(f"{role}: /dashboard answered {response and response.status}")
                            path = out_dir / f"{role}-{lang}-{width}.png"
                            await page.screenshot(path=str(path), full_page=True)
                            made.append(path)
                        await page.close()
                finally:
                    for context in contexts.values():
                        await context.close()
        finally:
            await browser.close()
    return made


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.e2e.screenshots", description=__doc__.split("\n\n")[0])
    parser.add_argument("out_dir", nargs="?", type=Path, default=DEFAULT_OUT, help=f"default {DEFAULT_OUT}")
    parser.add_argument("--role", action="append", choices=SIGNED_IN, help="a role to photograph (default: all)")
    parser.add_argument("--url", help="an app already running with the demo seeded (default: serve a fresh one)")
    args = parser.parse_args(argv)
    if not Path(CHROMIUM).exists():
        print(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)", file=sys.stderr)
        return 2
    roles = args.role or SIGNED_IN
    if args.url:
        made = asyncio.run(photograph(args.url, args.out_dir, roles))
    else:
        with tempfile.TemporaryDirectory(prefix="market-screens-") as tmp, running_app(Path(tmp)) as server:
            print(f"serving the app at {server.url}; seeding the demo ...", flush=True)
            seed(server)
            made = asyncio.run(photograph(server.url, args.out_dir, roles))
    for path in made:
        print(path)
    print(f"{len(made)} screenshots in {args.out_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

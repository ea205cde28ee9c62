"""The ``market`` command: serve, worker, migrate, seed, import-patents, reindex, pricing import, audit verify."""

from __future__ import annotations

import asyncio
import csv
import os
import shutil
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import typer
import uvicorn
from arq.worker import Worker
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from finance.insurance_products import service as insurance_products
from finance.loan_products import service as loan_products
from finance.parties import service as parties
from finance.payees import service as payees
from finance.qualifications import service as qualifications
from finance.subsidies import service as subsidies
from finance.voucher_programmes import service as voucher_programmes
from finance.voucher_providers import service as voucher_providers
from listings.advice.service import OPERATOR_TABLE
from listings.demo import seed_listings, seed_sme_patents
from listings.imports.readers import Limits
from listings.imports.service import all_rejections, import_file
from listings.search import service as search_sync
from market import db, jobs
from market.audit.service import verify
from market.errors import MarketError
from market.i18n import DEFAULT_LANGUAGE
from market.i18n.localized import localized, text
from market.logging import configure_logging
from market.orgs.service import find_org
from market.runtime import open_runtime
from market.seed import seed_demo
from market.settings import get_settings
from market.worker import load_jobs, worker_settings
from pricing.datafile import DataFileError
from pricing.engine import engine_from_files
from pricing.royalty_data import load_royalty_table

T = TypeVar("T")

app = typer.Typer(help="Open-licence patent market.", no_args_is_help=True, add_completion=False)
audit_app = typer.Typer(help="The audit trail.", no_args_is_help=True)
app.add_typer(audit_app, name="audit")
pricing_app = typer.Typer(help="Royalty data for the suggested prices.", no_args_is_help=True)
app.add_typer(pricing_app, name="pricing")


def _with_db(work: Callable[[], Awaitable[T]], *, search_catch_up: bool = True) -> T:
    """Run ``work`` inside the runtime: the configured database, the search index, and the job queue (arq when
    Redis is set, and the worker runs the jobs; else in this process, and the command waits for them)."""
    settings = get_settings()
    load_jobs()
    # a command prints its own summary: the log says only what went wrong, unless MARKET_LOG_LEVEL asks for more
    level = settings.log_level if "log_level" in settings.model_fields_set else "WARNING"
    configure_logging(level=level, json=settings.log_json)

    async def run() -> T:
        async with open_runtime(settings) as runtime:
            # listings changed here reach the search index (and what is pending is carried over)
            await search_sync.start(runtime.search, catch_up=search_catch_up)
            result = await work()
            if isinstance(runtime.queue, jobs.InProcessQueue):
                await runtime.queue.drain(within=3600)
            return result

    return asyncio.run(run())


@app.command()
def serve(
    host: str = typer.Option(None, help="Defaults to MARKET_HOST (127.0.0.1)."),
    port: int = typer.Option(None, help="Defaults to MARKET_PORT (8000)."),
    reload: bool = typer.Option(False, help="Restart on code changes (development)."),
) -> None:
    """Serve the web app and API."""
    settings = get_settings()
    host, port = host or settings.host, port or settings.port
    base_url = settings.served_base_url(host, port)
    if base_url != settings.base_url:  # development: links follow the port served (the app reads the environment)
        os.environ["MARKET_BASE_URL"] = base_url
        get_settings.cache_clear()
    typer.echo(f"Serving http://{host}:{port} - sign in at {base_url}/sign-in")
    uvicorn.run(
        "market.app:_asgi",
        factory=True,
        host=host,
        port=port,
        reload=reload,
        proxy_headers=True,
        log_level="warning",
    )


@app.command()
def worker() -> None:
    """Run the arq worker (needs MARKET_REDIS_URL)."""
    settings = get_settings()
    if not settings.redis_url:
        typer.echo("MARKET_REDIS_URL is not set: without Redis, jobs run inside `market serve`.", err=True)
        raise typer.Exit(2)
    asyncio.set_event_loop(asyncio.new_event_loop())
    Worker(**worker_settings(settings)).run()


@app.command()
def migrate() -> None:
    """Apply the checked-in migrations of every app."""
    settings = get_settings()

    async def run() -> None:
        engine = db.build_engine(settings)
        await db.start(engine, settings)
        try:
            await db.migrate(engine, quiet=False)
        finally:
            await db.stop(engine)

    asyncio.run(run())
    typer.echo("migrations applied")


@app.command()
def seed(
    demo: bool = typer.Option(False, "--demo", help="Create demo organisations, users and listings."),
    listings: int = typer.Option(2400, min=0, help="How many demo listings to publish (first run only)."),
) -> None:
    """Create demo data (idempotent) and print how to sign in."""
    if not demo:
        typer.echo("Nothing to do: pass --demo.", err=True)
        raise typer.Exit(2)
    settings = get_settings()

    async def work() -> tuple[list[dict[str, Any]], dict[str, Any]]:
        accounts = await seed_demo()
        async with jobs.unit_of_work():  # the demo universities can be paid by bank transfer
            await payees.seed_demo(org_names=[row["org"] for row in accounts if row["kind"] == "university"])
        async with jobs.unit_of_work():  # the demo bank's loan products and the pools, from shared/domain
            for row in accounts:
                if row["kind"] == "bank":
                    await loan_products.seed_demo(bank_name=row["org"])
        async with jobs.unit_of_work():  # the demo insurer's insurance products, from shared/domain
            for row in accounts:
                if row["kind"] == "insurer":
                    await insurance_products.seed_demo(insurer_name=row["org"])
        async with jobs.unit_of_work():  # the demo issuer's premium-subsidy programmes, from shared/domain
            for row in accounts:
                if row["kind"] == "voucher_issuer":
                    await subsidies.seed_demo(issuer_name=row["org"])
        async with jobs.unit_of_work():  # the demo SME's qualifications; unrelated related-party facts for all
            smes = [row["org"] for row in accounts if row["kind"] == "sme"]
            for name in smes:
                await qualifications.seed_demo(sme_name=name)
            others = [row["org"] for row in accounts if row["kind"] in ("university", "service_provider")]
            for name in smes:
                await parties.seed_demo(org_names=others, sme_name=name)
        async with jobs.unit_of_work():  # the demo issuer's voucher programmes, from shared/domain
            for row in accounts:
                if row["kind"] == "voucher_issuer":
                    await voucher_programmes.seed_demo(issuer_name=row["org"])
        made = await seed_listings(data_dir=settings.data_dir, target=listings) if listings else {}
        await seed_sme_patents()  # the demo SME's own patents, to apply for a pledge loan with
        async with jobs.unit_of_work():  # the demo university (its open licences) and provider listed in a programme
            names = {row["email"]: row["org"] for row in accounts}
            if {"vouchers@demo.market", "zju@demo.market", "provider@demo.market"} <= names.keys():
                await voucher_providers.seed_demo(issuer_name=names["vouchers@demo.market"],
                                                  university_name=names["zju@demo.market"],
                                                  provider_name=names["provider@demo.market"])  # fmt: skip
        return accounts, made

    accounts, made = _with_db(work)
    if made:
        typer.echo(f"Demo listings: {made['published']} published ({made.get('note') or made.get('origin', '')})")
    typer.echo("Demo sign-ins (`market serve` prints the address to sign in at):")
    for row in accounts:
        typer.echo(f"  {row['kind']:<15} {row['email']:<32} {row['password']}   ({row['org']})")


@app.command("import-patents")
def import_patents(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, readable=True, help="CSV or JSON Lines file."),
    org: str = typer.Option(..., "--org", help="The importing organisation: its id or exact name."),
    report: Path | None = typer.Option(None, help="Write every rejected row to this CSV file."),
) -> None:
    """Import patent records for a university; valid rows are upserted by number, each rejection is reported."""

    async def work() -> Any:
        found = await find_org(org)
        if found is None:
            typer.echo(f"No organisation {org!r}.", err=True)
            raise typer.Exit(2)
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
        with Progress(*columns, transient=False) as progress:
            task = progress.add_task(f"importing {file.name}", total=None)
            result = await import_file(
                org_id=found.id,
                user_id=None,
                path=file,
                on_progress=lambda done, total: progress.update(task, completed=done, total=total),
                limits=Limits.of(get_settings()),
            )
        if report is not None:  # every reason, read back a page at a time
            with report.open("w", newline="", encoding="utf-8-sig") as out:
                writer = csv.writer(out)
                writer.writerow(["line", "field", "reason"])
                async for rejection in all_rejections(result.id):
                    writer.writerow([rejection.row, rejection.field, text(rejection.msg, DEFAULT_LANGUAGE)])
        return result

    try:
        result = _with_db(work)
    except MarketError as exc:
        typer.echo(f"Cannot import {file}: {exc.detail}", err=True)
        raise typer.Exit(1) from exc
    typer.echo(
        f"{result.filename} ({result.layout}): {result.total_rows} rows, {result.accepted} accepted "
        f"({result.inserted} new, {result.updated} updated, {result.unchanged} unchanged), {result.rejected} rejected"
    )
    result = localized(result, DEFAULT_LANGUAGE)  # the report speaks Chinese, the product's default language
    for rejection in result.rejections[:20]:
        typer.echo(f"  line {rejection.row}: {rejection.field}: {rejection.message}")
    if result.rejections_total > 20:
        typer.echo(f"  … {result.rejections_total - 20} more" + ("" if report else " (write them all with --report)"))
    if report is not None:
        typer.echo(f"rejections written to {report}")


@app.command()
def reindex() -> None:
    """Rebuild the search index from the database: every published listing written again, every document the
    database does not have deleted."""

    async def work() -> Any:
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
        with Progress(*columns, transient=False) as progress:
            task = progress.add_task("indexing listings", total=None)
            return await search_sync.reindex(
                on_progress=lambda done, total: progress.update(task, completed=done, total=total)
            )

    report = _with_db(work, search_catch_up=False)
    typer.echo(
        f"search index rebuilt: {report.indexed} listings indexed, {report.deleted} stale documents deleted "
        f"in {report.seconds:.1f} s"
    )


@pricing_app.command("import")
def pricing_import(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, readable=True, help="Royalty statistics CSV."),
) -> None:
    """Validate an operator's royalty statistics file (e.g. CNIPA's per-industry tables) and make it the data the
    suggestions use. A bad file is refused with every bad row; nothing changes then."""
    try:
        table = load_royalty_table(file)
        engine = engine_from_files(royalty_path=file)
    except DataFileError as exc:
        for error in exc.errors:
            typer.echo(f"{file}: {error}", err=True)
        typer.echo(f"{file} refused: {len(exc.errors)} problem(s); the current royalty data is unchanged.", err=True)
        raise typer.Exit(1) from None
    except ValueError as exc:
        typer.echo(f"{file} refused: {exc}", err=True)
        raise typer.Exit(1) from None
    for warning in engine.warnings:
        typer.echo(f"warning: {warning}", err=True)
    target = get_settings().data_dir / OPERATOR_TABLE
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = target.with_suffix(".tmp")
    shutil.copyfile(file, staging)
    os.replace(staging, target)  # atomic: a running app reads the old file or the new one, never half of one
    typer.echo(table.summary())
    typer.echo(f"installed as {target}; suggestions use it from now on")


@audit_app.command("verify")
def audit_verify() -> None:
    """Walk the hash chain; exit 1 and name the first broken event if any was edited or deleted."""
    report = _with_db(verify)
    if report.ok:
        typer.echo(f"audit trail intact: {report.checked} events")
        return
    typer.echo(
        f"audit trail BROKEN at event seq={report.broken_seq} (id={report.broken_id}): {report.reason}; "
        f"{report.checked} events before it are intact",
        err=True,
    )
    raise typer.Exit(1)


def main() -> Any:
    return app()

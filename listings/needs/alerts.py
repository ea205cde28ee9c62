"""New listings told to the needs and saved searches they match: in the app, and by e-mail when SMTP is set.

Run by the ``listings.alert_new_listings`` job after the search sync indexed declarations for the first time. Each
notification has a dedupe key (need or saved search, and the listing), so a job run twice notifies once; when one
need or saved search matches more than ``DIGEST_AFTER`` new listings at once (a university publishing a batch), it
gets one digest instead, keyed by the first of them.

Saved searches are matched exactly as the search runs them: the new listings are put in a small embedded index of
their own and each saved search is run against it (the embedded engine's rules; the Meilisearch adapter mirrors
them).
"""

from __future__ import annotations

import asyncio
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import structlog

from listings.needs import repository
from listings.needs.matching import score
from listings.needs.records import SavedSearchRecord
from listings.needs.service import facts_of
from listings.patents.service import today
from listings.search import service as search
from listings.search.documents import declaration_id_of
from listings.search.schemas import SearchParams
from market import jobs, runtime
from market.accounts import service as account_service
from market.i18n import Msg, gettext, language_of, ngettext
from market.integrations.search import SearchDocument
from market.integrations.search.embedded import EmbeddedSearch
from market.integrations.search.engine import SearchEngine
from market.notifications import service as notifications
from market.notifications.service import notify

log = structlog.get_logger("listings.alerts")

ALERT_BATCH = 200
DIGEST_AFTER = 5
EMAIL_JOB = "listings.email_alert"


@dataclass(frozen=True)
class Found:
    declaration_id: int
    doc: SearchDocument
    score: int | None = None


def _title(doc: SearchDocument, lang: str) -> str:
    return (doc.title_en or doc.title_zh) if lang == "en" else (doc.title_zh or doc.title_en)


def _line(found: Found, lang: str, base_url: str) -> str:
    doc = found.doc
    score = gettext(lang, "need.alert.score", score=found.score) if found.score is not None else ""
    url = f"{base_url}/listings/{found.declaration_id}"
    return gettext(lang, "need.alert.line", title=_title(doc, lang), number=doc.patent_number, score=score, url=url)


async def _tell(*, user_id: int, kind: str, key: str, subject_of: Any, found: list[Found]) -> int:
    """One notification per listing, or a digest of many; returns how many were written."""
    user = await account_service.user_by_id(user_id)
    if user is None:
        return 0
    lang = language_of(str(user.locale or ""))  # the alert is written in the user's language, from the catalogue
    base_url = runtime.current().base_url
    if len(found) <= DIGEST_AFTER:
        batches = [(f"{key}:{f.declaration_id}", [f]) for f in found]
    else:
        batches = [(f"{key}:digest:{min(f.declaration_id for f in found)}", found)]
    written = 0
    for dedupe_key, items in batches:
        title, intro = subject_of(lang, len(items))
        body = intro + "\n" + "\n".join(_line(f, lang, base_url) for f in items[:20])
        # written from the listings catalogue in the user's language; kept whole (a digest is many messages)
        texts = Msg("notification.legacy", {"title": title[:200]}), Msg("notification.legacy.body", {"body": body})
        if await notify(user_id=user_id, kind=kind, message=texts[0], body=texts[1], dedupe_key=dedupe_key[:200]):
            written += 1
            if runtime.current().mail.enabled:
                await jobs.enqueue(EMAIL_JOB, dedupe_key=dedupe_key[:200])
    return written


def _matching_saved(documents: dict[int, SearchDocument], saved: list[SavedSearchRecord]) -> dict[int, list[int]]:
    """Saved search id -> the new declarations it finds, by running each in an index of the new listings alone,
    read with the main index's synonyms and known words (typo tolerance only for words the search does not know)."""
    out: dict[int, list[int]] = {}
    index = runtime.current().search
    main = index.backend if index is not None and isinstance(index.backend, SearchEngine) else None
    with tempfile.TemporaryDirectory(prefix="market-alerts-") as tmp:
        engine = EmbeddedSearch(Path(tmp), synonyms=main.synonyms if main else None, words_from=main)
        engine.ensure()
        engine.upsert(list(documents.values()))
        for row in saved:
            try:
                params = SearchParams.model_validate(row.params)
            except ValueError:
                continue
            query = params.model_copy(update={"page": 1, "per_page": 100}).to_query(facets=False, suggest=False)
            ids = [d for d in (declaration_id_of(h.id) for h in engine.search(query).hits) if d is not None]
            if ids:
                out[row.id] = ids
        engine.close()
    return out


async def alert_new_listings() -> int:
    """Check the newly indexed listings against every open need and saved search; returns notifications written."""
    written = 0
    while True:
        ids = await search.unalerted_listings(ALERT_BATCH)
        if not ids:
            return written
        documents = await search.documents_for(ids, with_payload=False)  # withdrawn in the meantime: nothing to tell
        to_tell = [*await _need_matches(documents), *await _saved_matches(documents)] if documents else []
        async with jobs.unit_of_work():  # the notifications and the mark together; the matching was done before
            for telling in to_tell:
                written += await _tell(**telling)
            await search.mark_alerted(ids)
        if len(ids) < ALERT_BATCH:
            return written


async def _need_matches(documents: dict[int, SearchDocument]) -> list[dict[str, Any]]:
    out = []
    for need in await repository.open_needs(today()):
        facts = facts_of(need)
        found = []
        for declaration_id, doc in documents.items():
            match = score(facts, doc)
            if match.alert_worthy:
                found.append(Found(declaration_id, doc, match.score))
        if not found:
            continue
        found.sort(key=lambda f: -(f.score or 0))
        title = need.title

        def subject(lang: str, n: int, title: str = title) -> tuple[str, str]:
            head = (
                gettext(lang, "need.alert.need_title", title=title)
                if n == 1
                else ngettext(lang, "need.alert.need_digest", "need.alert.need_digest", n, title=title)
            )
            return head, gettext(lang, "need.alert.need_intro")

        out.append(
            {"user_id": need.created_by, "kind": "need_match", "key": f"need:{need.id}", "subject_of": subject,
             "found": found}
        )  # fmt: skip
    return out


async def _saved_matches(documents: dict[int, SearchDocument]) -> list[dict[str, Any]]:
    saved = await repository.all_saved()
    if not saved:
        return []
    matches = await asyncio.to_thread(_matching_saved, documents, saved)
    out = []
    for row in saved:
        ids = matches.get(row.id)
        if not ids:
            continue
        name = row.name

        def subject(lang: str, n: int, name: str = name) -> tuple[str, str]:
            head = (
                gettext(lang, "need.alert.saved_title", name=name)
                if n == 1
                else ngettext(lang, "need.alert.saved_digest", "need.alert.saved_digest", n, name=name)
            )
            return head, gettext(lang, "need.alert.saved_intro")

        out.append(
            {"user_id": row.created_by, "kind": "saved_search_match", "key": f"saved:{row.id}",
             "subject_of": subject, "found": [Found(d, documents[d]) for d in ids]}
        )  # fmt: skip
    return out


async def email_alert(*, dedupe_key: str) -> bool:
    """E-mail one alert notification to its user, once (a retried job finds it sent; a crash between the sending and
    its record may send it again). False when there is nothing to send."""
    mail = runtime.current().mail
    if not mail.enabled or await repository.email_sent(dedupe_key):
        return False
    note = await notifications.for_email(dedupe_key, runtime.current().base_url)  # in the recipient's language
    if note is None:
        return False
    # outside any transaction: no lock held meanwhile
    await mail.send(to=note.email, subject=note.title, text=note.body)
    async with jobs.unit_of_work():
        await repository.record_email(dedupe_key)
    log.info("alert.emailed", dedupe_key=dedupe_key)
    return True

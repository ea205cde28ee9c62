"""Decision letters: a refusal as a bilingual PDF whose text (pdftotext) shows each coded reason with its article in
Chinese and in English, what to fix and how to re-apply; sealed (it verifies; one byte changed does not); stored in
the case's dossier, its SHA-256 in the audit trail; made once per decision; the applicant's members notified with the
same text."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from finance.desk import service as desk
from finance.desk.reasons import Reason, Severity, reason
from finance.dossiers import service as dossiers
from finance.letters import service as letters
from finance.letters.content import LANGUAGES, LetterFacts, as_text, compose, context
from finance.signatures import service as signatures
from market.audit.tables import AuditEvent
from market.i18n import Msg, gettext
from market.integrations.pdf import DocumentFolder, render_document
from market.jobs import unit_of_work
from market.notifications.tables import Notification
from tests.conftest import Backend, Client, make_account, sign_in
from tests.finance.desk_support import bank_with_members, move, open_case
from tests.support.services import need

FOLDER = letters.LETTER_FOLDER


def pdftotext(pdf: bytes, tmp_path: Path) -> str:
    need(shutil.which("pdftotext") is not None, "pdftotext (poppler-utils) is not installed")
    source = tmp_path / "letter.pdf"
    source.write_bytes(pdf)
    done = subprocess.run(["pdftotext", "-enc", "UTF-8", str(source), "-"], capture_output=True, check=True)
    return done.stdout.decode("utf-8")


def squeezed(text: str) -> str:
    """Text without whitespace: a line the PDF wraps is still found."""
    return re.sub(r"\s+", "", text)


def reasons() -> tuple[Reason, ...]:
    return (
        reason(
            "dossiers.missing",
            field="financial_statements",
            requirement=Msg("dossiers.requirement.financial_statements"),
        ),
        Reason(
            code="dossiers.reject.name_mismatch",
            source="law.regs.art86.4",
            severity=Severity.block,
        ),
    )


def test_the_sample_renders(tmp_path: Path) -> None:
    folder = DocumentFolder.load(FOLDER)
    doc = render_document(folder, folder.sample())
    text = squeezed(pdftotext(doc.pdf, tmp_path))
    assert "dossiers.missing" in text and "专利法实施细则第八十六条第四项" in text
    assert "ImplementingRegulationsArt86(4)" in text


async def refusal(backend: Backend) -> tuple[Any, Any, Any, Any]:
    bank = await bank_with_members(1)
    sme = await make_account("sme")
    case = await move(await open_case(bank, applicant=sme), "submit", "start")
    async with unit_of_work():
        decision = await desk.decide(
            case_id=case.id,
            kind="refusal",
            outcome="refused",
            actor=bank.actor(),
            role="credit_officer",
            reasons=reasons(),
            text="估值报告出具机构与登记信息不一致。",
            snapshot={"dossier": "as read"},
        )
    return bank, sme, case, decision


FIX = [Msg("dossiers.requirement.financial_statements")]
REAPPLY = Msg("letters.reapply.pledge_loan")


async def test_a_refusal_letter_shows_coded_reasons_with_articles_in_both_languages(
    backend: Backend, tmp_path: Path
) -> None:
    _, _, case, decision = await refusal(backend)
    async with unit_of_work():
        letter = await letters.render_letter(decision, case, what_to_fix=FIX, how_to_reapply=REAPPLY)
    pdf = await dossiers.content(letter.document)
    text = squeezed(pdftotext(pdf, tmp_path))
    for code in ("dossiers.missing", "dossiers.reject.name_mismatch"):
        assert text.count(code) >= 2, f"{code} should appear in the Chinese and in the English letter"
    for lang in LANGUAGES:
        for source in ("law.dossiers.checklist", "law.regs.art86.4"):
            assert squeezed(gettext(lang, source)) in text, (lang, source)
        assert squeezed(gettext(lang, "letters.outcome.refused")) in text
        assert squeezed(gettext(lang, "letters.reapply.pledge_loan")) in text
        assert squeezed(gettext(lang, "dossiers.requirement.financial_statements")) in text
    assert "审查决定通知书" in text and "NoticeofReviewDecision" in text and case.reference in text
    assert squeezed("估值报告出具机构与登记信息不一致。") in text

    # sealed: it verifies, and one byte changed does not
    check = await signatures.verify(pdf)
    assert check.valid and check.reason == "decision_letter"
    changed = bytearray(pdf)
    changed[len(pdf) // 3] ^= 0x01
    assert not (await signatures.verify(bytes(changed))).valid
    assert (await letters.check(letter.id)).valid

    # stored in the dossier, hashed into the audit trail
    stored = await dossiers.document(letter.document)
    assert stored is not None and stored.requirement == "decision_letter" and stored.status == "verified"
    assert stored.sha256 == letter.sha256
    events = await AuditEvent.select(AuditEvent.after).where(
        (AuditEvent.action == "letters.issued") & (AuditEvent.entity_id == str(decision.id))
    )
    assert len(events) == 1 and letter.sha256 in str(events[0]["after"])

    # the same text for the notification, line for line what the PDF shows
    for lang in LANGUAGES:
        body = await letters.letter_text(decision, lang)
        assert body == letter.text(lang)
        for line in body.splitlines():
            if line and not line.startswith(("[", "【")):  # reason lines are a table row in the PDF
                assert squeezed(line) in text, line
    assert "【dossiers.missing】" in letter.text_zh and "[dossiers.missing]" in letter.text_en


async def test_a_letter_is_made_once_and_its_applicant_is_notified_with_its_text(
    backend: Backend, client: Client
) -> None:
    _, sme, case, decision = await refusal(backend)
    async with unit_of_work():
        first = await letters.render_letter(decision, case, what_to_fix=FIX, how_to_reapply=REAPPLY)
    async with unit_of_work():
        again = await letters.render_letter(decision, case, what_to_fix=(), how_to_reapply=None)
    assert again.id == first.id and again.sha256 == first.sha256
    assert len(await letters.letters_of_case(case.id)) == 1
    await client.app.state.job_queue.drain()

    rows = await Notification.select().where(Notification.user == sme.user_id)
    assert [r["kind"] for r in rows] == ["decision_letter"]
    await sign_in(client, sme)
    for lang in LANGUAGES:
        listed = (await client.get("/api/notifications", headers={"accept-language": lang})).json()
        items = listed["items"] if isinstance(listed, dict) else listed
        assert items[0]["body"] == first.text(lang)
        assert case.reference in items[0]["title"]
        mine = (await client.get(f"/api/letters/cases/{case.id}", headers={"accept-language": lang})).json()
        assert mine[0]["sha256"] == first.sha256 and mine[0]["text"] == first.text(lang)
    r = await client.get(mine[0]["url"])
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/pdf")
    assert (await signatures.verify(r.content)).valid


def test_the_text_and_the_pdf_values_come_from_one_composition() -> None:
    facts = LetterFacts(
        reference="PL-2026-000001",
        decision=1,
        decided_on=date(2026, 12, 1),
        applicant="甲公司",
        reviewer="乙银行",
        outcome="something_new",
        reasons=(),
        note="",
        what_to_fix=(),
        how_to_reapply=None,
    )
    texts = [compose(facts, lang) for lang in LANGUAGES]
    values = context(facts, texts)
    assert [v["outcome"] for v in values["languages"]] == [t.outcome for t in texts]
    assert "something_new" in texts[1].outcome  # an outcome without words of its own is still named
    assert gettext("en", "letters.no_reasons") in as_text(texts[1])


@pytest.mark.parametrize("backend", ["postgres"], indirect=True)
async def test_the_letter_of_another_case_is_refused(backend: Backend) -> None:
    bank, _, _, decision = await refusal(backend)
    other = await open_case(bank)
    with pytest.raises(ValueError, match="not of this case"):
        async with unit_of_work():
            await letters.render_letter(decision, other)
    assert await letters.letters_of_case(other.id) == []

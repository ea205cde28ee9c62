"""Dossiers: checklists as data, documents typed by their bytes, versioned per requirement, too large or too old
refused before anything is written, verified or rejected once with a reason code, completeness as reasons (missing,
expired, rejected), and access for the case's two organisations only (anyone else: 404)."""

from __future__ import annotations

import asyncio
import hashlib
import io
import zipfile
from collections import Counter
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

import pytest

from finance.desk.records import CaseRecord
from finance.dossiers import service as dossiers
from finance.dossiers.checklist import (
    DOCX,
    JPEG,
    OFD,
    PDF,
    PNG,
    Current,
    Requirement,
    assess,
    custom_label,
    sniff,
)
from market.audit.service import Actor
from market.audit.tables import AuditEvent
from market.errors import Conflict, MarketError, ValidationFailed
from market.i18n import Msg, render
from market.jobs import unit_of_work
from market.web.problems import unique_violation
from tests.conftest import Backend, Client, make_account, sign_in
from tests.finance.desk_support import bank_with_members, open_case

KIND = "dossier_test"
PDF_BYTES = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG_BYTES = b"\xff\xd8\xff\xe0" + b"\x00" * 32

CHECKLIST = (
    Requirement("business_licence", required=True, accepted_types=(PDF, PNG, JPEG)),
    Requirement("financial_statements", required=True, accepted_types=(PDF,), max_age_days=180),
    Requirement("valuation_report", required=False, accepted_types=(PDF,)),
)


async def checklist_of(case: CaseRecord) -> Sequence[Requirement]:
    return CHECKLIST


dossiers.register_checklist(KIND, checklist_of)


def zipped(*names: str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        for name in names:
            archive.writestr(name, "<x/>")
    return buf.getvalue()


# ------------------------------------------------------------------------------------------------- pure rules


def test_the_type_is_read_from_the_bytes() -> None:
    assert sniff(PDF_BYTES) == PDF
    assert sniff(PNG_BYTES) == PNG
    assert sniff(JPEG_BYTES) == JPEG
    assert sniff(zipped("OFD.xml", "Doc_0/Document.xml")) == OFD
    assert sniff(zipped("[Content_Types].xml", "word/document.xml")) == DOCX
    assert sniff(zipped("evil.exe")) is None
    assert sniff(b"MZ\x90\x00 an executable") is None
    assert sniff(b"<html><script>alert(1)</script>") is None


def test_a_checklist_is_data_and_reads_back_as_it_was_written() -> None:
    bank_label = Requirement("statements", accepted_types=(PDF,), max_age_days=90, label=custom_label("报表", "Stmts"))
    for req in (*CHECKLIST, bank_label):
        assert Requirement.from_json(req.as_json()) == req
    assert CHECKLIST[0].label == Msg("dossiers.requirement.business_licence")
    assert render(bank_label.label, "zh") == "报表" and render(bank_label.label, "en") == "Stmts"
    # the shape finance.loan_products stores (labels as data in both languages)
    stored = {"code": "identity", "required": True, "accepted_types": [PDF, PNG], "max_age_days": None,
              "label_zh": "身份证明", "label_en": "Identity papers"}  # fmt: skip
    assert render(Requirement.from_json(stored).label, "en") == "Identity papers"
    with pytest.raises(ValueError, match="accepted types"):
        Requirement("x", accepted_types=("application/x-msdownload",))
    with pytest.raises(ValueError, match="law"):
        Requirement("x", source="my rule")


def test_completeness_names_what_is_missing_too_old_or_rejected() -> None:
    today = date(2026, 12, 1)
    assert [r.code for r in assess(CHECKLIST, {}, today).missing] == ["dossiers.missing", "dossiers.missing"]
    old = today - timedelta(days=181)
    seen = {
        "business_licence": Current("business_licence", "rejected", None, "dossiers.reject.illegible"),
        "financial_statements": Current("financial_statements", "uploaded", old, ""),
        "valuation_report": Current("valuation_report", "verified", None, ""),
    }
    state = assess(CHECKLIST, seen, today)
    assert not state.complete and not state.missing
    assert [(r.code, r.field) for r in state.expired] == [("dossiers.expired", "financial_statements")]
    assert [(r.code, r.field) for r in state.rejected] == [("dossiers.rejected", "business_licence")]
    assert all(r.source == "law.dossiers.checklist" and r.blocks for r in state.reasons)
    assert "营业执照" in render(state.rejected[0].msg, "zh") and "cannot be read" in render(state.rejected[0].msg, "en")
    fresh = {**seen, "business_licence": Current("business_licence", "uploaded", None, ""),
             "financial_statements": Current("financial_statements", "verified", today, "")}  # fmt: skip
    assert assess(CHECKLIST, fresh, today).complete
    assert assess(CHECKLIST, fresh, today + timedelta(days=181)).expired  # time passes: it becomes too old


# ------------------------------------------------------------------------------------------------- the service


async def upload(case: CaseRecord, code: str, content: bytes, *, actor: Actor, issued_on: date | None = None,
                 claimed: str = "application/pdf", filename: str = "file.pdf") -> Any:  # fmt: skip
    requirement = next(r for r in CHECKLIST if r.code == code)
    async with unit_of_work():
        return await dossiers.upload(
            case_id=case.id,
            requirement=requirement,
            filename=filename,
            content_type=claimed,
            content=content,
            issued_on=issued_on,
            actor=actor,
        )


async def test_uploads_are_versioned_hashed_typed_by_content_and_audited(backend: Backend) -> None:
    bank = await bank_with_members(1)
    sme = await make_account("sme")
    case = await open_case(bank, kind=KIND, applicant=sme)
    me = Actor(sme.user_id, sme.org_id)
    first = await upload(case, "business_licence", PNG_BYTES, actor=me, claimed="application/pdf", filename="a.pdf")
    assert first.content_type == PNG and first.version == 1  # the bytes say PNG, whatever the client said
    assert first.sha256 == hashlib.sha256(PNG_BYTES).hexdigest() and first.size == len(PNG_BYTES)
    second = await upload(case, "business_licence", PDF_BYTES, actor=me, filename="../../etc/passwd")
    assert second.version == 2 and "/" not in second.filename
    assert await dossiers.content(second.id) == PDF_BYTES
    latest = await dossiers.current(case.id)
    assert latest["business_licence"].id == second.id
    audit = await AuditEvent.select(AuditEvent.entity_id, AuditEvent.after).where(
        AuditEvent.action == "dossiers.uploaded"
    )
    assert sorted(str(a["entity_id"]) for a in audit) == sorted([str(first.id), str(second.id)])
    assert all(second.sha256 in str(a["after"]) for a in audit if str(a["entity_id"]) == str(second.id))


async def test_a_wrong_type_too_large_or_too_old_document_is_refused_and_nothing_written(
    backend: Backend, monkeypatch: pytest.MonkeyPatch
) -> None:
    bank = await bank_with_members(1)
    sme = await make_account("sme")
    case = await open_case(bank, kind=KIND, applicant=sme)
    me = Actor(sme.user_id, sme.org_id)
    refusals = []
    for code, content, issued in (
        ("financial_statements", PNG_BYTES, dossiers.today()),  # a picture where only PDF is accepted
        ("financial_statements", b"MZ not a document", dossiers.today()),
        ("financial_statements", b"", dossiers.today()),
        ("financial_statements", PDF_BYTES, None),  # its age is checked: the issue date is needed
        ("financial_statements", PDF_BYTES, dossiers.today() - timedelta(days=181)),  # expired
        ("financial_statements", PDF_BYTES, dossiers.today() + timedelta(days=1)),  # issued in the future
    ):
        with pytest.raises(ValidationFailed) as refused:
            await upload(case, code, content, actor=me, issued_on=issued)
        refusals.append((refused.value.message.code, refused.value.errors[0].field))  # type: ignore[union-attr]
    assert refusals == [
        ("dossiers.type_not_accepted", "file"),
        ("dossiers.type_not_accepted", "file"),
        ("dossiers.empty", "file"),
        ("dossiers.issued_on_required", "issued_on"),
        ("dossiers.too_old", "issued_on"),
        ("dossiers.issued_in_future", "issued_on"),
    ]
    monkeypatch.setattr(dossiers, "max_bytes", lambda: 1024)
    with pytest.raises(ValidationFailed) as too_large:
        await upload(case, "business_licence", PDF_BYTES + b"0" * 1024, actor=me)
    assert too_large.value.message.code == "dossiers.too_large"  # type: ignore[union-attr]
    assert await dossiers.documents(case.id) == []


async def test_review_is_once_and_completeness_blocks_until_everything_is_in(backend: Backend) -> None:
    bank = await bank_with_members(1)
    sme = await make_account("sme")
    case = await open_case(bank, kind=KIND, applicant=sme)
    me, reviewer = Actor(sme.user_id, sme.org_id), bank.actor()
    state = await dossiers.completeness(case.id, CHECKLIST)
    assert [r.field for r in state.missing] == ["business_licence", "financial_statements"]

    licence = await upload(case, "business_licence", PDF_BYTES, actor=me)
    await upload(case, "financial_statements", PDF_BYTES, actor=me, issued_on=dossiers.today())
    async with unit_of_work():
        rejected = await dossiers.reject(
            document_id=licence.id, reason_code="dossiers.reject.name_mismatch", note="名称不符", actor=reviewer
        )
    assert rejected.status == "rejected" and rejected.reviewed_by == bank.owner.user_id
    with pytest.raises(Conflict):
        async with unit_of_work():
            await dossiers.verify(document_id=licence.id, actor=reviewer)  # reviewed once
    with pytest.raises(ValidationFailed):
        async with unit_of_work():
            await dossiers.reject(document_id=licence.id, reason_code="made.up", note="", actor=reviewer)
    state = await dossiers.completeness(case.id, CHECKLIST)
    assert [(r.code, r.field) for r in state.reasons] == [("dossiers.rejected", "business_licence")]

    fixed = await upload(case, "business_licence", PDF_BYTES, actor=me)  # a new version replaces the rejected one
    assert fixed.version == 2
    assert (await dossiers.completeness(case.id, CHECKLIST)).complete
    later = dossiers.today() + timedelta(days=200)
    assert [r.code for r in (await dossiers.completeness(case.id, CHECKLIST, on=later)).reasons] == [
        "dossiers.expired"
    ]


# ------------------------------------------------------------------------------------------------- the API


async def test_only_the_cases_two_organisations_see_and_add_its_documents(backend: Backend, client: Client) -> None:
    bank = await bank_with_members(0)
    sme = await make_account("sme")
    outsider = await make_account("sme")
    other_bank = await make_account("bank")
    case = await open_case(bank, kind=KIND, applicant=sme)

    await sign_in(client, sme)
    form = {"requirement": "business_licence", "issued_on": ""}
    r = await client.post(
        f"/api/dossiers/cases/{case.id}/documents",
        data=form,
        files={"file": ("营业执照.png", PNG_BYTES, "application/pdf")},
        headers={"x-csrftoken": await client.csrf()},
    )
    assert r.status_code == 201, r.text
    doc = r.json()
    assert doc["content_type"] == PNG and doc["version"] == 1 and doc["filename"] == "营业执照.png"
    r = await client.post(
        f"/api/dossiers/cases/{case.id}/documents",
        data={"requirement": "financial_statements", "issued_on": (dossiers.today() - timedelta(days=400)).isoformat()},
        files={"file": ("old.pdf", PDF_BYTES, "application/pdf")},
        headers={"x-csrftoken": await client.csrf(), "accept-language": "en"},
    )
    assert r.status_code == 422
    problem = r.json()
    assert problem["errors"][0]["field"] == "issued_on" and problem["errors"][0]["article"] == "law.dossiers.checklist"
    r = await client.get(f"/api/dossiers/cases/{case.id}", headers={"accept-language": "en"})
    assert r.status_code == 200
    checklist = r.json()
    assert not checklist["complete"] and not checklist["reviewer"]
    assert [x["code"] for x in checklist["reasons"]] == ["dossiers.missing"]
    assert "financial statements" in checklist["reasons"][0]["text"]
    r = await client.get(doc["url"])
    assert r.status_code == 200 and r.content == PNG_BYTES
    assert r.headers["content-type"].startswith("image/png") and r.headers["x-content-type-options"] == "nosniff"
    assert (await client.post(f"/api/dossiers/documents/{doc['id']}/verify",
                              headers={"x-csrftoken": await client.csrf()})).status_code == 403  # fmt: skip

    for intruder in (outsider, other_bank):
        client.cookies.clear()
        await sign_in(client, intruder)
        headers = {"x-csrftoken": await client.csrf()}
        assert (await client.get(f"/api/dossiers/cases/{case.id}")).status_code == 404
        assert (await client.get(doc["url"])).status_code == 404
        assert (await client.post(f"/api/dossiers/documents/{doc['id']}/verify", headers=headers)).status_code == 404
        r = await client.post(
            f"/api/dossiers/cases/{case.id}/documents",
            data=form,
            files={"file": ("x.pdf", PDF_BYTES, "application/pdf")},
            headers=headers,
        )
        assert r.status_code == 404
        assert (await client.get(f"/api/letters/cases/{case.id}")).status_code == 404

    client.cookies.clear()
    await sign_in(client, bank.owner)
    headers = {"x-csrftoken": await client.csrf()}
    assert (await client.get(doc["url"])).status_code == 200
    r = await client.post(
        f"/api/dossiers/documents/{doc['id']}/reject",
        json={"reason_code": "dossiers.reject.illegible", "note": ""},
        headers=headers,
    )
    assert r.status_code == 200 and r.json()["status"] == "rejected"
    r = await client.post(f"/api/dossiers/documents/{doc['id']}/verify", headers=headers)
    assert r.status_code == 409
    assert len(await dossiers.documents(case.id)) == 1  # the refused and intruding uploads wrote nothing


async def test_the_checklist_page_shows_reasons_and_takes_an_upload(backend: Backend, client: Client) -> None:
    bank = await bank_with_members(0)
    sme = await make_account("sme")
    case = await open_case(bank, kind=KIND, applicant=sme)
    await sign_in(client, sme)
    page = await client.get(f"/dossiers/cases/{case.id}")
    assert page.status_code == 200
    assert "缺少材料：营业执照" in page.text and 'data-code="dossiers.missing"' in page.text
    r = await client.post(
        f"/dossiers/cases/{case.id}/documents",
        data={"requirement": "financial_statements", "issued_on": "", "next": "https://evil.example/"},
        files={"file": ("s.pdf", PDF_BYTES, "application/pdf")},
        headers={"x-csrftoken": await client.csrf()},
    )
    assert r.status_code == 422 and 'class="field-error" id="dossier-' in r.text  # beside the date field
    assert "请填写材料的出具日期" in r.text
    r = await client.post(
        f"/dossiers/cases/{case.id}/documents",
        data={"requirement": "financial_statements", "issued_on": dossiers.today().isoformat(), "next": "https://evil.example/"},
        files={"file": ("s.pdf", PDF_BYTES, "application/pdf")},
        headers={"x-csrftoken": await client.csrf()},
        follow_redirects=False,
    )
    assert r.status_code in (302, 303) and r.headers["location"].startswith("/dashboard")  # never off-site
    assert [d.requirement for d in await dossiers.documents(case.id)] == ["financial_statements"]


async def test_the_reviewer_rejects_on_the_page_and_the_applicant_sees_why(backend: Backend, client: Client) -> None:
    bank = await bank_with_members(0)
    sme = await make_account("sme")
    case = await open_case(bank, kind=KIND, applicant=sme)
    doc = await upload(case, "business_licence", PDF_BYTES, actor=Actor(sme.user_id, sme.org_id))
    await sign_in(client, bank.owner)
    page = await client.get(f"/dossiers/cases/{case.id}")
    assert f'action="/dossiers/documents/{doc.id}/verify"' in page.text and 'name="reason_code"' in page.text
    r = await client.post(
        f"/dossiers/documents/{doc.id}/reject",
        data={"reason_code": "dossiers.reject.unsigned", "note": "请加盖公章", "next": f"/dossiers/cases/{case.id}"},
        headers={"x-csrftoken": await client.csrf()},
        follow_redirects=False,
    )
    assert r.status_code in (302, 303) and r.headers["location"].startswith(f"/dossiers/cases/{case.id}")
    r = await client.post(f"/dossiers/documents/{doc.id}/verify", data={}, headers={"x-csrftoken": await client.csrf()})
    assert r.status_code == 409 and "已被审查" in r.text  # said on the page, nothing changed
    client.cookies.clear()
    await sign_in(client, sme)
    page = await client.get(f"/dossiers/cases/{case.id}")
    assert "缺少签字或盖章" in page.text and "请加盖公章" in page.text and 'data-code="dossiers.rejected"' in page.text
    assert f'action="/dossiers/documents/{doc.id}/verify"' not in page.text  # the applicant does not review


# ------------------------------------------------------------------------------------------------- races


@pytest.mark.parametrize("backend", ["postgres"], indirect=True)
async def test_twenty_uploads_at_once_never_share_a_version(backend: Backend) -> None:
    bank = await bank_with_members(0)
    sme = await make_account("sme")
    case = await open_case(bank, kind=KIND, applicant=sme)
    me = Actor(sme.user_id, sme.org_id)

    async def one(n: int) -> int:
        try:
            await upload(case, "business_licence", PDF_BYTES + str(n).encode(), actor=me)
        except MarketError as exc:
            return exc.status
        except Exception as exc:
            if unique_violation(exc) is not None:
                return 409  # what the API answers
            raise
        return 201

    answers = Counter(await asyncio.gather(*(one(n) for n in range(20))))
    assert set(answers) <= {201, 409} and answers[201] >= 1
    versions = [d.version for d in await dossiers.documents(case.id)]
    assert sorted(versions) == list(range(1, answers[201] + 1))


@pytest.mark.parametrize("backend", ["postgres"], indirect=True)
async def test_twenty_reviews_of_one_document_at_once_give_one_success(backend: Backend) -> None:
    bank = await bank_with_members(19)
    sme = await make_account("sme")
    case = await open_case(bank, kind=KIND, applicant=sme)
    doc = await upload(case, "business_licence", PDF_BYTES, actor=Actor(sme.user_id, sme.org_id))
    reviewers = [bank.owner.user_id, *bank.members]

    async def one(n: int, user_id: int) -> int:
        try:
            async with unit_of_work():
                if n % 2:
                    await dossiers.verify(document_id=doc.id, actor=bank.actor(user_id))
                else:
                    await dossiers.reject(
                        document_id=doc.id, reason_code="dossiers.reject.illegible", note="", actor=bank.actor(user_id)
                    )
        except MarketError as exc:
            return exc.status
        return 200

    answers = Counter(await asyncio.gather(*(one(n, u) for n, u in enumerate(reviewers))))
    assert answers == Counter({200: 1, 409: 19}), answers
    reviews = await AuditEvent.select().where(AuditEvent.action.is_in(["dossiers.verified", "dossiers.rejected"]))
    assert len(reviews) == 1

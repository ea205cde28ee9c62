"""The valuation of a pledge application (issue 12, Deliver 4 and 5), on both databases for the services and on
PostgreSQL for the API and the pages.

- The SME applies with an appraised (external) value and uploads the appraisal report (the product's optional
  ``valuation_report``), or with an agreed value below the shared data's threshold; an agreed value at or above it,
  or an external or agreed method without a value, is refused and nothing is written.
- The bank accepts the valuation or replaces it: a decision whose snapshot holds the value before and after and the
  SME's inputs; a replaced value is shared between the patents. Each decision takes the case's next version, so a
  second decision on the version read before is a 409.
- Bad input (a replaced value of zero or below, or missing; an agreed value above the threshold; a decision by
  another bank, by the SME, on a draft, after the proposal, or on a stale version) gets a clear error
  (problem+json through the API) and nothing is written."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pydantic
import pytest

from finance.desk import service as desk
from finance.desk.tables import DeskDecision
from finance.pledges import repository
from finance.pledges import service as pledges
from finance.pledges.schemas import ApplicationIn, MoveIn, ProposalIn, SubmitIn, ValuationDecisionIn
from finance.pledges.tables import PledgeApplication, PledgePatent
from finance.valuation import service as valuation
from market.audit.tables import AuditEvent
from market.errors import Conflict, NotFound, ValidationFailed
from market.jobs import unit_of_work
from tests.conftest import Client, sign_in
from tests.finance.pledge_support import PDF, PRODUCT, SALES, Bank, Sme, bank, draft, sme
from tests.finance.test_pledge_flow import complete_checklist, upload
from tests.listings.support import eligible, record

REPORT = {
    "code": "valuation_report",
    "required": False,
    "accepted_types": ["application/pdf"],
    "label_zh": "资产评估报告",  # words: data
    "label_en": "Asset valuation report",
}
APPRAISED = 1_500_000_000  # CNY 15 million: at or above the threshold, only an external (appraised) value may say so
AGREED = 800_000_000  # CNY 8 million: below it, an agreed value is allowed
BANK_VALUE = 1_200_000_000  # the bank's own (appraised) value


def threshold_minor() -> int:
    limit = valuation.threshold()
    assert limit is not None, "the threshold is read from ../shared/domain"
    return limit.minor


async def lender_with_report() -> Bank:
    return await bank(documents=[*PRODUCT["documents"], REPORT])  # type: ignore[list-item]


async def second_patent(applicant: Sme) -> int:
    return await record(applicant.principal, eligible("CN108982326B", patentees=[applicant.principal.org_name]))


async def in_review(lender: Bank, applicant: Sme, *patent_ids: int, method: Any = "external",
                    appraised: int | None = APPRAISED) -> Any:  # fmt: skip
    """An application with an appraised value and its report, submitted and under the bank's review."""
    app = await draft(
        applicant, lender.product_id, *patent_ids, valuation_method=method, appraised_value_minor=appraised
    )
    await upload(applicant, app.id, "valuation_report")
    await complete_checklist(applicant, app.id)
    async with unit_of_work():
        app = await pledges.submit(
            principal=applicant.principal, application_id=app.id, data=SubmitIn(expected_version=app.version)
        )
        return await pledges.start_review(
            principal=lender.maker, application_id=app.id, data=MoveIn(expected_version=app.version)
        )


@dataclass(frozen=True)
class Written:
    """What a valuation decision writes: the application's valuation, its patents' shares, the case's version, the
    valuation decisions and the audit trail's length."""

    method: str
    minor: int
    detail: Any
    shares: tuple[tuple[int, int], ...]
    version: int
    decisions: int
    audit: int


async def written(application_id: int) -> Written:
    app = await repository.get(application_id)
    assert app is not None and app.case is not None
    case = await desk.case(app.case)
    assert case is not None
    return Written(
        method=app.valuation_method,
        minor=app.valuation_minor,
        detail=dict(app.valuation),
        shares=tuple((p.patent, p.value_minor) for p in await repository.patents_of(application_id)),
        version=case.version,
        decisions=await DeskDecision.count().where(DeskDecision.kind == "valuation"),
        audit=await AuditEvent.count(),
    )


async def decide(principal: Any, application_id: int, **data: Any) -> Any:
    async with unit_of_work():
        return await pledges.decide_valuation(
            principal=principal, application_id=application_id, data=ValuationDecisionIn(**data)
        )


# ------------------------------------------------------------------------------------------------ Deliver 4


async def test_an_sme_applies_with_an_appraised_value_and_its_report(backend: Any) -> None:
    lender = await lender_with_report()
    applicant = await sme()
    other = await second_patent(applicant)
    app = await draft(
        applicant, lender.product_id, applicant.good, other, valuation_method="external",
        appraised_value_minor=APPRAISED,
    )  # fmt: skip
    assert threshold_minor() <= APPRAISED
    assert (app.valuation_method, app.valuation_minor) == ("external", APPRAISED)
    # the relief-from-royalty value is still shown, with its inputs; the appraised total replaces it, shared
    # between the patents in proportion to their computed values (the rounding to the first)
    assert app.valuation["method"] == "external" and app.valuation["appraised_minor"] == APPRAISED
    computed = app.valuation["computed_minor"]
    assert 0 < computed != APPRAISED
    assert set(app.valuation["patents"]) == {str(applicant.good), str(other)}
    assert all(p["lines"] for p in app.valuation["patents"].values())
    assert sum(p.value_minor for p in app.patents) == APPRAISED
    for line in app.patents:
        share = APPRAISED * app.valuation["patents"][str(line.patent_id)]["value_minor"] // computed
        assert abs(line.value_minor - share) <= 1

    # the appraisal report: uploaded against the product's optional line, hashed, and satisfied in the checklist
    report = await upload(applicant, app.id, "valuation_report")
    assert (report.requirement, report.version, len(report.sha256)) == ("valuation_report", 1, 64)
    check = await pledges.precheck(principal=applicant.principal, application_id=app.id)
    lines = {r.code: r for r in check.requirements}
    assert lines["valuation_report"].satisfied and not lines["valuation_report"].required

    async with unit_of_work():
        app = await pledges.edit(
            principal=applicant.principal,
            application_id=app.id,
            data=pledges.DraftIn(
                expected_version=app.version, patent_ids=[applicant.good], amount_minor=app.amount_minor,
                term_months=12, annual_net_sales_minor=SALES, valuation_method="external",
                appraised_value_minor=APPRAISED,
            ),
        )  # fmt: skip
    assert [(p.patent_id, p.value_minor) for p in app.patents] == [(applicant.good, APPRAISED)]
    await complete_checklist(applicant, app.id)
    async with unit_of_work():
        app = await pledges.submit(
            principal=applicant.principal, application_id=app.id, data=SubmitIn(expected_version=app.version)
        )
    # the submission's decision keeps the valuation as submitted: method, value, inputs, the patent's share
    precheck = next(d for d in await desk.decisions(app.case_id) if d.kind == "precheck")
    snap = precheck.snapshot
    assert snap["valuation"]["method"] == "external" and snap["valuation"]["minor"] == APPRAISED
    assert snap["valuation"]["detail"]["appraised_minor"] == APPRAISED
    assert [(p["id"], p["value_minor"]) for p in snap["patents"]] == [(applicant.good, APPRAISED)]
    # the bank reads the report as uploaded
    found, content = await pledges.document_content(
        principal=lender.maker, application_id=app.id, document_id=report.id
    )
    assert (found.requirement, content) == ("valuation_report", PDF)


async def test_an_agreed_value_below_the_threshold_and_refusals_that_write_nothing(backend: Any) -> None:
    lender = await lender_with_report()
    applicant = await sme()
    assert AGREED < threshold_minor() <= APPRAISED
    app = await draft(applicant, lender.product_id, valuation_method="agreed", appraised_value_minor=AGREED)
    assert (app.valuation_method, app.valuation_minor, app.valuation["appraised_minor"]) == ("agreed", AGREED, AGREED)
    assert [p.value_minor for p in app.patents] == [AGREED]

    def application(method: str, appraised: int | None) -> ApplicationIn:
        return ApplicationIn(
            product_id=lender.product_id, patent_ids=[applicant.good], amount_minor=50_000_000, term_months=12,
            annual_net_sales_minor=SALES, valuation_method=method, appraised_value_minor=appraised,  # type: ignore[arg-type]
        )  # fmt: skip

    refusals = [
        ("agreed", APPRAISED, "valuation_method", "external_required"),  # the pilot rule: appraised at or above
        ("agreed", threshold_minor(), "valuation_method", "external_required"),
        ("external", None, "appraised_value_minor", "required"),
        ("agreed", None, "appraised_value_minor", "required"),
    ]
    for method, appraised, field, code in refusals:
        with pytest.raises(ValidationFailed) as refused:
            async with unit_of_work():
                await pledges.start(principal=applicant.principal, data=application(method, appraised))
        assert [(e.field, e.code) for e in refused.value.errors] == [(field, code)], (method, appraised)
    for bad in (0, -1):  # an appraised value of nothing is not a value
        with pytest.raises(pydantic.ValidationError):
            application("external", bad)
    assert await PledgeApplication.count() == 1 and await PledgePatent.count() == 1


# ------------------------------------------------------------------------------------------------ Deliver 5


async def test_the_bank_accepts_the_valuation(backend: Any) -> None:
    lender = await lender_with_report()
    applicant = await sme()
    app = await in_review(lender, applicant)
    before = await written(app.id)
    assert "valuation" in app.events
    note = "评估报告可采信"  # words: data
    after = await decide(lender.maker, app.id, expected_version=app.version, outcome="accepted", text=note)
    assert after.version == app.version + 1  # the decision takes the case's next version
    assert (after.state, after.valuation_method, after.valuation_minor) == ("in_review", "external", APPRAISED)
    made = [d for d in after.decisions if d.kind == "valuation"]
    assert [(d.outcome, d.role, d.decided_by, d.amount_minor) for d in made] == [
        ("accepted", "reviewer", lender.maker.user_id, APPRAISED)
    ]
    now = await written(app.id)
    assert (now.method, now.minor, now.detail, now.shares) == (
        before.method, before.minor, before.detail, before.shares
    )  # fmt: skip
    decision = await desk.decision(made[0].id)
    assert decision is not None
    kept = {"method": "external", "minor": APPRAISED}
    assert decision.snapshot == {"before": kept, "after": kept, "detail": before.detail}
    assert decision.text == note


async def test_the_bank_replaces_the_valuation_and_the_snapshot_keeps_both(backend: Any) -> None:
    lender = await lender_with_report()
    applicant = await sme()
    other = await second_patent(applicant)
    app = await in_review(lender, applicant, applicant.good, other)
    before = await written(app.id)
    after = await decide(
        lender.maker, app.id, expected_version=app.version, outcome="replaced", value_minor=BANK_VALUE,
        method="external", text="以本行委托评估为准",  # words: data
    )  # fmt: skip
    assert after.version == app.version + 1
    assert (after.valuation_method, after.valuation_minor) == ("external", BANK_VALUE)
    assert after.valuation["replaced_by_bank"] == {
        "before": {"method": "external", "minor": APPRAISED},
        "after": {"method": "external", "minor": BANK_VALUE},
    }
    assert after.valuation["appraised_minor"] == APPRAISED  # the SME's inputs are kept
    # the patents' shares follow the new value, in the proportion of the SME's shares
    shares = dict((await written(app.id)).shares)
    assert sum(shares.values()) == BANK_VALUE
    for patent, old in before.shares:
        assert abs(shares[patent] - BANK_VALUE * old // APPRAISED) <= 1
    made = next(d for d in after.decisions if d.kind == "valuation")
    assert (made.outcome, made.amount_minor) == ("replaced", BANK_VALUE)
    decision = await desk.decision(made.id)
    assert decision is not None
    assert decision.snapshot == {
        "before": {"method": "external", "minor": APPRAISED},
        "after": {"method": "external", "minor": BANK_VALUE},
        "detail": before.detail,  # the inputs the bank read, as they were
    }
    audit = await AuditEvent.select().where(
        (AuditEvent.action == "desk.decision_recorded") & (AuditEvent.entity_id == str(made.id))
    )
    assert len(audit) == 1 and audit[0]["after"]
    # the pre-check (and so the amount's cap) reads the bank's value now
    check = await pledges.precheck(principal=lender.maker, application_id=app.id)
    assert sum(p.value_minor for p in check.patents) == BANK_VALUE

    # an amendment is a new decision: replaced again without a method, the value is an agreed one (below the
    # threshold); its "before" is the first decision's "after"
    again = await decide(lender.checker, app.id, expected_version=after.version, outcome="replaced", value_minor=AGREED)
    assert (again.valuation_method, again.valuation_minor) == ("agreed", AGREED)
    second = [d for d in again.decisions if d.kind == "valuation"]
    assert [d.outcome for d in second] == ["replaced", "replaced"]
    latest = await desk.decision(max(d.id for d in second))
    assert latest is not None
    assert latest.snapshot["before"] == {"method": "external", "minor": BANK_VALUE}
    assert latest.snapshot["after"] == {"method": "agreed", "minor": AGREED}
    assert sum(v for _, v in (await written(app.id)).shares) == AGREED


async def test_bad_valuation_decisions_are_refused_and_nothing_is_written(backend: Any) -> None:
    lender = await lender_with_report()
    stranger = await bank("招商银行宁波分行")  # words: data
    applicant = await sme()
    draft_only = await draft(applicant, lender.product_id)
    app = await in_review(lender, applicant)
    before = await written(app.id)

    for bad in (0, -1):  # a replaced value of nothing or less is refused by the schema, before any service
        with pytest.raises(pydantic.ValidationError):
            ValuationDecisionIn(expected_version=app.version, outcome="replaced", value_minor=bad)
    with pytest.raises(ValidationFailed) as missing:
        await decide(lender.maker, app.id, expected_version=app.version, outcome="replaced")
    assert [(e.field, e.code) for e in missing.value.errors] == [("value_minor", "required")]
    for method in ("agreed", "internal"):  # the bank too: at or above the threshold only an appraised value
        with pytest.raises(ValidationFailed) as above:
            await decide(
                lender.maker, app.id, expected_version=app.version, outcome="replaced", value_minor=threshold_minor(),
                method=method,
            )  # fmt: skip
        assert [(e.field, e.code) for e in above.value.errors] == [("method", "external_required")]
    with pytest.raises(ValidationFailed):
        await decide(lender.maker, app.id, expected_version=app.version, outcome="replaced", value_minor=APPRAISED)
    # not the bank's to decide: another bank, the SME, a draft the bank does not see yet
    for principal, application_id in (
        (stranger.maker, app.id),
        (applicant.principal, app.id),
        (lender.maker, draft_only.id),
    ):
        with pytest.raises(NotFound):
            await decide(principal, application_id, expected_version=app.version, outcome="accepted")
    # a stale or forged version
    for version in (app.version - 1, app.version + 1):
        with pytest.raises(Conflict):
            await decide(lender.maker, app.id, expected_version=version, outcome="replaced", value_minor=AGREED)
    assert await written(app.id) == before

    # two reviewers read the same version: the first decides, the second's decision is a 409 and writes nothing
    done = await decide(lender.maker, app.id, expected_version=app.version, outcome="accepted")
    settled = await written(app.id)
    with pytest.raises(Conflict):
        await decide(lender.checker, app.id, expected_version=app.version, outcome="replaced", value_minor=AGREED)
    assert await written(app.id) == settled and settled.decisions == 1

    # once proposed, the valuation is no longer open to decide
    async with unit_of_work():
        proposed = await pledges.propose(
            principal=lender.maker,
            application_id=app.id,
            data=ProposalIn(expected_version=done.version, amount_minor=app.amount_minor, rate_bp=420),
        )
    assert "valuation" not in proposed.events
    with pytest.raises(Conflict):
        await decide(lender.checker, app.id, expected_version=proposed.version, outcome="accepted")
    assert (await written(app.id)).decisions == 1


# ------------------------------------------------------------------------------------------------ the API


def problem(r: Any, status: int) -> dict[str, Any]:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/problem+json"), r.headers["content-type"]
    body: dict[str, Any] = r.json()
    return body


async def test_the_valuation_through_the_api(client: Client) -> None:
    lender = await lender_with_report()
    stranger = await bank("招商银行宁波分行")  # words: data
    applicant = await sme()
    await sign_in(client, applicant.account)
    body = {"product_id": lender.product_id, "patent_ids": [applicant.good], "amount_minor": 50_000_000,
            "term_months": 12, "annual_net_sales_minor": SALES}  # fmt: skip
    refused = await client.send_json("POST", "/api/pledges", {**body, "valuation_method": "agreed",
                                                              "appraised_value_minor": APPRAISED})  # fmt: skip
    assert [(e["field"], e["code"]) for e in problem(refused, 422)["errors"]] == [
        ("valuation_method", "external_required")
    ]
    for bad in (0, -5):
        problem(await client.send_json("POST", "/api/pledges", {**body, "valuation_method": "external",
                                                                "appraised_value_minor": bad}), 400)  # fmt: skip
    assert await PledgeApplication.count() == 0
    r = await client.send_json(
        "POST", "/api/pledges", {**body, "valuation_method": "external", "appraised_value_minor": APPRAISED}
    )
    assert r.status_code == 201, r.text
    app = r.json()
    assert (app["valuation_method"], app["valuation_minor"]) == ("external", APPRAISED)
    r = await client.post(
        f"/api/pledges/{app['id']}/documents",
        data={"requirement": "valuation_report", "issued_on": ""},
        files={"file": ("appraisal.pdf", PDF, "application/pdf")},
        headers={"x-csrftoken": await client.csrf()},
    )
    assert r.status_code == 201 and r.json()["requirement"] == "valuation_report", r.text
    await complete_checklist(applicant, app["id"])
    r = await client.send_json("POST", f"/api/pledges/{app['id']}/submit", {"expected_version": app["version"]})
    assert r.status_code == 200, r.text
    url = f"/api/pledges/{app['id']}/valuation"
    version = r.json()["version"]
    assert problem(await client.send_json("POST", url, {"expected_version": version, "outcome": "accepted"}), 403)
    client.cookies.clear()

    await sign_in(client, stranger.account)
    problem(await client.send_json("POST", url, {"expected_version": version, "outcome": "accepted"}), 404)
    client.cookies.clear()

    await sign_in(client, lender.account)
    r = await client.send_json("POST", f"/api/pledges/{app['id']}/review", {"expected_version": version})
    assert r.status_code == 200, r.text
    version = r.json()["version"]
    before = await written(app["id"])
    for bad in (0, -100):
        found = problem(await client.send_json("POST", url, {"expected_version": version, "outcome": "replaced",
                                                             "value_minor": bad}), 400)  # fmt: skip
        assert "value_minor" in {e["field"] for e in found["errors"]}
    found = problem(await client.send_json("POST", url, {"expected_version": version, "outcome": "replaced"}), 422)
    assert [(e["field"], e["code"]) for e in found["errors"]] == [("value_minor", "required")]
    agreed = {"expected_version": version, "outcome": "replaced", "value_minor": APPRAISED, "method": "agreed"}
    found = problem(await client.send_json("POST", url, agreed), 422)
    assert [(e["field"], e["code"]) for e in found["errors"]] == [("method", "external_required")]
    problem(await client.send_json("POST", url, {"expected_version": version + 1, "outcome": "accepted"}), 409)
    problem(await client.send_json("POST", url, {"expected_version": version, "outcome": "lowered"}), 400)
    assert await written(app["id"]) == before

    replaced = {"expected_version": version, "outcome": "replaced", "value_minor": BANK_VALUE, "method": "external"}
    r = await client.send_json("POST", url, replaced)
    assert r.status_code == 200, r.text
    out = r.json()
    assert (out["version"], out["valuation_method"], out["valuation_minor"]) == (version + 1, "external", BANK_VALUE)
    assert [p["value_minor"] for p in out["patents"]] == [BANK_VALUE]
    made = [d for d in out["decisions"] if d["kind"] == "valuation"]
    assert [(d["outcome"], d["amount_minor"]) for d in made] == [("replaced", BANK_VALUE)]
    # the same decision again, on the version read before: 409, nothing more written
    problem(await client.send_json("POST", url, {"expected_version": version, "outcome": "accepted"}), 409)
    assert (await written(app["id"])).decisions == 1
    # the SME sees the bank's decision and value
    client.cookies.clear()
    await sign_in(client, applicant.account)
    seen = (await client.get(f"/api/pledges/{app['id']}")).json()
    assert seen["valuation_minor"] == BANK_VALUE and "valuation" in {d["kind"] for d in seen["decisions"]}


# ------------------------------------------------------------------------------------------------ the pages


async def test_the_valuation_on_the_pages(client: Client) -> None:
    lender = await lender_with_report()
    applicant = await sme()
    await sign_in(client, applicant.account)
    token = {"x-csrftoken": await client.csrf()}
    form = {"product_id": str(lender.product_id), "patent_ids": str(applicant.good), "amount": "500000",
            "term_months": "12", "annual_sales": "20000000"}  # fmt: skip
    agreed = {**form, "valuation_method": "agreed", "appraised_value": "15000000"}
    r = await client.post("/sme/pledges/new", data=agreed, headers=token)
    assert r.status_code == 422 and 'id="err-valuation_method"' in r.text
    assert await PledgeApplication.count() == 0
    r = await client.post("/sme/pledges/new", data={**form, "valuation_method": "external",
                                                    "appraised_value": "15000000"}, headers=token)  # fmt: skip
    assert r.status_code == 200 and 'data-state="draft"' in r.text, r.text[:500]
    (row,) = await PledgeApplication.select(PledgeApplication.id, PledgeApplication.valuation_minor)
    assert row["valuation_minor"] == APPRAISED
    application_id = row["id"]
    for lang, method in (("zh", "外部评估机构评估"), ("en", "External appraisal")):  # words: data
        client.cookies.set("lang", lang)
        page = (await client.get(f"/sme/pledges/{application_id}")).text
        shown = page.split('id="pledge-valuation">', 1)[1].split("</dd>", 1)[0]
        assert method in shown and "15,000,000" in shown, shown
    client.cookies.set("lang", "zh")
    await upload(applicant, application_id, "valuation_report")
    await complete_checklist(applicant, application_id)
    app = await pledges.get(principal=applicant.principal, application_id=application_id)
    async with unit_of_work():
        app = await pledges.submit(
            principal=applicant.principal, application_id=application_id, data=SubmitIn(expected_version=app.version)
        )
        app = await pledges.start_review(
            principal=lender.maker, application_id=application_id, data=MoveIn(expected_version=app.version)
        )
    client.cookies.clear()

    await sign_in(client, lender.account)
    token = {"x-csrftoken": await client.csrf()}
    for lang in ("zh", "en"):
        client.cookies.set("lang", lang)
        page = (await client.get(f"/bank/pledges/{application_id}")).text
        assert 'id="valuation-form"' in page and 'data-requirement="valuation_report"' in page
    client.cookies.set("lang", "zh")
    url = f"/bank/pledges/{application_id}/valuation"
    before = await written(application_id)
    for value, status in (("0", 400), ("-1", 400), ("", 422)):
        r = await client.post(url, data={"expected_version": str(app.version), "outcome": "replaced", "value": value},
                              headers=token)  # fmt: skip
        assert r.status_code == status and 'id="form-errors"' in r.text, (value, r.status_code)
    r = await client.post(url, data={"expected_version": str(app.version + 1), "outcome": "accepted"}, headers=token)
    assert r.status_code == 409
    assert await written(application_id) == before
    replaced = {"expected_version": str(app.version), "outcome": "replaced", "value": "12000000"}
    r = await client.post(url, data={**replaced, "method": "agreed"}, headers=token)  # above the threshold
    assert r.status_code == 422 and 'id="err-method"' in r.text
    assert await written(application_id) == before
    r = await client.post(url, data={**replaced, "method": "external"}, headers=token)
    assert r.status_code == 200 and 'id="done"' in r.text
    assert 'data-kind="valuation" data-outcome="replaced"' in r.text
    after = await written(application_id)
    assert (after.method, after.minor, after.decisions) == ("external", BANK_VALUE, 1)
    # the page held the version it showed: sent again, the same form is a 409 and changes nothing
    r = await client.post(url, data={"expected_version": str(app.version), "outcome": "accepted"}, headers=token)
    assert r.status_code == 409 and await written(application_id) == after


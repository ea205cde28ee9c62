"""Importing patent records: the real files' layouts, per-row reports, upserts, and nothing half-written."""

from __future__ import annotations

from pathlib import Path

import pytest

from listings.imports import service as imports_service
from listings.imports.service import import_file
from listings.patents.tables import Patent
from market.i18n.localized import localized
from tests.conftest import Backend, make_account
from tests.support.services import need

SHARED = Path(__file__).parents[2].parent / "shared" / "data"


def shared_file(name: str) -> Path:
    path = SHARED / name
    need(path.exists(), f"{path} is absent: the real records live in ../shared/data beside the project")
    return path


async def snapshot(org_id: int) -> list[dict]:
    return await Patent.select().where(Patent.organisation == org_id).order_by(Patent.number)


# (file, layout, total, accepted, rejected): the rejections are explained in docs/import.md
REAL_FILES = [
    # one malformed number: CN104671642A501 (a CNKI artefact beside CN104671642A)
    ("cn_cnki_company_patent_lists.csv", "cnki", 16423, 16422, 1),
    ("google_patents_ai_search_exports_2018.csv", "google-patents", 8159, 8159, 0),
    # 149 search reports and 12 abstracts are not patent records; 10 records publish before they were filed
    # (Japanese and Dutch records from the 1970s-80s whose filing date is a later stage); one number appears twice
    ("lens_coronavirus_patents_union.jsonl", "lens", 3310, 3139, 171),
]


@pytest.mark.parametrize(("name", "layout", "total", "accepted", "rejected"), REAL_FILES)
async def test_real_files_import_with_the_stated_counts_and_twice_changes_nothing(
    backend: Backend, name: str, layout: str, total: int, accepted: int, rejected: int
) -> None:
    path = shared_file(name)
    account = await make_account()
    first = await import_file(org_id=account.org_id, user_id=account.user_id, path=path)
    assert (first.layout, first.total_rows, first.accepted, first.rejected) == (layout, total, accepted, rejected)
    assert first.inserted == accepted and first.status == "done"
    assert await Patent.count().where(Patent.organisation == account.org_id) == accepted
    before = await snapshot(account.org_id)
    second = await import_file(org_id=account.org_id, user_id=account.user_id, path=path)
    assert (second.inserted, second.updated, second.unchanged, second.rejected) == (0, 0, accepted, rejected)
    assert await snapshot(account.org_id) == before  # not even updated_at moved


async def test_cnki_rows_are_read_as_they_are(backend: Backend) -> None:
    account = await make_account()
    await import_file(org_id=account.org_id, user_id=None, path=shared_file("cn_cnki_company_patent_lists.csv"))
    rows = {r["number"]: r for r in await Patent.select().where(
        Patent.number.is_in(["CN302526753S", "CN108982325A", "CN2810109"])).output(load_json=True)}
    design = rows["CN302526753S"]
    assert (design["kind"], design["title_zh"], design["patentees"]) == ("design", "液晶电视底座",
                                                                         ["TCL光电科技(惠州)有限公司"])
    assert str(design["filing_date"]) == "2013-02-05" and str(design["expiry_date"]) == "2023-02-05"
    assert design["legal_status"] == "expired"  # granted, but its 10-year design term has run out
    assert rows["CN2810109"]["kind"] == "utility_model"


NATIVE = """number,kind,title_zh,patentees,filing_date,grant_date,ipc_codes,annual_fees_paid_through
CN202223220665.2,,一种无人机机载多功能盒,测试大学,2022-12-02,2023-03-28,B64U20/80;B64U101/30,2027-12-01
CN202223220665.3,,校验位错误,测试大学,2022-12-02,,,
CN108982325B,,地下防污屏障材料化学相容性测试装置及方法,测试大学,2018-07-30,2018-13-01,G01N15/08,
CN109637352B,design,种类与号码不符,测试大学,2018-07-30,,,
,invention,没有号码,测试大学,2018-07-30,,,
CN218751475U,,,测试大学,2022-12-02,,,
CN216774847U,,一种可拍照便携式实时语音播报端测摄像头,测试大学,2021-11-30,,X99Z 1/00,
CN202223220665.2,,重复的号码,测试大学,2022-12-02,,,
"""


async def test_each_bad_row_is_reported_with_line_field_and_reason_and_writes_nothing(
    backend: Backend, tmp_path: Path
) -> None:
    account = await make_account()
    path = tmp_path / "patents.csv"
    path.write_text(NATIVE, encoding="utf-8")
    report = await import_file(org_id=account.org_id, user_id=account.user_id, path=path)
    assert (report.layout, report.total_rows, report.accepted, report.rejected) == ("native", 8, 1, 7)
    by_line: dict[int, list[tuple[str, str]]] = {}
    for r in localized(report, "en").rejections:
        by_line.setdefault(r.row, []).append((r.field, r.message))
    assert by_line[3] == [("number", "CN202223220665.3: the check digit is 3, but 202223220665 gives 2.")]
    assert by_line[4][0][0] == "grant_date" and "not a date" in by_line[4][0][1]
    assert by_line[5][0][0] == "kind" and "“invention”" in by_line[5][0][1]
    assert by_line[6][0][0] == "number"
    assert "title" in by_line[7][0][1]
    assert by_line[8][0][0] == "ipc_codes" and "X99Z" in by_line[8][0][1]
    assert by_line[9] == [("number", "CN202223220665.2 already appears on line 2")]
    # the same report in Chinese: the same codes and parameters, every message in the other language
    chinese = localized(report, "zh").rejections
    english = localized(report, "en").rejections
    same = [(r.row, r.field, r.code, r.params) for r in chinese]
    assert same == [(r.row, r.field, r.code, r.params) for r in english]
    assert all(z.message != e.message for z, e in zip(chinese, english, strict=True))
    assert {r.row: r.message for r in chinese}[9] == "CN202223220665.2 已出现在第 2 行"
    # and as stored: the run read back from the database (its report a row per reason) speaks both languages too
    stored = localized(await imports_service.report(report.id), "zh").rejections
    assert [(r.row, r.code, r.message) for r in stored] == [(r.row, r.code, r.message) for r in chinese]
    [stored] = await Patent.select().where(Patent.organisation == account.org_id).output(load_json=True)
    assert stored["number"] == "CN202223220665.2"
    assert stored["ipc_codes"] == ["B64U 20/80", "B64U 101/30"]
    assert stored["kind"] == "utility_model" and stored["legal_status"] == "granted"


async def test_a_changed_row_updates_its_record(backend: Backend, tmp_path: Path) -> None:
    account = await make_account()
    path = tmp_path / "one.csv"
    path.write_text("number,title_zh,patentees,filing_date\nCN108982325A,旧标题,测试大学,2018-07-30\n")
    await import_file(org_id=account.org_id, user_id=None, path=path)
    path.write_text("number,title_zh,patentees,filing_date\nCN108982325A,新标题,测试大学,2018-07-30\n")
    report = await import_file(org_id=account.org_id, user_id=None, path=path)
    assert (report.inserted, report.updated, report.unchanged) == (0, 1, 0)
    row = await Patent.select(Patent.title_zh).where(Patent.organisation == account.org_id).first()
    assert row["title_zh"] == "新标题"


async def test_the_same_number_in_two_organisations_is_two_records(backend: Backend, tmp_path: Path) -> None:
    path = tmp_path / "one.csv"
    path.write_text("number,title_zh,patentees\nCN108982325A,共有专利,甲大学;乙大学\n")
    for _ in range(2):
        account = await make_account()
        report = await import_file(org_id=account.org_id, user_id=None, path=path)
        assert report.inserted == 1
    assert await Patent.count() == 2


async def test_gbk_files_and_unknown_layouts(backend: Backend, tmp_path: Path) -> None:
    account = await make_account()
    gbk = tmp_path / "gbk.csv"
    gbk.write_bytes("number,title_zh,patentees\nCN108982325A,地下防污屏障,浙江大学\n".encode("gbk"))
    report = await import_file(org_id=account.org_id, user_id=None, path=gbk)
    assert report.inserted == 1
    unknown = tmp_path / "unknown.csv"
    unknown.write_text("foo,bar\n1,2\n")
    from market.errors import ValidationFailed

    with pytest.raises(ValidationFailed, match=r"import\.unknown_layout") as caught:
        await import_file(org_id=account.org_id, user_id=None, path=unknown)
    assert "no known layout" in caught.value.text("en") and "不符合任何已知格式" in caught.value.text("zh")

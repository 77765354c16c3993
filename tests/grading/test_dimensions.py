"""External dimension scores from CSV (R-GRD-2, R-XCH-1; 000 §17): rows checked one by one, the latest
evaluation kept per entity and dimension, a second import of the same file changing nothing, and the
entities whose scores changed regraded in the same commit (R-GRD-4)."""

import json

import pytest
from sqlalchemy import func, select

from tests.access.conftest import world  # noqa: F401  two companies, their records, a user of every role
from tests.web.test_auth import csrf_of, login
from xinyong.accounts.permissions import SYSTEM
from xinyong.audit.models import AuditEvent
from xinyong.grading import dimensions, service
from xinyong.grading.models import ExternalScore, GradeResult, RunKind
from xinyong.kit.db import TOUCHED
from xinyong.kit.errors import Forbidden, Invalid


def scores_csv(world, unknown: str, *, encoding: str = "utf-8") -> bytes:  # noqa: F811
    company, other = world["company"].uscc, world["other"].uscc
    rows = [
        "统一社会信用代码,维度,分值,来源,评价日期",
        f"{company},公共信用评价,720,北京市公共信用信息服务平台,2026-07-01",  # row 2
        f"{other},third_party,680,北京某信用评级有限公司,2026-07-15",  # row 3
        f"{company},第三方评价,1200,北京某信用评级有限公司,2026-07-15",  # row 4: off the model's scale
        f"{other},行业评价,700,某协会,2026-07-15",  # row 5: the model computes that one itself
        f"{unknown},公共信用评价,700,北京市公共信用信息服务平台,2026-07-01",  # row 6: no such entity
        ",,,,",  # row 7: blank, skipped
        "12345,公共信用评价,700,北京市公共信用信息服务平台,2026-07-01",  # row 8: not a code
        f"{company},公共信用评价,七百,北京市公共信用信息服务平台,2026-07-01",  # row 9: not a number
    ]
    return ("\r\n".join(rows) + "\r\n").encode(encoding)


def do_import(uow, raw: bytes, name: str = "评分.csv", actor=SYSTEM):
    with uow(actor=actor) as s:
        return dimensions.import_scores(s, actor=actor, path_or_bytes=raw, filename=name)


def counts(uow) -> tuple[int, int, int]:
    with uow(write=False) as s:
        return tuple(s.scalar(select(func.count()).select_from(m)) for m in (ExternalScore, GradeResult, AuditEvent))


def standing(uow, entity):
    with uow(write=False) as s:
        return service.standing(s, entity.id)


def test_bad_rows_are_reported_and_good_ones_regrade_their_entities(uow, world, make):  # noqa: F811  R-GRD-2
    unknown = make.uscc()
    report = do_import(uow, scores_csv(world, unknown))
    assert (report.total, report.imported, report.updated, report.unchanged) == (7, 2, 0, 0)
    reasons = {p.row: p.reason for p in report.rejected}
    assert sorted(reasons) == [4, 5, 6, 8, 9]
    assert "超出模型的分值范围 350～950" in reasons[4] and "由平台按评价模型计算" in reasons[5]
    assert reasons[6] == f"平台上没有代码为 {unknown} 的信用主体" and report.unknown_codes == [unknown]
    assert "不是有效的统一社会信用代码" in reasons[8] and "不是数字" in reasons[9]
    assert report.entities == 2 and report.encoding == "utf-8"
    # the weighted mean over the dimensions each has, renormalised (SPEC §15), from the same commit
    company, other = standing(uow, world["company"]), standing(uow, world["other"])
    assert (company.industry_score, company.score) == (620, 658)  # (620×0.5 + 720×0.3) / 0.8 = 657.5
    assert (other.industry_score, other.score) == (660, 666)  # (660×0.5 + 680×0.2) / 0.7 = 665.7
    assert company.run.kind is RunKind.PARTIAL


def test_importing_the_same_file_again_changes_nothing(uow, world, make):  # noqa: F811  R-XCH-1
    raw = scores_csv(world, make.uscc())
    do_import(uow, raw)
    before = counts(uow)
    again = do_import(uow, raw)
    assert (again.imported, again.updated, again.unchanged, len(again.rejected), again.entities) == (0, 0, 2, 5, 0)
    assert counts(uow) == before  # no score, no result, no event


def test_the_latest_evaluation_per_entity_and_dimension_counts(uow, world):  # noqa: F811
    code = world["company"].uscc
    do_import(uow, f"code,dimension,score,source,evaluated_on\n{code},public,720,市平台,2026-07-01\n".encode())
    older = do_import(uow, f"code,dimension,score,source,evaluated_on\n{code},public,600,市平台,2026-01-01\n".encode())
    assert (older.older, older.updated) == (1, 0) and standing(uow, world["company"]).score == 658
    newer = do_import(uow, (f"code,dimension,score,source,evaluated_on\n{code},public,700,市平台,2026-09-01\n"
                            f"{code},public,760,市平台,2026-10-01\n").encode())
    assert (newer.updated, newer.older) == (1, 1)  # the file's own earlier row gives way to its later one
    assert standing(uow, world["company"]).score == 673  # (620×0.5 + 760×0.3) / 0.8 = 672.5


def test_a_gbk_file_and_a_tab_separated_one_are_read(uow, world, make):  # noqa: F811
    report = do_import(uow, scores_csv(world, make.uscc(), encoding="gbk"), "评分-gbk.csv")
    assert report.encoding == "gbk" and report.imported == 2
    code = world["other"].uscc
    tabbed = do_import(uow, f"统一社会信用代码\t维度\t分值\n{code}\t公共信用评价\t690\n".encode("utf-8-sig"))
    assert tabbed.imported == 1 and tabbed.encoding == "utf-8-sig"
    with uow(write=False) as s:
        assert {d["label"]: d["source"] for d in dimensions.scores_of(s, world["other"].id)} == {
            "公共信用评价": "文件 评分.csv", "第三方评价": "北京某信用评级有限公司"}


def test_a_file_without_the_required_columns_is_refused_whole(uow, world):  # noqa: F811
    with pytest.raises(Invalid, match="缺少列：分值"):
        do_import(uow, "统一社会信用代码,维度\n91110302000000000X,public\n".encode())
    with pytest.raises(Invalid, match="另存为 CSV"):
        do_import(uow, b"PK\x03\x04 not really a workbook")


def test_only_the_credit_office_imports_scores(uow, world):  # noqa: F811
    with pytest.raises(Forbidden):
        do_import(uow, b"code,dimension,score\n", actor=world["actors"]["officer"])


def test_a_changed_score_is_noticed_on_flush(uow, world):  # noqa: F811  R-GRD-4: instant regrading sees it
    code = world["company"].uscc
    with uow(actor=SYSTEM) as s:
        dimensions.import_scores(s, actor=SYSTEM, path_or_bytes=f"code,dimension,score\n{code},public,720\n".encode(),
                                 filename="a.csv")
        assert world["company"].id in s.info[TOUCHED]  # noted for the regrade that runs as this commits
    with uow(actor=SYSTEM) as s:
        dimensions.import_scores(s, actor=SYSTEM, path_or_bytes=f"code,dimension,score\n{code},public,760\n".encode(),
                                 filename="a.csv")
        assert world["company"].id in s.info[TOUCHED]  # an update too, not only a new row
    assert standing(uow, world["company"]).score == 673


def test_the_credit_office_imports_scores_on_its_page_and_over_the_api(client, world, make, bearer):  # noqa: F811
    login(client, "xyb")
    token = csrf_of(client.get("/grading").text)
    unknown = make.uscc()
    page = client.post("/grading/scores", data={"csrf_token": token},
                       files={"file": ("三季度评分.csv", scores_csv(world, unknown), "text/csv")})
    assert page.status_code == 200 and "三季度评分.csv" in page.text
    assert "第 4 行" in page.text and "第 9 行" in page.text and unknown in page.text
    assert "2 个主体的评价结果随之重新计算" in page.text
    api = client.post("/api/v1/grading/scores", files={"file": ("三季度评分.csv", scores_csv(world, unknown))},
                      headers=bearer(world["users"]["admin"]))
    assert api.status_code == 200 and api.json()["unchanged"] == 2 and api.json()["imported"] == 0
    assert [p["row"] for p in api.json()["rejected"]] == [4, 5, 6, 8, 9]
    officer = client.post("/api/v1/grading/scores", files={"file": ("x.csv", b"code,dimension,score\n")},
                          headers=bearer(world["users"]["officer"]))
    assert officer.status_code == 403


def test_the_operator_imports_a_scores_file_from_the_command_line(xinyong, world, tmp_path, make):  # noqa: F811  SPEC §18
    path = tmp_path / "市公共信用评价.csv"
    path.write_bytes(scores_csv(world, make.uscc()))
    out = xinyong("scores", str(path), "--json")
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    assert (report["imported"], sorted(r["row"] for r in report["rejected"]), report["entities"]) == (2, [4, 5, 6, 8, 9], 2)
    again = json.loads(xinyong("scores", str(path), "--json").stdout)
    assert (again["imported"], again["updated"], again["entities"]) == (0, 0, 0)
    text = xinyong("scores", str(path))
    assert "第 4 行" in text.stdout
    assert xinyong("scores", str(tmp_path / "无此文件.csv")).returncode != 0

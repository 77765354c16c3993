"""Grading in the browser: the entity page's grading card for each reader, /grading with its runs, models
and what-if, as the credit office uses them (SPEC §6; R-GRD-4, R-GRD-5, R-GRD-7)."""

import json
import re
import time
from pathlib import Path

import pytest
from sqlalchemy import delete, func, select

from tests.access.conftest import world  # noqa: F401  two companies, their records, a user of every role
from tests.web.test_auth import csrf_of, login
from xinyong.accounts.permissions import SYSTEM
from xinyong.grading import service
from xinyong.grading.model import preset_path
from xinyong.grading.models import GradeResult, GradingRun, Publication, RunStatus
from xinyong.objections import service as objections
from xinyong.objections.schemas import ObjectionCreate

NINE_LEVELS = preset_path("regional_nine_levels").read_text(encoding="utf-8")


@pytest.fixture
def graded(world):  # noqa: F811
    """The access zone, graded as its records were accepted: the company has two general penalties
    (700 − 2×40 = 620, C), the other company one (660, B)."""
    return world


def as_user(client, username):
    client.cookies.clear()
    login(client, username)


def card_of(html: str) -> str:
    start = html.index('id="grading"')
    return html[start:html.index("</section>", start)]


def chart_data(html: str, entity_id: int) -> dict:
    raw = re.search(rf'<script type="application/json" id="grade-history-{entity_id}">(.*?)</script>', html, re.S)
    return json.loads(raw.group(1))


def wait_for_runs(client, timeout: float = 60) -> str:
    """The runs fragment once no run is going (it stops asking for itself)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        fragment = client.get("/grading/runs", headers={"HX-Request": "true"}).text
        if "hx-trigger" not in fragment:
            return fragment
        time.sleep(0.1)
    raise AssertionError("the grading run did not finish")


def test_the_entity_sees_its_own_grade_reasons_indicators_and_history(client, graded):  # R-GRD-5
    as_user(client, "xinghe")
    page = client.get(f"/entities/{graded['company'].id}")
    assert page.status_code == 200
    card = card_of(page.text)
    assert "信用评价" in card and "<strong>620</strong> 分" in card and "<strong>C</strong><span>中等</span>" in card
    assert "经开区行业信用评价参考模型（第 1 版）" in card
    assert "行政处罚（一般违法）2条，扣80分" in card
    for label in ("scjg_public", "sthj_public"):  # its own file: every record behind a reason opens
        assert f'href="/records/{graded["records"][label]}"' in card
    assert "不良信息" in card and "−400 ～ 0" in card and "−80" in card  # level 1 with its range and points
    assert 'class="level-2' in card and "行政处罚" in card
    assert 'data-chart="history"' in card and "/static/vendor/echarts/echarts.min.js" in card
    data = chart_data(page.text, graded["company"].id)
    assert data["points"][-1]["score"] == 620 and data["points"][-1]["grade"] == "C"
    assert [b["grade"] for b in data["bands"]] == ["A", "B", "C", "D"] and (data["floor"], data["ceiling"]) == (350, 950)
    # an objection to its own result is one kind of objection, filed on the objections pages (000 §19(二))
    assert 'href="/objections/new?target=grade"' in card and "异议处理中" not in card


def test_the_card_marks_a_grade_and_the_reasons_under_objection(client, graded, uow):  # R-OBJ-3, R-GRD-6
    actor = graded["actors"]["entity"]
    with uow(actor=actor) as s:
        on_grade = objections.file(s, actor=actor, objection_in=ObjectionCreate(
            target="grade", ground="inaccurate", statement="两项处罚均已履行，请复核扣分")).id
        objections.file(s, actor=actor, objection_in=ObjectionCreate(
            record_id=graded["records"]["scjg_public"], ground="inaccurate", statement="罚款金额有误"))
    as_user(client, "xinghe")
    card = card_of(client.get(f"/entities/{graded['company'].id}").text)
    assert card.count("异议处理中") == 2  # the grade, and the record behind a reason
    record = graded["records"]["scjg_public"]
    assert re.search(rf'<a href="/records/{record}">[^<]*</a> <span class="tag tag-warn"[^>]*>异议处理中', card)
    assert f'href="/objections/{on_grade}"' in card and "当时 620 分、C 级" in card
    assert 'href="/objections/new?target=grade"' not in card  # one open objection to the result at a time
    as_user(client, "xyb")
    assert f'href="/objections/{on_grade}"' in card_of(client.get(f"/entities/{graded['company'].id}").text)
    as_user(client, "scjg_jbr")  # a department sees the mark, not the entity's objections
    department = card_of(client.get(f"/entities/{graded['company'].id}").text)
    assert "异议处理中" in department and f'href="/objections/{on_grade}"' not in department


def publish(uow, level, audience=None):
    with uow(actor=SYSTEM) as s:
        service.set_publication(s, actor=SYSTEM, version=service.active_version(s), publication=level, audience=audience)


def test_departments_see_grades_even_for_internal_use(client, graded, uow):  # R-PUB-7, 000 §19(一), §19(四)
    as_user(client, "scjg_jbr")
    card = card_of(client.get(f"/entities/{graded['company'].id}").text)  # 内部使用 includes government departments
    assert "<strong>620</strong> 分" in card and "行政处罚（一般违法）2条" in card
    assert f'href="/records/{graded["records"]["scjg_public"]}"' in card  # its own record opens
    assert f'href="/records/{graded["records"]["sthj_public"]}"' not in card and "1 条由其他部门记录" in card
    assert 'name="reason"' not in card and "评价结果复核" not in card  # reviews are the entity's and the office's


def test_the_public_sees_a_grade_only_when_results_are_public(client, graded, uow):  # R-PUB-7
    # the staff page of an entity asks for a login (issue 17); the public reads the public page
    assert client.get(f"/entities/{graded['company'].id}", follow_redirects=False).status_code in (302, 303)
    url = f"/public/entities/{graded['company'].uscc}"
    public = client.get(url)
    assert public.status_code == 200 and "信用评价" not in public.text and "620" not in public.text
    publish(uow, Publication.PUBLIC)
    shown = client.get(url).text
    assert '<span class="tag">C</span>' in shown and "620" not in shown  # the grade, not the score or its reasons


def test_another_entity_sees_no_grade(client, graded, uow):
    publish(uow, Publication.PUBLIC)
    as_user(client, "chenguang")
    assert client.get(f"/entities/{graded['company'].id}").status_code == 404


def test_the_credit_office_sets_how_widely_results_are_published(client, graded, uow):  # R-PUB-7
    as_user(client, "xyb")
    page = client.get("/grading")
    assert "评价结果公开范围" in page.text and "<strong>内部使用（含与相关政府部门共享）</strong>" in page.text
    with uow(write=False) as s:
        version_id = service.active_version(s).id
    r = client.post(f"/grading/models/{version_id}/publication", follow_redirects=False,
                    data={"csrf_token": csrf_of(page.text), "publication": "specified", "audience": graded["other"].uscc})
    assert r.status_code == 303
    page = client.get("/grading").text
    assert "向特定主体公开" in page and graded["other"].uscc in page
    bad = client.post(f"/grading/models/{version_id}/publication",
                      data={"csrf_token": csrf_of(page), "publication": "specified", "audience": "91110302000000000X"})
    assert bad.status_code == 400 and "统一社会信用代码" in bad.text


def test_an_entity_never_graded_shows_not_yet_graded(client, graded, uow):
    with uow() as s:
        s.execute(delete(GradeResult).where(GradeResult.entity_id == graded["company"].id))
    as_user(client, "xinghe")
    card = card_of(client.get(f"/entities/{graded['company'].id}").text)
    assert "尚未评价" in card and 'data-chart="history"' not in card and 'name="reason"' not in card


def test_the_credit_office_runs_a_full_grading_from_its_page(client, graded, uow):  # R-GRD-4
    as_user(client, "xyb")
    page = client.get("/grading")
    assert page.status_code == 200 and "尚未进行全量评价" in page.text and "立即全量评价" in page.text
    r = client.post("/grading/runs", data={"csrf_token": csrf_of(page.text)}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/grading?started=")
    run_id = int(re.search(r"started=(\d+)", r.headers["location"]).group(1))
    done = wait_for_runs(client)
    assert f"#{run_id}" in done and "成功" in done and "现行" in done and "页面「立即全量评价」" in done
    page = client.get("/grading").text
    assert f"评价运行 #{run_id}，模型：经开区行业信用评价参考模型" in page and 'data-chart="distribution"' in page
    data = json.loads(re.search(r'id="grade-distribution">(.*?)</script>', page, re.S).group(1))
    assert data["grades"] == ["A", "B", "C", "D"] and data["counts"] == [0, 1, 1, 0]
    with uow(write=False) as s:
        assert service.current_full_run(s).id == run_id


def test_grading_pages_are_the_credit_offices(client, graded):
    as_user(client, "scjg_jbr")
    assert client.get("/grading").status_code == 403
    assert "/grading" not in re.findall(r'<nav class="mainnav".*?</nav>', client.get("/").text, re.S)[0]
    as_user(client, "xyb")
    assert 'href="/grading"' in re.findall(r'<nav class="mainnav".*?</nav>', client.get("/").text, re.S)[0]


def test_a_failed_run_is_listed_with_its_reason_and_the_last_good_one_stays(client, graded, uow, platform):  # R-GRD-4
    first = service.run(platform, trigger="测试")
    with uow() as s:  # a run that failed, as service.run leaves one
        s.add(GradingRun(model_id=first.model_id, kind="full", status=RunStatus.FAILED, as_of=first.as_of, trigger="测试",
                         error="读取记录失败：数据库连接中断"))
    as_user(client, "xyb")
    page = client.get("/grading").text
    assert "读取记录失败：数据库连接中断" in page and "失败" in page
    assert f"评价运行 #{first.id}，模型" in page


def test_a_broken_model_upload_names_the_file_the_line_and_the_reason(client, graded, uow):  # R-GRD-1
    as_user(client, "xyb")
    token = csrf_of(client.get("/grading").text)
    broken = NINE_LEVELS.replace("range = [0, 60]", "range = [60, 0]", 1)
    line = broken.splitlines().index("range = [60, 0]") + 1
    r = client.post("/grading/models", data={"csrf_token": token},
                    files={"file": ("四等九级-草案.toml", broken.encode(), "application/toml")})
    assert r.status_code == 400
    assert "模型文件有误，未载入" in r.text and "四等九级-草案.toml" in r.text and f"第 {line} 行" in r.text
    assert "下限 60 大于上限 0" in r.text


def test_a_new_model_version_is_uploaded_and_adopted(client, graded, uow):  # R-GRD-7
    as_user(client, "xyb")
    token = csrf_of(client.get("/grading").text)
    text = NINE_LEVELS.replace("version = 1", "version = 2", 1)
    r = client.post("/grading/models", data={"csrf_token": token, "activate": "1"},
                    files={"file": ("nine.toml", text.encode(), "application/toml")}, follow_redirects=False)
    assert r.status_code == 303
    with uow(write=False) as s:
        active = service.active_version(s)
        assert (active.code, active.version) == ("regional_nine_levels", 2)
    download = client.get(f"/grading/models/{active.id}/download")
    assert download.status_code == 200 and download.text == text


def test_the_what_if_page_shows_the_migration_matrix_and_writes_nothing(client, graded, uow, platform):  # R-GRD-7
    service.run(platform, trigger="测试")
    with uow(write=False) as s:
        before = (s.scalar(select(func.count()).select_from(GradeResult)), s.scalar(select(func.count()).select_from(GradingRun)))
    as_user(client, "xyb")
    form = client.get("/grading/what-if")
    assert form.status_code == 200 and 'code = &#34;etdz_reference&#34;' in form.text  # the active model, to edit
    r = client.post("/grading/what-if", data={"csrf_token": csrf_of(form.text), "text": NINE_LEVELS})
    assert r.status_code == 200 and "等级迁移矩阵" in r.text and 'class="matrix"' in r.text
    matrix = r.text[r.text.index('class="matrix"'):]
    matrix = matrix[:matrix.index("</table>")]
    assert "<th scope=\"col\">A-</th>" in matrix and "<th scope=\"col\">B+</th>" in matrix
    assert 'data-chart="migration"' in r.text and 'data-chart="counts"' in r.text
    data = json.loads(re.search(r'id="what-if-data">(.*?)</script>', r.text, re.S).group(1))
    assert sum(map(sum, data["series"])) == sum(data["before"]) == sum(data["after"])
    with uow(write=False) as s:
        assert (s.scalar(select(func.count()).select_from(GradeResult)),
                s.scalar(select(func.count()).select_from(GradingRun))) == before


def test_a_broken_draft_on_the_what_if_page_is_refused_with_its_line(client, graded):
    as_user(client, "xyb")
    token = csrf_of(client.get("/grading/what-if").text)
    r = client.post("/grading/what-if", data={"csrf_token": token, "text": 'code = "x"\nname = "草案"\nversion = "一"\n'})
    assert r.status_code == 400 and "草案模型无法使用" in r.text and "粘贴的模型文本" in r.text and "第 " in r.text


def test_the_chart_script_and_echarts_are_served_from_the_platform(client):  # no CDN
    echarts = client.get("/static/vendor/echarts/echarts.min.js")
    assert echarts.status_code == 200 and "echarts" in echarts.text[:2000]
    assert client.get("/static/vendor/echarts/xinyong-charts.js").status_code == 200
    assert "Apache License" in (Path(__file__).resolve().parents[2] / "src/xinyong/web/static/vendor/echarts/LICENSE").read_text()

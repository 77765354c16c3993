"""The objection pages (issue 18 §10): the entity files with evidence from its file and follows it in 我的异议;
the recording department verifies its tasks; the credit office works the queue by deadline, decides, records
the appeal and the court outcome; each sees only the forms it may use, and every refusal is in Chinese
(SPEC §10, R-OBJ-1…6; 000 §23–26, §29)."""

import datetime as dt
import re

import pytest

from tests.helpers import row_counts
from tests.objections.conftest import PDF, PNG
from tests.web.test_auth import csrf_of, login
from xinyong.objections.models import Evidence, Objection


def as_user(client, username):
    client.cookies.clear()
    login(client, username)


def post_form(client, url, data, files=None, page=None):
    token = csrf_of(client.get(page or "/").text)
    return client.post(url, data={"csrf_token": token, **data}, files=files, follow_redirects=False)


def file_objection(client, record_id, files=(), statement="处罚决定书认定的经营天数有误，已附营业记录"):
    return post_form(client, "/objections/new", {"target": "record", "record_id": str(record_id), "ground": "inaccurate",
                                                 "statement": statement},
                     files=[("files", f) for f in files] or None, page=f"/objections/new?record_id={record_id}")


def objection_id(response) -> int:
    assert response.status_code == 303, response.text[:2000]
    return int(re.match(r"/objections/(\d+)\?done=", response.headers["location"]).group(1))


@pytest.fixture
def pinned(objection_today):
    return objection_today  # 2026-12-07: decide_by 2026-12-16, verify_by 2026-12-21


def test_entity_files_with_evidence_from_its_file_and_follows_it(client, world, pinned):  # R-OBJ-1, R-OBJ-2, R-OBJ-3
    rid = world["records"]["scjg_public"]
    as_user(client, "xinghe")
    file_page = client.get(f"/entities/{world['company'].id}").text
    assert f'href="/objections/new?record_id={rid}">提出异议</a>' in file_page
    form = client.get(f"/objections/new?record_id={rid}").text
    assert 'enctype="multipart/form-data"' in form and "京开市监罚〔2026〕11号" in form
    assert form.count('name="ground"') == 5 and "超过规定期限仍在披露" in form and "涉及侵犯隐私或商业秘密" in form

    r = file_objection(client, rid, files=[("复议决定书.pdf", PDF, "application/pdf"), ("现场照片.png", PNG, "image/png")])
    oid = objection_id(r)
    page = client.get(r.headers["location"]).text
    assert "异议已提交" in page and "已受理，待核查" in page and "京开市监罚〔2026〕11号" in page
    assert "信息与事实不符，记载存在错误或者遗漏" in page and "已附营业记录" in page
    assert "2026-12-16" in page and "剩余7个工作日" in page and "2026-12-21" in page and "剩余10个工作日" in page
    assert "复议决定书.pdf" in page and "现场照片.png" in page and "提出异议" in page
    assert f'action="/objections/{oid}/withdraw"' in page and "作出处理决定</button>" not in page
    assert "提交核查意见</button>" not in page
    link = re.search(rf'href="(/objections/{oid}/evidence/\d+)" download>复议决定书.pdf', page).group(1)
    download = client.get(link)
    assert download.content == PDF and download.headers["content-type"] == "application/pdf"
    assert download.headers["content-disposition"].startswith("attachment")

    file_page = client.get(f"/entities/{world['company'].id}").text  # marked, and no second 「提出异议」 on it
    assert f'href="/objections/{oid}"' in file_page and "异议处理中" in file_page
    assert f'/objections/new?record_id={rid}"' not in file_page
    mine = client.get("/objections").text
    assert "我的异议" in mine and f'href="/objections/{oid}"' in mine and "信用主体</th>" not in mine


def test_a_file_not_pdf_or_image_saves_nothing_and_says_why(client, world, pinned):  # R-OBJ-1 bad input
    rid = world["records"]["scjg_public"]
    as_user(client, "xinghe")
    word = ("说明.docx", b"PK\x03\x04word", "application/msword")
    r = file_objection(client, rid, files=[("复议决定书.pdf", PDF, "application/pdf"), word], statement="营业天数记载有误")
    assert r.status_code == 400
    assert "文件“说明.docx”不是 PDF 或图片" in r.text and 'role="alert"' in r.text
    assert "营业天数记载有误" in r.text and "此次提交未保存任何内容" in r.text  # what was typed is kept
    assert row_counts(client.app.state.platform.uow, Objection, Evidence) == (0, 0)


def test_too_big_a_file_empty_statement_and_no_ground_are_refused_in_chinese(client, world, pinned, platform):
    rid = world["records"]["scjg_public"]
    as_user(client, "xinghe")
    big = b"%PDF-1.4\n" + b"0" * (platform.settings.evidence_max_mb * 1024 * 1024)
    r = file_objection(client, rid, files=[("扫描件.pdf", big, "application/pdf")])
    assert r.status_code == 400 and "超过 10 MB 的大小限制" in r.text
    r = file_objection(client, rid, statement="   ")
    assert r.status_code == 400 and "异议陈述" in r.text
    r = post_form(client, "/objections/new", {"record_id": str(rid), "statement": "有误"})
    assert r.status_code == 400 and "请选择异议理由" in r.text
    assert row_counts(platform.uow, Objection, Evidence) == (0, 0)


def test_a_record_outside_the_file_is_not_found_and_a_second_objection_names_the_first(client, world, pinned):
    as_user(client, "xinghe")
    other = world["records"]["other_public"]  # the other company's record: as if it did not exist
    assert client.get(f"/objections/new?record_id={other}").status_code == 404
    r = file_objection(client, other)
    assert r.status_code == 404 and "未找到该信用记录" in r.text
    rid = world["records"]["scjg_public"]
    first = objection_id(file_objection(client, rid))
    form = client.get(f"/objections/new?record_id={rid}").text
    assert f"已有异议 <a href=\"/objections/{first}\">#{first}</a> 正在处理" in form and 'name="statement"' not in form
    r = file_objection(client, rid)
    assert r.status_code == 409 and f"该记录已有异议 #{first}" in r.text


def test_department_verifies_its_task_and_is_sent_to_correct_its_record(client, world, pinned):  # 000 §24, R-OBJ-5
    as_user(client, "xinghe")
    oid = objection_id(file_objection(client, world["records"]["scjg_public"]))
    as_user(client, "sthj_jbr")  # another department sees nothing of it
    assert client.get(f"/objections/{oid}").status_code == 404
    as_user(client, "scjg_jbr")
    home = client.get("/").text
    assert "异议核查任务" in home and "待核查 <strong>1</strong> 件" in home
    assert re.search(r'异议核查 <span class="badge">1</span>', home)
    tasks = client.get("/objections").text
    assert "异议核查任务" in tasks and f'href="/objections/{oid}"' in tasks and "北京亦庄星河精密制造有限公司" in tasks
    page = client.get(f"/objections/{oid}").text
    assert "提交核查意见</button>" in page and "作出处理决定</button>" not in page and "撤回异议</button>" not in page
    r = post_form(client, f"/objections/{oid}/verification", {"reason": "经核查"}, page=f"/objections/{oid}")
    assert r.status_code == 400 and "请选择核查结论" in r.text and "经核查" in r.text
    r = post_form(client, f"/objections/{oid}/verification", {"finding": "wrong", "reason": "经营天数录入错误"},
                  files=[("files", ("核查说明.png", PNG, "image/png"))], page=f"/objections/{oid}")
    assert r.status_code == 303
    page = client.get(r.headers["location"]).text
    assert "核查意见已提交" in page and "信息有误，予以更正" in page and "核查说明.png" in page
    assert f'href="/records/{world["records"]["scjg_public"]}">前往更正记录</a>' in page
    assert "部门已核查，待决定" in page and "提交核查意见</button>" not in page


def test_credit_office_queue_puts_the_overdue_first_and_counts_them(client, world, pinned, objection_flow):  # R-OBJ-4
    fresh = objection_flow.file("entity", world["records"]["scjg_public"])
    late = objection_flow.file("entity", world["records"]["sthj_public"], day=dt.date(2026, 11, 2))
    as_user(client, "xyb")
    queue = client.get("/objections").text
    assert queue.index(f'href="/objections/{late}"') < queue.index(f'href="/objections/{fresh}"')
    assert "已中止公开查询" in queue and "已逾期" in queue and 'class="overdue"' in queue
    assert "<strong>2</strong><span>待处理</span>" in queue and "<strong>1</strong><span>已逾期</span>" in queue
    assert re.search(r'异议处理 <span class="badge">2</span>', queue)
    overdue = client.get("/objections?filter=overdue").text
    assert f'href="/objections/{late}"' in overdue and f'href="/objections/{fresh}"' not in overdue
    home = client.get("/").text
    assert "进入异议处理" in home and re.search(r"<strong>1</strong><span>已逾期</span>", home)
    entity_page = client.get(f"/entities/{world['company'].id}").text
    assert entity_page.count("已中止公开查询</span>") == 1 and entity_page.count("异议处理中</a>") == 2


def test_an_unknown_deadline_says_why_and_alerts_the_credit_office(client, world, pinned, objection_flow):  # §16
    oid = objection_flow.file("entity", world["records"]["scjg_public"], day=dt.date(2026, 12, 28))
    as_user(client, "xyb")
    page = client.get(f"/objections/{oid}").text
    assert "无法计算：2027年放假安排未载入" in page and 'role="alert">期限无法计算' in page
    queue = client.get("/objections").text
    assert re.search(r"<strong>1</strong><span>期限无法计算</span>", queue) and "所需年度的法定节假日安排尚未载入" in queue
    as_user(client, "xinghe")  # the applicant sees the same note, without the credit office's alert
    page = client.get(f"/objections/{oid}").text
    assert "无法计算：2027年放假安排未载入" in page and "期限无法计算：" not in page


def test_decision_appeal_and_court_outcome_each_by_whoever_may_record_it(client, world, pinned, objection_flow):  # R-OBJ-6
    oid = objection_flow.file("entity", world["records"]["scjg_public"])
    objection_flow.verify("officer", oid, "correct", reason="原记录无误")
    as_user(client, "xyb")
    url = f"/objections/{oid}"
    page = client.get(url).text
    assert "作出处理决定</button>" in page and "撤回异议</button>" not in page and "提出申诉</button>" not in page
    r = post_form(client, f"{url}/decision", {"reason": "经核查原记录无误"}, page=url)
    assert r.status_code == 400 and "请选择处理结果" in r.text and "经核查原记录无误" in r.text
    assert client.get(url).text.count("信异告〔") == 0
    r = post_form(client, f"{url}/decision", {"outcome": "not_upheld", "reason": "经核查原记录无误"}, page=url)
    page = client.get(r.headers["location"]).text
    assert "处理决定已作出" in page and "异议不成立，维持原信息" in page and "信异告〔2026〕1号" in page
    assert f'href="/objections/{oid}/notice.pdf"' in page and "登记申诉决定</button>" not in page

    as_user(client, "xinghe")
    page = client.get(url).text
    assert "异议不成立，维持原信息" in page and "提出申诉</button>" in page and "作出处理决定</button>" not in page
    r = post_form(client, f"{url}/appeal", {"statement": "原处罚认定事实不清，向管委会申诉"},
                  files=[("files", ("申诉书.pdf", PDF, "application/pdf"))], page=url)
    page = client.get(r.headers["location"]).text
    assert "申诉已提交" in page and "申诉处理中" in page and "申诉书.pdf" in page and "申诉材料" in page

    as_user(client, "xyb")
    r = post_form(client, f"{url}/appeal/decision", {"outcome": "dismissed", "reason": "管委会维持原处理决定"}, page=url)
    assert "申诉不成立，维持原处理决定" in client.get(r.headers["location"]).text
    r = post_form(client, f"{url}/review", {"kind": "litigation", "filed_on": "2026-12-08"}, page=url)
    assert r.status_code == 400 and "不能晚于今天" in r.text
    r = post_form(client, f"{url}/review", {"kind": "litigation", "filed_on": "2026-12-07"}, page=url)
    page = client.get(r.headers["location"]).text
    assert "行政复议或诉讼中" in page and "登记行政诉讼结果" in page
    r = post_form(client, f"{url}/review/result", {"result": "判决驳回诉讼请求", "closed_on": "2026-12-07"},
                  files=[("files", ("判决书.pdf", PDF, "application/pdf"))], page=url)
    page = client.get(r.headers["location"]).text
    assert "已终结" in page and "判决驳回诉讼请求" in page and "判决书.pdf" in page and "复议或诉讼文书" in page
    for step in ("提出异议", "部门核查异议", "作出异议处理决定", "提出申诉", "记录申诉决定", "记录复议或诉讼结果"):
        assert step in page  # the timeline, from the audit trail


def test_applicant_adds_evidence_then_withdraws(client, world, pinned, platform):
    as_user(client, "xinghe")
    oid = objection_id(file_objection(client, world["records"]["scjg_public"]))
    url = f"/objections/{oid}"
    r = post_form(client, f"{url}/evidence", {}, files=[("files", ("说明.txt", b"plain text", "text/plain"))], page=url)
    assert r.status_code == 400 and "不是 PDF 或图片" in r.text
    assert row_counts(platform.uow, Evidence) == (0,)
    r = post_form(client, f"{url}/evidence", {}, files=[("files", ("补充.png", PNG, "image/png"))], page=url)
    assert r.status_code == 303 and "补充.png" in client.get(url).text
    r = post_form(client, f"{url}/withdraw", {}, page=url)
    page = client.get(r.headers["location"]).text
    assert "异议已撤回" in page and "已撤回" in page and "撤回异议</button>" not in page
    assert "异议处理中</a>" not in client.get(f"/entities/{world['company'].id}").text
    r = post_form(client, f"{url}/withdraw", {}, page=url)  # again: refused, said at the top of the page
    assert r.status_code == 409 and "不能撤回" in r.text


def test_a_department_asks_another_to_verify_its_public_record(client, world, pinned):  # 003 §18, 002 二(四)4
    as_user(client, "sthj_jbr")
    page = client.get(f"/entities/{world['company'].id}").text
    scjg, own = world["records"]["scjg_public"], world["records"]["sthj_public"]
    assert f'href="/objections/new?record_id={scjg}" title="发现该信息有误的，提请记录部门核实">提请核实</a>' in page
    assert f"/objections/new?record_id={own}" not in page  # its own record it corrects itself
    r = client.get(f"/objections/new?record_id={own}")
    assert r.status_code == 400 and "本部门记录有误的，请直接更正" in r.text
    form = client.get(f"/objections/new?record_id={scjg}").text
    assert "提请核实" in form and "可以书面提请记录部门核实" in form
    oid = objection_id(file_objection(client, scjg))
    mine = client.get("/objections?role=mine").text
    assert "本部门提请核实的异议" in mine and f'href="/objections/{oid}"' in mine
    assert f'href="/objections/{oid}"' not in client.get("/objections?role=tasks").text
    as_user(client, "xinghe")  # the entity's own list shows what the entity filed, not a department's
    assert f'href="/objections/{oid}"' not in client.get("/objections").text
    page = client.get(f"/entities/{world['company'].id}").text  # marked, not linked, and not filed twice
    assert '<span class="tag tag-warn" title="处理期间照常使用和公示">异议处理中</span>' in page
    assert f'href="/objections/{oid}"' not in page and f"/objections/new?record_id={scjg}" not in page
    form = client.get(f"/objections/new?record_id={scjg}").text
    assert "该记录已有相关方提出的异议正在处理" in form and f"#{oid}" not in form


def test_entity_objects_to_a_list_entry_in_force(client, joint, pinned):  # R-OBJ-1: 被列入或未被移出名单
    as_user(client, "xinghe")
    page = client.get(f"/entities/{joint['company'].id}").text
    link = f"/objections/new?target=list_entry&amp;list_entry_id={joint['entry_id']}"
    assert 'id="list-entries"' in page and "严重失信主体（黑名单）" in page and link in page
    form = client.get(link.replace("&amp;", "&")).text
    assert form.count('name="ground"') == 3 and "京开市监信认〔2026〕3号" in form
    r = post_form(client, "/objections/new", {"target": "list_entry", "list_entry_id": str(joint["entry_id"]),
                                              "ground": "wrong_listing", "statement": "罚款已全部缴清，不符合列入条件"})
    page = client.get(r.headers["location"]).text
    assert "不符合条件被列入名单，或者应移出而未移出" in page and "名单记录 #" in page
    assert "异议处理中</a>" in client.get(f"/entities/{joint['company'].id}").text


def test_accountability_for_the_credit_office_and_the_auditor_only(client, world, pinned, objection_flow):  # 000 §29
    late = objection_flow.file("entity", world["records"]["sthj_public"], day=dt.date(2026, 11, 2))
    for username in ("xyb", "sj"):
        as_user(client, username)
        page = client.get("/objections/accountability").text
        assert "逾期异议与各部门处理情况" in page and f'href="/objections/{late}"' in page
        assert "北京经济技术开发区生态环境局" in page and '<span class="tag tag-bad">1</span>' in page
    assert "逾期异议与各部门处理情况" in client.get("/").text  # the auditor's home links to it
    queue = client.get("/objections").text  # and it reads every objection, with nothing of the office's forms
    assert f'href="/objections/{late}"' in queue and "待处理</span>" not in queue
    assert "作出处理决定</button>" not in client.get(f"/objections/{late}").text
    as_user(client, "scjg_jbr")
    assert client.get("/objections/accountability").status_code == 403


def test_an_appeal_upheld_sends_the_department_to_correct_its_record(client, world, pinned, objection_flow):  # R-OBJ-6
    rid = world["records"]["scjg_public"]
    oid = objection_flow.file("entity", rid)
    objection_flow.verify("officer", oid, "correct", reason="原记录无误")
    objection_flow.decide("admin", oid, "not_upheld", reason="维持原信息")
    as_user(client, "scjg_jbr")
    assert "前往更正记录" not in client.get(f"/objections/{oid}").text
    objection_flow.appeal("entity", oid)
    objection_flow.decide_appeal("admin", oid, "upheld")
    page = client.get(f"/objections/{oid}").text
    assert "申诉成立，撤销原处理决定" in page and f'href="/records/{rid}">前往更正记录</a>' in page
    assert "待记录部门更正" in page

"""No legitimate change breaks the audit chain (R-REV-4, R-SEC-3; issue 17).

Every write operation of the API (POST/PUT/PATCH/DELETE in the OpenAPI description) is called once,
validly and successfully, against one realistic zone; then the CLI's write commands run against the
same database. After each step the chain is verified in-process, so that a break names the step that
caused it; at the end `xinyong audit verify` must exit 0 as well.

Before issue 17, adopting a grading model deactivated the others with a bulk UPDATE that attested
nothing, and `audit verify` reported those rows as changed behind the platform's back. This test
drives every path a clerk, an entity or the operator can take, so that no such path can come back
unnoticed: a new write route without an entry in ``OPS`` fails ``test_the_table_covers_every_write_operation``.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select

from tests.grading.test_dimensions import scores_csv
from tests.ingest.builders import MARKET_BUREAU_USCC, PENALTY_HEADERS, penalty, write_csv
from tests.ingest.conftest import SAME_NAME, name_only
from tests.records.conftest import penalty_in
from tests.records.test_api import body as record_body  # a penalty as a department's own system sends it
from xinyong.accounts import service as accounts
from xinyong.accounts.models import Department
from xinyong.accounts.permissions import SYSTEM
from xinyong.audit.models import AuditEvent
from xinyong.audit.verify import verify
from xinyong.grading import service as grading
from xinyong.grading.model import preset_path
from xinyong.ingest import service as ingest
from xinyong.ingest.models import HeldRow
from xinyong.kit.clock import today
from xinyong.objections import service as objections
from xinyong.objections.schemas import ObjectionCreate
from xinyong.records import service as records
from xinyong.records.models import Record

WRITE_METHODS = {"post", "put", "patch", "delete"}
SCJG = "北京经济技术开发区市场监督管理局"
STHJ = "北京经济技术开发区生态环境局"
FGW = "北京经济技术开发区发展改革局"
CZJ = "北京经济技术开发区财政局"
TOML = {"Content-Type": "application/toml"}
NINE_LEVELS = preset_path("regional_nine_levels").read_text(encoding="utf-8")


@dataclass
class Call:
    """One request: who makes it (a key of ``World.headers``; None: the public, no login) and what it sends."""

    role: str | None
    path: dict[str, Any] = field(default_factory=dict)
    json: Any = None
    files: dict | None = None
    content: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)
    params: dict[str, Any] = field(default_factory=dict)
    # background work the call started (a grading run, a job): waited for before the chain is checked
    wait: Callable[[Any, World, Any], None] | None = None


class World:
    """The zone, plus every answer so far (``got[(METHOD, path)]``) for the builders that follow."""

    def __init__(self) -> None:
        self.headers: dict[str, dict[str, str]] = {}
        self.got: dict[tuple[str, str], Any] = {}

    def __getitem__(self, op: tuple[str, str]) -> Any:
        return self.got[op]


def _wait_run(client, w: World, response) -> None:
    run_id = response.json()["run_id"]
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        run = client.get(f"/api/v1/grading/runs/{run_id}", headers=w.headers["admin"]).json()
        if run["status"] != "running":
            assert run["status"] == "succeeded", run
            return
        time.sleep(0.05)
    raise AssertionError("the grading run did not finish")


def _wait_job(client, w: World, response) -> None:
    name = response.json()["job"]
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        runs = client.get(f"/api/v1/jobs/{name}/runs", headers=w.headers["admin"]).json()["items"]
        if runs and runs[0]["status"] != "running":
            assert runs[0]["status"] == "succeeded", runs[0]
            return
        time.sleep(0.05)
    raise AssertionError(f"the job {name} did not finish")


P = "/api/v1"
RECORDS = ("POST", f"{P}/records")
BATCH = ("POST", f"{P}/records/batch")
ACTIONS = ("POST", f"{P}/actions")
DETERMINE = ("POST", f"{P}/lists/determinations")


def _objection(w: World) -> dict:
    return {"objection_id": w[("POST", f"{P}/objections")]["id"]}


def _task(w: World, dept: str) -> dict:
    return {"action_id": w[ACTIONS]["id"],
            "task_id": next(t["id"] for t in w[ACTIONS]["tasks"] if t["department_id"] == w.dept[dept].id)}


# (METHOD, path template) → a builder of one valid call. The order is the order they run in: a record is
# drafted before it is submitted, a list entry determined before an action rests on it.
OPS: dict[tuple[str, str], Callable[[World], Call]] = {
    # accounts
    ("POST", f"{P}/departments"): lambda w: Call("admin", json={"uscc": w.new_dept_uscc, "name": "北京经济技术开发区商务金融局"}),
    ("POST", f"{P}/users"): lambda w: Call("admin", json={
        "username": "swj_jbr", "password": "correct-horse-9", "role": "officer", "department_uscc": w.new_dept_uscc}),
    ("POST", f"{P}/tokens"): lambda w: Call("auditor", json={"name": "日志导出", "days": 30}),
    ("DELETE", f"{P}/tokens/{{token_id}}"): lambda w: Call("auditor", path={"token_id": w[("POST", f"{P}/tokens")]["id"]}),
    # entities
    ("POST", f"{P}/entities"): lambda w: Call("officer", json={
        "uscc": w.new_entity_uscc, "name": "北京亦庄新登记科技有限公司", "legal_representative": "周新",
        "related_persons": [{"role": "legal_representative", "name": "周新", "id_number": w.person_id}]}),
    ("POST", f"{P}/entities/{{code}}/related-persons"): lambda w: Call("officer", path={"code": w.company.uscc}, json={
        "role": "senior_manager", "name": "李晓梅", "position": "副总经理"}),
    ("POST", f"{P}/entities/search"): lambda w: Call("officer", json={"q": "星河"}),
    ("POST", f"{P}/entities/lookup"): lambda w: Call("officer", json={"code": w.company.uscc}),
    # the credit check of a natural person: the ID number in the body (R-SEC-2, R-MEA-3)
    ("POST", f"{P}/entities/check"): lambda w: Call("officer", json={"code": w.person_id, "matter": "procurement"}),
    # records: draft → submit → (another department's) approve → return → resubmit → batch → accept → correct → revoke
    RECORDS: lambda w: Call("officer", json=record_body(w.company.uscc, "京开市监罚〔2026〕201号", draft=True)),
    ("POST", f"{P}/records/{{record_id}}/submit"): lambda w: Call("officer", path={"record_id": w[RECORDS]["id"]}),
    ("POST", f"{P}/records/{{record_id}}/approve"): lambda w: Call("sthj_reviewer", path={"record_id": w.awaiting}),
    ("POST", f"{P}/records/{{record_id}}/return"): lambda w: Call("admin", path={"record_id": w[RECORDS]["id"]},
                                                                 json={"reason": "违法事实过于简略"}),
    ("POST", f"{P}/records/{{record_id}}/resubmit"): lambda w: Call("officer", path={"record_id": w[RECORDS]["id"]}, json={
        "content": {"violation_facts": "在其网站发布含有虚假内容的广告"}, "reason": "已补充违法事实"}),
    BATCH: lambda w: Call("officer", headers={"Idempotency-Key": "every-write-batch-1"}, json={"records": [
        record_body(w.company.uscc, "京开市监罚〔2026〕211号"), record_body(w.other.uscc, "京开市监罚〔2026〕212号")]}),
    ("POST", f"{P}/records/accept"): lambda w: Call("admin", json={"ids": [w[RECORDS]["id"], w.awaiting,
                                                                          *w[BATCH]["accepted"]]}),
    ("POST", f"{P}/records/{{record_id}}/correct"): lambda w: Call("officer", path={"record_id": w[RECORDS]["id"]}, json={
        "content": {"penalty_content": "罚款人民币2.5万元", "fine_amount": "2.5"}, "reason": "罚款金额录入有误"}),
    ("POST", f"{P}/records/{{record_id}}/revoke"): lambda w: Call("officer", path={"record_id": w[BATCH]["accepted"][1]},
                                                                 json={"reason": "行政复议决定撤销原处罚"}),
    ("POST", f"{P}/records/{{record_id}}/fulfilment"): lambda w: Call("officer", path={"record_id": w.public_record}, json={
        "fulfilment": "fulfilled", "fulfilled_on": (today() - dt.timedelta(days=10)).isoformat()}),
    ("POST", f"{P}/records/{{record_id}}/shortenings"): lambda w: Call("entity", path={"record_id": w.public_record}, json={
        "months": 3, "fulfilled_on": (today() - dt.timedelta(days=10)).isoformat(), "reason": "罚款已缴清，整改完毕"}),
    ("POST", f"{P}/shortenings/{{application_id}}/decide"): lambda w: Call("officer", path={
        "application_id": w[("POST", f"{P}/records/{{record_id}}/shortenings")]["id"]}, json={"approve": True}),
    # objections (R-OBJ-1…6): a department's withdrawn, then the company's through every stage
    ("POST", f"{P}/objections/{{objection_id}}/withdraw"): lambda w: Call("fgw_officer", path={
        "objection_id": w.department_objection}),
    ("POST", f"{P}/objections"): lambda w: Call("entity", json={
        "record_id": w.public_record, "ground": "inaccurate", "statement": "处罚金额与决定书不符"}),
    ("POST", f"{P}/objections/{{objection_id}}/evidence"): lambda w: Call("entity", path=_objection(w), files={
        "file": ("决定书.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")}),
    ("POST", f"{P}/objections/{{objection_id}}/verification"): lambda w: Call("officer", path=_objection(w), json={
        "finding": "correct", "reason": "经核对原始卷宗，金额无误"}),
    ("POST", f"{P}/objections/{{objection_id}}/decision"): lambda w: Call("admin", path=_objection(w), json={
        "outcome": "not_upheld", "reason": "部门核查信息无误"}),
    ("POST", f"{P}/objections/{{objection_id}}/appeal"): lambda w: Call("entity", path=_objection(w), json={
        "statement": "对处理结果不服"}),
    ("POST", f"{P}/objections/{{objection_id}}/appeal/decision"): lambda w: Call("admin", path=_objection(w), json={
        "outcome": "dismissed", "reason": "管委会维持原处理决定"}),
    ("POST", f"{P}/objections/{{objection_id}}/review"): lambda w: Call("admin", path=_objection(w), json={
        "kind": "reconsideration", "filed_on": today().isoformat()}),
    ("POST", f"{P}/objections/{{objection_id}}/review/result"): lambda w: Call("admin", path=_objection(w), json={
        "result": "复议机关维持", "closed_on": today().isoformat()}),
    # the match queue: rows of an import that only a name identified
    ("POST", f"{P}/records/held/{{held_id}}/match"): lambda w: Call("officer", path={"held_id": w.held[0]},
                                                                    json={"entity_id": w.same_name[0].id}),
    ("POST", f"{P}/records/held/{{held_id}}/dismiss"): lambda w: Call("officer", path={"held_id": w.held[1]},
                                                                      json={"reason": "当事人信息不全，退回原系统核实"}),
    # consents
    ("POST", f"{P}/me/consents"): lambda w: Call("entity", json={
        "grantee_uscc": w.dept["sthj"].uscc, "purpose": "办理排污许可变更，核查企业信用状况",
        "valid_to": (today() + dt.timedelta(days=90)).isoformat()}),
    ("POST", f"{P}/me/consents/{{consent_id}}/revoke"): lambda w: Call("entity", path={
        "consent_id": w[("POST", f"{P}/me/consents")]["id"]}),
    # grading: a full run, external scores, a review and its answer, what-if, a model added and adopted
    ("POST", f"{P}/grading/runs"): lambda w: Call("admin", json={}, wait=_wait_run),
    ("POST", f"{P}/grading/scores"): lambda w: Call("admin", files={"file": ("三季度评分.csv", w.scores_csv, "text/csv")}),
    ("POST", f"{P}/grading/what-if"): lambda w: Call("admin", content=NINE_LEVELS.encode(), headers=TOML),
    # issue 17, defect 1: add_version(activate=True) and adopt each deactivated the other models unattested
    ("POST", f"{P}/grading/models"): lambda w: Call(
        "admin", params={"activate": "true"}, headers=TOML,
        content=NINE_LEVELS.replace("version = 1", "version = 2", 1).encode()),
    ("POST", f"{P}/grading/models/{{model_id}}/adopt"): lambda w: Call("admin", path={"model_id": w.reference_model}),
    ("POST", f"{P}/grading/models/{{model_id}}/publication"): lambda w: Call(
        "admin", path={"model_id": w.reference_model},
        json={"publication": "specified", "audience": [w.dept["scjg"].uscc, w.dept["sthj"].uscc]}),
    # lists and joint actions: determined, acted on, answered, corrected, ended, urged to lift, lifted
    DETERMINE: lambda w: Call("officer", json={
        "entity_code": w.company.uscc, "list": "black", "document_number": "京开市监信认〔2026〕3号",
        "basis_text": "《食品安全法》第一百三十四条：一年内累计三次因违法受到罚款处罚，认定为严重失信主体",
        "decided_on": "2026-01-05"}),
    ACTIONS: lambda w: Call("officer", json={
        "entity_code": w.company.uscc, "entry_id": w[DETERMINE]["id"], "measure_codes": ["etdz_limit_subsidy"],
        "department_ids": [w.dept["fgw"].id, w.dept["czj"].id], "reason": "严重失信，实施联合惩戒"}),
    ("POST", f"{P}/actions/{{action_id}}/tasks/{{task_id}}/answer"): lambda w: Call(
        "fgw_officer", path=_task(w, "fgw"), json={"status": "executed", "note": "已限制申请补贴"}),
    ("POST", f"{P}/actions/{{action_id}}/tasks/{{task_id}}/correct"): lambda w: Call(
        "fgw_officer", path=_task(w, "fgw"), json={"status": "executed", "note": "已限制申请2026年度产业补贴"}),
    ("POST", f"{P}/lists/entries/{{entry_id}}/end"): lambda w: Call(
        "officer", path={"entry_id": w[DETERMINE]["id"]}, json={"reason": "repaired", "note": "已完成信用修复"}),
    ("POST", f"{P}/actions/{{action_id}}/tasks/{{task_id}}/urge"): lambda w: Call(
        "officer", path=_task(w, "fgw"), json={"note": "依据已终止，请及时解除"}),
    ("POST", f"{P}/actions/{{action_id}}/tasks/{{task_id}}/lift"): lambda w: Call(
        "fgw_officer", path=_task(w, "fgw"), json={"note": "已解除限制"}),
    # the measures catalog
    ("POST", f"{P}/measures"): lambda w: Call("admin", json={
        "code": "etdz_expo_priority", "name": "优先推荐参加区内展会", "kind": "incentive",
        "basis": "经开区诚信管理办法第三十一条第（六）项", "triggers": [{"model": "etdz_reference", "grades": ["A"]}],
        "matters": ["honours"], "departments": ["商务金融局"]}),
    ("PUT", f"{P}/measures/{{code}}"): lambda w: Call("admin", path={"code": "etdz_expo_priority"}, json={
        "triggers": [{"lists": ["red"]}], "change_note": "仅限诚信典型"}),
    ("POST", f"{P}/measures/{{code}}/retire"): lambda w: Call("admin", path={"code": "etdz_expo_priority"},
                                                             json={"change_note": "展会项目停办"}),
    # the catalog
    ("PATCH", f"{P}/catalog/types/{{code}}"): lambda w: Call("admin", path={"code": "other_bad"}, json={
        "usage_scope": "仅供信用办和作出决定的部门内部使用", "change_note": "明确使用范围"}),
    # a scheduled job run now: sealing the query log the searches above wrote
    ("POST", f"{P}/jobs/{{name}}/run"): lambda w: Call("admin", path={"name": "access.seal_query_log"}, wait=_wait_job),
    # the public query: no login
    ("POST", f"{P}/public/lookup"): lambda w: Call(None, json={"id_number": w.person_id}),
}

# Operations that legitimately write nothing audited: each answers without changing a row the chain binds.
WRITES_NOTHING_AUDITED = {
    ("POST", f"{P}/entities/search"): "a search in the body (so that an ID number stays out of URLs); reads only",
    ("POST", f"{P}/entities/lookup"): "one entity by code in the body; reads only (the query log is not on the chain)",
    ("POST", f"{P}/entities/check"): "a credit check; on the query log, a chain of its own that the seal job binds",
    ("POST", f"{P}/grading/what-if"): "a draft model beside the active one; R-GRD-7 says nothing is written",
    ("POST", f"{P}/public/lookup"): "the public query of a person by ID number; reads only",
}


def _ops_in(openapi: dict) -> set[tuple[str, str]]:
    return {(method.upper(), path) for path, item in openapi["paths"].items() for method in item if method in WRITE_METHODS}


def test_the_table_covers_every_write_operation(app):  # R-REV-4, issue 17
    described = _ops_in(app.openapi())
    missing, stale = sorted(described - set(OPS)), sorted(set(OPS) - described)
    assert not missing, ("write operations without an entry in OPS (tests/audit/test_every_write.py): add a builder "
                         f"of one valid call for each, so that the audit chain is checked after it: {missing}")
    assert not stale, f"OPS names operations the API no longer has: remove them: {stale}"
    assert set(WRITES_NOTHING_AUDITED) <= set(OPS)


# ---- the zone ------------------------------------------------------------------------------------------

def _zone(client, make, uow, bearer, platform, tmp_path) -> World:
    """Departments (one that approves its own submissions), companies, two same-named shops, a person, a user
    of every role with a token, an accepted public penalty, a record awaiting approval, two held rows."""
    w = World()
    with uow(actor=SYSTEM) as s:
        # the market bureau's USCC is the one the 双公示 rows below carry as their authority
        scjg = accounts.create_department(s, actor=SYSTEM, uscc=MARKET_BUREAU_USCC, name=SCJG)
    sthj = make.department(STHJ)
    with uow(actor=SYSTEM) as s:  # R-REV-1: this department's reviewer approves before the credit office sees it
        s.get(Department, sthj.id).requires_approval = True
    w.dept = {"scjg": scjg, "sthj": sthj, "fgw": make.department(FGW), "czj": make.department(CZJ),
              "office": make.department("北京经济技术开发区信用办", credit_office=True)}
    w.company = make.entity("北京亦庄星河精密制造有限公司", legal_representative="王建国")
    w.other = make.entity("北京亦庄晨光电子有限公司")
    w.same_name = [make.entity(SAME_NAME, uscc=make.uscc("92"), legal_representative="张建国"),
                   make.entity(SAME_NAME + " ", uscc=make.uscc("92"), legal_representative="张立")]
    w.person_id = make.id_number("19800101")
    make.entity("王小明", id_number=w.person_id)
    w.new_dept_uscc, w.new_entity_uscc = make.uscc("11"), make.uscc()
    users = {
        "officer": make.user("officer", "scjg_jbr", department=scjg),
        "sthj_officer": make.user("officer", "sthj_jbr", department=sthj),
        "sthj_reviewer": make.user("reviewer", "sthj_shr", department=sthj),
        "fgw_officer": make.user("officer", "fgw_jbr", department=w.dept["fgw"]),
        "admin": make.user("admin", "xyb", department=w.dept["office"]),
        "auditor": make.user("auditor", "sj"),
        "entity": make.user("entity", "xinghe", entity=w.company),
    }
    w.headers = {role: bearer(u) for role, u in users.items()}
    actors = {role: make.actor(u) for role, u in users.items()}

    day = today() - dt.timedelta(days=30)
    public_in = penalty_in(w.company, document_number="京开市监罚〔2026〕11号", decision_date=day)
    public_in.content["valid_to"] = (day + dt.timedelta(days=365)).isoformat()
    with uow(actor=actors["officer"]) as s:
        w.public_record = records.create(s, actor=actors["officer"], record_in=public_in).id
    with uow(actor=actors["admin"]) as s:
        records.accept(s, actor=actors["admin"], records=[s.get(Record, w.public_record)])
    with uow(actor=actors["fgw_officer"]) as s:  # a department objects to another's record (003 §18)
        w.department_objection = objections.file(s, actor=actors["fgw_officer"], objection_in=ObjectionCreate(
            record_id=w.public_record, ground="inaccurate", statement="实施措施时发现处罚金额与决定书不符")).id
    with uow(actor=actors["sthj_officer"]) as s:  # waits for its department's reviewer
        w.awaiting = records.create(s, actor=actors["sthj_officer"], record_in=penalty_in(
            w.other, document_number="京开环罚〔2026〕21号", decision_date=day, authority=STHJ)).id

    # two rows that only a name identifies, and two entities answer to it: both wait in the match queue
    rows = [name_only(行政处罚决定书文号="京经开市监罚〔2026〕41号"), name_only(行政处罚决定书文号="京经开市监罚〔2026〕42号")]
    path = write_csv(tmp_path / "names.csv", PENALTY_HEADERS, rows)
    report = ingest.import_file(platform, str(path), actor=ingest.import_actor(platform, MARKET_BUREAU_USCC)).report
    assert report.held == 2, report
    with uow(write=False) as s:
        w.held = sorted(s.scalars(select(HeldRow.id)))
    w.scores_csv = scores_csv({"company": w.company, "other": w.other}, make.uscc())
    # a credit check is on the query log (R-PUB-3): what the seal job binds to the chain
    r = client.get(f"/api/v1/entities/{w.company.uscc}/check", params={"matter": "procurement"}, headers=w.headers["officer"])
    assert r.status_code == 200, r.text
    return w


def _seq(uow) -> int:
    with uow(write=False) as s:
        return s.scalar(select(func.coalesce(func.max(AuditEvent.seq), 0)))


def _chain_problems(uow, platform) -> list[str]:
    with uow(write=False) as s:
        return verify(s, platform.keyring).problems


def _send(client, w: World, method: str, template: str, call: Call):
    path = template.format(**call.path)
    headers = (w.headers[call.role] if call.role else {}) | call.headers
    kwargs: dict[str, Any] = {"headers": headers, "params": call.params}
    if call.json is not None:
        kwargs["json"] = call.json
    if call.files is not None:
        kwargs["files"] = call.files
    if call.content is not None:
        kwargs["content"] = call.content
    return client.request(method, path, **kwargs)


# ---- the CLI ---------------------------------------------------------------------------------------------

def _cli_steps(xinyong, tmp_path, make, w: World) -> list[tuple[tuple[str, ...], bool]]:
    dept = make.uscc("11")
    data = {"year": 2027, "source": "测试用 2027 年安排（非官方）",
            "holidays": [{"name": "元旦", "dates": ["2027-01-01", "2027-01-02", "2027-01-03"]}], "makeup_workdays": []}
    (tmp_path / "2027.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    write_csv(tmp_path / "penalties.csv", PENALTY_HEADERS, [penalty(行政处罚决定书文号="京经开市监罚〔2026〕51号")])
    (tmp_path / "scores.csv").write_bytes(
        f"统一社会信用代码,维度,分值,来源,评价日期\n{w.company.uscc},third_party,690,北京某信用评级有限公司,2026-08-01\n".encode())
    listed = xinyong("jobs", "list", "--json")
    assert listed.returncode == 0, listed.stderr
    jobs = [j["name"] for j in json.loads(listed.stdout)]
    assert len(jobs) >= 4, jobs
    # (command, whether it must leave an audit event): `init` on an up-to-date database, a checkpoint (a signed
    # tree head, not an event), a job with nothing to do and a backup legitimately add none
    return [
        (("init",), False),
        (("department", "create", dept, "北京经济技术开发区城市运行局"), True),
        (("user", "create", "cyj_jbr", "--role", "officer", "--department", dept, "--password", "correct-horse-9"), True),
        (("token", "create", "cyj_jbr", "--days", "30"), True),
        (("import", str(tmp_path / "penalties.csv"), "--department", MARKET_BUREAU_USCC), True),
        (("grade",), True),
        (("scores", str(tmp_path / "scores.csv")), True),
        (("calendar", "load", str(tmp_path / "2027.json")), True),
        (("audit", "checkpoint"), False),
        *((("jobs", "run", name), False) for name in jobs),
        (("backup", str(tmp_path / "backup.xinyong")), False),
    ]


# ---- the property ----------------------------------------------------------------------------------------

def test_no_legitimate_change_breaks_the_audit_chain(client, app, make, uow, bearer, platform, xinyong, tmp_path):
    """R-REV-4, issue 17: every write of the API and the CLI, each answering 2xx / exit 0, and then
    `audit verify` is green; each API write that changes anything leaves at least one event."""
    assert _ops_in(app.openapi()) == set(OPS), "see test_the_table_covers_every_write_operation"
    w = _zone(client, make, uow, bearer, platform, tmp_path)
    with uow(write=False) as s:
        w.reference_model = next(v.id for v in grading.versions(s) if v.code == "etdz_reference")
    assert not _chain_problems(uow, platform), "the zone itself must verify"

    broken: list[str] = []  # steps after which the chain no longer verified
    silent: list[str] = []  # writes that left no event
    for (method, template), build in OPS.items():
        call = build(w)
        before = _seq(uow)
        r = _send(client, w, method, template, call)
        assert 200 <= r.status_code < 300, f"{method} {template} as {call.role}: {r.status_code} {r.text}"
        w.got[(method, template)] = r.json() if r.content else None
        if call.wait:
            call.wait(client, w, r)
        if _seq(uow) == before and (method, template) not in WRITES_NOTHING_AUDITED:
            silent.append(f"{method} {template}")
        if problems := _chain_problems(uow, platform):
            broken.append(f"{method} {template}: {problems[0]}")
            break  # what follows would only repeat the first break

    if not broken:
        for args, writes in _cli_steps(xinyong, tmp_path, make, w):
            before = _seq(uow)
            r = xinyong(*args)
            assert r.returncode == 0, f"xinyong {' '.join(args)}: exit {r.returncode}\n{r.stdout}\n{r.stderr}"
            if writes and _seq(uow) == before:
                silent.append(f"xinyong {' '.join(args)}")
            if problems := _chain_problems(uow, platform):
                broken.append(f"xinyong {' '.join(args)}: {problems[0]}")
                break

    assert not broken, f"a legitimate change broke the audit chain: {broken}"
    assert not silent, f"writes that succeeded and left no audit event: {silent}"
    assert not _chain_problems(uow, platform)
    cli = xinyong("audit", "verify", "--json")
    assert cli.returncode == 0 and json.loads(cli.stdout)["ok"], cli.stdout + cli.stderr

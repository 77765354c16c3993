"""`xinyong demo`: a fresh database holding a believable 北京经济技术开发区 — its credit office, eight
departments, a register of market entities with the people behind them, and a login for every role."""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator
from itertools import chain
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, MetaData, inspect

from xinyong.accounts import service as accounts
from xinyong.accounts.permissions import ROLE_LABELS, SYSTEM, Role
from xinyong.bootstrap import initialise
from xinyong.entities.bulk import load_entities
from xinyong.entities.identifiers import mask_id_number, uscc_check_digit
from xinyong.kit.db import is_sqlite
from xinyong.kit.errors import Conflict
from xinyong.kit.platform import Platform

from . import names as words
from .generator import INDIVIDUAL_BUSINESS, LEGAL_PERSON, ZoneGenerator, org_code_check
from .objections import seed_objections

DEMO_PASSWORD = "Demo@2026"
# The authority codes the sample 双公示 files carry (xinyong/ingest/samples), so that the
# demo's imported records come from the departments that made the decisions.
SAMPLE_AUTHORITIES = {"scjg": "11110302MB0141592W", "sthj": "11110302MB0265358Y", "yjj": "11110302MB0397932L",
                      "zjj": "11110302MB0458213Q"}
CREDIT_OFFICE = "北京经济技术开发区信用办"

# (username prefix, name): the departments that submit records in the demo zone. The prefixes are
# the initials clerks use (住建局 → zjj). Tax is a vertically managed bureau and carries the State
# Taxation Administration's name.
DEPARTMENTS: tuple[tuple[str, str], ...] = (
    ("scjg", "北京经济技术开发区市场监督管理局"),
    ("swj", "国家税务总局北京经济技术开发区税务局"),
    ("sthj", "北京经济技术开发区生态环境局"),
    ("zjj", "北京经济技术开发区住房和城乡建设局"),
    ("yjj", "北京经济技术开发区应急管理局"),
    ("wlj", "北京经济技术开发区文化和旅游局"),
    ("rsj", "北京经济技术开发区人力资源和社会保障局"),
    ("zscq", "北京经济技术开发区知识产权局"),
)


def reset_database(platform: Platform, *, allow_reset: bool = False) -> None:
    """Throw the platform's database away (see ``wipe``)."""
    wipe(platform.engine, allow_reset=allow_reset)
    platform.dispose()


def wipe(engine: Engine, *, allow_reset: bool = False) -> None:
    """A SQLite file is simply deleted; any other database is emptied only when the operator said
    so (``--reset``) or when it holds no tables at all.

    Takes an engine rather than a platform so that a database whose recorded key is not the one at
    hand (a benchmark's scratch database, say) can be wiped before a platform is built on it.
    """
    if is_sqlite(engine):
        database = engine.url.database
        engine.dispose()
        if database and database != ":memory:" and not database.startswith("file:"):
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(database + suffix).unlink(missing_ok=True)
        return
    tables = inspect(engine).get_table_names()
    if not tables:
        return
    if not allow_reset:
        raise Conflict(f"数据库 {engine.url.render_as_string(hide_password=True)} 已有 {len(tables)} 张表；"
                       "演示区会清空它，确认请加 --reset")
    # Reflected rather than Base.metadata: every table goes, alembic_version and any a newer
    # migration made included, whichever models this process happens to have imported.
    with engine.begin() as conn:
        existing = MetaData()
        existing.reflect(conn)
        existing.drop_all(conn)
    engine.dispose()


def _agency_uscc(rng: random.Random) -> str:
    # 11 = 机关; the zone's bodies are registered under its own admin code
    body8 = f"{rng.randrange(10 ** 8):08d}"
    first17 = "11" + words.ETDZ_ADMIN_CODE + body8 + org_code_check(body8)
    return first17 + uscc_check_digit(first17)


class _Watch:
    """Passes generator rows through to the loader and keeps the few the demo logins need."""

    def __init__(self, people: list[dict[str, Any]]):
        self.people_by_number = {p["id_number"]: p for p in people}
        self.company: dict[str, Any] | None = None
        self.citizen: dict[str, Any] | None = None
        self.citizen_company: dict[str, Any] | None = None

    def rows(self, orgs: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        for org in orgs:
            if self.company is None and self._good_company(org):
                self.company = org
            if self.citizen is None and org["status"] == "存续":
                for person in org["related"]:
                    if person["id_number"] in self.people_by_number:
                        self.citizen = self.people_by_number[person["id_number"]]
                        self.citizen_company = org
                        break
            yield org

    @staticmethod
    def _good_company(org: dict[str, Any]) -> bool:
        # a going concern with a board and shareholders shows the credit file at its fullest
        return (org["kind"] == LEGAL_PERSON and org["status"] == "存续" and org["industry"] in ("C", "I", "M")
                and org["name"].endswith("有限公司") and len(org["related"]) >= 3)


def build_demo(platform: Platform, *, entities: int = 2000, persons: int = 300, seed: int = 20261121,
               allow_reset: bool = False) -> list[dict[str, Any]]:
    """A fresh demo zone; returns the logins to print: username, password, role, role_label, note."""
    reset_database(platform, allow_reset=allow_reset)
    initialise(platform)

    rng = random.Random(f"{seed}:staff")
    staff = ZoneGenerator(seed + 1)
    with platform.uow(actor=SYSTEM) as session:
        office = accounts.create_department(session, actor=SYSTEM, uscc=_agency_uscc(rng), name=CREDIT_OFFICE,
                                           is_credit_office=True)
        departments = {short: accounts.create_department(session, actor=SYSTEM, name=name,
                                                         uscc=SAMPLE_AUTHORITIES.get(short) or _agency_uscc(rng))
                       for short, name in DEPARTMENTS}
        office_uscc = office.uscc
        dept_usccs = {short: (d.uscc, d.name) for short, d in departments.items()}

    gen = ZoneGenerator(seed)
    people = gen.natural_persons(persons)
    watch = _Watch(people)
    load_entities(platform, chain(people, watch.rows(gen.organisations(entities, persons=people))), source="demo")

    logins: list[dict[str, Any]] = []

    def login(session, username: str, role: Role, note: str, *, display_name: str, department_uscc: str | None = None,
              entity_code: str | None = None) -> None:
        accounts.create_user(session, actor=SYSTEM, username=username, password=DEMO_PASSWORD, role=role,
                             display_name=display_name, department_uscc=department_uscc, entity_code=entity_code)
        logins.append({"username": username, "password": DEMO_PASSWORD, "role": role.value,
                       "role_label": ROLE_LABELS[role], "note": note})

    with platform.uow(actor=SYSTEM) as session:
        login(session, "admin", Role.ADMIN, CREDIT_OFFICE, display_name=staff.person_name(male=False),
              department_uscc=office_uscc)
        login(session, "auditor", Role.AUDITOR, "纪检监察：只读审计日志与查询日志", display_name=staff.person_name(male=True))
        scjg_uscc, scjg_name = dept_usccs["scjg"]
        login(session, "scjg_officer", Role.OFFICER, scjg_name, display_name=staff.person_name(male=True),
              department_uscc=scjg_uscc)
        login(session, "scjg_reviewer", Role.REVIEWER, f"{scjg_name}（科室负责人，审核报送）",
              display_name=staff.person_name(male=False), department_uscc=scjg_uscc)
        for short, (uscc, name) in dept_usccs.items():
            if short != "scjg":
                login(session, f"{short}_officer", Role.OFFICER, name, display_name=staff.person_name(male=rng.random() < 0.5),
                      department_uscc=uscc)
        company = watch.company or _any_company(session)
        if company is not None:
            login(session, "company", Role.ENTITY, f"{company['name']}（{company['uscc']}）",
                  display_name=company["name"], entity_code=company["uscc"])
        if watch.citizen is not None:
            citizen = watch.citizen
            where = f"，{watch.citizen_company['name']}的{_role_word(watch.citizen_company, citizen)}"
            login(session, "citizen", Role.ENTITY, f"自然人 {citizen['name']}（{mask_id_number(citizen['id_number'])}）{where}",
                  display_name=citizen["name"], entity_code=citizen["id_number"])
        elif people:
            citizen = people[0]
            login(session, "citizen", Role.ENTITY, f"自然人 {citizen['name']}（{mask_id_number(citizen['id_number'])}）",
                  display_name=citizen["name"], entity_code=citizen["id_number"])
    _seed_records(platform, dept_usccs, company["uscc"] if company else None)
    _seed_grading(platform, company["uscc"] if company else None)
    _seed_sanctions(platform)
    seed_objections(platform, company["uscc"] if company else None)  # on the records, lists and grades above
    return logins


def _seed_records(platform: Platform, dept_usccs: dict[str, tuple[str, str]], company_uscc: str | None) -> None:
    """Records as a working week leaves them: two departments' 双公示 files imported, most of it
    accepted by the credit office, two records returned with reasons, a few still in the queue,
    and a commendation in the demo company's own file."""
    import datetime as dt
    from importlib import resources

    from sqlalchemy import select

    from xinyong.accounts.models import Department, User
    from xinyong.ingest import runs
    from xinyong.ingest.service import import_actor
    from xinyong.records import service as records
    from xinyong.records.models import Record, Status
    from xinyong.records.schemas import RecordCreate

    samples = resources.files("xinyong.ingest").joinpath("samples")
    with platform.uow(write=False) as session:
        office = session.scalars(select(Department).where(Department.is_credit_office.is_(True))).one().uscc
    # The credit office gathers both files; each row goes to the department that decided it (listed in 导入记录)
    for sample in ("penalties.csv", "licences.xlsx"):
        actor = import_actor(platform, office)
        runs.execute(platform, runs.start(platform, actor, sample), str(samples / sample), actor=actor)
    with platform.uow(actor=SYSTEM) as session:
        admin = accounts.actor_for(session.scalars(select(User).where(User.username == "admin")).one())
        queue = list(session.scalars(select(Record).where(Record.status == Status.SUBMITTED).order_by(Record.id)))
        returns = {0: "违法事实表述过于简略，请补充当事人的具体违法行为和涉案物品",
                   7: "处罚依据未写明具体条款项，请核对后重新报送"}
        for i, record in enumerate(queue[:-3]):  # the last three wait in the review queue
            if i in returns:
                records.return_(session, actor=admin, record=record, reason=returns[i])
            else:
                records.accept(session, actor=admin, records=[record])
        if company_uscc:
            wenlv = accounts.actor_for(session.scalars(select(User).where(User.username == "wlj_officer")).one())
            good = records.create(session, actor=wenlv, record_in=RecordCreate(
                info_type="commendation", entity_code=company_uscc, document_number="京开文旅表〔2026〕5号",
                decision_date=dt.date(2026, 9, 28), authority="北京经济技术开发区文化和旅游局",
                content={"level": "区级", "content": "2026年度文化和旅游诚信经营示范单位"}))
            records.accept(session, actor=admin, records=[good])
    _seed_publicity(platform, company_uscc)
    _seed_held_rows(platform, dept_usccs["scjg"][0])


def _seed_publicity(platform: Platform, company_uscc: str | None) -> None:
    """After publication (R-PUB-4; 优化营商环境条例 §63): one imported penalty its department marks
    unfulfilled, so it stays public past its end; a penalty of the demo company, carried out, with
    the company's application to shorten its publicity waiting for the 市场监管局."""
    import datetime as dt

    from sqlalchemy import select

    from xinyong.accounts.models import Department, User
    from xinyong.records import publicity
    from xinyong.records import service as records
    from xinyong.records.models import Fulfilment, Record, Status
    from xinyong.records.schemas import RecordCreate

    with platform.uow(actor=SYSTEM) as session:
        def as_user(name: str):
            return accounts.actor_for(session.scalars(select(User).where(User.username == name)).one())

        officer, admin = as_user("scjg_officer"), as_user("admin")
        officer_uscc = session.get(Department, officer.department_id).uscc
        penalty = session.scalars(select(Record).where(
            Record.department_id == officer.department_id, Record.status == Status.ACCEPTED,
            Record.public.is_(True)).order_by(Record.id)).first()
        if penalty is not None:
            publicity.set_fulfilment(session, actor=officer, record=penalty, fulfilment=Fulfilment.UNFULFILLED,
                                     fulfilled_on=None, reason="罚款逾期未缴纳，已申请法院强制执行")
        if not company_uscc:
            return
        own = records.create(session, actor=officer, record_in=RecordCreate(
            info_type="penalty", entity_code=company_uscc, document_number="京经开市监罚〔2026〕233号",
            decision_date=dt.date(2026, 8, 12), authority=officer.department_name,
            content={"violation_type": "广告违法行为",
                     "violation_facts": "当事人在其网店发布的商品广告中使用“最佳”等绝对化用语。",
                     "penalty_basis": "《中华人民共和国广告法》第五十七条第（一）项", "penalty_categories": ["罚款"],
                     "penalty_content": "罚款人民币贰万元整", "fine_amount": "2", "valid_to": "2027-08-11",
                     "authority_uscc": officer_uscc, "source_unit": officer.department_name,
                     "source_unit_uscc": officer_uscc}))
        records.accept(session, actor=admin, records=[own])
        publicity.apply(session, actor=as_user("company"), record=own, months=6, fulfilled_on=dt.date(2026, 8, 20),
                        reason="已于2026年8月20日缴清罚款，并已下架、更正全部涉事广告。")


# Two 个体工商户 with one name (a 字号 the generator never uses, so nothing else shares it), and a
# small export whose rows carry only a name: one names both shops, one names a shop not registered.
SAME_NAME_SHOPS = (("北京经济技术开发区老街坊家常菜馆", "张建国", "北京经济技术开发区荣华中路10号院"),
                   ("北京经济技术开发区老街坊家常菜馆", "张立", "北京经济技术开发区亦庄镇小羊坊村东口"))
NAME_ONLY_ROWS = (
    ("北京经济技术开发区老街坊家常菜馆", "京经开市监罚〔2025〕188号",
     "当事人在后厨加工区域未设置有效的防蝇设施，且未按规定留样。",
     "《中华人民共和国食品安全法》第一百二十六条第一款第（五）项", "警告", "警告", "", "2025-10-28"),
    ("亦庄镇老王家常菜馆", "京经开市监罚〔2025〕191号", "当事人从业人员未取得健康证明即从事接触直接入口食品的工作。",
     "《中华人民共和国食品安全法》第一百二十六条第一款第（六）项", "警告；罚款", "警告，罚款人民币伍千元整", "0.5", "2025-11-03"),
)


def _seed_held_rows(platform: Platform, scjg_uscc: str) -> None:
    """Rows that wait for a person (R-ENT-6): the 市场监管局's export names its parties without codes."""
    import csv
    import tempfile

    from xinyong.entities import service as entities
    from xinyong.entities.schemas import EntityCreate
    from xinyong.ingest import runs
    from xinyong.ingest.service import import_actor

    rng = random.Random("demo:held")
    with platform.uow(actor=SYSTEM) as session:
        for name, operator, address in SAME_NAME_SHOPS:
            body8 = f"{rng.randrange(10 ** 8):08d}"
            first17 = "92" + words.ETDZ_ADMIN_CODE + body8 + org_code_check(body8)
            entities.create_entity(session, actor=SYSTEM, entity_in=EntityCreate(
                name=name, uscc=first17 + uscc_check_digit(first17), legal_representative=operator, address=address,
                industry="H", region="亦庄镇", status="存续"))
    bureau = "北京经济技术开发区市场监督管理局"
    headers = ["行政相对人名称", "行政相对人类别", "行政相对人代码_1（统一社会信用代码）", "法定代表人",
               "行政处罚决定书文号", "违法行为类型", "违法事实", "处罚依据", "处罚类别", "处罚内容", "罚款金额（万元）",
               "处罚决定日期", "处罚有效期", "处罚机关", "处罚机关统一社会信用代码", "数据来源单位",
               "数据来源单位统一社会信用代码"]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "餐饮处罚补报.csv"
        with open(path, "w", encoding="utf-8-sig", newline="") as f:
            out = csv.writer(f)
            out.writerow(headers)
            for name, number, facts, basis, categories, content, fine, decided in NAME_ONLY_ROWS:
                ends = f"{int(decided[:4]) + 3}{decided[4:]}"
                out.writerow([name, "个体工商户", "", "", number, "食品安全", facts, basis, categories, content, fine, decided,
                              ends, bureau, scjg_uscc, bureau, scjg_uscc])
        actor = import_actor(platform, scjg_uscc)
        runs.execute(platform, runs.start(platform, actor, path.name), str(path), actor=actor)


def _role_word(org: dict[str, Any], person: dict[str, Any]) -> str:
    for related in org["related"]:
        if related["id_number"] == person["id_number"]:
            if org["kind"] == INDIVIDUAL_BUSINESS:
                return "经营者"
            return related["position"] or {"shareholder": "股东"}.get(related["role"], "关联人员")
    return "关联人员"


def _any_company(session) -> dict[str, Any] | None:
    """When the zone is too small for a company with a full board, any going legal person will do."""
    from sqlalchemy import select

    from xinyong.entities.models import Entity, EntityKind

    row = session.execute(select(Entity.name, Entity.uscc).where(Entity.kind == EntityKind.LEGAL_PERSON)
                          .order_by(Entity.id).limit(1)).first()
    return {"name": row.name, "uscc": row.uscc} if row else None


# ---- grading: records that count, runs with history, an objection to a grade, external scores -------------
# Which department records which kind of record in the demo zone (by the username prefixes above).
_RECORDERS = {
    "licence": ("scjg", "zjj", "sthj", "yjj", "wlj"), "certification": ("scjg",), "intellectual_property": ("zscq",),
    "commendation": ("wlj", "rsj", "scjg", "zscq"), "award": ("rsj", "zscq"), "commitment_fulfilled": ("swj", "scjg"),
    "inspection_result": ("scjg", "sthj", "yjj", "zjj"), "reminder": ("scjg", "swj", "rsj"),
    "penalty": ("scjg", "sthj", "yjj", "zjj"),
    "liability_accident": ("yjj",), "ignored_reminder": ("scjg",),
}
_WORDS = {
    "scjg": "京开市监", "swj": "京开税", "sthj": "京开环", "zjj": "京开建", "yjj": "京开应急", "wlj": "京开文旅",
    "rsj": "京开人社", "zscq": "京开知",
}
_LICENCES = (("食品经营许可证", "食品经营许可决定书", "预包装食品销售、热食类食品制售"),
             ("建筑施工企业安全生产许可证", "安全生产许可决定书", "建筑施工"),
             ("排污许可证", "排污许可决定书", "大气污染物、水污染物排放"),
             ("危险化学品经营许可证", "危险化学品经营许可决定书", "危险化学品（不含剧毒化学品）批发"),
             ("营业性演出许可证", "营业性演出许可决定书", "营业性演出经营"))
_COMMENDATIONS = ("年度诚信经营示范单位", "安全生产先进单位", "守合同重信用企业", "知识产权示范企业", "和谐劳动关系示范单位")
_FACTS = {"general": ("未按规定公示年度报告中的出资信息。", "销售的产品标签标注不规范，未标明生产日期。",
                      "施工现场扬尘防治措施落实不到位。", "未按规定对特种设备进行定期检验。"),
          "serious": ("生产、销售不符合保障人体健康的国家标准的产品。", "超过许可排放浓度排放大气污染物，拒不改正。",
                      "未取得安全生产许可证擅自从事生产活动，发生生产安全事故。")}
# (type, days before today, content changes) for the companies the demo shows at their fullest
_DEMO_COMPANY = (("licence", 560, {}), ("licence", 380, {}), ("certification", 430, {}),
                 ("inspection_result", 220, {"outcome": "发现问题已责令整改"}), ("reminder", 40, {}))
_RED_COMPANY = (("commendation", 340, {"level": "国家级"}), ("commendation", 520, {"level": "市级"}),
                ("commendation", 240, {"level": "市级"}), ("commendation", 400, {"level": "区级"}),
                ("commendation", 90, {"level": "区级"}), ("award", 300, {}), ("licence", 700, {}), ("licence", 600, {}),
                ("licence", 480, {}), ("licence", 150, {}), ("certification", 500, {}), ("certification", 200, {}),
                ("intellectual_property", 650, {}), ("intellectual_property", 420, {}), ("intellectual_property", 100, {}),
                ("inspection_result", 300, {"outcome": "未发现问题"}), ("inspection_result", 60, {"outcome": "未发现问题"}))
_BLACK_COMPANY = (("penalty", 500, {"serious": True}), ("penalty", 260, {"serious": True}), ("penalty", 70, {"serious": True}),
                  ("liability_accident", 180, {}), ("inspection_result", 120, {"outcome": "发现问题移送处理"}),
                  ("ignored_reminder", 50, {}))
# (type, weight, extra) for the rest of the zone: what a year of a department's work leaves on a company
_MENU = (("licence", 26, {}), ("certification", 9, {}), ("intellectual_property", 6, {}), ("commendation", 7, {}),
         ("award", 2, {}), ("commitment_fulfilled", 5, {}), ("inspection_result", 24, {}), ("reminder", 7, {}),
         ("penalty", 12, {}), ("penalty", 2, {"serious": True}))


def _record_data(kind: str, rng: random.Random, decided, number: str, dept: tuple[str, str], extra: dict) -> dict[str, Any]:
    """What a department submits for one record of ``kind`` (the catalog's fields; records.service.prepare)."""
    from xinyong.records.periods import add_months

    dept_uscc, dept_name = dept
    data: dict[str, Any] = {"document_number": number, "decision_date": decided, "authority": dept_name}
    if kind == "licence":
        certificate, title, scope = rng.choice(_LICENCES)
        ends = add_months(decided, 60)
        data["valid_to"] = ends
        data["content"] = {"document_title": title, "licence_category": "普通", "certificate_name": certificate,
                           "licence_number": number, "licence_content": scope, "valid_from": decided.isoformat(),
                           "valid_to": ends.isoformat(), "authority_uscc": dept_uscc, "current_status": "有效",
                           "source_unit": dept_name, "source_unit_uscc": dept_uscc}
    elif kind == "commendation":
        level = extra.get("level") or rng.choices(("区级", "市级", "国家级"), (6, 3, 1))[0]
        data["content"] = {"level": level, "content": f"{decided.year}年度{level}{rng.choice(_COMMENDATIONS)}"}
    elif kind == "inspection_result":
        outcome = extra.get("outcome") or rng.choices(("未发现问题", "发现问题已责令整改", "发现问题移送处理"), (7, 2, 1))[0]
        data["content"] = {"outcome": outcome, "content": f"{decided.year}年“双随机、一公开”抽查：{outcome}"}
    elif kind == "reminder":
        data["content"] = {"manner": rng.choice(("书面提醒", "短信提醒", "当面提醒")),
                           "content": "年度报告中的社保信息与登记信息不一致，请于15日内更正。"}
    elif kind == "penalty":
        serious = bool(extra.get("serious"))
        categories = rng.choice((["吊销许可证件"], ["责令停产停业", "罚款"])) if serious else ["罚款"]
        fine = rng.choice(("0.5", "1", "2", "5")) if "罚款" in categories else None
        data["content"] = {"violation_type": "严重违法行为" if serious else "一般违法行为",
                           "violation_facts": rng.choice(_FACTS["serious" if serious else "general"]),
                           "penalty_basis": "《中华人民共和国行政处罚法》及相关法律法规", "penalty_categories": categories,
                           "penalty_content": "、".join(categories) + (f"，罚款人民币{fine}万元" if fine else ""),
                           "fine_amount": fine, "valid_to": add_months(decided, 36 if serious else 12).isoformat(),
                           "authority_uscc": dept_uscc, "source_unit": dept_name, "source_unit_uscc": dept_uscc}
    elif kind == "liability_accident":
        data["content"] = {"severity": "严重", "accident_field": "安全生产",
                           "content": "车间粉尘爆炸事故，造成2人受伤，经调查认定为责任事故。"}
    else:
        words = {"certification": "质量管理体系认证（ISO 9001）", "intellectual_property": "发明专利授权",
                 "award": "区科技进步奖", "commitment_fulfilled": "告知承诺事项已按期履行",
                 "ignored_reminder": "经信用提醒和诚信约谈后仍未按要求整改"}
        data["content"] = {"content": words[kind]}
    data["content"] = {k: v for k, v in data["content"].items() if v is not None}
    return data


def _seed_grading(platform: Platform, company_uscc: str | None) -> None:
    """Grading on believable data (SPEC §6, §15): records that count for about a fifth of the zone's
    companies, written as the departments' systems send them (records.bulk) and accepted by the credit
    office; one company commended often enough for the red list, one with serious penalties on the
    black list; full runs on the last two cycle dates and today, so that history charts have points; an
    open objection to its grade from the demo company; the city's public and third-party scores for a few; the
    results shared with the departments."""
    import datetime as dt

    from sqlalchemy import select

    from xinyong.accounts.models import Department, User
    from xinyong.entities.models import Entity, EntityKind
    from xinyong.grading import dimensions
    from xinyong.grading import service as grading
    from xinyong.grading.jobs import cycle_start
    from xinyong.ingest.service import import_actor
    from xinyong.kit.clock import today
    from xinyong.objections import service as objections
    from xinyong.objections.schemas import ObjectionCreate
    from xinyong.records import bulk
    from xinyong.records import service as records

    rng = random.Random("demo:grading")
    day = today()
    with platform.uow(write=False) as session:
        by_name = {d.name: (d.id, d.uscc, d.name) for d in session.scalars(select(Department))}
        office = session.scalars(select(Department).where(Department.is_credit_office.is_(True))).one().uscc
        firms = session.execute(select(Entity.id, Entity.uscc, Entity.name, Entity.kind).where(
            Entity.uscc.is_not(None), Entity.status == "存续",
            Entity.kind.in_([EntityKind.LEGAL_PERSON, EntityKind.INDIVIDUAL_BUSINESS])).order_by(Entity.id)).all()
    departments = {short: by_name[name] for short, name in DEPARTMENTS}
    if not firms:
        return
    company = next((f for f in firms if f.uscc == company_uscc), None)
    others = [f for f in firms if f.uscc != company_uscc and f.kind is EntityKind.LEGAL_PERSON]
    red = next((f for f in others if "科技" in f.name), others[0] if others else None)
    black = next((f for f in others if f is not red and "制造" in f.name),
                 next((f for f in others if f is not red), None))
    plans: list[tuple[Any, str, int, dict]] = []  # (firm, type, days ago, extra)
    for firm, script in ((company, _DEMO_COMPANY), (red, _RED_COMPANY), (black, _BLACK_COMPANY)):
        if firm is not None:
            plans += [(firm, kind, ago, extra) for kind, ago, extra in script]
    special = {f.id for f in (company, red, black) if f is not None}
    weights = [w for _, w, _ in _MENU]
    for firm in firms:
        if firm.id in special:
            continue
        if rng.random() < 0.012:  # a model company: commended again and again (A)
            plans += [(firm, "commendation", rng.randrange(20, 900), {}) for _ in range(rng.randrange(3, 6))]
            plans += [(firm, "licence", rng.randrange(20, 900), {}) for _ in range(rng.randrange(2, 5))]
            continue
        if rng.random() > 0.22:
            continue
        for _ in range(rng.choice((1, 1, 2, 2, 3, 4))):
            kind, _w, extra = rng.choices(_MENU, weights)[0]
            # types valid for 12 months are dated within the year, the rest within three
            span = 330 if kind in ("inspection_result", "reminder", "commitment_fulfilled") else 900
            plans.append((firm, kind, rng.randrange(3, span), extra))

    serial: dict[str, int] = {}
    by_type: dict[str, list[tuple[Any, dict, int]]] = {}
    for firm, kind, ago, extra in plans:
        decided = day - dt.timedelta(days=ago)
        short = rng.choice(_RECORDERS[kind])
        dept_id, dept_uscc, dept_name = departments[short]
        serial[short] = serial.get(short, 100) + 1
        number = f"{_WORDS[short]}{'罚' if kind == 'penalty' else '字'}〔{decided.year}〕{serial[short]}号"
        data = _record_data(kind, rng, decided, number, (dept_uscc, dept_name), extra)
        by_type.setdefault(kind, []).append((firm, data, dept_id))

    actor = import_actor(platform, office)  # the credit office gathers them; each carries its department
    with platform.uow(actor=SYSTEM) as session:
        admin = accounts.actor_for(session.scalars(select(User).where(User.username == "admin")).one())
        stored: list[int] = []
        for kind, rows in by_type.items():
            ctx = bulk.Context.load(session, kind)
            drafts = [bulk.Draft(ref=i, department_id=dept_id, entity_id=firm.id, entity_kind=firm.kind,
                                 values=ctx.prepare(data)) for i, (firm, data, dept_id) in enumerate(rows)]
            outcome = bulk.store(session, actor=actor, ctx=ctx, drafts=drafts, source={"file": "演示数据（各部门报送）"})
            stored += [rid for _, rid in outcome.stored]
        session.flush()
        records.accept(session, actor=admin, records=records.by_ids(session, actor=admin, ids=stored))

    # the last two cycles and today: a grade-history line with points to compare
    this_cycle = cycle_start(day)
    for as_of in sorted({cycle_start(this_cycle - dt.timedelta(days=1)), this_cycle}):
        grading.run(platform, trigger="演示数据", as_of=as_of)
    grading.run(platform, trigger="演示数据")

    with platform.uow(actor=SYSTEM) as session:
        def as_user(name: str):
            return accounts.actor_for(session.scalars(select(User).where(User.username == name)).one())

        if company is not None:
            objections.file(session, actor=as_user("company"), objection_in=ObjectionCreate(
                target="grade", ground="inaccurate", statement=(
                    "本公司2026年8月的广告违法行政处罚已于8月20日缴清罚款，涉事广告已全部下架更正，并已申请缩短公示期；"
                    "4月抽查发现的问题也已整改完毕并报送整改材料。请复核上述两项扣分。")))
        scored = ([company] if company is not None else []) + [f for f in others if f not in (red, black)][:8:2]
        lines = ["统一社会信用代码,维度,分值,来源,评价日期"]
        rated = min(day, this_cycle + dt.timedelta(days=30)).isoformat()
        for i, firm in enumerate(scored):
            public = 736 if firm is company else 640 + rng.randrange(0, 220)
            third = 702 if firm is company else 620 + rng.randrange(0, 240)
            lines.append(f"{firm.uscc},公共信用评价,{public},北京市公共信用信息服务平台,{this_cycle.isoformat()}")
            if i % 2 == 0:
                lines.append(f"{firm.uscc},第三方评价,{third},北京某信用评级有限公司,{rated}")
        dimensions.import_scores(session, actor=as_user("admin"), path_or_bytes="\n".join(lines).encode("utf-8"),
                                 filename="公共信用评价与第三方评价结果.csv")


def _seed_sanctions(platform: Platform) -> None:
    """What follows from grades and determinations (issue 6): a department's black-list determination, a
    joint punishment on the black-listed company — answered by one department, still open at another —
    and an integrity interview with a D-grade company (R-LST-2, R-MEA-4, R-MEA-5)."""
    import datetime as dt

    from sqlalchemy import select

    from xinyong.accounts.models import Department, User
    from xinyong.actions import service as actions
    from xinyong.actions.schemas import ActionCreate
    from xinyong.entities.models import Entity
    from xinyong.kit.clock import today
    from xinyong.lists import service as lists
    from xinyong.lists.models import ListEntry, ListKind
    from xinyong.measures import reminders
    from xinyong.measures.reminder_models import ReminderKind

    day = today()
    with platform.uow(actor=SYSTEM) as session:
        def as_user(name: str):
            return accounts.actor_for(session.scalars(select(User).where(User.username == name)).one())

        scjg, hb = as_user("scjg_officer"), as_user("sthj_officer")
        target = session.scalars(select(Entity).where(Entity.uscc.is_not(None), Entity.kind == "legal_person")
                                 .order_by(Entity.id.desc())).first()
        if target is not None:
            lists.determine(session, actor=hb, entity_code=target.uscc, kind=ListKind.BLACK,
                            basis_text="《中华人民共和国大气污染防治法》第九十九条：超标排放大气污染物，"
                                       "拒不改正，经认定为严重失信主体",
                            document_number=f"京开环认〔{day.year}〕3号", decided_on=day - dt.timedelta(days=30),
                            planned_end=day + dt.timedelta(days=3 * 365))
        # the joint punishment began two weeks ago, on an entry already in force then
        black = session.scalars(select(ListEntry).where(ListEntry.kind == ListKind.BLACK,
                                                        lists.in_force(day - dt.timedelta(days=14)))).first()
        d_grade = reminders.d_grade_without_reminder(session, limit=3)
        if black is not None:
            entity = session.get(Entity, black.entity_id)
            depts = [d.id for d in session.scalars(select(Department).where(Department.is_credit_office.is_(False))
                                                   .order_by(Department.id).limit(2))]
            opts = actions.options(session, actor=scjg, entity_code=entity.uscc, day=day)
            codes = [m.code for m in opts.measures[black.id] if m.mandatory][:3]
            if codes and len(depts) == 2:
                # initiated two weeks ago: one department answered (and corrected its answer), the other is
                # overdue and has been urged (催办)
                action = actions.initiate(session, actor=scjg, day=day - dt.timedelta(days=14), action_in=ActionCreate(
                    entity_code=entity.uscc, entry_id=black.id, measure_codes=codes, department_ids=depts,
                    reason="该主体已列入严重失信主体名单（黑名单），依清单实施联合惩戒"))
                first = next(t for t in actions.tasks_of(session, action) if t.department_id == scjg.department_id)
                actions.answer(session, actor=scjg, action=action, task_id=first.id, status="executed",
                               note="已在行政许可审查中从严审核")
                actions.correct(session, actor=scjg, action=action, task_id=first.id, status="executed",
                                note="已在行政许可审查中从严审核，并列为重点监管对象")
                late = next((t for t in actions.tasks_of(session, action) if t.department_id != scjg.department_id), None)
                if late is not None:
                    actions.urge(session, actor=scjg, action=action, task_id=late.id,
                                 note="请于两个工作日内反馈惩戒措施执行情况")
        for entity_id, _score in d_grade[:1]:
            entity = session.get(Entity, entity_id)
            if entity.uscc:
                reminders.issue(session, actor=scjg, entity_code=entity.uscc, kind=ReminderKind.INTERVIEW,
                                document_number=f"京开市监约〔{day.year}〕1号", manner="当面约谈",
                                content="就多次违法经营行为进行诚信约谈，要求十个工作日内整改并报送整改情况",
                                held_on=day - dt.timedelta(days=3))

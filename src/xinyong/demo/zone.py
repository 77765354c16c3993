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

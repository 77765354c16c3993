"""`xinyong demo`'s objections (issue 18, SPEC §10): what a month of a credit office's work leaves. One
at every stage — received with the department verifying, verified and waiting for the decision, a
department past its 10 working days and so out of the public query (R-OBJ-4), upheld and corrected through
a new version of the record (R-OBJ-5), not upheld with its numbered notice, under appeal, and one carried
through 行政复议 to its end (R-OBJ-6) — plus one a department raised about another department's record
(003 §18, 002 二(四)4) and one against a black-list determination. The demo company's login sees one of
its own open and one decided; every department's officer finds a verification task waiting.

Dates are counted back from today in working days on the loaded calendar, so every objection stands at
its stage whatever day of a loaded year the demo is built (a deadline reaching into a year not loaded
shows as 无法计算, as it would in use). Companies other than the demo company have no login: they
object as the entity itself (an objection in writing, 000 §23), which the trail records by role."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong.accounts import service as accounts
from xinyong.accounts.models import User
from xinyong.accounts.permissions import SYSTEM, Actor, Role
from xinyong.catalog.models import InfoType, InfoTypeVersion
from xinyong.entities.models import Entity, EntityKind
from xinyong.kit.clock import today
from xinyong.kit.errors import DeadlineUnknown
from xinyong.kit.platform import Platform
from xinyong.lists.models import Basis, ListEntry
from xinyong.objections import service as objections
from xinyong.objections.deadlines import calendar
from xinyong.objections.models import AppealOutcome, Finding, Ground, Objection, Outcome, ReviewKind, Stage
from xinyong.objections.schemas import ObjectionCreate
from xinyong.records import service as records
from xinyong.records import visibility
from xinyong.records.models import Fulfilment, Record, Status
from xinyong.records.periods import Severity
from xinyong.records.schemas import RecordChange

from .papers import cn_date, pdf, png


def seed_objections(platform: Platform, company_uscc: str | None) -> None:
    with platform.uow(actor=SYSTEM) as session:
        desk = _Desk(session, company_uscc)
        # oldest first, so that the notices are numbered in the order the decisions were made
        for scene in (_closed_after_reconsideration, _under_appeal, _not_upheld, _upheld_and_corrected,
                      _department_late, _verified, _received_with_evidence, _against_a_listing,
                      _raised_by_a_department, _received_from_company, _routine):
            scene(desk)


class _Desk:
    """What the scenes share: the day, the calendar, who is who, and the records already objected to."""

    def __init__(self, session: Session, company_uscc: str | None):
        self.session, self.day, self.cal = session, today(), calendar(session)
        self.admin = self.user("admin")
        self.company = session.scalar(select(Entity).where(Entity.uscc == company_uscc)) if company_uscc else None
        self.used_lineages: set[str] = set()
        self.used_entities: set[int] = {self.company.id} if self.company is not None else set()
        self.used_entities |= set(session.scalars(select(ListEntry.entity_id).where(ListEntry.basis == Basis.DETERMINATION)))

    def user(self, username: str) -> Actor:
        return accounts.actor_for(self.session.scalars(select(User).where(User.username == username)).one())

    def back(self, n: int) -> dt.date:
        """The working day with ``n`` working days after it up to today (the calendar's count, not ours)."""
        d = self.day
        try:
            while self.cal.workdays_between(d, self.day) < n or not self.cal.is_workday(d):
                d -= dt.timedelta(days=1)
        except DeadlineUnknown:  # a year not loaded: calendar weeks are near enough for demo dates
            return self.day - dt.timedelta(days=n * 7 // 5)
        return d

    def record(self, short: str | None, type_code: str, *, own: bool = False, public: bool = True,
               where: Callable[[Record], bool] = lambda r: True) -> Record | None:
        """The first record of that type from ``short``'s department (None: any) about a company no other
        scene has used (``own``: the demo company's own), publicly queried today and for a month to come —
        an objection to a record about to leave the public view would show little. ``public=False`` takes
        an internal record too."""
        stmt = (select(Record).join(InfoTypeVersion, InfoTypeVersion.id == Record.info_type_version_id)
                .join(InfoType, InfoType.id == InfoTypeVersion.info_type_id).join(Entity, Entity.id == Record.entity_id)
                .where(Record.status == Status.ACCEPTED, Record.is_current.is_(True), InfoType.code == type_code,
                       Entity.kind == EntityKind.LEGAL_PERSON)
                .order_by(Record.id))
        if short is not None:
            stmt = stmt.where(Record.department_id == self.user(f"{short}_officer").department_id)
        if own:
            if self.company is None:
                return None
            stmt = stmt.where(Record.entity_id == self.company.id)
        for r in self.session.scalars(stmt):
            if r.lineage in self.used_lineages or (not own and r.entity_id in self.used_entities):
                continue
            shown = all(visibility.is_public(r, d) for d in (self.day, self.day + dt.timedelta(days=30)))
            if (own or shown or not (public or r.public)) and where(r):
                self.used_lineages.add(r.lineage)
                self.used_entities.add(r.entity_id)
                return r
        return None

    def applicant(self, record: Record) -> Actor:
        if self.company is not None and record.entity_id == self.company.id:
            return self.user("company")
        entity = self.session.get(Entity, record.entity_id)
        return Actor(role=Role.ENTITY, display_name=entity.name, entity_id=entity.id)

    def file(self, actor: Actor, record: Record, ground: Ground, statement: str, n: int) -> Objection:
        return objections.file(self.session, actor=actor, objection_in=ObjectionCreate(
            record_id=record.id, ground=ground, statement=statement), day=self.back(n))

    def attach(self, actor: Actor, o: Objection, filename: str, content: bytes, stage: Stage) -> None:
        objections.add_evidence(self.session, actor=actor, objection_id=o.id, filename=filename, content=content,
                                stage=stage)

    def verify(self, o: Objection, finding: Finding, reason: str, n: int) -> None:
        objections.verify(self.session, actor=self._verifier(o), objection_id=o.id, finding=finding, reason=reason,
                          day=self.back(n))

    def decide(self, o: Objection, outcome: Outcome, reason: str, n: int) -> None:
        objections.decide(self.session, actor=self.admin, objection_id=o.id, outcome=outcome, reason=reason,
                          day=self.back(n))

    def _verifier(self, o: Objection) -> Actor:
        return accounts.actor_for(self.session.scalars(select(User).where(
            User.department_id == o.department_id, User.role == Role.OFFICER).order_by(User.id)).first())


def _fine(record: Record) -> Decimal | None:
    try:
        return Decimal(str(record.content.get("fine_amount")))
    except ArithmeticError:
        return None


# ---- the scenes, oldest first: notice numbers run in the order the decisions were made ---------------------

def _closed_after_reconsideration(desk: _Desk) -> None:
    """申诉 dismissed, then 行政复议, which upheld the credit office: the objection's life is over."""
    record = desk.record("sthj", "penalty")
    if record is None:
        return
    applicant = desk.applicant(record)
    served = record.decision_date + dt.timedelta(days=6)
    o = desk.file(applicant, record, Ground.INACCURATE, (
        f"平台记载本公司行政处罚信息（{record.document_number}）的处罚决定日期为{cn_date(record.decision_date)}，"
        f"而本公司收到的处罚决定书系{cn_date(served)}送达，决定日期记载有误，公示期的起算和届满日期随之错误。"
        "请按送达日期更正处罚决定日期和公示期限。"), 60)
    desk.verify(o, Finding.CORRECT, (
        f"经核查，处罚决定书落款日期为{cn_date(record.decision_date)}，与平台记载一致；申请人所称日期为决定书送达日期。"
        "行政处罚信息按决定日期记载和起算公示期，信息无误。"), 55)
    desk.decide(o, Outcome.NOT_UPHELD, (
        "经商记录部门核查，平台记载的处罚决定日期与处罚决定书落款日期一致，公示期限按规定自决定日期起算，"
        "异议不成立，原信息予以维持。"), 54)
    objections.appeal(desk.session, actor=applicant, objection_id=o.id, day=desk.back(48), statement=(
        "本公司不服信用办作出的异议处理决定。处罚决定自送达之日起生效，公示期限应自送达之日起算，"
        "请求管委会撤销原处理决定，责令按送达日期更正公示期限。"))
    objections.decide_appeal(desk.session, actor=desk.admin, objection_id=o.id, outcome=AppealOutcome.DISMISSED,
                             day=desk.back(38), reason=(
                                 "管委会经审查认为：异议处理程序合法，处理期限符合规定；行政处罚信息的公示期限依规定"
                                 "自处罚决定作出之日起计算，原处理决定并无不当。申诉不成立，维持原处理决定。"))
    objections.start_review(desk.session, actor=desk.admin, objection_id=o.id, kind=ReviewKind.RECONSIDERATION,
                            filed_on=desk.back(30))
    number = f"京政复字〔{desk.back(5).year}〕第318号"
    desk.attach(desk.admin, o, "行政复议决定书.pdf", pdf(
        "行政复议决定书", number,
        [f"申请人：{o.entity.name}", "被申请人：" + _office(desk),
         f"申请人对被申请人就其异议作出的处理决定（{o.notice_number}）不服，于{cn_date(desk.back(30))}向本机关申请行政复议，"
         "本机关依法受理并进行了审查。",
         "经审查，被申请人在收到异议申请后及时转交记录部门核查，在规定期限内作出处理决定并书面告知申请人；"
         "平台记载的处罚决定日期与处罚决定书一致，公示期限自处罚决定作出之日起计算符合规定。"
         "被申请人认定事实清楚，程序合法，适用依据正确。",
         "根据《中华人民共和国行政复议法》第六十八条的规定，本机关决定：维持被申请人作出的异议处理决定。",
         "申请人如不服本决定，可以自收到本决定书之日起十五日内向人民法院提起行政诉讼。"],
        "北京市人民政府", desk.back(5)), Stage.REVIEW)
    objections.close_review(desk.session, actor=desk.admin, objection_id=o.id, closed_on=desk.back(5), result=(
        f"北京市人民政府作出行政复议决定（{number}），维持信用办作出的异议处理决定；"
        "申请人在法定期限内未提起行政诉讼。"))


def _under_appeal(desk: _Desk) -> None:
    # a general penalty, settled: the mitigation it asks to have shown must be believable
    record = desk.record("scjg", "penalty", where=lambda r: bool(r.content.get("violation_facts"))
                         and r.severity is not Severity.SERIOUS and r.fulfilment is not Fulfilment.UNFULFILLED)
    if record is None:
        return
    applicant = desk.applicant(record)
    o = desk.file(applicant, record, Ground.INACCURATE, (
        f"平台公示的本公司行政处罚信息（{record.document_number}）仅摘录了违法事实“{record.content['violation_facts']}”，"
        "遗漏了处罚决定书中“当事人主动消除违法行为危害后果，依法从轻处罚”的认定，信息不完整，"
        "易使查询者误解本公司的违法情节。请予补充记载。"), 25)
    desk.verify(o, Finding.CORRECT, (
        "经核查，公示的违法事实与处罚决定书认定的违法事实一致；从轻处罚的情节已体现在处罚结果中。"
        "依规定公示的内容为违法事实、处罚依据和处罚结果，不包括裁量理由，信息无误。"), 20)
    desk.decide(o, Outcome.NOT_UPHELD, (
        "公示信息与处罚决定书一致，且符合行政处罚信息公示的内容要求；裁量理由不属于应当公示的内容。"
        "异议不成立，原信息予以维持。"), 18)
    objections.appeal(desk.session, actor=applicant, objection_id=o.id, day=desk.back(10), statement=(
        "本公司不服信用办的异议处理决定。公示信息未体现从轻处罚情节，已有两家合作方据此暂停与本公司的采购合作"
        "（附合作方来函），造成实际损失。特向管委会提出申诉，请求责令补充记载从轻处罚情节。"))
    desk.attach(applicant, o, "合作方来函（照片）.png", png(variant=1), Stage.APPEAL)


def _not_upheld(desk: _Desk) -> None:
    """A penalty still public after its period because the fine is unpaid (R-PUB-4): not upheld."""
    record = desk.record("scjg", "penalty", where=lambda r: r.fulfilment is Fulfilment.UNFULFILLED
                         and r.publicity_end is not None and r.publicity_end < desk.back(12))
    if record is None:
        return
    o = desk.file(desk.applicant(record), record, Ground.OVERDUE_PUBLICITY, (
        f"本公司行政处罚信息（{record.document_number}）的公示期已于{cn_date(record.publicity_end)}届满，"
        "至今仍在信用平台公示，已超过公示期限仍在公示，影响本公司参加政府采购和招标投标。请依规停止公示。"), 12)
    desk.verify(o, Finding.CORRECT, (
        "经核查，当事人至今未缴纳罚款，本局已依法申请人民法院强制执行。处罚决定尚未履行完毕，"
        "依规定在履行完毕前继续公示，信息无误。"), 8)
    desk.decide(o, Outcome.NOT_UPHELD, (
        "该处罚决定确定的罚款义务尚未履行。行政处罚决定未履行完毕的，公示期届满后继续公示至履行完毕，"
        "不属于超期公示。异议不成立，原信息予以维持；申请人履行完毕后可申请停止公示或信用修复。"), 6)


def _upheld_and_corrected(desk: _Desk) -> None:
    """The demo company's: upheld, and the 市场监管局 corrects its record — a new version, accepted (R-OBJ-5)."""
    record = desk.record("scjg", "certification", own=True)
    if record is None:
        return
    company = desk.user("company")
    o = desk.file(company, record, Ground.INACCURATE, (
        f"平台记载本公司认证认可信息（{record.document_number}）的认证项目为“{record.content.get('content', '')}”，"
        "本公司同期还取得了环境管理体系认证（ISO 14001），原报送时遗漏，信息不完整。附认证证书扫描件，请予补充。"), 7)
    desk.attach(company, o, "环境管理体系认证证书（扫描件）.png", png(variant=0), Stage.FILING)
    desk.verify(o, Finding.WRONG, (
        "经核查，该企业于同一认证周期内同时取得质量管理体系认证和环境管理体系认证，原报送时遗漏环境管理体系认证，"
        "确有遗漏，本局予以更正。"), 4)
    desk.decide(o, Outcome.UPHELD, "经记录部门核查，原信息确有遗漏。异议成立，由记录部门更正后在原公示范围内重新发布。", 3)
    officer = desk.user("scjg_officer")
    new = records.correct(desk.session, actor=officer, record=record, change=RecordChange(
        content={"content": "质量管理体系认证（ISO 9001）、环境管理体系认证（ISO 14001）"},
        reason=f"异议成立（{o.notice_number}），补充遗漏的环境管理体系认证"))
    if new.status is Status.AWAITING_APPROVAL:
        records.approve(desk.session, actor=desk.user("scjg_reviewer"), record=new)
    records.accept(desk.session, actor=desk.admin, records=[new])


def _department_late(desk: _Desk) -> None:
    """The 应急管理局 let its 10 working days pass: the record is out of the public query (R-OBJ-4)."""
    record = desk.record("yjj", "penalty")
    if record is None:
        return
    applicant = desk.applicant(record)
    o = desk.file(applicant, record, Ground.INACCURATE, (
        f"本公司对行政处罚决定（{record.document_number}）不服，依法申请了行政复议。复议机关已作出行政复议决定，"
        "撤销该处罚决定（附行政复议决定书）。平台仍公示已被撤销的处罚信息，与事实不符，请予撤下。"), 14)
    desk.attach(applicant, o, "行政复议决定书.pdf", pdf(
        "行政复议决定书", f"京开复决字〔{desk.back(20).year}〕第27号",
        [f"申请人：{o.entity.name}", f"被申请人：{record.authority}",
         f"申请人不服被申请人作出的行政处罚决定（{record.document_number}），向本机关申请行政复议，本机关依法予以受理。",
         "经审查，被申请人认定申请人违法的主要证据系现场检查笔录，笔录未经当事人签字确认，亦无其他证据佐证，"
         "认定事实的主要证据不足。",
         "根据《中华人民共和国行政复议法》第六十四条第一款第（一）项的规定，本机关决定：撤销被申请人作出的上述行政处罚决定。"],
        "北京经济技术开发区管理委员会", desk.back(20)), Stage.FILING)


def _verified(desk: _Desk) -> None:
    """The 生态环境局 has answered; the credit office has a working day left to decide."""
    record = desk.record("sthj", "penalty", where=lambda r: bool(r.content.get("violation_facts")))
    if record is None:
        return
    o = desk.file(desk.applicant(record), record, Ground.PRIVACY, (
        f"平台公示的本公司行政处罚信息（{record.document_number}）违法事实部分载明了本公司具体的生产工序和设备设置情况，"
        "属于本公司的商业秘密，公开后可能被同业竞争者利用。请删除相关内容，仅公示违法行为类型和处罚结果。"), 6)
    officer = desk.user("sthj_officer")
    desk.attach(officer, o, "异议核查情况说明.pdf", pdf(
        "关于异议核查情况的说明", "",
        [f"{_office(desk)}：",
         f"你办转来的{o.entity.name}对行政处罚信息（{record.document_number}）提出的异议收悉。经核查，情况如下：",
         f"一、公示的违法事实为处罚决定书认定的违法事实摘要：“{record.content['violation_facts']}”，"
         "仅涉及违法行为和所在生产环节，不含工艺参数、原料配方、排放口坐标等技术信息。",
         "二、依据《中华人民共和国行政处罚法》第四十八条，具有一定社会影响的行政处罚决定应当依法公开；"
         "公示内容已按规定对涉及商业秘密和个人信息的部分作了处理。",
         "综上，本局认为公示信息无误。"], record.authority, desk.back(1)), Stage.VERIFICATION)
    desk.verify(o, Finding.CORRECT, (
        "经核查，公示的违法事实为处罚决定书认定的违法事实摘要，仅涉及违法行为和所在生产环节，"
        "不含工艺参数、原料配方等技术信息，不涉及商业秘密，信息无误。"), 1)


def _received_with_evidence(desk: _Desk) -> None:
    record = desk.record("scjg", "penalty", where=lambda r: bool(_fine(r)) and bool(r.content.get("penalty_content")))
    if record is None:
        return
    applicant = desk.applicant(record)
    fine = _fine(record)
    decided = f"{(fine / 2).normalize():f}"
    o = desk.file(applicant, record, Ground.INACCURATE, (
        f"平台公示的本公司行政处罚信息（{record.document_number}）记载处罚内容为“{record.content['penalty_content']}”，"
        f"与本公司收到的《行政处罚决定书》不符。本案经听证，决定书最终载明罚款人民币{decided}万元，"
        "平台公示的是听证前《行政处罚告知书》拟处罚的金额。处罚金额与决定书不符，请予核查更正。"
        "附：行政处罚决定书复印件、罚款缴纳凭证。"), 3)
    desk.attach(applicant, o, "行政处罚决定书（复印件）.pdf", pdf(
        "行政处罚决定书", record.document_number,
        [f"当事人：{o.entity.name}", f"统一社会信用代码：{o.entity.uscc}",
         f"经查，{record.content.get('violation_facts', '')}",
         f"本机关于作出处罚决定前告知当事人拟作出的行政处罚，当事人要求听证。经听证，综合考虑当事人主动整改等情节，"
         f"依据{record.content.get('penalty_basis', '有关法律法规')}，决定对当事人罚款人民币{decided}万元。",
         "当事人应当自收到本决定书之日起十五日内缴纳罚款。"], record.authority, record.decision_date), Stage.FILING)
    desk.attach(applicant, o, "罚款缴纳凭证.png", png(variant=2), Stage.FILING)


def _received_from_company(desk: _Desk) -> None:
    """The demo company's open one: its department verifies within its 10 working days."""
    record = desk.record(None, "inspection_result", own=True,
                         where=lambda r: "整改" in str(r.content.get("outcome", "")))
    if record is None:
        return
    desk.file(desk.user("company"), record, Ground.INACCURATE, (
        f"{record.authority}于{cn_date(record.decision_date)}对本公司开展“双随机、一公开”抽查，发现的问题本公司已在限期内"
        "整改完毕，并经复查合格。平台记载的抽查结果仍为“发现问题已责令整改”，未记载复查结论，信息不完整，"
        "易使查询者误认为问题至今未改。请补充记载复查结论。"), 1)


# (department, type, statement, working days ago): one verification task waiting at each other department
_ROUTINE: tuple[tuple[str, str, Callable[[Record], str], int], ...] = (
    ("zscq", "intellectual_property", lambda r: (
        f"平台记载的本公司知识产权信息（{r.document_number}）所涉专利权已转让给本公司的关联企业，并已在国家知识产权局"
        "办理著录项目变更登记，专利权人已不是本公司。信息与事实不符，请予更正。"), 5),
    ("zjj", "licence", lambda r: (
        f"平台记载本公司{r.content.get('certificate_name', '许可证')}（{r.document_number}）有效期至{cn_date(r.validity_end)}，"
        "本公司已依法办理许可延续并换发新证，有效期相应延长。平台记载的仍是延续前的有效期，信息未及时更新，请予更正。"), 4),
    ("wlj", "licence", lambda r: (
        f"本公司已办理{r.content.get('certificate_name', '许可证')}（{r.document_number}）的经营场所变更，"
        "换发了新的许可证。平台记载的许可内容仍为变更前的内容，信息未及时更新，请予更正。"), 3),
    ("swj", "commitment_fulfilled", lambda r: (
        f"本公司已于{cn_date(r.decision_date - dt.timedelta(days=9))}按承诺补齐全部材料，平台记载的履约信息"
        f"（{r.document_number}）以{cn_date(r.decision_date)}为履约日期，履约日期记载有误，请更正为实际履约日期。"), 2),
    ("rsj", "reminder", lambda r: (
        f"本公司收到信用提醒（{r.document_number}）后，已在十五日内更正了年度报告中的社保信息，提醒所述不一致的情况"
        "已经消除。平台记载未反映整改情况，信息不完整，请补充记载。"), 1),
)


def _dated(r: Record) -> bool:
    return r.validity_end is not None  # a licence the statement can name the end of


def _routine(desk: _Desk) -> None:
    for short, type_code, statement, n in _ROUTINE:
        record = desk.record(short, type_code, public=False, where=_dated)
        if record is not None:
            desk.file(desk.applicant(record), record, Ground.INACCURATE, statement(record), n)


def _raised_by_a_department(desk: _Desk) -> None:
    """003 §18, 002 二(四)4: the 住建局, checking a company's file before a licence, finds another's record wrong."""
    record = desk.record("scjg", "penalty")
    if record is None:
        return
    officer = desk.user("zjj_officer")
    entity = desk.session.get(Entity, record.entity_id)
    desk.file(officer, record, Ground.INACCURATE, (
        f"本局在办理{entity.name}的行政许可申请、依联合奖惩措施清单查询其信用记录时发现："
        f"该行政处罚记录（{record.document_number}）所涉违法行为发生在该企业设立的分公司，处罚决定书的当事人为分公司，"
        "归集时关联到了总公司名下，当事人信息疑似有误。依规定提请记录部门核实。"), 2)


def _against_a_listing(desk: _Desk) -> None:
    """The company the 生态环境局 black-listed objects to the determination (R-LST, R-OBJ-1)."""
    entry = desk.session.scalars(select(ListEntry).where(ListEntry.basis == Basis.DETERMINATION,
                                                         ListEntry.ended_on.is_(None)).order_by(ListEntry.id)).first()
    if entry is None:
        return
    entity = desk.session.get(Entity, entry.entity_id)
    applicant = Actor(role=Role.ENTITY, display_name=entity.name, entity_id=entity.id)
    o = objections.file(desk.session, actor=applicant, day=desk.back(4), objection_in=ObjectionCreate(
        target="list_entry", list_entry_id=entry.id, ground=Ground.WRONG_LISTING, statement=(
            f"本公司被列入严重失信主体名单（{entry.document_number}）所依据的超标排放问题，本公司已在责令改正期限内"
            "新增活性炭吸附装置完成整改，并经第三方检测机构检测达标（附检测报告），不存在“拒不改正”的情形，"
            "不符合严重失信主体名单的认定条件。请求撤销列入决定。")))
    desk.attach(applicant, o, "废气排放检测报告.pdf", pdf(
        "检测报告", f"JC-{desk.back(12).year}-DQ-1187",
        [f"委托单位：{entity.name}", "检测类别：委托检测（有组织废气）",
         "检测项目：非甲烷总烃、颗粒物", "检测结论：所测废气排放口非甲烷总烃、颗粒物排放浓度均符合"
         "《大气污染物综合排放标准》（DB11/501-2017）表3限值要求。",
         "本报告仅对本次采样负责。"], "北京中环正信检测技术有限公司", desk.back(12)), Stage.FILING)


def _office(desk: _Desk) -> str:
    return desk.admin.department_name or "信用办"

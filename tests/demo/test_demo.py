"""The demo zone: valid, unique, believable rows (R-ENT-1, R-ENT-4, R-ENT-6) and a fresh database
whose logins work and whose audit trail verifies (R-REV-4)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from itertools import chain

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from tests.conftest import TEST_SECRET
from xinyong.accounts import service as accounts
from xinyong.accounts.models import Department, User
from xinyong.accounts.permissions import ROLE_LABELS, SYSTEM, Role
from xinyong.audit.verify import verify
from xinyong.demo.generator import ZoneGenerator, generate_zone
from xinyong.demo.zone import DEMO_PASSWORD, build_demo
from xinyong.entities import service as entities
from xinyong.entities.identifiers import validate_id_number, validate_uscc
from xinyong.entities.industries import SECTIONS
from xinyong.entities.models import Entity, EntityKind, RelatedPerson, RelatedRole
from xinyong.entities.names import normalize_name
from xinyong.kit.platform import Platform
from xinyong.kit.settings import Settings

TODAY = dt.date(2026, 11, 21)


@pytest.fixture(scope="module")
def zone():
    people, orgs = generate_zone(11, entities=4000, persons=300)
    return people, list(orgs)


def _related(orgs):
    return [p for org in orgs for p in org["related"]]


# ---- the generator ------------------------------------------------------------------------------

def test_generated_usccs_are_valid_and_unique(zone):  # R-ENT-1
    _, orgs = zone
    codes = [org["uscc"] for org in orgs]
    assert all(validate_uscc(code) == code for code in codes)
    assert len(set(codes)) == len(codes)
    prefixes = Counter(code[:2] for code in codes)
    assert set(prefixes) <= {"91", "92", "93"}
    assert 0.10 < prefixes["92"] / len(codes) < 0.20  # 个体工商户 about 15%
    for org in orgs:
        assert (org["kind"] == EntityKind.INDIVIDUAL_BUSINESS) == org["uscc"].startswith("92")
        assert org["uscc"][2:8] in {"110302", "110115", "110112", "110000"}


def test_generated_id_numbers_are_valid_adult_and_one_per_person(zone):  # R-ENT-1
    people, orgs = zone
    for number in chain((p["id_number"] for p in people), (p["id_number"] for p in _related(orgs))):
        assert validate_id_number(number, adult_on=TODAY) == number
    assert len({p["id_number"] for p in people}) == len(people)
    names_by_number: dict[str, set[str]] = {}
    for p in chain(people, _related(orgs)):
        names_by_number.setdefault(p["id_number"], set()).add(p["name"])
    assert all(len(names) == 1 for names in names_by_number.values()), "one ID number, one person"


def test_gender_digit_matches_the_given_name_pool(zone):  # GB 11643: odd 17th digit is a man
    from xinyong.demo import names

    people, _ = zone
    female_only = set(names.GIVEN_FEMALE_SINGLE) - set(names.GIVEN_MALE_SINGLE) - set(names.GIVEN_MALE_SECOND)
    for p in people:
        if len(p["name"]) == 2 and p["name"][1] in female_only:
            assert int(p["id_number"][16]) % 2 == 0


def test_generated_names_are_unique_after_normalisation(zone):  # R-ENT-6
    _, orgs = zone
    keys = [normalize_name(org["name"]) for org in orgs]
    assert len(set(keys)) == len(keys)
    assert all(org["name_key"] == normalize_name(org["name"]) for org in orgs)


def test_generated_organisations_look_like_a_register(zone):
    _, orgs = zone
    assert {org["industry"] for org in orgs} <= set(SECTIONS)
    statuses = Counter(org["status"] for org in orgs)
    assert statuses["存续"] / len(orgs) > 0.85 and statuses["注销"] and statuses["吊销"]
    assert {org["kind"] for org in orgs} == {EntityKind.LEGAL_PERSON, EntityKind.UNINCORPORATED,
                                              EntityKind.INDIVIDUAL_BUSINESS}
    for org in orgs:
        assert org["established_on"] <= TODAY and org["address"] and org["registration_authority"]
        if org["registered_capital"] is not None:
            assert float(org["registered_capital"]) > 0
    assert any(org["name"].endswith("股份有限公司") for org in orgs)
    assert any(org["uscc"].startswith("93") and org["name"].endswith("专业合作社") for org in orgs)


def test_every_organisation_names_its_responsible_people(zone):  # R-ENT-4
    _, orgs = zone
    roles = {r.value for r in RelatedRole}
    for org in orgs:
        related = org["related"]
        assert 1 <= len(related) <= 4
        head = related[0]
        assert head["role"] in (RelatedRole.LEGAL_REPRESENTATIVE, RelatedRole.PRINCIPAL)
        assert head["name"] == org["legal_representative"]
        assert {p["role"] for p in related} <= roles
        shares = [float(p["share_percent"]) for p in related if p["role"] == RelatedRole.SHAREHOLDER]
        assert all(0 < s <= 100 for s in shares) and sum(shares) <= 100.001
    all_roles = Counter(p["role"] for p in _related(orgs))
    assert all_roles[RelatedRole.SENIOR_MANAGER] and all_roles[RelatedRole.DIRECTOR] and all_roles[RelatedRole.SHAREHOLDER]


def test_some_natural_persons_are_related_persons_of_organisations(zone):  # R-ENT-4
    people, orgs = zone
    numbers = {p["id_number"] for p in people}
    linked = {p["id_number"] for p in _related(orgs)} & numbers
    assert 0.2 * len(people) < len(linked) < 0.6 * len(people)


def test_a_person_may_serve_several_organisations(zone):  # R-ENT-4: punishment follows the person
    _, orgs = zone
    firms = Counter(number for org in orgs for number in {p["id_number"] for p in org["related"]})
    assert max(firms.values()) >= 2


def test_generator_is_deterministic_for_a_seed():
    def rows(seed):
        people, orgs = generate_zone(seed, entities=300, persons=40)
        return people, list(orgs)

    assert rows(5) == rows(5)
    assert rows(5) != rows(6)


def test_generator_does_not_depend_on_the_day_it_runs():
    a = ZoneGenerator(3, as_of=dt.date(2026, 11, 1)).natural_persons(20)
    b = ZoneGenerator(3).natural_persons(20)
    assert a == b


# ---- the demo zone ------------------------------------------------------------------------------

@pytest.fixture
def demo_platform(tmp_path):
    p = Platform.create(Settings(database_url=f"sqlite:///{tmp_path / 'demo.db'}", secret_key=TEST_SECRET,
                                 key_file=tmp_path / "k", data_dir=tmp_path / "data", scheduler=False))
    yield p
    p.dispose()


def test_build_demo_makes_a_zone_whose_trail_verifies(demo_platform):  # R-ENT-1, R-ENT-4, R-REV-4
    logins = build_demo(demo_platform, entities=200, persons=30, seed=7)

    with demo_platform.uow(write=False) as s:
        kinds = dict(s.execute(select(Entity.kind, func.count()).group_by(Entity.kind)).all())
        # the generated zone, and the parties of the imported sample files beside it
        assert kinds[EntityKind.NATURAL_PERSON] >= 30
        assert sum(kinds.values()) >= 230
        from xinyong.records.models import Record, Status

        by_status = dict(s.execute(select(Record.status, func.count()).group_by(Record.status)).all())
        # three waiting in the queue, and the integrity interview the market regulator just sent (R-MEA-5)
        assert by_status[Status.RETURNED] == 2 and by_status[Status.SUBMITTED] == 4
        from xinyong.actions.models import ActionTask, AnswerRevision, JointAction, TaskUrge
        from xinyong.lists.models import Basis, ListEntry
        from xinyong.measures.reminder_models import Reminder

        assert s.scalar(select(func.count()).select_from(ListEntry).where(ListEntry.basis == Basis.DETERMINATION)) == 1
        assert s.scalar(select(func.count()).select_from(JointAction)) == 1  # a joint punishment under way
        assert {t.status.value for t in s.scalars(select(ActionTask))} == {"executed", "pending"}
        # the answer was corrected once, and the department that has not answered was urged (R-MEA-4)
        assert s.scalar(select(func.count()).select_from(AnswerRevision)) == 1
        assert s.scalar(select(func.count()).select_from(TaskUrge)) == 1
        assert s.scalar(select(func.count()).select_from(Reminder)) == 1
        assert by_status[Status.ACCEPTED] >= 40  # the week's imports, reviewed
        depts = s.scalars(select(Department)).all()
        assert len(depts) == 9 and sum(d.is_credit_office for d in depts) == 1
        assert all(validate_uscc(d.uscc).startswith("11") for d in depts)
        assert s.scalar(select(func.count()).select_from(RelatedPerson)) >= 200
        assert s.scalar(select(func.count()).select_from(User)) == len(logins)
        report = verify(s, demo_platform.keyring)
    assert report.ok, report.problems[:3]
    assert report.rows > 230


def test_demo_has_imports_listed_and_rows_waiting_for_a_person(demo_platform):  # R-COL-5, R-ENT-6
    from xinyong.ingest.models import HeldRow, HeldStatus, ImportRun, RunStatus

    build_demo(demo_platform, entities=200, persons=30, seed=7)
    with demo_platform.uow(write=False) as s:
        imports = s.scalars(select(ImportRun).order_by(ImportRun.id)).all()
        assert [r.filename for r in imports] == ["penalties.csv", "licences.xlsx", "餐饮处罚补报.csv"]
        assert all(r.status is RunStatus.FINISHED for r in imports) and imports[-1].held == 2
        waiting = s.scalars(select(HeldRow).where(HeldRow.status == HeldStatus.WAITING).order_by(HeldRow.row_number)).all()
        assert [len(h.candidate_ids) for h in waiting] == [2, 0]  # two shops of one name; a shop not registered


def test_demo_logins_authenticate_with_their_roles(demo_platform):
    logins = build_demo(demo_platform, entities=200, persons=30, seed=7)
    names = {row["username"] for row in logins}
    assert {"admin", "auditor", "scjg_officer", "scjg_reviewer", "company", "citizen"} <= names
    assert sum(row["role"] == "officer" for row in logins) == 8
    for row in logins:
        assert row["password"] == DEMO_PASSWORD and row["note"]
        assert row["role_label"] == ROLE_LABELS[Role(row["role"])]
        with demo_platform.uow() as s:
            user = accounts.authenticate(s, username=row["username"], password=row["password"])
            assert isinstance(user, User), row["username"]
            assert user.role.value == row["role"]
            if user.role in (Role.OFFICER, Role.REVIEWER):
                assert user.department is not None and user.department.name in row["note"]
    with demo_platform.uow(write=False) as s:
        admin = accounts.user_by_name(s, "admin")
        assert admin.department.is_credit_office


def test_demo_citizen_is_linked_as_a_related_person_of_a_company(demo_platform):  # R-ENT-4
    build_demo(demo_platform, entities=200, persons=30, seed=7)
    with demo_platform.uow(write=False) as s:
        citizen = accounts.user_by_name(s, "citizen")
        person = s.get(Entity, citizen.entity_id)
        assert person.kind is EntityKind.NATURAL_PERSON
        links = s.scalars(select(RelatedPerson).where(RelatedPerson.person_entity_id == person.id)).all()
        assert links, "the demo citizen runs or owns a company"
        company = s.get(Entity, links[0].entity_id)
        assert company.kind is not EntityKind.NATURAL_PERSON
        assert links[0].id_number_index == person.id_number_index
        # the number is stored only encrypted, under the same keys the service uses (R-SEC-2)
        number = demo_platform.keyring.decrypt(person.id_number_cipher, context=entities.ID_CONTEXT)
        assert validate_id_number(number) == number
        assert demo_platform.keyring.decrypt(links[0].id_number_cipher,
                                             context=entities.RELATED_ID_CONTEXT) == number
        assert person.id_number_masked == number[:6] + "********" + number[-4:]
        assert entities.get_by_code(s, actor=SYSTEM, code=number).id == person.id
        company_user = accounts.user_by_name(s, "company")
        assert entities.get_by_code(s, actor=SYSTEM, code=s.get(Entity, company_user.entity_id).uscc)


def test_demo_entities_round_trip_through_the_service(demo_platform):  # R-ENT-1, R-ENT-4
    build_demo(demo_platform, entities=200, persons=30, seed=7)
    with demo_platform.uow(write=False) as s:
        some = s.scalars(select(Entity).where(Entity.uscc.is_not(None)).order_by(Entity.id).limit(20)).all()
        for e in some:
            read = entities.to_read(entities.get_by_code(s, actor=SYSTEM, code=e.uscc))
            assert read.related_persons and read.related_persons[0].name == e.legal_representative
            assert all(p.id_number_masked and "*" in p.id_number_masked for p in read.related_persons)
            assert e.name_key == normalize_name(e.name)


def test_build_demo_starts_from_a_fresh_database(demo_platform):
    build_demo(demo_platform, entities=50, persons=10, seed=1)
    with demo_platform.uow(write=False) as s:
        first = s.scalar(select(func.count()).select_from(Entity))  # 60 generated + the sample files' parties
    build_demo(demo_platform, entities=60, persons=5, seed=2)
    with demo_platform.uow(write=False) as s:
        assert s.scalar(select(func.count()).select_from(Entity)) - first == 65 - 60  # nothing of the first left
        assert verify(s, demo_platform.keyring).ok


def test_demo_command_prints_the_logins(demo_platform):  # SPEC §18 `xinyong demo`
    from xinyong.cli import main

    result = CliRunner().invoke(main, ["demo", "--entities", "40", "--persons", "8", "--no-serve"],
                                obj=demo_platform)
    assert result.exit_code == 0, result.output
    assert "admin" in result.output and DEMO_PASSWORD in result.output and "信用办管理员" in result.output
    result = CliRunner().invoke(main, ["audit", "verify"], obj=demo_platform)
    assert result.exit_code == 0, result.output


def test_build_demo_refuses_to_wipe_a_server_database_unasked(platform):
    from xinyong.kit.db import is_sqlite
    from xinyong.kit.errors import Conflict

    if is_sqlite(platform.engine):
        pytest.skip("a SQLite demo database is a file of its own and is simply replaced")
    with pytest.raises(Conflict):
        build_demo(platform, entities=1, persons=0)
    with platform.uow(write=False) as s:
        assert s.scalar(select(func.count()).select_from(Department)) == 0  # untouched


def test_generated_rows_pass_the_entity_service_unchanged(uow):  # R-ENT-1, R-ENT-4: bulk and service agree
    from xinyong.entities.schemas import EntityCreate

    people, orgs = generate_zone(9, entities=60, persons=10)
    fields = set(EntityCreate.model_fields) - {"id_number", "related_persons"}
    with uow(actor=SYSTEM) as s:
        for person in people:
            entities.create_entity(s, actor=SYSTEM, entity_in=EntityCreate(
                kind=person["kind"], id_number=person["id_number"], name=person["name"], region=person["region"]))
        for org in orgs:
            created = entities.create_entity(s, actor=SYSTEM, entity_in=EntityCreate(
                **{k: org[k] for k in fields}, related_persons=org["related"]))
            assert created.name_key == org["name_key"]
        linked = s.scalar(select(func.count()).select_from(RelatedPerson)
                          .where(RelatedPerson.person_entity_id.is_not(None)))
    assert linked >= 1


def test_demo_shows_publicity_after_publication(demo_platform):  # R-PUB-4
    from xinyong.records.models import Fulfilment, PublicityShortening, Record, ShorteningStatus

    build_demo(demo_platform, entities=200, persons=30, seed=7)
    with demo_platform.uow(write=False) as s:
        assert s.scalar(select(func.count()).select_from(Record).where(Record.fulfilment == Fulfilment.UNFULFILLED)) == 1
        application = s.scalars(select(PublicityShortening)).one()
        assert application.status is ShorteningStatus.PENDING and application.months == 6


# ---- objections (issue 18) ------------------------------------------------------------------------

def test_demo_has_objections_at_every_stage(platform):  # R-OBJ-1…6, 003 §18, 002 二(四)4
    """Built on the suite's own database (PostgreSQL too): every stage, the demo logins' views of them,
    the late department's record gone from the public query, and the trail intact after it all."""
    import io
    import re

    from fastapi.testclient import TestClient
    from PIL import Image
    from pypdf import PdfReader

    from xinyong.kit.clock import today
    from xinyong.lists.models import Basis, ListEntry
    from xinyong.objections import reading
    from xinyong.objections.models import Evidence, Objection
    from xinyong.records.models import Record
    from xinyong.web.app import create_app

    logins = build_demo(platform, entities=200, persons=30, seed=7, allow_reset=True)
    day = today()
    with platform.uow(write=False) as s:
        admin = accounts.actor_for(accounts.user_by_name(s, "admin"))
        every = reading.listing(s, actor=admin, limit=1000).items
        by_status = Counter(o.status for o in every)
        assert {"received", "verified", "decided", "appealed", "closed"} <= set(by_status)
        for o in every:  # f-strings filled from the records, in Chinese, with nothing left blank
            assert o.statement and not re.search(r"None|\{|\}|年月", o.statement), o.statement
            if o.decided_on:  # R-OBJ-2: the credit office and the departments that answered did so in time
                assert not o.decision_deadline.overdue and not o.verification_deadline.overdue, o.id
        # received, the department within its 10 working days (unknown, not late, once they reach into 2027)
        new = [o for o in every if o.status == "received" and o.department_id and not o.suspended]
        assert len(new) >= 8 and all(o.open and (o.verify_by is None or o.verify_by >= day) for o in new)
        late = [o for o in every if o.suspended]  # R-OBJ-4: verify_by passed, unanswered
        assert len(late) == 1 and late[0].verify_by < day and late[0].verification_deadline.overdue
        assert any(e.media_type == "application/pdf" for e in late[0].evidence)
        verified = next(o for o in every if o.status == "verified")
        assert verified.finding == "correct" and not verified.decision_deadline.overdue
        assert verified.evidence[0].stage == "verification"

        upheld = next(o for o in every if o.outcome == "upheld")  # R-OBJ-5: corrected through a new version
        assert upheld.corrected and upheld.current_record_id != upheld.record_id and not upheld.correction_deadline.overdue
        current = s.get(Record, upheld.current_record_id)
        assert current.version == 2 and current.status.value == "accepted" and "ISO 14001" in current.content["content"]
        assert s.get(Record, upheld.record_id).status.value == "superseded"
        not_upheld = next(o for o in every if o.status == "decided" and o.outcome == "not_upheld")
        assert not not_upheld.open and not_upheld.appealable
        notices = [o.notice_number for o in every if o.notice_number]
        assert len(notices) == 4 and all(re.fullmatch(r"信异告〔\d{4}〕\d+号", n) for n in notices)
        in_order = sorted((o for o in every if o.notice_number), key=lambda o: o.decided_on)
        assert [int(re.search(r"〕(\d+)号", o.notice_number)[1]) for o in in_order] == [1, 2, 3, 4]  # as decided
        appealed = next(o for o in every if o.status == "appealed")  # R-OBJ-6, §19: still marked
        assert appealed.open and appealed.appeal_statement and appealed.evidence[-1].stage == "appeal"
        closed = next(o for o in every if o.status == "closed")
        assert (closed.appeal_outcome, closed.review_kind, closed.open) == ("dismissed", "reconsideration", False)
        assert closed.review_result and closed.review_closed_on <= day and closed.evidence[-1].stage == "review"

        by_department = [o for o in every if o.applicant_department_id]  # 003 §18, 002 二(四)4
        assert len(by_department) == 1 and by_department[0].department_id != by_department[0].applicant_department_id
        listing_one = next(o for o in every if o.target == "list_entry")
        entry = s.get(ListEntry, listing_one.list_entry_id)
        assert entry.basis is Basis.DETERMINATION and listing_one.department_id == entry.department_id
        assert listing_one.ground == "wrong_listing" and listing_one.status == "received"
        assert sum(o.target == "grade" for o in every) == 1  # the grading seed's, kept

        evidence = s.scalars(select(Evidence)).all()
        kinds = Counter(e.media_type for e in evidence)
        assert kinds["application/pdf"] >= 4 and kinds["image/png"] >= 3
        for e in evidence:
            if e.media_type == "application/pdf":
                text = PdfReader(io.BytesIO(e.content)).pages[0].extract_text().replace("\n", "")
                assert s.get(Objection, e.objection_id).entity.name in text, e.filename  # about that company
            else:
                Image.open(io.BytesIO(e.content)).verify()

        # the demo company's login sees one of its own open and one decided
        company = accounts.actor_for(accounts.user_by_name(s, "company"))
        own = reading.listing(s, actor=company).items
        assert any(o.open and o.target == "record" for o in own) and any(o.outcome for o in own)
        # every officer login finds a verification task waiting
        for row in (r for r in logins if r["role"] == "officer"):
            officer = accounts.actor_for(accounts.user_by_name(s, row["username"]))
            tasks = reading.listing(s, actor=officer, role="tasks", status=["received"]).items
            assert tasks, row["username"]
        late_code, late_record, late_number = late[0].entity_code, late[0].current_record_id, late[0].document_number
        marked = next(o for o in new if o.target == "record" and o.applicant_department_id is None
                      and s.get(Record, o.record_id).public and o.entity_code != late_code)
        assert verify(s, platform.keyring).ok
        assert s.scalar(select(func.count()).select_from(Objection)) == len(every)

    with TestClient(create_app(platform), base_url="http://127.0.0.1") as client:
        shown = client.get(f"/api/v1/public/entities/{late_code}").json()
        assert late_record not in {r["id"] for r in shown["records"]}  # R-OBJ-4
        assert late_number not in {r["document_number"] for r in shown["records"]}
        assert all(not r["under_objection"] for r in shown["records"])
        marks = {r["document_number"]: r["under_objection"]
                 for r in client.get(f"/api/v1/public/entities/{marked.entity_code}").json()["records"]}
        assert marks[marked.document_number] is True  # R-OBJ-3

    from xinyong.cli import main

    result = CliRunner().invoke(main, ["objections", "list", "--json"], obj=platform)
    assert result.exit_code == 0, result.output
    assert '"status": "closed"' in result.output or '"status":"closed"' in result.output
    result = CliRunner().invoke(main, ["audit", "verify"], obj=platform)
    assert result.exit_code == 0, result.output

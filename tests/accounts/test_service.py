import datetime as dt
import hashlib

import pytest
from sqlalchemy import func, select

from tests.factories import PASSWORD
from xinyong.accounts import service as accounts
from xinyong.accounts.models import ApiToken, Department, LoginThrottle, User
from xinyong.accounts.permissions import SYSTEM, Role
from xinyong.audit.models import AuditEvent
from xinyong.kit.clock import now
from xinyong.kit.errors import Conflict, Forbidden, Invalid, Locked, NotAuthenticated, NotFound, XinyongError


def count(uow, model) -> int:
    with uow(write=False) as s:
        return s.scalar(select(func.count()).select_from(model))


# ---- departments -------------------------------------------------------------------------------

def test_department_is_registered_with_its_normalised_uscc(uow, make):  # SPEC §18 department create
    code = make.uscc("11")
    with uow(actor=SYSTEM) as s:
        dept = accounts.create_department(s, actor=SYSTEM, uscc=f" {code.lower()} ", name=" 市场监管局 ")
    with uow(write=False) as s:
        assert accounts.department_by_uscc(s, code.lower()).id == dept.id
    assert (dept.uscc, dept.name, dept.is_credit_office) == (code, "市场监管局", False)


@pytest.mark.parametrize("bad", ["11110302MB0000000", "not a code", ""])
def test_department_with_a_bad_uscc_is_invalid_naming_the_field(uow, bad):  # SPEC §18, R-ENT-1
    with uow(actor=SYSTEM) as s:
        with pytest.raises(Invalid) as exc:
            accounts.create_department(s, actor=SYSTEM, uscc=bad, name="市场监管局")
    assert exc.value.field == "uscc"
    assert count(uow, Department) == 0


def test_department_with_a_bad_checksum_is_invalid(uow, make):  # SPEC §18, R-ENT-1
    code = make.uscc("11")
    bad = code[:-1] + ("0" if code[-1] != "0" else "1")
    with uow(actor=SYSTEM) as s:
        with pytest.raises(Invalid) as exc:
            accounts.create_department(s, actor=SYSTEM, uscc=bad, name="市场监管局")
    assert exc.value.field == "uscc" and "校验" in exc.value.message


def test_duplicate_department_uscc_or_name_is_a_conflict_naming_the_field(uow, make):  # SPEC §18
    dept = make.department("市场监管局")
    with uow(actor=SYSTEM) as s:
        with pytest.raises(Conflict) as by_code:
            accounts.create_department(s, actor=SYSTEM, uscc=dept.uscc, name="税务局")
        with pytest.raises(Conflict) as by_name:
            accounts.create_department(s, actor=SYSTEM, uscc=make.uscc("11"), name="市场监管局")
    assert by_code.value.field == "uscc" and dept.uscc in by_code.value.message
    assert by_name.value.field == "name" and "市场监管局" in by_name.value.message
    assert count(uow, Department) == 1


def test_only_the_credit_office_registers_departments(uow, make):  # SPEC §0
    officer = make.actor(make.user("officer"))
    with uow(actor=officer) as s:
        with pytest.raises(Forbidden):
            accounts.create_department(s, actor=officer, uscc=make.uscc("11"), name="税务局")


def test_unknown_department_is_not_found_naming_the_field(uow, make):  # SPEC §18
    with uow(write=False) as s:
        with pytest.raises(NotFound) as exc:
            accounts.department_by_uscc(s, make.uscc("11"))
    assert exc.value.field == "department"


# ---- users -------------------------------------------------------------------------------------

def create_user(uow, **kw):
    with uow(actor=SYSTEM) as s:
        return accounts.create_user(s, actor=SYSTEM, **({"password": PASSWORD} | kw))


def test_officer_is_created_in_a_department_with_a_hashed_password(uow, make, platform):  # SPEC §0, R-SEC-1
    dept = make.department()
    user = create_user(uow, username="clerk", role="Officer", department_uscc=dept.uscc.lower())
    assert user.role is Role.OFFICER and user.department_id == dept.id
    with uow(write=False) as s:
        stored = s.get(User, user.id)
    assert PASSWORD not in stored.password_hash and stored.password_hash.startswith("$argon2")
    assert make.actor(user).department_name == dept.name


@pytest.mark.parametrize("role", ["boss", "public", ""])
def test_unknown_role_is_invalid_naming_role(uow, role):  # SPEC §18 user create
    with pytest.raises(Invalid) as exc:
        create_user(uow, username="clerk", role=role)
    assert exc.value.field == "role"
    assert f"“{role}”" in exc.value.message and "admin" in exc.value.message
    assert count(uow, User) == 0


@pytest.mark.parametrize("role", ["officer", "reviewer"])
def test_department_staff_without_a_department_are_refused(uow, role):  # SPEC §0, §18
    with pytest.raises(Invalid) as exc:
        create_user(uow, username="clerk", role=role)
    assert exc.value.field == "department"
    assert count(uow, User) == 0


def test_roles_outside_departments_cannot_be_given_one(uow, make):  # SPEC §0
    with pytest.raises(Invalid) as exc:
        create_user(uow, username="watcher", role="auditor", department_uscc=make.department().uscc)
    assert exc.value.field == "department"


def test_entity_user_represents_an_existing_entity(uow, make):  # SPEC §0, §18
    entity = make.entity()
    user = create_user(uow, username="company", role="entity", entity_code=entity.uscc.lower())
    assert user.entity_id == entity.id
    with pytest.raises(Invalid) as missing:
        create_user(uow, username="company2", role="entity")
    assert missing.value.field == "entity"
    with pytest.raises(NotFound):
        create_user(uow, username="company3", role="entity", entity_code=make.uscc())


def test_duplicate_username_is_a_conflict(uow, make):  # SPEC §18
    make.user("auditor", username="watcher")
    with pytest.raises(Conflict) as exc:
        create_user(uow, username="watcher", role="auditor")
    assert exc.value.field == "username"
    assert count(uow, User) == 1


@pytest.mark.parametrize("password", ["", "short", "1234567"])
def test_short_password_is_invalid(uow, password):  # R-SEC-1
    with pytest.raises(Invalid) as exc:
        create_user(uow, username="watcher", role="auditor", password=password)
    assert exc.value.field == "password"
    assert count(uow, User) == 0


@pytest.mark.parametrize("username", ["张三", "a", "with space", "x" * 65])
def test_bad_username_is_invalid(uow, username):  # SPEC §18
    with pytest.raises(Invalid) as exc:
        create_user(uow, username=username, role="auditor")
    assert exc.value.field == "username"


def test_only_the_credit_office_creates_users(uow, make):  # SPEC §0
    officer = make.actor(make.user("officer"))
    with uow(actor=officer) as s:
        with pytest.raises(Forbidden):
            accounts.create_user(s, actor=officer, username="x1", password=PASSWORD, role="auditor")


# ---- authentication (R-SEC-3) ------------------------------------------------------------------

def login(uow, username: str, password: str):
    with uow() as s:
        result = accounts.authenticate(s, username=username, password=password)
        return result if isinstance(result, XinyongError) else result.id


def test_correct_password_returns_the_user(uow, make):  # SPEC §0
    user = make.user("auditor", username="watcher")
    assert login(uow, "watcher", PASSWORD) == user.id
    assert login(uow, " watcher ", PASSWORD) == user.id


def test_wrong_password_and_unknown_user_return_the_same_error(uow, make):  # R-SEC-1
    make.user("auditor", username="watcher")
    wrong, unknown = login(uow, "watcher", "wrong-password"), login(uow, "nobody", PASSWORD)
    assert isinstance(wrong, NotAuthenticated) and isinstance(unknown, NotAuthenticated)
    assert wrong.message == unknown.message


def test_inactive_user_cannot_log_in(uow, make):  # R-SEC-1
    user = make.user("auditor", username="watcher")
    with uow(actor=SYSTEM) as s:
        s.get(User, user.id).is_active = False
    assert isinstance(login(uow, "watcher", PASSWORD), NotAuthenticated)


def test_lockout_after_max_failures_persists_across_units_of_work(uow, make, settings):  # R-SEC-3
    user = make.user("auditor", username="watcher")
    limit = settings.login_max_failures
    for _ in range(limit - 1):
        assert isinstance(login(uow, "watcher", "wrong-password"), NotAuthenticated)
    with uow(write=False) as s:
        assert s.get(LoginThrottle, "watcher").failures == limit - 1
    assert isinstance(login(uow, "watcher", "wrong-password"), Locked)
    # locked: even the right password is refused, in a later unit of work
    assert isinstance(login(uow, "watcher", PASSWORD), Locked)
    with uow(write=False) as s:
        locked_until = s.get(LoginThrottle, "watcher").locked_until
        failures = s.scalars(select(AuditEvent).where(AuditEvent.action == "user.login_failed")
                             .order_by(AuditEvent.seq)).all()
    assert locked_until > now() + dt.timedelta(minutes=settings.login_lock_minutes - 1)
    assert len(failures) == limit and failures[-1].detail["locked"] is True
    assert failures[-1].subject_id == str(user.id)


def test_lock_expires_and_a_good_login_clears_it(uow, make, settings):  # R-SEC-3
    user = make.user("auditor", username="watcher")
    for _ in range(settings.login_max_failures):
        login(uow, "watcher", "wrong-password")
    with uow(actor=SYSTEM) as s:
        s.get(LoginThrottle, "watcher").locked_until = now() - dt.timedelta(seconds=1)
    assert login(uow, "watcher", PASSWORD) == user.id
    with uow(write=False) as s:
        assert s.get(LoginThrottle, "watcher") is None


def test_a_good_login_resets_the_failure_count(uow, make, settings):  # R-SEC-3
    make.user("auditor", username="watcher")
    for _ in range(settings.login_max_failures - 1):
        login(uow, "watcher", "wrong-password")
    assert isinstance(login(uow, "watcher", PASSWORD), int)
    for _ in range(settings.login_max_failures - 1):
        assert isinstance(login(uow, "watcher", "wrong-password"), NotAuthenticated)
    assert isinstance(login(uow, "watcher", PASSWORD), int)


# ---- API tokens --------------------------------------------------------------------------------

def issue(uow, user, actor=SYSTEM, **kw):
    with uow(actor=actor) as s:
        return accounts.create_token(s, actor=actor, user=s.merge(user), **kw)


def resolve(uow, raw):
    with uow(write=False) as s:
        actor = accounts.token_actor(s, raw)
        return actor.user_id if actor else None


def test_token_resolves_to_its_user_and_only_its_hash_is_stored(uow, make, platform):  # SPEC §18 token create, R-SEC-1
    user = make.user("officer")
    raw, token = issue(uow, user, name="业务系统")
    assert raw.startswith("xy_") and len(raw) > 40
    assert resolve(uow, raw) == user.id
    assert resolve(uow, raw + "x") is None
    with platform.engine.connect() as conn:
        row = conn.execute(select(ApiToken.__table__)).mappings().one()
    assert row["token_hash"] == hashlib.sha256(raw.encode()).hexdigest()
    for column, value in row.items():
        assert raw not in str(value), column


def test_revoked_token_resolves_to_nothing(uow, make):  # R-SEC-1
    user = make.user("officer")
    raw, token = issue(uow, user)
    with uow(actor=SYSTEM) as s:
        accounts.revoke_token(s, actor=SYSTEM, token_id=token.id)
    assert resolve(uow, raw) is None


def test_expired_token_resolves_to_nothing(uow, make):  # R-SEC-1
    user = make.user("officer")
    raw, token = issue(uow, user, days=1)
    with uow(actor=SYSTEM) as s:
        s.get(ApiToken, token.id).expires_at = now() - dt.timedelta(seconds=1)
    assert resolve(uow, raw) is None


def test_token_of_a_deactivated_user_resolves_to_nothing(uow, make):  # R-SEC-1
    user = make.user("officer")
    raw, _ = issue(uow, user)
    with uow(actor=SYSTEM) as s:
        s.get(User, user.id).is_active = False
    assert resolve(uow, raw) is None


def test_a_user_may_issue_a_token_for_itself_but_not_for_another(uow, make):  # SPEC §0
    officer = make.user("officer")
    other = make.user("officer")
    raw, _ = issue(uow, officer, actor=make.actor(officer))
    assert resolve(uow, raw) == officer.id
    with pytest.raises(Forbidden):
        issue(uow, other, actor=make.actor(officer))


def test_an_officer_cannot_issue_a_token_for_someone_else(uow, make):  # SPEC §0
    officer, other = make.user("officer"), make.user("auditor")
    with pytest.raises(Forbidden):
        with uow(actor=SYSTEM) as s:
            accounts.create_token(s, actor=make.actor(officer), user=s.merge(other))
    assert count(uow, ApiToken) == 0


@pytest.mark.parametrize("days", [-1, 0, 367])
def test_token_lifetime_out_of_range_is_invalid(uow, make, days):  # SPEC §18
    with pytest.raises(Invalid) as exc:
        issue(uow, make.user("officer"), days=days)
    assert exc.value.field == "days"


def test_unknown_names_lock_out_exactly_like_real_ones(uow, make, settings):  # R-SEC-3: no user enumeration
    make.user("auditor", username="watcher")
    answers = {}
    for name in ("watcher", "nobody-here"):
        answers[name] = [type(login(uow, name, "wrong-password")).__name__
                         for _ in range(settings.login_max_failures + 1)]
    assert answers["watcher"] == answers["nobody-here"]
    assert answers["watcher"][-2:] == ["Locked", "Locked"]
    with uow(write=False) as s:
        events = s.scalars(select(AuditEvent).where(AuditEvent.action == "user.login_failed")).all()
    assert {e.detail["username"] for e in events} == {"watcher", "nobody-here"}

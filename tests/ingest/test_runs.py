"""Import runs (导入记录): the counts as the import goes, the report at its end, one audited event."""

import json
import os
import subprocess
import sys
from importlib import resources

import pytest
from sqlalchemy import func, select

from tests.conftest import TEST_SECRET
from tests.ingest.builders import PENALTY_HEADERS, penalty, write_csv
from xinyong.accounts import service as accounts
from xinyong.accounts.permissions import SYSTEM
from xinyong.audit.models import AuditEvent
from xinyong.audit.verify import verify
from xinyong.ingest import runs
from xinyong.ingest import service as ingest
from xinyong.ingest.models import ImportRun, RunStatus
from xinyong.kit.errors import Conflict, Invalid, NotFound

SAMPLES = resources.files("xinyong.ingest").joinpath("samples")
SCJG = "11110302MB0141592W"  # the authority code the sample files carry


@pytest.fixture
def scjg(uow, make):
    with uow(actor=SYSTEM) as s:
        dept = accounts.create_department(s, actor=SYSTEM, uscc=SCJG, name="北京经济技术开发区市场监督管理局")
    return {"dept": dept, "officer": make.actor(make.user("officer", "scjg_jbr", department=dept)),
            "outsider": make.actor(make.user("officer", "sthj_jbr")), "admin": make.actor(make.user("admin", "xyb"))}


def read_run(uow, run_id) -> ImportRun:
    with uow(write=False) as s:
        return s.get(ImportRun, run_id)


def test_a_run_ends_with_the_report_and_one_audited_event(platform, uow, scjg):  # R-COL-5
    run_id = runs.start(platform, scjg["officer"], "处罚.csv")
    assert read_run(uow, run_id).status is RunStatus.RUNNING
    result = runs.execute(platform, run_id, str(SAMPLES / "penalties.csv"), actor=scjg["officer"])
    run = read_run(uow, run_id)
    assert (run.status, run.format, run.encoding) == (RunStatus.FINISHED, "penalty", "gb18030")
    assert (run.total, run.accepted, run.duplicates, run.rejected_count, run.held) == (30, 27, 0, 3, 0)
    assert [r["row"] for r in run.rejected] == [10, 18, 25] == [r["row"] for r in result.report.rejected]
    assert run.finished_at is not None and run.user_id == scjg["officer"].user_id
    assert runs.errors_xlsx(run).exists()
    with uow(write=False) as s:
        event = s.scalars(select(AuditEvent).where(AuditEvent.action == "import.finished")).one()
        assert event.subject_id == str(run_id)
        assert {k: event.detail[k] for k in ("accepted", "rejected", "duplicates", "held", "total")} == {
            "accepted": 27, "rejected": 3, "duplicates": 0, "held": 0, "total": 30}
        assert verify(s, platform.keyring).ok


def test_progress_is_committed_with_each_batch(platform, uow, scjg, monkeypatch):
    monkeypatch.setattr(ingest, "BATCH", 10)
    seen = []
    run_id = runs.start(platform, scjg["officer"], "penalties.csv")

    def watch(report):  # the run as another connection (the page) sees it when the importer reports
        run = read_run(uow, run_id)
        seen.append((run.batches, run.total, run.accepted))
        assert run.accepted == report.accepted  # exactly what is in: written in the batch's own transaction

    runs.execute(platform, run_id, str(SAMPLES / "penalties.csv"), actor=scjg["officer"],
                 on_progress=watch)
    assert len(seen) >= 3 and seen == sorted(seen) and [b for b, _, _ in seen][:3] == [1, 2, 3]
    run = read_run(uow, run_id)
    assert (run.total, run.batches, run.status) == (30, 3, RunStatus.FINISHED)


def test_a_checkpoint_writes_the_counts_and_renews_the_lease(platform, uow, scjg):
    run_id = runs.start(platform, scjg["officer"], "a.csv")
    before = read_run(uow, run_id)
    with uow() as s:
        runs.checkpoint(s, run_id, before.holder, {"accepted": 7, "duplicates": 2, "rejected_count": 1, "held": 1,
                                                   "total": 11})
    run = read_run(uow, run_id)
    assert (run.total, run.accepted, run.duplicates, run.rejected_count, run.held, run.batches) == (11, 7, 2, 1, 1, 1)
    assert run.status is RunStatus.RUNNING and run.lease_until >= before.lease_until


def test_a_batch_of_a_run_no_longer_held_is_not_committed(platform, uow, scjg):  # issue 17: as before or as after
    run_id = runs.start(platform, scjg["officer"], "a.csv")
    with pytest.raises(Conflict), uow() as s:
        runs.checkpoint(s, run_id, "another-host/1:1:1", {"accepted": 1, "duplicates": 0, "rejected_count": 0,
                                                          "held": 0, "total": 1})
    assert (read_run(uow, run_id).accepted, read_run(uow, run_id).batches) == (0, 0)


def test_a_file_that_cannot_be_imported_fails_the_run_with_its_reason(platform, uow, scjg, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("序号,名称\n1,某公司\n", encoding="utf-8")
    run_id = runs.start(platform, scjg["officer"], "bad.csv")
    with pytest.raises(Invalid):
        runs.execute(platform, run_id, str(bad), actor=scjg["officer"])
    run = read_run(uow, run_id)
    assert run.status is RunStatus.FAILED and run.error and run.finished_at is not None
    with uow(write=False) as s:
        assert s.scalar(select(AuditEvent.action).where(AuditEvent.subject_type == "import_run")) == "import.failed"


def test_an_interrupted_import_is_recorded_and_says_how_to_complete_it(platform, uow, scjg, monkeypatch):
    def killed(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(ingest, "import_file", killed)
    run_id = runs.start(platform, scjg["officer"], "p.csv")
    with pytest.raises(KeyboardInterrupt):
        runs.execute(platform, run_id, str(SAMPLES / "penalties.csv"), actor=scjg["officer"])
    run = read_run(uow, run_id)
    assert run.status is RunStatus.INTERRUPTED and "重新导入同一文件" in run.error
    with uow(write=False) as s:
        assert s.scalar(select(AuditEvent.action).where(AuditEvent.subject_type == "import_run")) == "import.interrupted"


def test_a_department_sees_its_own_runs_and_the_credit_office_all(platform, uow, scjg):
    run_id = runs.start(platform, scjg["officer"], "p.csv")
    with uow(write=False) as s:
        assert runs.get(s, actor=scjg["officer"], run_id=run_id).id == run_id
        assert runs.listing(s, actor=scjg["admin"]).total == 1
        assert runs.listing(s, actor=scjg["outsider"]).total == 0
        with pytest.raises(NotFound):
            runs.get(s, actor=scjg["outsider"], run_id=run_id)


def test_the_cli_import_is_a_run_too(settings, uow, scjg, tmp_path):  # SPEC §18
    path = write_csv(tmp_path / "两行.csv", PENALTY_HEADERS, [penalty(**{"处罚机关统一社会信用代码": SCJG,
                                                                           "数据来源单位统一社会信用代码": SCJG}),
                                                                   penalty(违法事实="")])
    env = os.environ | {"XINYONG_DATABASE_URL": settings.database_url, "XINYONG_SECRET_KEY": TEST_SECRET}
    r = subprocess.run([sys.executable, "-m", "xinyong.cli", "import", str(path), "--department", SCJG, "--json"],
                       env=env, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert (data["accepted"], len(data["rejected"]), data["duplicates"], data["held"]) == (1, 1, 0, 0)
    with uow(write=False) as s:
        run = s.scalars(select(ImportRun)).one()
        assert (run.filename, run.user_id, run.status, run.accepted) == ("两行.csv", None, RunStatus.FINISHED, 1)


def test_a_name_only_row_waits_in_the_queue_under_its_run(platform, uow, qzone, tmp_path):  # R-ENT-6
    from tests.ingest.conftest import name_only
    from xinyong.ingest.models import HeldRow

    path = write_csv(tmp_path / "名称.csv", PENALTY_HEADERS, [penalty(), name_only(行政处罚决定书文号="京经开市监罚〔2026〕9号")])
    run_id = runs.start(platform, qzone["officer"], "名称.csv")
    runs.execute(platform, run_id, str(path), actor=qzone["officer"])
    run = read_run(uow, run_id)
    assert (run.accepted, run.held, run.rejected_count, run.total) == (1, 1, 0, 2)
    with uow(write=False) as s:
        held = s.scalars(select(HeldRow)).one()
        assert (held.import_run_id, held.row_number, set(held.candidate_ids)) == (
            run_id, 3, {qzone["first"].id, qzone["second"].id})
    again = runs.start(platform, qzone["officer"], "名称.csv")
    runs.execute(platform, again, str(path), actor=qzone["officer"])
    with uow(write=False) as s:
        assert s.scalar(select(func.count()).select_from(HeldRow)) == 1  # importing it again adds nothing

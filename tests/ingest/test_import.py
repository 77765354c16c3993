"""Importing national files into records (R-COL-5, R-ENT-6, SPEC §18 import)."""

import json
import os
import subprocess
import sys
from importlib import resources

import pytest
from sqlalchemy import func, select

from tests.conftest import TEST_SECRET
from xinyong.accounts import service as accounts
from xinyong.accounts.permissions import SYSTEM
from xinyong.audit.verify import verify
from xinyong.entities.models import Entity
from xinyong.ingest import service as ingest
from xinyong.ingest.models import HeldRow, HeldStatus
from xinyong.records.models import Record, Status

SAMPLES = resources.files("xinyong.ingest").joinpath("samples")
SCJG = "11110302MB0141592W"  # the authority code the sample files carry


@pytest.fixture
def scjg(uow):
    with uow(actor=SYSTEM) as s:
        accounts.create_department(s, actor=SYSTEM, uscc=SCJG, name="北京经济技术开发区市场监督管理局")
    return SCJG


def records_count(uow) -> int:
    with uow(write=False) as s:
        return s.scalar(select(func.count()).select_from(Record))


def test_sample_penalties_go_in_and_bad_rows_are_reported(platform, scjg, uow):  # R-COL-5
    result = ingest.import_file(platform, str(SAMPLES / "penalties.csv"), actor=ingest.import_actor(platform, scjg))
    report = result.report.as_dict()
    assert report["accepted"] == 27 and report["duplicates"] == 0
    assert [r["row"] for r in report["rejected"]] == [10, 18, 25]
    assert "校验位" in report["rejected"][0]["reason"] and "违法事实" in report["rejected"][1]["reason"]
    assert result.encoding == "gb18030"
    with uow(write=False) as s:
        assert s.scalar(select(func.count()).select_from(Record).where(Record.status == Status.SUBMITTED)) == 27
        assert s.scalar(select(func.count()).select_from(Entity)) >= 15  # parties registered by their codes
        assert verify(s, platform.keyring).ok


def test_importing_the_same_file_again_changes_nothing(platform, scjg, uow):  # R-COL-5
    actor = ingest.import_actor(platform, scjg)
    ingest.import_file(platform, str(SAMPLES / "penalties.csv"), actor=actor)
    before = records_count(uow)
    again = ingest.import_file(platform, str(SAMPLES / "penalties.csv"), actor=actor).report
    assert (again.accepted, again.duplicates, len(again.rejected)) == (0, 27, 3)
    assert records_count(uow) == before


def test_a_killed_import_leaves_whole_batches_and_the_rerun_completes_it(platform, scjg, uow, monkeypatch):
    monkeypatch.setattr(ingest, "BATCH", 10)
    real_store, calls = ingest.record_bulk.store, []

    def store_then_die(*args, **kwargs):
        # the second batch's new parties are already inserted when the process dies
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt("killed in the middle of the second batch")
        return real_store(*args, **kwargs)

    monkeypatch.setattr(ingest.record_bulk, "store", store_then_die)
    actor = ingest.import_actor(platform, scjg)
    with uow(write=False) as s:
        entities_before = s.scalar(select(func.count()).select_from(Entity))
    with pytest.raises(KeyboardInterrupt):
        ingest.import_file(platform, str(SAMPLES / "penalties.csv"), actor=actor)
    assert records_count(uow) == 10  # the first batch, whole; nothing of the second
    with uow(write=False) as s:
        first_batch_parties = s.scalar(select(func.count(func.distinct(Record.entity_id))))
        assert s.scalar(select(func.count()).select_from(Entity)) == entities_before + first_batch_parties
        assert verify(s, platform.keyring).ok
    monkeypatch.setattr(ingest.record_bulk, "store", real_store)
    rerun = ingest.import_file(platform, str(SAMPLES / "penalties.csv"), actor=actor).report
    assert (rerun.accepted, rerun.duplicates) == (17, 10)
    assert records_count(uow) == 27
    with uow(write=False) as s:
        assert verify(s, platform.keyring).ok


def test_licence_workbook(platform, uow, make):
    with uow(actor=SYSTEM) as s:
        accounts.create_department(s, actor=SYSTEM, uscc=SCJG, name="北京经济技术开发区市场监督管理局")
    report = ingest.import_file(platform, str(SAMPLES / "licences.xlsx"), actor=ingest.import_actor(platform, SCJG)).report
    assert (report.accepted, report.rejected) == (20, [])


def test_a_row_with_only_a_name_attaches_only_when_unambiguous(platform, scjg, make, tmp_path, uow):  # R-ENT-6
    from tests.ingest.builders import PENALTY_HEADERS, penalty, write_csv

    make.entity("北京亦庄唯一科技有限公司")
    make.entity("北京亦庄同名科技有限公司")
    make.entity("北京亦庄同名科技有限责任公司")  # the same name once normalised (R-ENT-6)
    code_1 = next(h for h in PENALTY_HEADERS if h.startswith("行政相对人代码_1"))
    rows = [penalty(**{"行政相对人名称": "北京亦庄唯一科技有限责任公司", code_1: "", "行政处罚决定书文号": "名〔2026〕1号",
                       "处罚机关统一社会信用代码": SCJG, "数据来源单位统一社会信用代码": SCJG}),
            penalty(**{"行政相对人名称": "北京亦庄同名科技有限公司", code_1: "", "行政处罚决定书文号": "名〔2026〕2号",
                       "处罚机关统一社会信用代码": SCJG, "数据来源单位统一社会信用代码": SCJG})]
    path = write_csv(tmp_path / "names.csv", PENALTY_HEADERS, rows)
    actor = ingest.import_actor(platform, scjg)
    report = ingest.import_file(platform, str(path), actor=actor).report
    assert (report.accepted, report.held, report.rejected) == (1, 1, [])
    with uow(write=False) as s:
        held = s.scalars(select(HeldRow)).one()
        assert (held.row_number, held.status, len(held.candidate_ids)) == (3, HeldStatus.WAITING, 2)
        assert "多个同名主体" in held.reason
        assert verify(s, platform.keyring).ok
    again = ingest.import_file(platform, str(path), actor=actor).report
    assert (again.accepted, again.duplicates, again.held) == (0, 1, 1)  # still waiting, not queued twice
    with uow(write=False) as s:
        assert s.scalar(select(func.count()).select_from(HeldRow)) == 1


def _two_departments(uow):
    from xinyong.accounts.models import Department

    with uow(actor=SYSTEM) as s:
        accounts.create_department(s, actor=SYSTEM, uscc=SCJG, name="北京经济技术开发区市场监督管理局")
        accounts.create_department(s, actor=SYSTEM, uscc=SAMPLE_STHJ, name="北京经济技术开发区生态环境局")
        office = accounts.create_department(s, actor=SYSTEM, uscc="11110302MB10000074", name="信用办", is_credit_office=True)
        return {d.uscc: d.id for d in s.scalars(select(Department))}, office.uscc


SAMPLE_STHJ = "11110302MB0265358Y"  # an authority of the sample licence file besides 市场监管


def test_a_department_imports_only_the_rows_it_decided(platform, uow):  # R-REV-3: only the recorder changes them
    ids, _ = _two_departments(uow)
    report = ingest.import_file(platform, str(SAMPLES / "licences.xlsx"), actor=ingest.import_actor(platform, SCJG)).report
    others = [r for r in report.rejected if "生态环境局" in r["reason"]]
    assert report.accepted == 16 and len(others) == 4 and "应由该部门报送" in others[0]["reason"]
    with uow(write=False) as s:
        assert set(s.scalars(select(Record.department_id))) == {ids[SCJG]}


def test_the_credit_office_import_files_each_row_under_the_department_that_decided_it(platform, uow):
    ids, office = _two_departments(uow)
    report = ingest.import_file(platform, str(SAMPLES / "licences.xlsx"), actor=ingest.import_actor(platform, office)).report
    assert (report.accepted, report.rejected) == (20, [])
    with uow(write=False) as s:
        by_department = dict(s.execute(select(Record.department_id, func.count()).group_by(Record.department_id)).all())
        # rows of authorities not on the platform stay with the importer, who forwards them
        assert by_department == {ids[SCJG]: 10, ids[SAMPLE_STHJ]: 4, ids[office]: 6}


def test_the_cli_import_prints_the_spec_keys(settings, scjg, tmp_path):  # SPEC §18
    env = os.environ | {"XINYONG_DATABASE_URL": settings.database_url, "XINYONG_SECRET_KEY": TEST_SECRET}
    cmd = [sys.executable, "-m", "xinyong.cli", "import", str(SAMPLES / "penalties.csv"), "--department", scjg]
    r = subprocess.run([*cmd, "--json", "--errors-xlsx", str(tmp_path / "errors.xlsx")], env=env, capture_output=True,
                       text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["accepted"] == 27 and data["duplicates"] == 0 and [x["row"] for x in data["rejected"]] == [10, 18, 25]
    assert (tmp_path / "errors.xlsx").exists()
    again = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
    assert "导入 0 行" in again.stdout and "重复跳过 27 行" in again.stdout and "第 10 行" in again.stdout


def test_a_big_file_is_checked_in_other_processes_with_the_same_result(platform, uow):  # R-COL-5
    from xinyong.ingest.reader import open_table
    from xinyong.records.bulk import Context

    with uow(write=False) as s:
        ctx = Context.load(s, "penalty")
    rows = list(open_table(SAMPLES / "penalties.csv").rows())
    here = list(ingest.checked_rows(ctx, rows, workers=0))
    monkey_chunk, ingest.PARSE_CHUNK = ingest.PARSE_CHUNK, 4  # several chunks in flight
    try:
        there = list(ingest.checked_rows(ctx, rows, workers=2))
    finally:
        ingest.PARSE_CHUNK = monkey_chunk
    assert [n for n, _, _ in there] == [n for n, _ in rows]
    assert there == here and sum(isinstance(c, ingest.RowError) for _, _, c in there) == 3


def test_the_terminal_progress_bar(platform, scjg):  # issue 3: a long import shows its progress
    from xinyong.cli import progress_line

    assert progress_line(450_000, 1_000_000, 150).startswith("[" + "█" * 14 + "░" * 16 + "]  45%  450,000 / 1,000,000 行")
    assert progress_line(450_000, 1_000_000, 150).endswith("3,000 行/秒  还需约 3 分钟")
    assert progress_line(10, None, 1) == "已处理 10 行  10 行/秒"
    seen = []
    ingest.import_file(platform, str(SAMPLES / "penalties.csv"), actor=ingest.import_actor(platform, scjg),
                       progress=lambda r: seen.append((r.total, r.expected)))
    assert seen[-1] == (30, 30)


def test_an_imported_final_record_lifts_the_pre_warning(platform, uow, make, tmp_path):  # R-COL-3 on the bulk path
    import datetime as dt

    from tests.ingest.builders import COMPANY_USCC, MARKET_BUREAU_USCC, PENALTY_HEADERS, penalty, write_csv
    from tests.records.conftest import penalty_in
    from xinyong.records import service as records

    dept = make.department("北京经济技术开发区市场监督管理局", uscc=MARKET_BUREAU_USCC)
    company = make.entity("北京亦庄星河智能科技有限公司", uscc=COMPANY_USCC)
    officer = make.actor(make.user("officer", "scjg_jbr", department=dept))
    with uow(actor=officer) as s:
        warning = records.create(s, actor=officer, record_in=penalty_in(
            company, document_number="预警〔2026〕3号", is_pre_warning=True, final_deadline=dt.date(2026, 6, 30),
            content=penalty_in(company).content | {"authority_uscc": MARKET_BUREAU_USCC}))
        wid = warning.id
    path = write_csv(tmp_path / "final.csv", PENALTY_HEADERS, [penalty()])
    assert ingest.import_file(platform, str(path), actor=ingest.import_actor(platform, MARKET_BUREAU_USCC)).report.accepted == 1
    with uow(write=False) as s:
        w = s.get(Record, wid)
        assert (w.status, w.is_current) == (Status.SUPERSEDED, False) and "京经开市监罚〔2026〕12号" in w.reason
        assert verify(s, platform.keyring).ok


# --- the bulk path stores what the single path stores, and leaves the database fit for it ------------------


def _market_bureau(make):
    from tests.ingest.builders import MARKET_BUREAU_USCC

    dept = make.department("北京经济技术开发区市场监督管理局", uscc=MARKET_BUREAU_USCC)
    return dept, make.actor(make.user("officer", "scjg_jbr", department=dept))


def test_a_bulk_record_is_the_record_the_service_would_store(platform, uow, make, tmp_path):  # R-COL-1: one record, any channel
    from tests.ingest.builders import COMPANY_USCC, PENALTY_HEADERS, penalty, write_csv
    from xinyong.catalog import service as catalog
    from xinyong.ingest.reader import read_all
    from xinyong.ingest.rows import parse_row
    from xinyong.kit.clock import today
    from xinyong.records import service as records
    from xinyong.records.models import Channel

    dept, officer = _market_bureau(make)
    make.entity("北京亦庄星河智能科技有限公司", uscc=COMPANY_USCC)
    bulk = write_csv(tmp_path / "a.csv", PENALTY_HEADERS, [penalty()])
    single = write_csv(tmp_path / "b.csv", PENALTY_HEADERS, [penalty(**{"行政处罚决定书文号": "京经开市监罚〔2026〕13号"})])
    assert ingest.import_file(platform, str(bulk), actor=officer).report.accepted == 1
    (number, raw), = read_all(single)
    with uow(actor=officer) as s:
        fields = {f["name"] for f in catalog.get_type(s, "penalty").fields}
        row = parse_row("penalty", number, raw, today=today())
        records.create(s, actor=officer, record_in=ingest.record_in_of(row, COMPANY_USCC, fields), channel=Channel.FILE)
    with uow(write=False) as s:
        a, b = s.scalars(select(Record).order_by(Record.id)).all()
        skip = {"id", "lineage", "document_number", "dedup_key", "created_at", "submitted_at", "late_workdays"}
        columns = [c.key for c in Record.__table__.columns if c.key not in skip]
        assert {c: getattr(a, c) for c in columns} == {c: getattr(b, c) for c in columns}
        assert (a.late_workdays is None) == (b.late_workdays is None)
        assert verify(s, platform.keyring).ok


def test_after_a_bulk_import_ordinary_inserts_still_get_fresh_ids(platform, uow, make):  # PostgreSQL sequences
    from tests.records.conftest import penalty_in
    from xinyong.records import service as records

    with uow(actor=SYSTEM) as s:
        accounts.create_department(s, actor=SYSTEM, uscc=SCJG, name="北京经济技术开发区市场监督管理局")
    actor = ingest.import_actor(platform, SCJG)
    assert ingest.import_file(platform, str(SAMPLES / "penalties.csv"), actor=actor).report.accepted == 27
    company = make.entity("北京亦庄新登记科技有限公司")  # an ordinary INSERT into entities
    officer = make.actor(make.user("officer", "scjg_new", department=make.department("另一部门")))
    with uow(actor=officer) as s:  # and into records
        assert records.create(s, actor=officer, record_in=penalty_in(company)).id > 27


def test_parties_that_no_code_identifies_wait_for_a_person(platform, uow, make, tmp_path):  # R-ENT-1, R-ENT-6
    from tests.helpers import id_number
    from tests.ingest.builders import PENALTY_HEADERS, penalty, write_csv

    _, officer = _market_bureau(make)
    code_1 = next(h for h in PENALTY_HEADERS if h.startswith("行政相对人代码_1"))
    operator_id = id_number("19800101", "222", "110105")
    rows = [
        # an individual business known only by its operator's ID number
        penalty(**{"行政相对人名称": "北京亦庄老王小吃店", "行政相对人类别": "个体工商户", code_1: "",
                   "证件类型": "身份证", "证件号码": operator_id, "行政处罚决定书文号": "个〔2026〕1号"}),
        # a natural person with a passport
        penalty(**{"行政相对人名称": "JOHN SMITH", "行政相对人类别": "自然人", code_1: "", "证件类型": "护照号",
                   "证件号码": "E12345678", "处罚类别": "警告", "罚款金额（万元）": "", "处罚内容": "警告",
                   "行政处罚决定书文号": "个〔2026〕2号"}),
        # a legal representative longer than an entity keeps: the record keeps it
        penalty(**{"法定代表人": "长" * 150, "行政处罚决定书文号": "个〔2026〕3号"}),
    ]
    path = write_csv(tmp_path / "odd.csv", PENALTY_HEADERS, rows)
    report = ingest.import_file(platform, str(path), actor=officer).report
    assert (report.accepted, report.held, report.rejected) == (1, 2, []), report.rejected
    with uow(write=False) as s:
        assert s.scalar(select(func.count()).select_from(Entity).where(Entity.uscc == operator_id)) == 0
        assert s.scalar(select(func.count()).select_from(Entity).where(Entity.name == "JOHN SMITH")) == 0
        company = s.scalars(select(Entity).where(Entity.name == "北京亦庄星河智能科技有限公司")).one()
        assert company.legal_representative is None
        assert s.scalars(select(Record)).one().content["legal_representative"] == "长" * 150


def test_rows_the_credit_office_files_for_a_department_that_approves_wait_for_its_reviewer(platform, uow, make, tmp_path):
    # R-REV-1: a reviewer's rows go straight on only in the reviewer's own department
    from tests.ingest.builders import COMPANY_USCC, MARKET_BUREAU_USCC, PENALTY_HEADERS, penalty, write_csv

    with uow(actor=SYSTEM) as s:
        scjg = accounts.create_department(s, actor=SYSTEM, uscc=MARKET_BUREAU_USCC, name="北京经济技术开发区市场监督管理局")
        scjg.requires_approval = True
        office = accounts.create_department(s, actor=SYSTEM, uscc="11110302MB10000074", name="信用办", is_credit_office=True)
    make.entity("北京亦庄星河智能科技有限公司", uscc=COMPANY_USCC)
    reviewer = make.actor(make.user("reviewer", "xyb_shr", department=office))
    path = write_csv(tmp_path / "one.csv", PENALTY_HEADERS, [penalty()])
    assert ingest.import_file(platform, str(path), actor=reviewer).report.accepted == 1
    with uow(write=False) as s:
        record = s.scalars(select(Record)).one()
        assert (record.status, record.department_id) == (Status.AWAITING_APPROVAL, scjg.id)

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
    real_store, calls = ingest._store, []

    def store_then_die(*args):
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt("killed in the middle of the second batch")
        real_store(*args)

    monkeypatch.setattr(ingest, "_store", store_then_die)
    actor = ingest.import_actor(platform, scjg)
    with pytest.raises(KeyboardInterrupt):
        ingest.import_file(platform, str(SAMPLES / "penalties.csv"), actor=actor)
    assert records_count(uow) == 10  # the first batch, whole; nothing of the second
    monkeypatch.setattr(ingest, "_store", real_store)
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
    report = ingest.import_file(platform, str(path), actor=ingest.import_actor(platform, scjg)).report
    assert report.accepted == 1
    assert report.rejected[0]["row"] == 3 and "多个同名主体" in report.rejected[0]["reason"]


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

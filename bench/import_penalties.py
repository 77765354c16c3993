"""Import speed against the floor measured in the same run (issue 3's benchmark; R-COL-5).

    python bench/import_penalties.py [--rows 1000000] [--database-url URL]

Writes a national-format penalty CSV of ROWS distinct companies (every row registers a new party),
then measures:
  floor   — the same rows' values into a scratch table: a bare executemany INSERT on SQLite, COPY on
            PostgreSQL;
  import  — `xinyong import`'s path: streaming read, every row checked, entity matched or
            registered, record created with its periods and deadline, audit events, batches.
Prints rows/s for both and the ratio. The target in the issue is 50,000 rows/s end to end.
"""

from __future__ import annotations

import argparse
import csv
import itertools
import random
import resource
import tempfile
import time
from pathlib import Path

from sqlalchemy import Column, MetaData, String, Table, insert

from xinyong.accounts import service as accounts
from xinyong.accounts.permissions import SYSTEM
from xinyong.bootstrap import initialise
from xinyong.demo.generator import ZoneGenerator
from xinyong.ingest.service import import_actor, import_file
from xinyong.kit.platform import Platform
from xinyong.kit.settings import Settings

SCJG = "11110302MB0141592W"
HEADERS = ["行政相对人名称", "行政相对人类别", "行政相对人代码_1（统一社会信用代码）", "行政处罚决定书文号",
           "违法行为类型", "违法事实", "处罚依据", "处罚类别", "处罚内容", "罚款金额（万元）", "处罚决定日期",
           "处罚有效期", "处罚机关", "处罚机关统一社会信用代码", "数据来源单位", "数据来源单位统一社会信用代码"]


def write_file(path: Path, n: int) -> None:
    """Streams: a million rows never sit in memory, so the peak RSS printed is the import's."""
    rng = random.Random(1)
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(HEADERS)
        for i, org in enumerate(ZoneGenerator(42).organisations(n, persons=[])):
            month, day = rng.randint(1, 9), rng.randint(1, 28)
            w.writerow([org["name"], "个体工商户" if org["kind"] == "individual_business" else "法人及非法人组织",
                        org["uscc"], f"京经开市监罚〔2026〕{i + 1}号", "食品安全", "当事人经营超过保质期的预包装食品。",
                        "《中华人民共和国食品安全法》第一百二十四条第一款", "警告；罚款", "警告，罚款人民币贰万元整", "2",
                        f"2026-{month:02d}-{day:02d}", f"2027-{month:02d}-{day:02d}", "北京经济技术开发区市场监督管理局",
                        SCJG, "北京经济技术开发区市场监督管理局", SCJG])


def floor_load(platform: Platform, path: Path) -> float:
    """The same values, unchecked, into a bare table: COPY on PostgreSQL, executemany INSERT on SQLite,
    10,000 rows a statement, one transaction."""
    scratch = Table("bench_floor", MetaData(), *[Column(f"c{i}", String) for i in range(len(HEADERS))])
    scratch.create(platform.engine)
    started = time.perf_counter()
    with open(path, encoding="utf-8", newline="") as f, platform.engine.begin() as conn:
        reader = csv.reader(f)
        next(reader)
        if conn.dialect.name == "postgresql":
            with conn.connection.driver_connection.cursor().copy("COPY bench_floor FROM STDIN") as copy:
                for r in reader:
                    copy.write_row(r)
        else:
            while chunk := list(itertools.islice(reader, 10_000)):
                conn.execute(insert(scratch), [{f"c{i}": v for i, v in enumerate(r)} for r in chunk])
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="xinyong-import-bench-"))
    url = args.database_url or f"sqlite:///{tmp / 'bench.db'}"
    platform = Platform.create(Settings(database_url=url, secret_key="5a" * 32, key_file=tmp / "k"))
    initialise(platform)
    with platform.uow(actor=SYSTEM) as s:
        accounts.create_department(s, actor=SYSTEM, uscc=SCJG, name="北京经济技术开发区市场监督管理局")
    path = tmp / "penalties.csv"
    write_file(path, args.rows)

    started = time.perf_counter()
    result = import_file(platform, path, actor=import_actor(platform, SCJG))
    full = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    report = result.report
    assert report.accepted == args.rows, report.as_dict()["rejected"][:3]
    floor = floor_load(platform, path)
    print(f"database:  {platform.engine.url.render_as_string(hide_password=True)}")
    print(f"rows:      {args.rows:,} ({path.stat().st_size / 2**20:,.0f} MiB), each a new party")
    how = "COPY" if platform.engine.dialect.name == "postgresql" else "bare executemany INSERT"
    print(f"floor:     {args.rows / floor:,.0f} rows/s  ({how}, {floor:.2f} s)")
    print(f"import:    {args.rows / full:,.0f} rows/s  (checked, matched, registered, recorded, audited, {full:.2f} s)")
    print(f"ratio:     {full / floor:.1f}× the floor; target 50,000 rows/s")
    # the checking workers are the forkserver's children, not ours: each holds at most two chunks
    # of 2,000 rows (about 110 MiB measured with ps during a 1,000,000-row run)
    print(f"peak RSS:  {peak:,.0f} MiB (the writing process)")


if __name__ == "__main__":
    main()

"""Import speed against the floor measured in the same run (issue 3's benchmark; R-COL-5).

    python bench/import_penalties.py [--rows 20000] [--database-url URL]

Writes a national-format penalty CSV of ROWS distinct companies, then measures:
  floor   — a bare executemany INSERT of the same rows' values into a scratch table;
  import  — `xinyong import`'s path: streaming read, every row checked, entity matched or
            registered, record created with its periods and deadline, audit events, batches.
Prints rows/s for both and the ratio. The target in the issue is 50,000 rows/s end to end.
"""

from __future__ import annotations

import argparse
import csv
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


def write_file(path: Path, n: int) -> list[list[str]]:
    orgs = ZoneGenerator(42).organisations(n, persons=[])
    rng = random.Random(1)
    rows = []
    for i, org in enumerate(orgs):
        month, day = rng.randint(1, 9), rng.randint(1, 28)
        rows.append([org["name"], "个体工商户" if org["kind"] == "individual_business" else "法人及非法人组织", org["uscc"],
                     f"京经开市监罚〔2026〕{i + 1}号", "食品安全", "当事人经营超过保质期的预包装食品。",
                     "《中华人民共和国食品安全法》第一百二十四条第一款", "警告；罚款", "警告，罚款人民币贰万元整", "2",
                     f"2026-{month:02d}-{day:02d}", f"2027-{month:02d}-{day:02d}", "北京经济技术开发区市场监督管理局", SCJG,
                     "北京经济技术开发区市场监督管理局", SCJG])
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(HEADERS)
        w.writerows(rows)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="xinyong-import-bench-"))
    url = args.database_url or f"sqlite:///{tmp / 'bench.db'}"
    platform = Platform.create(Settings(database_url=url, secret_key="5a" * 32, key_file=tmp / "k"))
    initialise(platform)
    with platform.uow(actor=SYSTEM) as s:
        accounts.create_department(s, actor=SYSTEM, uscc=SCJG, name="北京经济技术开发区市场监督管理局")
    path = tmp / "penalties.csv"
    rows = write_file(path, args.rows)

    scratch = Table("bench_floor", MetaData(), *[Column(f"c{i}", String) for i in range(len(HEADERS))])
    scratch.create(platform.engine)
    t = time.perf_counter()
    with platform.engine.begin() as conn:
        conn.execute(insert(scratch), [{f"c{i}": v for i, v in enumerate(r)} for r in rows])
    floor = time.perf_counter() - t

    t = time.perf_counter()
    result = import_file(platform, path, actor=import_actor(platform, SCJG))
    full = time.perf_counter() - t
    report = result.report
    assert report.accepted == args.rows, report.as_dict()["rejected"][:3]
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"database:  {platform.engine.url.render_as_string(hide_password=True)}")
    print(f"rows:      {args.rows:,}")
    print(f"floor:     {args.rows / floor:,.0f} rows/s  (bare executemany INSERT, {floor:.2f} s)")
    print(f"import:    {args.rows / full:,.0f} rows/s  (checked, matched, recorded, audited, {full:.2f} s)")
    print(f"ratio:     {full / floor:.1f}× the floor; target 50,000 rows/s")
    print(f"peak RSS:  {peak:,.0f} MB")


if __name__ == "__main__":
    main()

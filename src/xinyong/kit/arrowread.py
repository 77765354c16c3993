"""Read one SQL query into an Arrow IPC file with connectorx, in a process of its own.

connectorx carries its own copy of SQLite. Two copies of SQLite in one process break SQLite's POSIX
locks (closing one copy's file handle drops the locks the other holds: "disk I/O error", or worse), so
SQLite is read from a child process: ``python -m xinyong.kit.arrowread`` with the queries, as JSON,
on stdin. A plain subprocess, not multiprocessing: a forkserver or spawned child re-imports the parent's
main module (a server, a benchmark), which costs seconds; this module imports nothing of the platform.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path


def read_in_child(target: str, queries: dict[str, str], folder: Path,
                  partitions: dict[str, str] | None = None) -> dict[str, Path]:
    """Each query's result as an Arrow IPC file in ``folder``, all read by one child process.
    ``partitions``: query name → a numeric column of its result, to read it in ranges on every core
    (``partition_kwargs``)."""
    outs = {name: folder / f"{name}.arrow" for name in queries}
    job = {"target": target, "queries": {name: [sql, str(outs[name]), (partitions or {}).get(name)]
                                         for name, sql in queries.items()}}
    done = subprocess.run([sys.executable, "-m", "xinyong.kit.arrowread"], input=json.dumps(job).encode(),
                          capture_output=True, check=False)
    if done.returncode != 0:
        lines = done.stderr.decode(errors="replace").strip().splitlines()
        raise RuntimeError(f"读取数据库失败：{lines[-1] if lines else done.returncode}")
    return outs


def partition_kwargs(column: str | None) -> dict:
    """connectorx reads a query in ranges of ``column`` on parallel connections, one per core: the scan of
    twenty million records is bound by SQLite's (or PostgreSQL's) one core per query otherwise."""
    cores = min(4, os.cpu_count() or 1)
    return {"partition_on": column, "partition_num": cores} if column and cores > 1 else {}


def main() -> None:
    import connectorx as cx
    import pyarrow.ipc as ipc

    job = json.loads(sys.stdin.read())
    for sql, out, column in job["queries"].values():
        table = cx.read_sql(job["target"], sql, return_type="arrow", **partition_kwargs(column))
        with ipc.new_file(out, table.schema) as writer:
            writer.write_table(table)


if __name__ == "__main__":
    main()

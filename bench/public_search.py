"""The public name search under load (R-PUB-1): COUNT entities, `xinyong serve` on loopback, a load
client asking GET /api/v1/public/search for what people type, and the floor beside it.

    python bench/public_search.py [--count 1000000] [--database-url URL [--reset]] [--reuse]
                                  [--requests 3000] [--concurrency 4] [--keep]

The entities are loaded as bench/generate_entities.py loads them (the bulk path, every batch on the
audit chain). The server is the real one (`xinyong serve`, one uvicorn process) in a subprocess.
Queries are drawn from the stored names: 80% a fragment of 2 to 6 characters from anywhere in a
name (a trade name, a place, 有限公司…), 20% a whole name. Printed: p50/p95/p99 and requests/s, then
the floors measured in the same run — the same number of requests to a route that does no query
(the HTTP stack, the session, the error path), and the bare index queries timed in-process — and
the ratios. Target: p95 under 100 ms at a million entities (SQLite and PostgreSQL).

``--reuse`` searches a --database-url as it is (loaded by an earlier run with --keep, or by this
script): the million-row load takes minutes. A SQLite file is kept with --keep.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate_entities import BENCH_SECRET, load  # noqa: E402

from xinyong.kit.settings import Settings  # noqa: E402


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _queries(platform, n: int, seed: int) -> list[str]:
    """What people type: pieces of real names and whole names, from organisations (the public never
    searches persons by name)."""
    from sqlalchemy import func, select

    from xinyong.entities.models import Entity, EntityKind

    rng = random.Random(seed)
    with platform.uow(write=False) as s:
        top = s.scalar(select(func.max(Entity.id))) or 0
        ids = [rng.randint(1, top) for _ in range(n * 2)]
        names = [name for (name,) in s.execute(select(Entity.name).where(
            Entity.id.in_(ids), Entity.kind != EntityKind.NATURAL_PERSON))]
    rng.shuffle(names)
    queries = []
    for name in names[:n]:
        if rng.random() < 0.2:
            queries.append(name)
        else:
            size = rng.randint(2, 6)
            start = rng.randrange(0, max(1, len(name) - size + 1))
            queries.append(name[start:start + size])
    return queries


def _percentiles(ms: list[float]) -> dict[str, float]:
    ms = sorted(ms)

    def at(p: float) -> float:
        return ms[min(len(ms) - 1, int(p * len(ms)))]

    return {"p50": at(0.50), "p95": at(0.95), "p99": at(0.99), "max": ms[-1], "mean": statistics.fmean(ms)}


async def _load(base: str, paths: list[tuple[str, dict]], concurrency: int,
                headers: dict[str, str] | None = None) -> tuple[list[float], float, dict[int, int]]:
    import httpx

    latencies: list[float] = []
    statuses: dict[int, int] = {}
    pending = iter(paths)

    async def worker(client: httpx.AsyncClient) -> None:
        for path, params in pending:
            t = time.perf_counter()
            r = await client.get(path, params=params)
            await r.aread()
            latencies.append((time.perf_counter() - t) * 1000)
            statuses[r.status_code] = statuses.get(r.status_code, 0) + 1

    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60, headers=headers) as client:
        started = time.perf_counter()
        await asyncio.gather(*(worker(client) for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    return latencies, elapsed, statuses


def _serve(settings: Settings, port: int, log: Path) -> subprocess.Popen:
    env = os.environ | {"XINYONG_DATABASE_URL": settings.database_url, "XINYONG_SECRET_KEY": BENCH_SECRET,
                        "XINYONG_SCHEDULER": "false", "XINYONG_HOST": "127.0.0.1", "XINYONG_PORT": str(port),
                        # one load client is one address: the public budgets (public.throttle) off for the bench
                        "XINYONG_PUBLIC_SEARCH_PER_MINUTE": "0", "XINYONG_PUBLIC_SEARCH_PER_DAY": "0"}
    with open(log, "wb") as out:
        return subprocess.Popen([sys.executable, "-m", "xinyong.cli", "serve"], env=env, stdout=out,
                                stderr=subprocess.STDOUT)


def _stop(server: subprocess.Popen | None) -> None:
    if server is None:
        return
    server.terminate()
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()


def _wait_ready(base: str, server: subprocess.Popen, log: Path, timeout: float = 60) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"xinyong serve exited with {server.returncode}:\n{log.read_text()[-2000:]}")
        try:
            if httpx.get(f"{base}/api/v1/public/search", params={"q": "有限"}, timeout=5).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise RuntimeError("xinyong serve did not answer within a minute")


def _in_process(platform, queries: list[str]) -> list[float]:
    """The bare index work of one public search (the first page, ranked, and the capped count), per query."""
    from xinyong.entities import name_index
    from xinyong.entities.names import normalize_name

    out = []
    with platform.uow(write=False) as s:
        for q in queries:
            key = normalize_name(q)
            t = time.perf_counter()
            name_index.find(s, key, organisations_only=True, limit=20)
            out.append((time.perf_counter() - t) * 1000)
    return out


def _line(label: str, p: dict[str, float], rate: float | None = None) -> str:
    tail = f"  {rate:8,.0f} req/s" if rate is not None else ""
    return (f"{label:<34} p50 {p['p50']:7.2f}  p95 {p['p95']:7.2f}  p99 {p['p99']:7.2f}  max {p['max']:8.2f} ms"
            f"{tail}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1_000_000, help="organisations to load")
    parser.add_argument("--persons", type=int, default=None, help="natural persons (default count/100)")
    parser.add_argument("--database-url", help="default: a SQLite file in a temporary directory")
    parser.add_argument("--reset", action="store_true", help="allow wiping a --database-url that has tables")
    parser.add_argument("--reuse", action="store_true", help="search --database-url as it is, loading nothing")
    parser.add_argument("--keep", action="store_true", help="keep the temporary SQLite file")
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--seed", type=int, default=20261121)
    args = parser.parse_args(argv)
    if args.reuse and not args.database_url:
        parser.error("--reuse needs --database-url")
    persons = args.count // 100 if args.persons is None else args.persons

    from sqlalchemy import func, select

    from xinyong.bootstrap import initialise
    from xinyong.demo.zone import wipe
    from xinyong.entities.models import Entity
    from xinyong.kit.db import make_engine
    from xinyong.kit.errors import XinyongError
    from xinyong.kit.platform import Platform

    tmp = Path(tempfile.mkdtemp(prefix="xinyong-bench-"))
    url = args.database_url or f"sqlite:///{tmp / 'bench.db'}"
    settings = Settings(database_url=url, secret_key=BENCH_SECRET, key_file=tmp / "key", scheduler=False)
    server = None
    try:
        if not args.reuse:
            try:
                wipe(make_engine(url), allow_reset=args.reset)
            except XinyongError as exc:
                print(exc.message, file=sys.stderr)
                return 2
        platform = Platform.create(settings)
        if not args.reuse:
            initialise(platform)
            print(f"loading {args.count:,} organisations and {persons:,} natural persons into {platform.engine.url!r}")
            report, seconds = load(platform, settings, count=args.count, persons=persons, seed=args.seed)
            print(f"loaded {report.entities:,} entities in {seconds:.0f} s ({report.entities / seconds:,.0f}/s, "
                  "name index included)")
        with platform.uow(write=False) as s:
            stored = s.scalar(select(func.count()).select_from(Entity))
        queries = _queries(platform, args.requests + 200, args.seed)
        warm, queries = queries[:200], queries[200:]
        print(f"{stored:,} entities; {len(queries):,} queries, {args.concurrency} at a time, e.g. "
              + "、".join(queries[:6]))

        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        log = tmp / "serve.log"
        server = _serve(settings, port, log)
        _wait_ready(base, server, log)
        search = [("/api/v1/public/search", {"q": q}) for q in queries]
        asyncio.run(_load(base, [("/api/v1/public/search", {"q": q}) for q in warm], args.concurrency))
        latencies, elapsed, statuses = asyncio.run(_load(base, search, args.concurrency))
        floor, floor_elapsed, floor_statuses = asyncio.run(
            _load(base, [("/api/v1/public/entities/0", {})] * len(queries), args.concurrency))
        bare = _in_process(platform, queries)
        platform.dispose()

        found = _percentiles(latencies)
        http_floor = _percentiles(floor)
        sql = _percentiles(bare)
        print()
        print(_line("public search (HTTP, loopback)", found, len(latencies) / elapsed))
        print(_line("floor: route without a query", http_floor, len(floor) / floor_elapsed))
        print(_line("floor: index queries in-process", sql))
        print(f"ratios at p95: search / HTTP floor {found['p95'] / http_floor['p95']:.1f}x, "
              f"search / in-process index {found['p95'] / max(sql['p95'], 1e-6):.1f}x")
        print(f"statuses: search {statuses}, floor {floor_statuses}")
        verdict = "met" if found["p95"] < 100 else "MISSED"
        print(f"target p95 < 100 ms at {stored:,} entities: {verdict} ({found['p95']:.1f} ms); "
              f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
        return 0 if statuses.keys() == {200} else 1
    finally:
        _stop(server)
        if args.keep and not args.database_url:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())

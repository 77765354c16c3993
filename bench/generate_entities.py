"""Load COUNT demo organisations (with their related persons) through the demo bulk path and time it.

    python bench/generate_entities.py [--count 1000000] [--database-url URL [--reset]] [--persons N] [--verify]

The default database is a SQLite file in a temporary directory, removed afterwards unless --keep.
The load is the one ``xinyong demo`` uses (``xinyong.entities.bulk``): rows from the seeded
generator, ID numbers encrypted and blind-indexed, Core inserts in batches of 5,000, each batch
attested on the audit chain. Generation and encryption run in a second process while the first
writes, which is what two cores allow.
"""

from __future__ import annotations

import argparse
import gc
import multiprocessing as mp
import resource
import shutil
import sys
import tempfile
import time
from itertools import chain
from pathlib import Path

from xinyong.kit.settings import Settings

BENCH_SECRET = "b3" * 32


def _produce(settings: Settings, count: int, persons: int, seed: int, first_ids: tuple[int, int],
             batch_size: int, out: mp.Queue) -> None:
    from xinyong.demo.generator import generate_zone
    from xinyong.entities.bulk import prepare_batches
    from xinyong.kit.crypto import Keyring, load_master_key

    gc.disable()  # millions of small dicts that live until their batch is sent: the collector only slows it
    try:
        keyring = Keyring(load_master_key(settings.secret_key, settings.key_file))
        people, orgs = generate_zone(seed, entities=count, persons=persons)
        for batch in prepare_batches(keyring, chain(people, orgs), first_entity_id=first_ids[0],
                                     first_related_id=first_ids[1], batch_size=batch_size):
            out.put(batch)
    finally:
        out.put(None)


def _peak_rss_mb() -> tuple[float, float]:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return own, children


def load(platform, settings: Settings, *, count: int, persons: int, seed: int = 20261121,
         batch_size: int = 5000):
    """Load the generated zone into an initialised platform: (LoadReport, seconds). Generation and
    encryption in a second process, writing in this one (bench/public_search.py uses it too)."""
    from xinyong.entities.bulk import LoadReport, next_ids, write_batches

    with platform.uow(write=False) as session:
        first_ids = next_ids(session)
    gc.disable()
    started = time.perf_counter()
    queue: mp.Queue = mp.get_context("spawn").Queue(maxsize=6)
    producer = mp.get_context("spawn").Process(
        target=_produce, args=(settings, count, persons, seed, first_ids, batch_size, queue),
        daemon=True)  # dies with the writer if that fails, rather than wait on a full queue
    producer.start()
    try:
        report = write_batches(platform, iter(queue.get, None), source="bench", report=LoadReport())
        producer.join()
    finally:
        gc.enable()
    if producer.exitcode:
        raise RuntimeError(f"generator process failed with exit code {producer.exitcode}")
    return report, time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1_000_000, help="organisations to load")
    parser.add_argument("--persons", type=int, default=None, help="natural persons (default count/100)")
    parser.add_argument("--database-url", help="default: a SQLite file in a temporary directory")
    parser.add_argument("--seed", type=int, default=20261121)
    parser.add_argument("--batch-size", type=int, default=5000)
    parser.add_argument("--verify", action="store_true", help="run the audit verification afterwards")
    parser.add_argument("--keep", action="store_true", help="keep the temporary SQLite file")
    parser.add_argument("--reset", action="store_true", help="allow wiping a --database-url that has tables")
    args = parser.parse_args(argv)
    persons = args.count // 100 if args.persons is None else args.persons

    from sqlalchemy import func, select

    from xinyong.bootstrap import initialise
    from xinyong.demo.zone import wipe
    from xinyong.entities.models import Entity, RelatedPerson
    from xinyong.kit.db import make_engine
    from xinyong.kit.errors import XinyongError
    from xinyong.kit.platform import Platform

    tmp = Path(tempfile.mkdtemp(prefix="xinyong-bench-"))
    url = args.database_url or f"sqlite:///{tmp / 'bench.db'}"
    settings = Settings(database_url=url, secret_key=BENCH_SECRET, key_file=tmp / "key", scheduler=False)
    # wiped before the platform is built: a scratch database may carry another installation's key
    try:
        wipe(make_engine(url), allow_reset=args.reset)
    except XinyongError as exc:
        print(exc.message, file=sys.stderr)
        return 2
    platform = Platform.create(settings)
    try:
        initialise(platform)
        print(f"loading {args.count:,} organisations and {persons:,} natural persons into {platform.engine.url!r}")
        try:
            report, elapsed = load(platform, settings, count=args.count, persons=persons, seed=args.seed,
                                   batch_size=args.batch_size)
        except RuntimeError as exc:
            print(exc, file=sys.stderr)
            return 1

        with platform.uow(write=False) as session:
            stored = session.scalar(select(func.count()).select_from(Entity))
            related = session.scalar(select(func.count()).select_from(RelatedPerson))
        own, child = _peak_rss_mb()
        print(f"entities:        {stored:,} ({report.entities - report.natural_persons:,} organisations, "
              f"{report.natural_persons:,} natural persons)")
        print(f"related persons: {related:,} ({report.linked:,} linked to a natural-person entity)")
        print(f"audit events:    {report.batches:,} bulk batches")
        print(f"elapsed:         {elapsed:.1f} s")
        print(f"rate:            {report.entities / elapsed:,.0f} entities/s "
              f"({(report.entities + report.related_persons) / elapsed:,.0f} rows/s incl. related persons)")
        print(f"peak RSS:        {own:,.0f} MB writer, {child:,.0f} MB generator")
        if args.verify:
            from xinyong.audit.verify import verify

            t = time.perf_counter()
            with platform.uow(write=False) as session:
                result = verify(session, platform.keyring)
            print(f"audit verify:    {'ok' if result.ok else 'FAILED: ' + result.problems[0]} "
                  f"({result.events:,} events, {result.rows:,} rows, {time.perf_counter() - t:.1f} s)")
            if not result.ok:
                return 1
        return 0
    finally:
        platform.dispose()
        if args.keep and not args.database_url:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())

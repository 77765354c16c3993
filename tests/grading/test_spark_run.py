"""`xinyong grade --engine spark` end to end: the run's Parquet snapshot graded on Spark (local mode) stores
the very results the embedded engine stores (issue 5 item 7)."""

from xinyong.grading import service
from xinyong.grading import spark as distributed

from .test_service import _accept, _penalty


def test_a_full_run_on_spark_stores_the_embedded_result(platform, uow, zone):
    distributed.session(conf={"spark.driver.extraJavaOptions": "-XX:TieredStopAtLevel=1"})  # short runs: no full JIT
    for i in range(3):
        _accept(uow, zone, _penalty(zone["company"], f"京开市监罚〔2026〕4{i}号", serious=i % 2 == 0))
    on_spark = service.run(platform, engine="spark")
    embedded = service.run(platform)
    assert on_spark.engine == "spark" and on_spark.results_digest == embedded.results_digest
    assert on_spark.records == embedded.records == 3
    with uow(write=False) as s:
        assert service.distribution(s, on_spark.id) == service.distribution(s, embedded.id)

"""Named audit events for grading: runs, instant regrades, models adopted, external scores."""

from __future__ import annotations

from sqlalchemy.orm import Session

from xinyong.audit.trail import describe, record_event

describe("grading.run_started", "开始信用评价", subject=("grading_run", "评价运行"))
describe("grading.run_finished", "信用评价完成并生效")
describe("grading.run_failed", "信用评价失败（上一次结果继续有效）")
describe("grading.regraded", "记录变化后即时重评")
describe("grading.model_adopted", "启用评价模型", subject=("grading_model", "评价模型"))
describe("grading.publication_set", "设定评价结果公开范围")
describe("grading.scores_imported", "导入外部维度评分")
# events of the review requests that objections replaced (migration 0015): their names, for the trail's history
describe("grading.review_requested", "申请复核评价结果", subject=("grade_review", "评价复核申请"))
describe("grading.review_answered", "答复评价复核申请")


def _run(run) -> dict:
    return {"kind": run.kind.value, "as_of": run.as_of.isoformat(), "model_id": run.model_id, "engine": run.engine,
            "entities": run.entities, "records": run.records, "input_digest": run.input_digest,
            "results_digest": run.results_digest}


def run_started(session: Session, run, actor) -> None:
    record_event(session, "grading.run_started", subject_type="grading_run", subject_id=run.id, actor=actor,
                 detail=_run(run) | {"trigger": run.trigger})


def run_finished(session: Session, run, actor) -> None:
    record_event(session, "grading.run_finished", subject_type="grading_run", subject_id=run.id, actor=actor,
                 detail=_run(run))


def run_failed(session: Session, run, actor) -> None:
    record_event(session, "grading.run_failed", subject_type="grading_run", subject_id=run.id, actor=actor,
                 detail=_run(run) | {"error": run.error})


def regraded(session: Session, run, entity_ids: list[int]) -> None:
    record_event(session, "grading.regraded", subject_type="grading_run", subject_id=run.id,
                 detail=_run(run) | {"trigger": run.trigger, "entity_ids": entity_ids[:50]})


def model_adopted(session: Session, version, actor) -> None:
    record_event(session, "grading.model_adopted", subject_type="grading_model", subject_id=version.id, actor=actor,
                 detail={"code": version.code, "version": version.version, "digest": version.digest})


def publication_set(session: Session, version, actor) -> None:
    record_event(session, "grading.publication_set", subject_type="grading_model", subject_id=version.id, actor=actor,
                 detail={"publication": version.publication.value, "audience": version.audience})


def scores_imported(session: Session, source: str, count: int, actor) -> None:
    record_event(session, "grading.scores_imported", actor=actor, detail={"source": source, "scores": count})

"""The API keeps its own contract (R-SEC-1, SPEC §18; issue 17, defect 6): schemathesis drives every operation of
the OpenAPI description, in process, as every role and as the public, and every answer must be one the
description declares, in the shape it declares, and never a server error.

Bounded and reproducible: a fixed number of examples per operation and role set, hypothesis derandomised (the
same requests on every run, on SQLite and PostgreSQL alike), no deadline (a write waits for the writer's lock).
"""

from __future__ import annotations

import collections
import datetime as dt

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.core.failures import Failure, FailureGroup

from xinyong.accounts.permissions import SYSTEM
from xinyong.web.openapi import flat_routes

# Examples per operation and generation mode: 90-odd operations × (2 modes × 12 + 8) examples, about 2,100
# requests, take about 2 minutes on SQLite on a 2-core machine.
EXAMPLES = 12
KNOWN_EXAMPLES = 8  # and again, with path parameters that name existing things
ROLES = ("admin", "officer", "reviewer", "entity", "auditor", "public")


def _checks():
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import (
        content_type_conformance,
        response_headers_conformance,
        response_schema_conformance,
        status_code_conformance,
    )

    return [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance,
            response_headers_conformance]


@pytest.fixture
def world(make, uow, platform):
    """One of everything the path parameters can name, so that the fuzzing also reaches answers that succeed and
    their schemas are checked: a department's accepted and submitted records about a company, a graded run, the
    company's objection and consent, a user of every role."""
    from tests.access.conftest import public_in
    from xinyong.access import service as access
    from xinyong.access.schemas import ConsentCreate
    from xinyong.grading import service as grading
    from xinyong.kit.clock import today
    from xinyong.measures import service as measures
    from xinyong.objections import service as objections
    from xinyong.objections.schemas import ObjectionCreate
    from xinyong.records import service as records

    office = make.department("北京经济技术开发区信用办", credit_office=True)
    dept = make.department("北京经济技术开发区市场监督管理局")
    company = make.entity("北京亦庄星河精密制造有限公司")
    users = {"admin": make.user("admin", "xyb", department=office), "officer": make.user("officer", "jbr", department=dept),
             "reviewer": make.user("reviewer", "shr", department=dept), "entity": make.user("entity", "xinghe", entity=company),
             "auditor": make.user("auditor", "sj")}
    actors = {role: make.actor(user) for role, user in users.items()}
    day = today() - dt.timedelta(days=30)
    with uow(actor=actors["officer"]) as s:
        accepted = records.create(s, actor=actors["officer"], record_in=public_in(company, "京开市监罚〔2026〕11号", day)).id
        submitted = records.create(s, actor=actors["officer"], record_in=public_in(company, "京开市监罚〔2026〕12号", day)).id
    with uow(actor=actors["admin"]) as s:
        records.accept(s, actor=actors["admin"], records=records.by_ids(s, actor=actors["admin"], ids=[accepted]))
    run_id = grading.run(platform, actor=actors["admin"]).id
    with uow(actor=actors["entity"]) as s:
        objection = objections.file(s, actor=actors["entity"], objection_in=ObjectionCreate(
            record_id=accepted, ground="inaccurate", statement="处罚金额与决定书不符")).id
        consent = access.grant(s, actor=actors["entity"], consent_in=ConsentCreate(
            grantee_uscc=dept.uscc, purpose="招投标资格审查", valid_to=today() + dt.timedelta(days=90))).id
    with uow(write=False) as s:
        model = grading.active_version(s).id
        measure = measures.list_measures(s)[0].code
    names = {"record_id": accepted, "application_id": submitted, "seq": 1, "consent_id": consent, "model_id": model,
             "objection_id": objection, "evidence_id": 1, "name": "audit.checkpoint"}
    codes = {"/api/v1/catalog/": "penalty", "/api/v1/measures/": measure, "/api/v1/grading/runs/": run_id}
    return {"users": users, "company": company, "names": names, "codes": codes}


def _known(world, operation) -> dict | None:
    """Path parameters that name something in ``world``: the operation's own success, not only its 404."""
    if operation.label == "POST /api/v1/jobs/{name}/run":
        return None  # a real job would run on beside the test, after its database is emptied
    params = {}
    for name in (p.name for p in operation.path_parameters):
        prefix = next((prefix for prefix in world["codes"] if operation.path.startswith(prefix)), None)
        if name in ("code", "run_id") and prefix:
            params[name] = world["codes"][prefix]
        elif name == "code":
            params[name] = world["company"].uscc
        elif name in world["names"]:
            params[name] = world["names"][name]
        else:
            return None
    return params or None


def _issue(uow, users) -> dict[str, dict[str, str]]:
    """A fresh token for every role (the public sends none): issued again before each operation, because a
    fuzzed ``DELETE /tokens/{id}`` may well revoke one of them."""
    from xinyong.accounts import service

    headers = {"public": {}}
    with uow(actor=SYSTEM) as s:
        for role, user in users.items():
            raw, _ = service.create_token(s, actor=SYSTEM, user=s.merge(user), name=f"fuzz-{role}")
            headers[role] = {"Authorization": f"Bearer {raw}"}
    return headers


def _fuzz(operation, mode, headers_of, checks, tally, path_parameters=None, examples=EXAMPLES):
    @settings(max_examples=examples, derandomize=True, deadline=None, database=None, phases=[Phase.explicit, Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy(generation_mode=mode, path_parameters=path_parameters), role=st.sampled_from(ROLES))
    def run(case, role):
        tally["requests"] += 1
        try:
            response = case.call(headers=headers_of[role])
        except Exception as exc:  # the app's 500, re-raised to an in-process caller by Starlette
            curl = case.as_curl_command(headers=headers_of[role])
            tally["failures"].setdefault(("ServerError", operation.label, 500),
                                         f"ServerError: {operation.label} as {role}: {exc!r}; {curl}")
            return
        tally["statuses"][(operation.label, response.status_code)] += 1
        try:
            case.validate_response(response, checks=checks, headers=headers_of[role])
        except FailureGroup as group:
            for failure in group.exceptions:
                _record(tally, operation.label, role, response, failure)

    try:
        run()
    except Unsatisfiable:  # nothing to negate: an operation without parameters or body
        assert mode is GenerationMode.NEGATIVE, operation.label


def _record(tally, label: str, role: str, response, failure: Failure) -> None:
    kind = type(failure).__name__
    key = (kind, label, response.status_code)
    if key not in tally["failures"]:
        tally["failures"][key] = f"{kind}: {label} as {role} → {response.status_code}: {failure.title}; " \
                                 f"{(failure.message or '')[:300]}; body {response.text[:200]}"


def test_every_operation_answers_only_what_its_description_declares(app, world, uow):  # R-SEC-1, issue 17
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    # every API route is in the description, and so fuzzed: none hides with include_in_schema=False
    served = {f"{method} {route.path_format}" for route in flat_routes(app) if route.path_format.startswith("/api/")
              for method in route.methods or ()}
    assert {op.label for op in operations} == served
    checks = _checks()
    tally = {"requests": 0, "statuses": collections.Counter(), "failures": {}}
    started = dt.datetime.now()
    for operation in operations:
        headers_of = _issue(uow, world["users"])
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            _fuzz(operation, mode, headers_of, checks, tally)
        if (known := _known(world, operation)) is not None:
            _fuzz(operation, GenerationMode.POSITIVE, headers_of, checks, tally, path_parameters=known,
                  examples=KNOWN_EXAMPLES)
    seconds = (dt.datetime.now() - started).total_seconds()
    undeclared = sorted({(label, status) for kind, label, status in tally["failures"] if kind == "UndefinedStatusCode"})
    print(f"\nschemathesis: {len(operations)} operations, {tally['requests']} requests in {seconds:.0f} s, "
          f"{len(tally['failures'])} distinct failures, {len(undeclared)} undeclared (operation, status) pairs")
    by_status = collections.Counter()
    for (_, status), n in tally["statuses"].items():
        by_status[status] += n
    print("statuses:", dict(sorted(by_status.items())))
    succeeded = sorted({label for (label, status), _ in tally["statuses"].items() if status < 300})
    print(f"{len(succeeded)} operations answered 2xx at least once; never:",
          sorted({op.label for op in operations} - set(succeeded)))
    assert not tally["failures"], "\n".join(sorted(tally["failures"].values()))
    # and it reached the routes' work, not only their refusals: a broken token would pass the checks above with 401s
    assert len(succeeded) >= 30 and by_status[200] > 100

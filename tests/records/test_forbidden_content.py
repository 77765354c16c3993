"""R-ENT-5 for records (issue 17, defects 3 and 7d): a forbidden field under any name is refused with
nothing stored; a catalog type that defines one (stored before labels were checked) takes no record; and
the refusal says what it left out — one record, not "the whole submission" of a batch that stored the rest."""

from importlib import resources

import pytest
from sqlalchemy import select, update

from tests.helpers import row_counts
from tests.records.test_api import CONTENT, body
from xinyong.audit.models import AuditEvent
from xinyong.catalog.models import InfoType, InfoTypeVersion
from xinyong.entities.models import Entity
from xinyong.ingest import service as ingest
from xinyong.kit.errors import Invalid
from xinyong.records.models import Record


@pytest.fixture
def api(make, bearer):
    dept = make.department("北京经济技术开发区市场监督管理局")
    return {"officer": bearer(make.user("officer", "jbr", department=dept)), "admin": bearer(make.user("admin", "xyb")),
            "company": make.entity("北京亦庄云帆软件有限公司")}


def stored(uow) -> tuple[int, ...]:
    return row_counts(uow, Record, Entity, AuditEvent)


def store_catalog_field(platform, code: str, field: dict) -> None:
    """A field written into the current version as the editor let it through before issue 17."""
    t, it = InfoTypeVersion.__table__, InfoType.__table__
    with platform.engine.begin() as conn:
        row = conn.execute(select(t.c.id, t.c.fields).join(it, it.c.id == t.c.info_type_id)
                           .where(it.c.code == code, t.c.version == it.c.current_version)).one()
        conn.execute(update(t).where(t.c.id == row.id).values(fields=list(row.fields) + [field]))


@pytest.mark.parametrize("name, kind", [("belief", "宗教信仰"), ("宗教信仰情况", "宗教信仰"), ("bloodType", "血型"),
                                        ("既往病史记录", "病史"), ("genetic_test", "基因")])
def test_a_record_carrying_a_forbidden_field_is_refused_with_nothing_stored(client, api, uow, make, name, kind):  # R-ENT-5
    before = stored(uow)
    # a new entity by name too: nothing of the submission may be registered either
    r = client.post("/api/v1/records", headers=api["officer"],
                    json=body(make.uscc(), content=CONTENT | {name: "佛教"}, entity_name="北京亦庄新登记科技有限公司"))
    assert r.status_code == 400, r.text
    error = r.json()
    assert error["field"] == f"content.{name}"
    assert "禁止归集" in error["message"] and kind in error["message"] and "未保存" in error["message"]
    assert stored(uow) == before


def test_a_batch_item_refused_as_forbidden_says_only_that_it_was_not_stored(client, api, uow):  # R-ENT-5, R-COL-5
    items = [body(api["company"].uscc, "甲〔2026〕1号"),
             body(api["company"].uscc, "甲〔2026〕2号", content=CONTENT | {"religion": "佛教"}),
             body(api["company"].uscc, "甲〔2026〕3号")]
    r = client.post("/api/v1/records/batch", headers=api["officer"] | {"Idempotency-Key": "batch-forbidden-1"},
                    json={"records": items})
    assert r.status_code == 200, r.text
    result = r.json()
    assert len(result["accepted"]) == 2  # good rows are not held back by a bad one (R-COL-5)
    [rejected] = result["rejected"]
    assert rejected["index"] == 1 and rejected["field"] == "content.religion"
    assert "宗教信仰" in rejected["reason"] and "该条记录未保存" in rejected["reason"]
    assert "整份" not in rejected["reason"]  # the rest of the submission was stored: it must not say otherwise
    assert client.get("/api/v1/records", headers=api["officer"]).json()["total"] == 2


def test_a_single_submission_refused_as_forbidden_stores_nothing_and_says_so(client, api, uow):  # R-ENT-5
    before = stored(uow)
    r = client.post("/api/v1/records", headers=api["officer"],
                    json=body(api["company"].uscc, content=CONTENT | {"religion": "佛教"}))
    assert r.status_code == 400
    assert r.json()["message"] == "字段“content.religion”属于禁止归集的自然人信息（宗教信仰），该条记录未保存"
    assert stored(uow) == before


@pytest.mark.parametrize("field", [
    {"name": "belief", "label": "宗教信仰情况", "type": "text", "required": False},  # the field
    {"name": "extra_note", "label": "既往病史记录", "type": "text", "required": False},  # only the label says it
])
def test_a_type_stored_with_a_forbidden_field_takes_no_record_until_the_catalog_drops_it(
        client, api, uow, platform, field):  # R-ENT-5, issue 17
    store_catalog_field(platform, "penalty", field)
    before = stored(uow)
    for content in (CONTENT, CONTENT | {field["name"]: "佛教"}):
        r = client.post("/api/v1/records", headers=api["officer"], json=body(api["company"].uscc, content=content))
        assert r.status_code == 400, r.text
        assert field["label"] in r.json()["message"] or field["name"] in r.json()["field"]
        assert "禁止归集" in r.json()["message"]
    batch = client.post("/api/v1/records/batch", headers=api["officer"] | {"Idempotency-Key": "batch-forbidden-2"},
                        json={"records": [body(api["company"].uscc)]}).json()
    assert batch["accepted"] == [] and batch["rejected"][0]["field"] == "info_type"
    assert "该类信息暂不能报送" in batch["rejected"][0]["reason"]
    assert stored(uow)[0] == before[0]
    # the credit office cannot carry the field into a new version unnoticed, and can remove it
    current = client.get("/api/v1/catalog/types/penalty", headers=api["admin"]).json()
    r = client.patch("/api/v1/catalog/types/penalty", headers=api["admin"],
                     json={"validity_months": 24, "change_note": "调整使用期限"})
    assert r.status_code == 400 and r.json()["field"] == "fields" and field["label"] in r.json()["message"]
    kept = [f for f in current["fields"] if f["name"] != field["name"]]
    r = client.patch("/api/v1/catalog/types/penalty", headers=api["admin"],
                     json={"fields": kept, "change_note": "删除禁止归集的信息项"})
    assert r.status_code == 200, r.text
    r = client.post("/api/v1/records", headers=api["officer"], json=body(api["company"].uscc))
    assert r.status_code == 201, r.text


def test_a_correction_of_a_record_whose_type_holds_a_forbidden_field_is_refused(client, api, uow, platform):  # R-ENT-5
    rid = client.post("/api/v1/records", headers=api["officer"], json=body(api["company"].uscc)).json()["id"]
    assert client.post("/api/v1/records/accept", headers=api["admin"], json={"ids": [rid]}).status_code == 200
    store_catalog_field(platform, "penalty", {"name": "extra_note", "label": "既往病史记录", "type": "text",
                                              "required": False})
    before = stored(uow)
    for change, field in (({"content": {"extra_note": "高血压"}}, "content.extra_note"),
                          ({"content": {"violation_facts": "补充事实"}}, "info_type")):
        r = client.post(f"/api/v1/records/{rid}/correct", headers=api["officer"], json=change | {"reason": "更正"})
        assert r.status_code == 400, r.text
        assert r.json()["field"] == field and "既往病史记录" in r.json()["message"]
    assert stored(uow) == before


def test_an_import_into_a_type_holding_a_forbidden_field_is_refused_whole(platform, uow, make):  # R-ENT-5
    make.department("北京经济技术开发区市场监督管理局", uscc="11110302MB0141592W")  # the sample file's authority
    store_catalog_field(platform, "penalty", {"name": "extra_note", "label": "既往病史记录", "type": "text",
                                              "required": False})
    before = stored(uow)
    sample = resources.files("xinyong.ingest").joinpath("samples") / "penalties.csv"
    with pytest.raises(Invalid) as exc:
        ingest.import_file(platform, str(sample), actor=ingest.import_actor(platform, "11110302MB0141592W"))
    assert "既往病史记录" in exc.value.message and "该类信息暂不能报送" in exc.value.message
    assert stored(uow)[0] == before[0]

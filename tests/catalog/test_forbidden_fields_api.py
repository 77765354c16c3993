"""R-ENT-5 in the catalog editor, through its real route (issue 17, defect 3)."""

import pytest

from tests.helpers import row_counts
from xinyong.audit.models import AuditEvent
from xinyong.catalog.models import InfoTypeVersion


@pytest.fixture
def admin_h(make, bearer):
    return bearer(make.user("admin", "xyb"))


@pytest.mark.parametrize("field, kind", [
    ({"name": "belief", "label": "宗教信仰情况"}, "宗教信仰"),  # the field: passed before
    ({"name": "extra_note", "label": "既往病史记录"}, "病史"),  # a harmless name, a forbidden label
    ({"name": "blood_group", "label": "ABO"}, "血型"),  # a forbidden name, a harmless label
    ({"name": "gene_report", "label": "检测报告"}, "基因"),
])
def test_the_catalog_editor_refuses_a_forbidden_field_by_name_or_label(client, admin_h, uow, field, kind):  # R-ENT-5
    current = client.get("/api/v1/catalog/types/commendation", headers=admin_h).json()
    before = row_counts(uow, InfoTypeVersion, AuditEvent)
    fields = current["fields"] + [field | {"type": "text", "required": False}]
    r = client.patch("/api/v1/catalog/types/commendation", headers=admin_h,
                     json={"fields": fields, "change_note": "增加信息项"})
    assert r.status_code == 400, r.text
    body = r.json()
    assert body["field"] == f"fields[{len(current['fields'])}]"
    assert "禁止归集" in body["message"] and kind in body["message"]
    assert row_counts(uow, InfoTypeVersion, AuditEvent) == before
    assert client.get("/api/v1/catalog/types/commendation", headers=admin_h).json() == current


def test_ordinary_labels_with_look_alike_words_are_accepted(client, admin_h):  # R-ENT-5 refuses no more than it must
    current = client.get("/api/v1/catalog/types/commendation", headers=admin_h).json()
    fields = current["fields"] + [
        {"name": "credit_level", "label": "信用等级", "type": "text", "required": False},
        {"name": "good_faith_commitment", "label": "诚信承诺", "type": "text", "required": False},
        {"name": "gmo_category", "label": "转基因生物类别", "type": "text", "required": False},
        {"name": "health_certificate", "label": "健康证编号", "type": "text", "required": False},
    ]
    r = client.patch("/api/v1/catalog/types/commendation", headers=admin_h,
                     json={"fields": fields, "change_note": "增加信息项"})
    assert r.status_code == 200, r.text
    assert r.json()["version"] == current["version"] + 1

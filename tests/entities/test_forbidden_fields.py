"""R-ENT-5, issue 17 defect 3: one forbidden-field check, by name and label, that every entry point agrees on.

The catalog editor used to check a name or a label against a short list of exact words while the importer
also looked for the words inside a header: {"name": "belief", "label": "宗教信仰情况"} passed the one and not
the other. Each case below is put through every place a field can be named — a file header, a catalog
field's label (and its name where it can be one), a record's content key, an entity's and a related
person's payload key — and all must give the same answer.
"""

import re

import pytest

from tests.entities.test_privacy import PERSON
from tests.ingest.builders import PENALTY_HEADERS, penalty, write_csv
from tests.records.conftest import penalty_in
from xinyong.accounts.permissions import SYSTEM
from xinyong.catalog import service as catalog
from xinyong.catalog.schemas import InfoTypeUpdate
from xinyong.entities import service as entities
from xinyong.entities.privacy import forbidden_field
from xinyong.ingest.reader import open_table
from xinyong.kit.errors import Invalid
from xinyong.records import service as records

# (what a clerk writes as a field's name, label or header; the kind of forbidden information, or None)
CASES = [
    ("宗教信仰情况", "宗教信仰"),  # the label
    ("belief", "宗教信仰"),  # the name
    ("religion", "宗教信仰"), ("faith", "宗教信仰"), ("religious_belief", "宗教信仰"), ("信仰", "宗教信仰"),
    ("宗教", "宗教信仰"), ("基因检测结果", "基因"), ("DNA", "基因"), ("gene_test", "基因"), ("遗传病", "基因"),
    ("★指纹信息", "指纹"), ("fingerprint", "指纹"), ("血型", "血型"), ("bloodType", "血型"), ("blood type", "血型"),
    ("Blood-Group", "血型"), ("疾病名称", "疾病"), ("健康状况", "疾病"), ("health_condition", "疾病"),
    ("diagnosis", "疾病"), ("既往病史记录", "病史"), ("病史", "病史"), ("medical_history", "病史"),
    ("medicalHistory", "病史"), ("病历", "病史"),
    # words a clerk uses in ordinary fields: none names a person's belief, genes or health
    ("信用等级", None), ("诚信承诺", None), ("good_faith_commitment", None), ("general_manager", None),
    ("转基因生物类别", None), ("宗教活动场所登记证号", None), ("疾病预防控制中心意见", None),
    ("健康证编号", None), ("病虫害防治情况", None), ("status", None), ("附加说明", None),
]
IDS = [text for text, _ in CASES]
IDENTIFIER = re.compile(r"^[a-z][a-z0-9_]{0,39}$")  # what the catalog accepts as a field name


def refusal(call) -> Invalid | None:
    try:
        call()
    except Invalid as exc:
        return exc
    return None


def forbidden(exc: Invalid | None, kind: str) -> bool:
    return exc is not None and "禁止归集" in exc.message and kind in exc.message


@pytest.mark.parametrize("text, kind", CASES, ids=IDS)
def test_every_entry_point_gives_the_same_answer(uow, make, tmp_path, text, kind):  # R-ENT-5, issue 17
    answers: dict[str, Invalid | None] = {}

    # the importer: a file whose header row carries the word
    path = write_csv(tmp_path / "p.csv", PENALTY_HEADERS + [text], [penalty() | {text: "x"}])
    answers["file header"] = refusal(lambda: open_table(path))

    # the catalog editor: the word as a field's label, and as its name where it can be a name
    def add_field(name: str, label: str):
        with uow(actor=SYSTEM) as s:
            v = catalog.get_type(s, "commendation")
            catalog.update_type(s, actor=SYSTEM, code="commendation", changes=InfoTypeUpdate(
                fields=v.fields + [{"name": name, "label": label, "type": "text", "required": False}],
                change_note="增加信息项"))
    answers["catalog label"] = refusal(lambda: add_field("extra_item", text))
    if IDENTIFIER.match(text):
        answers["catalog name"] = refusal(lambda: add_field(text, "附加信息"))

    # a record whose content carries it; an entity and a related person whose payload does
    dept = make.department("北京经济技术开发区市场监督管理局")
    officer = make.actor(make.user("officer", department=dept))
    company = make.entity("北京亦庄星河精密制造有限公司")
    record_in = penalty_in(company)
    record_in.content[text] = "x"

    def create_record():
        with uow(actor=officer) as s:
            records.create(s, actor=officer, record_in=record_in)
    answers["record content"] = refusal(create_record)
    answers["entity"] = refusal(lambda: entities.parse_entity_payload(PERSON | {text: "x"}))
    answers["related person"] = refusal(lambda: entities.parse_related_payload({"role": "director", "name": "李四",
                                                                                text: "x"}))

    if kind is None:
        assert forbidden_field(text) is None and forbidden_field("extra_item", text) is None
        assert answers["file header"] is None  # an unknown column: a warning only
        assert answers["catalog label"] is None
        assert answers.get("catalog name") is None
        # at most refused for what they are: a key the schema or the catalog does not have
        for where in ("record content", "entity", "related person"):
            assert answers[where] is None or "禁止" not in answers[where].message, where
    else:
        assert forbidden_field(text) == kind and forbidden_field("extra_item", text) == kind
        wrong = {where: exc and exc.message for where, exc in answers.items() if not forbidden(exc, kind)}
        assert wrong == {}

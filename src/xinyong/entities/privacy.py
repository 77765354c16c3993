"""R-ENT-5 (000 §12(二); 001 管理办法 §8; 征信业管理条例 §14): what is never collected about a natural person.

One check, by a field's name and by its label, used wherever a field can be named: the catalog editor,
records, entities and their related persons, and the importer's headers. A clerk names a field the way
they speak (宗教信仰情况, 既往病史记录, bloodType), so Chinese words match inside longer labels and English
words match as whole words of a name (``gene`` refuses ``gene_test``, not ``general_manager``). Only
names and labels are checked: 疾病预防控制中心 as an authority is a value and passes.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from xinyong.kit.errors import Invalid
from xinyong.kit.text import halfwidth

# What each kind is called in a message: the rule's own words.
RELIGION, GENES, FINGERPRINTS, BLOOD_TYPE, DISEASE, MEDICAL_HISTORY = "宗教信仰", "基因", "指纹", "血型", "疾病", "病史"

# Chinese words, matched anywhere in a name or label. Two characters at least: no single 信 or 病,
# which would refuse 信用 and 诚信, or 病虫害防治.
_CHINESE: dict[str, str] = {
    "宗教": RELIGION, "信仰": RELIGION, "信教": RELIGION, "教派": RELIGION, "皈依": RELIGION,
    "基因": GENES, "遗传": GENES, "脱氧核糖核酸": GENES,
    "指纹": FINGERPRINTS,
    "血型": BLOOD_TYPE,
    "疾病": DISEASE, "健康状况": DISEASE, "健康状态": DISEASE, "健康信息": DISEASE, "病情": DISEASE, "病症": DISEASE,
    "患病": DISEASE, "患有": DISEASE, "诊断": DISEASE, "精神病": DISEASE, "艾滋": DISEASE,
    "病史": MEDICAL_HISTORY, "病历": MEDICAL_HISTORY, "病案": MEDICAL_HISTORY, "既往史": MEDICAL_HISTORY,
    "过敏史": MEDICAL_HISTORY, "就诊记录": MEDICAL_HISTORY, "医疗记录": MEDICAL_HISTORY, "体检结果": MEDICAL_HISTORY,
    "体检报告": MEDICAL_HISTORY,
}
# Words that contain one of the above but name an organisation, a licensed activity or goods, not a
# person's trait: a licence for 转基因 seed, a 宗教活动场所's registration, a 疾病预防控制中心's opinion,
# 人类遗传资源 approvals, 体外诊断试剂. (健康证 passes anyway: 健康 alone is not listed.)
_CHINESE_BENIGN = ("转基因", "宗教活动场所", "宗教团体", "宗教院校", "宗教事务", "疾病预防控制", "遗传资源",
                   "诊断试剂", "动物疾病")

# English words and phrases, matched as whole words of a name (snake_case, kebab-case, camelCase, spaces);
# a phrase also matches written together (bloodtype, medicalhistory).
_ENGLISH: dict[tuple[str, ...], str] = {
    **dict.fromkeys([("religion",), ("religions",), ("religious",), ("faith",), ("faiths",), ("belief",), ("beliefs",),
                     ("creed",)], RELIGION),
    **dict.fromkeys([("gene",), ("genes",), ("genetic",), ("genetics",), ("genome",), ("genomic",), ("genotype",),
                     ("dna",), ("hereditary",), ("heredity",)], GENES),
    **dict.fromkeys([("fingerprint",), ("fingerprints",), ("finger", "print"), ("finger", "prints")], FINGERPRINTS),
    **dict.fromkeys([("blood", "type"), ("blood", "group"), ("blood", "types"), ("blood", "groups")], BLOOD_TYPE),
    **dict.fromkeys([("disease",), ("diseases",), ("illness",), ("illnesses",), ("sickness",), ("diagnosis",),
                     ("diagnoses",), ("ailment",), ("ailments",), ("hiv",), ("health", "condition"),
                     ("health", "conditions"), ("health", "status"), ("health", "info"), ("health", "information"),
                     ("medical", "condition"), ("medical", "conditions")], DISEASE),
    **dict.fromkeys([("medical", "history"), ("medical", "record"), ("medical", "records"), ("health", "record"),
                     ("health", "records"), ("health", "history"), ("case", "history"), ("anamnesis",),
                     ("patient", "history")], MEDICAL_HISTORY),
}
_ENGLISH_WORDS: dict[str, str] = {}
for _words, _kind in _ENGLISH.items():
    _ENGLISH_WORDS["_" + "_".join(_words) + "_"] = _kind
    _ENGLISH_WORDS["_" + "".join(_words) + "_"] = _kind
# "good faith" is 诚信, the platform's own subject, not a belief
_ENGLISH_BENIGN = ("_good_faith_", "_goodfaith_", "_bona_fide_")

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")  # bloodType, DNASample
_SCRIPT = re.compile(r"(?<=[0-9a-z])(?=[^\x00-\x7f])|(?<=[^\x00-\x7f])(?=[0-9a-z])")  # dna检测 → dna 检测
_SEPARATORS = re.compile(r"[^0-9a-z\u3400-\u9fff]+")


def forbidden_kind(text: object) -> str | None:
    """What forbidden personal information a field name, a label or a file header names, if any."""
    return None if text is None else _kind(str(text))


@lru_cache(maxsize=1 << 14)  # an import asks the same few headers, a batch the same content keys
def _kind(text: str) -> str | None:
    words = _CAMEL.sub("_", halfwidth(text)).lower()
    words = "_" + _SEPARATORS.sub("_", _SCRIPT.sub("_", words)) + "_"
    chinese = words.replace("_", "")  # 宗 教 信 仰, 既往_病史 are still the words
    for benign in _CHINESE_BENIGN:
        chinese = chinese.replace(benign, "|")
    for word, kind in _CHINESE.items():
        if word in chinese:
            return kind
    for benign in _ENGLISH_BENIGN:
        words = words.replace(benign, "_")
    for word, kind in _ENGLISH_WORDS.items():
        if word in words:
            return kind
    return None


def forbidden_field(name: object, label: object = None) -> str | None:
    """A field as a person meets it: by its name, then by its label (``belief`` / ``宗教信仰情况``)."""
    return forbidden_kind(name) or (forbidden_kind(label) if label else None)


def refuse_forbidden_fields(payload: Any, path: str = "", *, not_stored: str = "整份提交未保存") -> None:
    """Walk a submission; the first forbidden field refuses all of it, before anything is stored.
    ``not_stored`` says what the refusal leaves out, in words true where it is read: a record that is
    one item of a batch says that record, not the whole request."""
    if isinstance(payload, dict):
        for name, value in payload.items():
            where = f"{path}.{name}" if path else str(name)
            kind = forbidden_kind(name)
            if kind is not None:
                raise Invalid(f"字段“{where}”属于禁止归集的自然人信息（{kind}），{not_stored}", field=where)
            refuse_forbidden_fields(value, where, not_stored=not_stored)
    elif isinstance(payload, list):
        for i, item in enumerate(payload):
            refuse_forbidden_fields(item, f"{path}[{i}]", not_stored=not_stored)


def forbidden_catalog_field(fields: list) -> tuple[dict, str] | None:
    """The first field of a catalog type's definition that R-ENT-5 forbids, with its kind."""
    for f in fields or ():
        if isinstance(f, dict):
            kind = forbidden_field(f.get("name"), f.get("label"))
            if kind:
                return f, kind
    return None


def refuse_forbidden_type(type_name: str, fields: list, *, content: dict | None = None) -> None:
    """A catalog type that defines a forbidden field (one stored before this check, or written around the
    editor) takes no record: whatever it carries under that field would be forbidden data. The refusal
    names the submitted item when the content fills it, else the type."""
    found = forbidden_catalog_field(fields)
    if found is None:
        return
    f, kind = found
    name, label = f.get("name"), f.get("label") or f.get("name")
    where = f"content.{name}" if content and name in content else "info_type"
    # said of the type, so it is true wherever it is read: one record, an item of a batch, a whole import
    raise Invalid(f"信息类型“{type_name}”的信息项“{label}”属于禁止归集的自然人信息（{kind}），该类信息暂不能报送；"
                  "请信用办在信用信息目录中删除该信息项", field=where)

"""R-ENT-5 (000 §12(二); 001 管理办法 §8): what is never collected about a natural person."""

from __future__ import annotations

import re
from typing import Any

from xinyong.kit.errors import Invalid

# field name (as an API or a file header might spell it) → what it is, in the words of the rule
FORBIDDEN_FIELDS: dict[str, str] = {
    "religion": "宗教信仰", "religious_belief": "宗教信仰", "faith": "宗教信仰",
    "宗教": "宗教信仰", "宗教信仰": "宗教信仰", "信仰": "宗教信仰",
    "gene": "基因", "genes": "基因", "genetic": "基因", "genome": "基因", "dna": "基因", "基因": "基因",
    "fingerprint": "指纹", "fingerprints": "指纹", "指纹": "指纹",
    "blood_type": "血型", "bloodtype": "血型", "blood_group": "血型", "血型": "血型",
    "disease": "疾病", "diseases": "疾病", "illness": "疾病", "diagnosis": "疾病", "疾病": "疾病",
    "medical_history": "病史", "medical_record": "病史", "health_record": "病史", "病史": "病史", "病历": "病史",
}
_SEP = re.compile(r"[\s\-]+")


def _key(name: str) -> str:
    return _SEP.sub("_", str(name).strip().lower())


def forbidden_kind(field_name: str) -> str | None:
    return FORBIDDEN_FIELDS.get(_key(field_name))


def refuse_forbidden_fields(payload: Any, path: str = "") -> None:
    """Walk a submission; the first forbidden field refuses all of it, before anything is stored."""
    if isinstance(payload, dict):
        for name, value in payload.items():
            where = f"{path}.{name}" if path else str(name)
            kind = forbidden_kind(name)
            if kind is not None:
                raise Invalid(f"字段“{where}”属于禁止归集的自然人信息（{kind}），整份提交未保存", field=where)
            refuse_forbidden_fields(value, where)
    elif isinstance(payload, list):
        for i, item in enumerate(payload):
            refuse_forbidden_fields(item, f"{path}[{i}]")

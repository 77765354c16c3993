"""The two national 双公示 formats as data (R-COL-5; SPEC §17): which header means which field.

The field lists are the catalog's (``catalog.defaults.PENALTY_FIELDS`` / ``LICENCE_FIELDS``), so a
label fixed there is fixed here. The catalog keeps only what a record page needs; the exchange files
carry a few more 相对人 columns, added below in one place.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from xinyong.catalog.defaults import LICENCE_FIELDS, PENALTY_FIELDS
from xinyong.entities.privacy import forbidden_kind
from xinyong.kit.errors import Invalid
from xinyong.kit.text import halfwidth

PENALTY = "penalty"
LICENCE = "licence"
FORMAT_LABELS = {PENALTY: "行政处罚", LICENCE: "行政许可"}

# SPEC §17's 相对人 block has columns the catalog's record fields leave out: the other five party codes,
# the legal representative's document, and a natural person's document. They are not in
# catalog.defaults because a record page does not show them; an exchange file does carry them.
_EXTRA_CODES = [
    {"name": "party_registration_number", "label": "行政相对人代码_2（工商注册号）", "type": "code", "required": False},
    {"name": "party_organization_code", "label": "行政相对人代码_3（组织机构代码）", "type": "code", "required": False},
    {"name": "party_tax_number", "label": "行政相对人代码_4（税务登记号）", "type": "code", "required": False},
    {"name": "party_institution_number", "label": "行政相对人代码_5（事业单位证书号）", "type": "code", "required": False},
    {"name": "party_social_org_number", "label": "行政相对人代码_6（社会组织登记证号）", "type": "code", "required": False},
]
_EXTRA_DOCUMENTS = [
    {"name": "legal_representative_id_type", "label": "法定代表人证件类型", "type": "id_type", "required": False},
    {"name": "legal_representative_id_number", "label": "法定代表人证件号码", "type": "id_number", "required": False},
    {"name": "party_id_type", "label": "证件类型", "type": "id_type", "required": False},
    {"name": "party_id_number", "label": "证件号码", "type": "id_number", "required": False},
]

# Headers seen in real exports that name a national column another way (the 2016 template's words).
ALIASES = {
    "统一社会信用代码": "party_uscc",
    "行政相对人统一社会信用代码": "party_uscc",
    "法定代表人姓名": "legal_representative",
    "法定代表人(负责人)": "legal_representative",
}

# 证件类型 (SPEC §17); 其他-… takes any suffix
ID_TYPES = ("身份证", "护照号", "港澳居民来往内地通行证", "台湾居民来往大陆通行证", "外国人永久居留身份证")
ID_TYPE_ALIASES = {"居民身份证": "身份证", "身份证号": "身份证", "公民身份号码": "身份证", "护照": "护照号"}

PARTY_KINDS = {"法人及非法人组织": "organisation", "自然人": "natural_person", "个体工商户": "individual_business"}


@dataclass(frozen=True, slots=True)
class Field:
    name: str
    label: str  # as the catalog spells it, e.g. 罚款金额（万元）
    type: str
    required: bool
    options: tuple[str, ...] = ()

    @property
    def header(self) -> str:
        """The bare header it is matched by: 罚款金额."""
        return normalize_header(self.label)


@dataclass(frozen=True, slots=True)
class NationalFormat:
    name: str  # penalty | licence
    label: str  # 行政处罚 | 行政许可
    fields: tuple[Field, ...]

    def field(self, name: str) -> Field:
        return _BY_NAME[self.name][name]

    @property
    def required(self) -> tuple[Field, ...]:
        return tuple(f for f in self.fields if f.required)


_MARKS = re.compile(r"[★☆*※\s]")
_SUFFIX = re.compile(r"\([^()]*\)$")


@lru_cache(maxsize=4096)
def normalize_header(raw: object) -> str:
    """'★ 罚款金额（万元）' → '罚款金额': half-width, no spaces or ★, no bracketed unit or note at the end."""
    text = _MARKS.sub("", halfwidth(str(raw or "")))
    text = text.replace("【", "(").replace("】", ")")
    while True:
        stripped = _SUFFIX.sub("", text)
        if stripped == text or not stripped:
            return text
        text = stripped


def _build(fields: list[dict]) -> tuple[Field, ...]:
    """The catalog's fields with SPEC §17's extra 相对人 columns where the national template has them:
    the other codes after 代码_1, the documents after 法定代表人."""
    merged: list[dict] = []
    for f in fields:
        merged.append(f)
        merged += {"party_uscc": _EXTRA_CODES, "legal_representative": _EXTRA_DOCUMENTS}.get(f["name"], [])
    names = [f["name"] for f in merged]
    missing = [f["name"] for f in _EXTRA_CODES + _EXTRA_DOCUMENTS if f["name"] not in names]
    merged += [f for f in _EXTRA_CODES + _EXTRA_DOCUMENTS if f["name"] in missing]  # anchors gone from the catalog
    return tuple(Field(f["name"], f["label"], f["type"], bool(f["required"]), tuple(f.get("options", ()))) for f in merged)


FORMATS: dict[str, NationalFormat] = {
    PENALTY: NationalFormat(PENALTY, "行政处罚", _build(PENALTY_FIELDS)),
    LICENCE: NationalFormat(LICENCE, "行政许可", _build(LICENCE_FIELDS)),
}
_BY_NAME = {fmt: {f.name: f for f in nf.fields} for fmt, nf in FORMATS.items()}
# header (normalised) → field name, per format: the national labels plus the aliases
HEADER_FIELDS: dict[str, dict[str, str]] = {
    fmt: {f.header: f.name for f in nf.fields} | {normalize_header(a): n for a, n in ALIASES.items()}
    for fmt, nf in FORMATS.items()
}
# headers only one format has: what tells a penalty file from a licence file
_DISTINCTIVE = {
    fmt: frozenset(f.header for f in nf.fields) - frozenset(f.header for o, onf in FORMATS.items() if o != fmt
                                                           for f in onf.fields)
    for fmt, nf in FORMATS.items()
}


def get_format(fmt: str) -> NationalFormat:
    try:
        return FORMATS[fmt]
    except KeyError:
        raise Invalid(f"未知的数据格式：{fmt!r}（应为 penalty 或 licence）", field="format") from None


@lru_cache(maxsize=4096)
def field_for(fmt: str, key: object) -> str | None:
    """The field a header or field name means in this format, or None for a column the format does not have."""
    names = _BY_NAME[fmt]
    if isinstance(key, str) and key in names:
        return key
    return HEADER_FIELDS[fmt].get(normalize_header(key))


def forbidden_header(header: object) -> str | None:
    """What R-ENT-5 forbidden personal information a header names, if any (★宗教信仰, 既往病史（年）…): the
    check the catalog editor and the API apply to a field's name and label, so that they cannot disagree."""
    return forbidden_kind(header)


def refuse_forbidden_headers(headers: list[str]) -> None:
    """R-ENT-5: a file with such a column is refused whole, before any row is read."""
    for h in headers:
        kind = forbidden_header(h)
        if kind:
            raise Invalid(f"表头“{h}”属于禁止归集的自然人信息（{kind}），整份文件未导入；请删除该列后重新上传",
                          field=str(h))


def detect_format(headers: list[str]) -> str:
    """penalty or licence, by the headers only one of the two formats has."""
    bare = {normalize_header(h) for h in headers}
    scores = {fmt: len(bare & d) for fmt, d in _DISTINCTIVE.items()}
    best = max(scores.values())
    winners = [fmt for fmt, s in scores.items() if s == best]
    if best == 0 or len(winners) > 1:
        why = "同时含有行政处罚和行政许可的表头" if best else "表头既不是行政处罚也不是行政许可的双公示格式"
        raise Invalid(f"无法识别文件格式：{why}。行政处罚文件应含“行政处罚决定书文号”“处罚类别”“处罚决定日期”等列，"
                      "行政许可文件应含“行政许可决定文书号”“许可类别”“许可决定日期”等列；表头应在第1行",
                      field="headers")
    return winners[0]


@dataclass(frozen=True)
class HeaderMap:
    format: str
    columns: tuple[str | None, ...]  # per header: the field it carries, or None (unknown column)
    warnings: tuple[str, ...]


def resolve_headers(headers: list[str], fmt: str | None = None) -> HeaderMap:
    """Check a file's header row as a whole: forbidden columns, format, duplicates, missing ★ columns.
    Any problem here is one file-level error; unknown columns are only a warning."""
    refuse_forbidden_headers(headers)
    fmt = fmt or detect_format(headers)
    nf = get_format(fmt)
    columns: list[str | None] = []
    seen: dict[str, str] = {}
    unknown: list[str] = []
    for h in headers:
        name = field_for(fmt, h)
        if name is not None and name in seen:
            raise Invalid(f"列“{h}”与列“{seen[name]}”是同一项（{nf.field(name).label}），只能出现一次", field=str(h))
        if name is None:
            unknown.append(str(h))
        else:
            seen[name] = str(h)
        columns.append(name)
    missing = [f.label for f in nf.required if f.name not in seen]
    if missing:
        raise Invalid(f"{nf.label}文件缺少必填列：{'、'.join(missing)}", field=missing[0])
    warnings = []
    if unknown:
        warnings.append(f"以下列不属于{nf.label}双公示格式，已忽略：{'、'.join(unknown)}")
    return HeaderMap(fmt, tuple(columns), tuple(warnings))

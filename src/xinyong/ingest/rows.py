"""One row of a 双公示 file: normalise it, check it, and say in Chinese what is wrong (R-COL-5; SPEC §17).

``parse_row`` never raises for a bad row: it returns a ``RowError`` with the row number and every
reason found, so a clerk fixes them all at once and the good rows go ahead (R-COL-5). It raises only
when the input as a whole must be refused: a forbidden personal field (R-ENT-5) or an unknown format.

Identifiers come out plain (``party_id_number``, ``legal_representative_id_number``) for the storing side
to encrypt; they are never put in ``content`` and never echoed whole in a message (R-SEC-2).
A catalog that names a violation type serious or general overrides ``severity``: that needs the
catalog, so the storing side applies it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Any

from xinyong.entities.identifiers import mask_id_number, mask_ids_in, normalize_code, validate_id_number, validate_uscc
from xinyong.entities.names import normalize_name
from xinyong.kit.errors import Invalid
from xinyong.kit.text import clean_text, halfwidth

from .national import (
    FORMATS,
    ID_TYPE_ALIASES,
    ID_TYPES,
    LICENCE,
    PARTY_KINDS,
    PENALTY,
    NationalFormat,
    field_for,
    forbidden_header,
    get_format,
)
from .reader import InexactNumber
from .values import (
    LONG_TERM,
    NO_USCC_YET,
    PENALTY_SEVERITY,
    as_text,
    echo,
    is_long_term_word,
    parse_amount,
    parse_licence_category,
    parse_loose_date,
    severity_of,
    split_penalty_categories,
)

NAME_FIELDS = frozenset({"party_name", "legal_representative", "authority", "source_unit", "document_title",
                         "certificate_name", "licence_suspended", "current_status"})
DOCUMENT_NUMBER_FIELDS = frozenset({"document_number", "licence_number"})
LONG_TEXT_FIELDS = frozenset({"violation_type", "violation_facts", "penalty_basis", "penalty_content",
                              "licence_content", "remarks"})
# clean_text limits: names 200, document numbers 100, long text 2000; anything else is a short text
MAX_LEN = {**dict.fromkeys(NAME_FIELDS, 200), **dict.fromkeys(DOCUMENT_NUMBER_FIELDS, 100),
           **dict.fromkeys(LONG_TEXT_FIELDS, 2000)}
CODE_MAX_LEN = 50

# Fields carried as ParsedRow attributes rather than inside ``content``; ID numbers are never in content.
_PROMOTED = frozenset({"party_name", "party_kind", "party_uscc", "party_id_type", "party_id_number",
                       "legal_representative_id_number", "document_number", "decision_date", "valid_to",
                       "publicity_end", "penalty_categories", "licence_category", "authority", "authority_uscc",
                       "source_unit", "source_unit_uscc"})
_COLUMN_ORDER = {fmt: {f.name: i for i, f in enumerate(nf.fields)} for fmt, nf in FORMATS.items()}
_CODE_FIELDS = ("party_uscc", "party_registration_number", "party_organization_code", "party_tax_number",
                "party_institution_number", "party_social_org_number")
_IDENTIFIER_TYPES = frozenset({"uscc", "code", "id_type", "id_number"})


@dataclass(frozen=True, slots=True)
class ParsedRow:
    format: str  # penalty | licence
    row_number: int
    party_kind: str  # organisation (法人及非法人组织) | natural_person | individual_business
    party_name: str
    name_key: str  # entities.names.normalize_name(party_name): how R-ENT-6 matches without a code
    party_uscc: str | None
    party_id_type: str | None  # 身份证, 护照号… (natural persons, and an individual business's operator)
    party_id_number: str | None  # plain: the storing side encrypts it
    legal_representative_id_number: str | None  # plain: the storing side encrypts it
    document_number: str
    decision_date: dt.date
    end_date: dt.date | None  # 处罚有效期 / 有效期至; None when long-term or not given
    long_term: bool  # 2099-12-31 (or 长期)
    publicity_end: dt.date | None  # 公示截止期, when the file gives one
    severity: str | None  # penalties: minor | general | serious (by the heaviest 处罚类别); licences: None
    categories: tuple[str, ...]  # 处罚类别 (§9 names, in file order) or the one 许可类别
    authority: str
    authority_uscc: str
    source_unit: str | None
    source_unit_uscc: str | None
    content: dict[str, Any]  # every other field, by English name; JSON-ready (ISO dates, decimals as strings)
    dedup_key: str  # same decision about the same party from the same authority → same key

    @property
    def party_code(self) -> str | None:
        return self.party_uscc or self.party_id_number


@dataclass(frozen=True, slots=True)
class RowError:
    row: int
    reason: str  # Chinese, every problem of the row, ID numbers masked
    field: str | None = None  # the first field at fault, in column order

    def as_dict(self) -> dict:
        return {"row": self.row, "reason": self.reason}


def parse_row(fmt: str, row_number: int, raw: Mapping[object, object], *, today: dt.date) -> ParsedRow | RowError:
    """Check one row of a penalty or licence file. ``raw`` is keyed by the file's headers (any spelling
    open_table accepts) or by field names; columns the format does not have are ignored."""
    nf = get_format(fmt)
    values: dict[str, object] = {}
    for key, value in raw.items():
        name = _field_of(fmt, key)
        if name is not None:
            values[name] = value
    row = _Row(nf, row_number, values, today)
    result = row.parse()
    if result is not None:
        return result
    order = _COLUMN_ORDER[fmt]
    first: dict[str, str] = {}  # one reason per field: the first found is the cause of the others
    for name, message in row.errors:
        first.setdefault(name, message)
    errors = sorted(first.items(), key=lambda e: order.get(e[0], len(order)))  # in the order the clerk reads
    return RowError(row=row_number, reason=mask_ids_in("；".join(m for _, m in errors)), field=errors[0][0])


@lru_cache(maxsize=4096)
def _field_of(fmt: str, key: object) -> str | None:
    name = field_for(fmt, key)
    if name is None:
        kind = forbidden_header(key)
        if kind:  # open_table refuses such a file first; this guards callers that build rows themselves
            raise Invalid(f"字段“{key}”属于禁止归集的自然人信息（{kind}），整份提交未导入", field=str(key))
    return name


@lru_cache(maxsize=8192)
def _checked_uscc(code: str) -> tuple[bool, str]:
    """(valid, the code or the reason); cached: the authority's and the source unit's code repeat on every row."""
    try:
        return True, validate_uscc(code)
    except Invalid as exc:
        return False, exc.message


def _blank(v: object) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


def _jsonable(v: Any) -> Any:
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, Decimal):
        return format(v, "f")
    return v


class _Row:
    """The checks of one row. Each problem is noted and the checks go on, so the clerk sees all of them."""

    def __init__(self, nf: NationalFormat, row_number: int, values: dict[str, object], today: dt.date):
        self.nf, self.row_number, self.values, self.today = nf, row_number, values, today
        self.errors: list[tuple[str, str]] = []  # (field, message)
        self.clean: dict[str, Any] = {}
        self.kind: str | None = None
        self.party_uscc = self.party_id_type = self.party_id_number = self.legal_id_number = None
        self.authority_uscc = self.source_unit_uscc = None
        self.document_number: str | None = None
        self.end_date: dt.date | None = None
        self.long_term = False
        self.severity: str | None = None
        self.categories: list[str] = []

    # --- the steps ---------------------------------------------------------------------------------------
    def parse(self) -> ParsedRow | None:
        self.plain_fields()
        self.party()
        self.legal_representative()
        self.authorities()
        self.document()
        self.dates()
        self.penalty_categories() if self.nf.name == PENALTY else self.licence_category()
        return None if self.errors else self.build()

    def plain_fields(self) -> None:
        """Every field by its type; the identifiers wait for party(), which knows what the party is."""
        for f in self.nf.fields:
            value = self.values.get(f.name)
            if isinstance(value, str) and "\ufffd" in value:
                self.fail(f.name, f"{f.label}含有无法识别的字符（\ufffd）：文件里夹杂了另一种编码的内容，"
                                  "请用 UTF-8 或 GBK 重新导出")
                self.values[f.name] = None  # reported once; the checks below see it as not given
                continue
            if _blank(value):
                if f.required and f.name != "document_number":  # a licence may give 许可编号 instead: document()
                    self.missing(f.name)
                continue
            if f.type in _IDENTIFIER_TYPES or (f.name == "valid_to" and is_long_term_word(value)):
                continue
            if f.type == "date":
                self.clean[f.name] = self.date(f.name, value)
            elif f.type == "money":
                self.clean[f.name] = self.amount(f.name, value)
            else:
                self.clean[f.name] = self.text(f.name, value)

    def party(self) -> None:
        """行政相对人类别 and the identifiers it calls for (R-ENT-1)."""
        given = self.clean.get("party_kind")
        if given is None:
            return
        label = halfwidth(given).replace(" ", "")
        self.kind = PARTY_KINDS.get(label)
        if self.kind is None:
            self.fail("party_kind", f"行政相对人类别应为“法人及非法人组织”“自然人”“个体工商户”之一，收到“{echo(label)}”")
        elif self.kind == "natural_person":
            self.natural_person()
        else:
            self.organisation(label)

    def natural_person(self) -> None:
        v = self.values
        filled = [n for n in _CODE_FIELDS if not _blank(v.get(n))]
        if filled:
            self.fail(filled[0], "行政相对人类别为自然人的，行政相对人代码_1至_6应为空（身份证号填在“证件号码”列）")
        if _blank(v.get("party_id_number")):
            self.fail("party_id_number", "行政相对人类别为自然人的，应填写证件类型和证件号码（身份证填18位公民身份号码）")
            return
        self.party_id_type = self.id_type("party_id_type")
        if self.party_id_type is not None:
            # R-ENT-1: natural persons are subjects from 18; the decision date is when it applied
            adult_on = self.clean.get("decision_date") or self.today
            self.party_id_number = self.id_number("party_id_number", self.party_id_type, adult_on=adult_on)

    def organisation(self, label: str) -> None:
        v = self.values
        for n in _CODE_FIELDS[1:]:
            if not _blank(v.get(n)):
                self.clean[n] = self.code(n, v[n])
        raw_uscc = v.get("party_uscc")
        if self.kind == "individual_business" and not _blank(raw_uscc) and \
                normalize_code(as_text(raw_uscc)) == NO_USCC_YET:
            if not self.clean.get("party_registration_number"):
                self.fail("party_registration_number",
                          "个体工商户暂无统一社会信用代码（填17个0加X）的，应填写行政相对人代码_2（工商注册号）")
        elif _blank(raw_uscc):
            pass  # 代码_1 is not ★ in SPEC §17: the storing side matches by name, only when unambiguous (R-ENT-6)
        else:
            self.party_uscc = self.uscc("party_uscc", raw_uscc)
        if _blank(v.get("party_id_number")) and _blank(v.get("party_id_type")):
            return
        if self.kind == "organisation":
            self.fail("party_id_number", "行政相对人类别为法人及非法人组织的，不填写证件类型和证件号码"
                                         "（法定代表人的证件填在“法定代表人证件类型/号码”列）")
        elif not _blank(v.get("party_id_number")):  # an individual business's operator
            self.party_id_type = self.id_type("party_id_type")
            if self.party_id_type is not None:
                self.party_id_number = self.id_number("party_id_number", self.party_id_type, adult_on=None)

    def legal_representative(self) -> None:
        """法定代表人证件 (R-ENT-4): the type goes to content, the number out of it."""
        number_given = not _blank(self.values.get("legal_representative_id_number"))
        if not number_given and _blank(self.values.get("legal_representative_id_type")):
            return
        id_type = self.id_type("legal_representative_id_type")
        self.clean["legal_representative_id_type"] = id_type
        if number_given and id_type is not None:
            self.legal_id_number = self.id_number("legal_representative_id_number", id_type, adult_on=None)

    def authorities(self) -> None:
        """决定机关 and 数据来源单位 codes (R-COL-4)."""
        for name in ("authority_uscc", "source_unit_uscc"):
            raw = self.values.get(name)
            if not _blank(raw):
                setattr(self, name, self.uscc(name, raw))

    def document(self) -> None:
        """文书号 (R-COL-4): a licence without one is known by its 许可编号 (SPEC §17)."""
        if not _blank(self.values.get("document_number")):
            self.document_number = self.clean.get("document_number")
        elif self.nf.name == LICENCE and self.clean.get("licence_number"):
            self.document_number = self.clean["licence_number"]
        else:
            self.missing("document_number", "（没有文书号的许可，填写许可编号）" if self.nf.name == LICENCE else "")

    def dates(self) -> None:
        decision = self.clean.get("decision_date")
        decision_label = self.label("decision_date")
        if decision is not None and decision > self.today:
            self.fail("decision_date", f"{decision_label}{decision.isoformat()}晚于今天（{self.today.isoformat()}）："
                                       "不能导入尚未作出的决定")
        if is_long_term_word(self.values.get("valid_to")) or self.clean.get("valid_to") == LONG_TERM:
            self.long_term = True
        else:
            self.end_date = self.clean.get("valid_to")
        end, end_label = self.end_date, self.label("valid_to")
        if end is not None and decision is not None and end < decision:
            self.fail("valid_to", f"{end_label}（{end.isoformat()}）早于{decision_label}（{decision.isoformat()}）")
        start = self.clean.get("valid_from")
        if start is not None and end is not None and end < start:
            self.fail("valid_to", f"{end_label}（{end.isoformat()}）早于有效期自（{start.isoformat()}）")
        publicity_end = self.clean.get("publicity_end")
        if publicity_end is not None and decision is not None and publicity_end < decision:
            self.fail("publicity_end", f"公示截止期（{publicity_end.isoformat()}）早于{decision_label}"
                                       f"（{decision.isoformat()}）")

    def penalty_categories(self) -> None:
        """处罚类别 against 行政处罚法 §9, and the severity the heaviest implies (SPEC §17)."""
        raw = self.clean.get("penalty_categories")
        if not raw:
            return
        categories, unknown = split_penalty_categories(raw)
        if unknown:
            self.fail("penalty_categories", f"处罚类别“{echo('、'.join(unknown))}”不是行政处罚法第九条规定的种类"
                                            f"（{'、'.join(PENALTY_SEVERITY)}）")
        elif not categories:
            self.missing("penalty_categories")
        else:
            self.categories = categories
            self.severity = severity_of(categories)
            self.amounts_called_for()

    def amounts_called_for(self) -> None:
        """The national standard makes an amount or a licence name required by the category that needs it."""
        cats, v = self.categories, self.values
        if "罚款" in cats:
            fine = self.clean.get("fine_amount")
            if _blank(v.get("fine_amount")):
                self.fail("fine_amount", "处罚类别含罚款的，应填写罚款金额（万元）")
            elif fine is not None and fine <= 0:
                self.fail("fine_amount", "处罚类别含罚款的，罚款金额（万元）应大于0")
        if ("没收违法所得" in cats or "没收非法财物" in cats) and _blank(v.get("confiscated_amount")):
            self.fail("confiscated_amount",
                      "处罚类别含没收违法所得或没收非法财物的，应填写没收违法所得、没收非法财物的金额（万元）")
        if ("暂扣许可证件" in cats or "吊销许可证件" in cats) and _blank(v.get("licence_suspended")):
            self.fail("licence_suspended", "处罚类别含暂扣或吊销许可证件的，应填写暂扣或吊销证照名称及编号")

    def licence_category(self) -> None:
        raw = self.clean.get("licence_category")
        if raw:
            try:
                self.categories = [parse_licence_category(raw)]
            except Invalid as exc:
                self.fail("licence_category", exc.message)

    def build(self) -> ParsedRow:
        clean = self.clean
        name_key = normalize_name(clean["party_name"])
        if self.party_uscc:
            party_key = self.party_uscc
        elif self.kind == "natural_person":
            # a hash of a whole ID number can be reversed by trying every birth date: key on the masked form
            party_key = f"{name_key}|{self.party_id_type}|{mask_id_number(self.party_id_number or '')}"
        else:
            party_key = clean.get("party_registration_number") or name_key
        parts = (self.nf.name, self.authority_uscc, normalize_name(self.document_number), party_key)
        return ParsedRow(
            format=self.nf.name, row_number=self.row_number, party_kind=self.kind, party_name=clean["party_name"],
            name_key=name_key, party_uscc=self.party_uscc, party_id_type=self.party_id_type,
            party_id_number=self.party_id_number, legal_representative_id_number=self.legal_id_number,
            document_number=self.document_number, decision_date=clean["decision_date"], end_date=self.end_date,
            long_term=self.long_term, publicity_end=clean.get("publicity_end"), severity=self.severity,
            categories=tuple(self.categories), authority=clean["authority"], authority_uscc=self.authority_uscc,
            source_unit=clean.get("source_unit"), source_unit_uscc=self.source_unit_uscc,
            content={n: _jsonable(v) for n, v in clean.items() if n not in _PROMOTED and v is not None},
            dedup_key=hashlib.sha256("\x1f".join(parts).encode()).hexdigest(),
        )

    # --- one value each ------------------------------------------------------------------------------------
    def fail(self, name: str, message: str) -> None:
        self.errors.append((name, message))

    def label(self, name: str) -> str:
        return self.nf.field(name).label

    def missing(self, name: str, hint: str = "") -> None:
        self.fail(name, f"缺少必填项：{self.label(name)}{hint}")

    def lossy(self, name: str, value: str) -> None:
        self.fail(name, f"{self.label(name)}被 Excel 存成了数字，15位以后的数字已丢失（{mask_id_number(value)}）："
                        "请把该列设为“文本”格式，重新填写后上传")

    def text(self, name: str, value: object) -> str | None:
        if isinstance(value, InexactNumber):
            self.lossy(name, value)
            return None
        try:
            return clean_text(as_text(value), field=name, label=self.label(name), max_len=MAX_LEN.get(name, 200),
                              required=False, multiline=name in LONG_TEXT_FIELDS)
        except Invalid as exc:
            self.fail(name, exc.message)
            return None

    def code(self, name: str, value: object) -> str | None:
        text = self.text(name, value)
        if text is None:
            return None
        code = normalize_code(text)
        if len(code) > CODE_MAX_LEN:
            self.fail(name, f"{self.label(name)}过长：最多 {CODE_MAX_LEN} 个字符")
            return None
        return code

    def uscc(self, name: str, value: object) -> str | None:
        code = self.code(name, value)
        if code is None:
            return None
        valid, text = _checked_uscc(code)
        if not valid:
            self.fail(name, f"{self.label(name)}有误：{text}")
            return None
        return text

    def date(self, name: str, value: object) -> dt.date | None:
        try:
            return parse_loose_date(value, field=name, label=self.label(name))
        except Invalid as exc:
            self.fail(name, exc.message)
            return None

    def amount(self, name: str, value: object) -> Decimal | None:
        try:
            return parse_amount(value, field=name, label=self.label(name))
        except Invalid as exc:
            self.fail(name, exc.message)
            return None

    def id_type(self, name: str) -> str | None:
        """证件类型 (SPEC §17); left empty it means 身份证."""
        value = self.values.get(name)
        if _blank(value):
            return "身份证"
        text = self.text(name, value)
        if text is None:
            return None
        kind = halfwidth(text).replace(" ", "")
        kind = ID_TYPE_ALIASES.get(kind, kind)
        if kind in ID_TYPES or kind.startswith(("其他", "其它")):
            return kind
        self.fail(name, f"{self.label(name)}应为{'、'.join(ID_TYPES)}或“其他-…”，收到“{echo(text)}”")
        return None

    def id_number(self, name: str, id_type: str, *, adult_on: dt.date | None) -> str | None:
        """A 身份证 number is checked (GB 11643) and never echoed whole; another document is kept as typed."""
        value = self.values[name]
        if id_type != "身份证":
            return self.code(name, value)
        if isinstance(value, InexactNumber):
            self.lossy(name, value)
            return None
        try:
            return validate_id_number(as_text(value), field=name, adult_on=adult_on)
        except Invalid as exc:
            self.fail(name, f"{self.label(name)}有误：{mask_ids_in(exc.message)}")
        except (KeyError, ValueError):  # python-stdnum 2.2 raises KeyError for some region codes (e.g. 110302)
            masked = mask_id_number(normalize_code(as_text(value)))
            self.fail(name, f"{self.label(name)}有误：公民身份号码格式错误（地区码或出生日期无效）：{masked}")
        return None

"""信用查询: what anyone may ask without logging in (R-PUB-1).

- By name (substring of the normalised name, best first: ``entities.name_index``) or USCC (exactly):
  organisations only; natural persons are never listed.
- A natural person by the full ID number, exactly, in a request body only; the answer carries the
  masked number and an opaque link, never the number (R-SEC-2).
- An entity's public page: the records ``records.visibility.public`` holds today, with the fields
  the 双公示 standard publishes, and (from issue 6) its public list entries. Each says whether it is
  under objection (``under_objection``, R-OBJ-3): still published meanwhile, marked; a record whose
  department let its verification deadline pass is not public at all until it answers (R-OBJ-4, held by
  ``visibility.public``).

The routes limit how often one client may ask (``throttle``): the search is cheap (p95 in
milliseconds, bench/public_search.py), but the ID-number lookup answers "is this number on file".
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
from typing import Any

from sqlalchemy.orm import Session

from xinyong.accounts.permissions import PUBLIC
from xinyong.catalog.enums import CATEGORY_LABELS
from xinyong.entities import service as entities
from xinyong.entities.identifiers import is_valid_id_number, is_valid_uscc, mask_ids_in, normalize_code
from xinyong.entities.models import KIND_LABELS, Entity, EntityKind
from xinyong.kit.clock import today
from xinyong.kit.errors import Invalid, NotFound
from xinyong.kit.platform import keyring_of

from . import repository
from .schemas import PublicEntity, PublicEntitySummary, PublicField, PublicGrade, PublicListEntry, PublicRecord, PublicSearchPage

PAGE_SIZE = 20
NOT_FOUND = "未找到该信用主体"
ID_IN_URL = "公民身份号码不经网址传递：请使用“按身份证号查询”，或调用 POST /api/v1/public/lookup"

# Never published, whatever a type's fields say: the party (the page is about it), the decision
# (shown as the record's own document number, date and authority, and its publicity end), and a
# person's identifiers — the 双公示 standard publishes no 证件号码 (法定代表人证件号码 and the like).
NOT_PUBLISHED = frozenset({"party_name", "party_kind", "party_uscc", "legal_representative", "document_number",
                           "decision_date", "authority", "publicity_end", "id_number"})
_PERSONAL_LABELS = ("证件号码", "身份证", "身份号码", "证件类型")


def is_id_number(q: str) -> bool:
    """A full resident ID number (and not an all-digit USCC that has the same shape)."""
    code = normalize_code(q)
    return is_valid_id_number(code) and not is_valid_uscc(code)


def search(session: Session, *, q: str, offset: int = 0, limit: int = PAGE_SIZE) -> PublicSearchPage:
    """By name or USCC. An ID number is refused here: this is the query a URL carries. Nothing asked
    (``q`` is optional) is an empty page, as an empty search box finds nothing: the public register
    is searched, never listed whole."""
    if is_id_number(q or ""):
        raise Invalid(ID_IN_URL, field="q")
    limit = max(1, min(limit, PAGE_SIZE))
    if not (q or "").strip():
        return PublicSearchPage(items=[], total=0, offset=max(0, offset), limit=limit, more=False)
    rows, total, more = entities.find(session, actor=PUBLIC, q=q, offset=offset, limit=limit, allow_id_number=False)
    return PublicSearchPage(items=[_summary(e) for e in rows], total=total, offset=max(0, offset), limit=limit,
                            more=more)


def _summary(e: Entity) -> PublicEntitySummary:
    return PublicEntitySummary(code=e.code, name=e.name, kind=e.kind, kind_label=KIND_LABELS[e.kind], region=e.region,
                               status=e.status)


def lookup_person(session: Session, *, id_number: str, day: dt.date | None = None) -> PublicEntity:
    """A natural person's public page by the full ID number (exact, by its blind index)."""
    try:
        person = entities.find_natural_person(session, id_number=id_number)
    except Invalid as exc:  # the message masks the number; the field is the lookup's
        raise Invalid(exc.message, field="id_number") from None
    if person is None:
        raise NotFound("未找到该公民身份号码对应的信用主体")
    return _view(session, person, day or today())


def public_view(session: Session, code: str, day: dt.date | None = None) -> PublicEntity:
    """What anyone sees of one entity: ``code`` is a USCC, or the opaque link of a natural person."""
    day = day or today()
    person_id = _person_id(session, code)
    if person_id is not None:
        entity = entities.natural_person(session, entity_id=person_id)
        if entity is None:
            raise NotFound(NOT_FOUND)
        return _view(session, entity, day)
    if is_id_number(code):
        raise Invalid(ID_IN_URL, field="code")
    if not is_valid_uscc(normalize_code(code)):
        raise NotFound(NOT_FOUND)
    return _view(session, entities.get_by_code(session, actor=PUBLIC, code=code, allow_id_number=False), day)


# --- a natural person's page link: the entity id and a keyed tag, so that nobody can walk through
# persons by guessing links; only a lookup by the full number hands one out.

_LINK = re.compile(r"^p([1-9][0-9]{0,9})-([0-9a-f]{16})$")


def _tag(session: Session, entity_id: int) -> str:
    key = keyring_of(session).derive("public-person-link")
    return hmac.new(key, str(entity_id).encode(), hashlib.sha256).hexdigest()[:16]


def person_link(session: Session, entity_id: int) -> str:
    return f"p{entity_id}-{_tag(session, entity_id)}"


def _person_id(session: Session, code: str) -> int | None:
    match = _LINK.match(code or "")
    if match is None:
        return None
    entity_id = int(match.group(1))
    if entity_id > 2**31 - 1 or not hmac.compare_digest(match.group(2), _tag(session, entity_id)):
        raise NotFound(NOT_FOUND)
    return entity_id


def _view(session: Session, e: Entity, day: dt.date) -> PublicEntity:
    from xinyong.accounts.permissions import PUBLIC
    from xinyong.grading.service import visible_standing
    from xinyong.lists.service import public_lists_of
    from xinyong.objections.marks import disputed, marks

    person = e.kind is EntityKind.NATURAL_PERSON
    rows = repository.public_records(session, e.id, day)
    marked, notes = marks(session, [r.lineage for r in rows], day), disputed(session, [r.lineage for r in rows])
    entries = public_lists_of(session, e.id, day)
    st = visible_standing(session, PUBLIC, e.id)  # only where results are published to the public (R-PUB-7)
    grade = PublicGrade(grade=st.grade, grade_label=st.grade_label, as_of=st.run.as_of, model=st.model.name) if st else None
    return PublicEntity(
        code=e.code, link=person_link(session, e.id) if person else e.code, name=e.name, kind=e.kind,
        kind_label=KIND_LABELS[e.kind], region=e.region, status=e.status,
        id_number_masked=e.id_number_masked if person else None,
        lists=sorted({x["list"] for x in entries}, key=["red", "key_attention", "black"].index),
        list_entries=[PublicListEntry(**{k: masked(x[k]) for k in PublicListEntry.model_fields if k != "list_label"},
                                      list_label=x["list_label"]) for x in entries],
        grade=grade, records=[_record(r, day, under_objection=r.lineage in marked, disputed=r.lineage in notes)
                                for r in rows], as_of=day)


def _record(r, day: dt.date, *, under_objection: bool = False, disputed: bool = False) -> PublicRecord:
    v = r.info_type_version
    note = None
    if r.publicity_end is not None and r.publicity_end < day:
        note = "处罚决定未履行，公示期满后继续公示"  # visibility.public holds past the end only for that
    return PublicRecord(
        id=r.id, info_type=v.info_type.code, info_type_name=v.name, category=v.category.value,
        category_label=CATEGORY_LABELS[v.category], document_number=mask_ids_in(r.document_number),
        decision_date=r.decision_date, authority=mask_ids_in(r.authority), publicity_start=r.publicity_start,
        publicity_end=r.publicity_end, validity_end=r.validity_end, publicity_note=note,
        fields=published_fields(v.fields or [], r.content or {}), under_objection=under_objection,
        disputed=disputed)


def published(spec: dict[str, Any]) -> bool:
    """Whether a catalog field is shown to the public. A field may say so itself (``"public":
    true/false``); otherwise everything of the 双公示 items except the party and personal identifiers."""
    if spec.get("public") is not None:
        return bool(spec["public"])
    name, label = spec.get("name", ""), spec.get("label", "")
    return not (name in NOT_PUBLISHED or spec.get("type") == "id_number" or "id_number" in name
                or any(word in label for word in _PERSONAL_LABELS))


def published_fields(specs: list[dict[str, Any]], content: dict[str, Any]) -> list[PublicField]:
    return [PublicField(name=name, label=label, value=_text(value)) for name, label, value in _published(specs, content)]


def public_content(specs: list[dict[str, Any]], content: dict[str, Any]) -> dict[str, Any]:
    """The same items as ``published_fields``, as a record's ``content`` (what a credit-file answer
    carries to a reader who sees a record only because it is public)."""
    return {name: masked(value) for name, _, value in _published(specs, content)}


def _published(specs: list[dict[str, Any]], content: dict[str, Any]):
    for spec in specs:
        value = content.get(spec.get("name"))
        if value in (None, "", []) or not published(spec):
            continue
        yield spec["name"], spec.get("label", spec["name"]), value


def masked(value: Any) -> Any:
    """Every personal identifier in text however deep, shown masked (R-SEC-2: ``mask_ids_in``)."""
    if isinstance(value, str):
        return mask_ids_in(value)
    if isinstance(value, list):
        return [masked(v) for v in value]
    if isinstance(value, dict):
        return {k: masked(v) for k, v in value.items()}
    return value


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list):
        return mask_ids_in("、".join(map(str, value)))
    return mask_ids_in(str(value))  # free text may quote someone's number: never shown in full

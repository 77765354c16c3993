"""Named audit events for consents (the query log is a chain of its own: see ``models``)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from xinyong.audit.trail import describe, record_event

describe("consent.granted", "信用主体授权查询", subject=("consent", "查询授权"))
describe("consent.revoked", "信用主体撤回授权")


def _detail(consent) -> dict:
    return {"entity_id": consent.entity_id, "grantee_uscc": consent.grantee_uscc, "grantee_name": consent.grantee_name,
            "valid_from": consent.valid_from.isoformat(), "valid_to": consent.valid_to.isoformat(),
            "info_types": list(consent.info_types or [])}


def consent_granted(session: Session, consent, actor) -> None:
    record_event(session, "consent.granted", subject_type="consent", subject_id=consent.id, actor=actor,
                 detail=_detail(consent) | {"purpose": consent.purpose})


def consent_revoked(session: Session, consent, actor) -> None:
    record_event(session, "consent.revoked", subject_type="consent", subject_id=consent.id, actor=actor,
                 detail=_detail(consent))

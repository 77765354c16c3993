from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import Date, Enum, ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from xinyong.audit.trail import Audited
from xinyong.kit.clock import now
from xinyong.kit.db import Base, UTCDateTime


def _enum(cls, name: str) -> Enum:
    return Enum(cls, name=name, native_enum=False, length=30, values_callable=lambda e: [m.value for m in e])


class EntityKind(StrEnum):
    LEGAL_PERSON = "legal_person"  # 法人
    UNINCORPORATED = "unincorporated"  # 非法人组织
    INDIVIDUAL_BUSINESS = "individual_business"  # 个体工商户
    NATURAL_PERSON = "natural_person"  # 自然人


KIND_LABELS = {
    EntityKind.LEGAL_PERSON: "法人",
    EntityKind.UNINCORPORATED: "非法人组织",
    EntityKind.INDIVIDUAL_BUSINESS: "个体工商户",
    EntityKind.NATURAL_PERSON: "自然人",
}


class RelatedRole(StrEnum):
    LEGAL_REPRESENTATIVE = "legal_representative"
    PRINCIPAL = "principal"
    SENIOR_MANAGER = "senior_manager"
    DIRECTOR = "director"
    SHAREHOLDER = "shareholder"
    PRACTITIONER = "practitioner"


RELATED_ROLE_LABELS = {
    RelatedRole.LEGAL_REPRESENTATIVE: "法定代表人",
    RelatedRole.PRINCIPAL: "主要负责人",
    RelatedRole.SENIOR_MANAGER: "高级管理人员",
    RelatedRole.DIRECTOR: "董事",
    RelatedRole.SHAREHOLDER: "股东",
    RelatedRole.PRACTITIONER: "负有责任的注册执业人员",
}


class Entity(Audited, Base):
    """信用主体: one credit file per entity integrates every record under it (R-ENT-3)."""

    __tablename__ = "entities"
    __table_args__ = {"comment": "信用主体"}

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[EntityKind] = mapped_column(_enum(EntityKind, "entity_kind"), index=True, comment="主体类别")
    uscc: Mapped[str | None] = mapped_column(String(18), unique=True, comment="统一社会信用代码（自然人为空）")
    id_number_cipher: Mapped[bytes | None] = mapped_column(LargeBinary, comment="公民身份号码密文（AES-256-GCM）")
    id_number_index: Mapped[str | None] = mapped_column(String(64), unique=True, comment="公民身份号码检索哈希（HMAC）")
    id_number_masked: Mapped[str | None] = mapped_column(String(18), comment="公民身份号码掩码")
    name: Mapped[str] = mapped_column(String(200), comment="名称或姓名")
    name_key: Mapped[str] = mapped_column(String(200), index=True, comment="名称匹配键（规范化）")
    legal_representative: Mapped[str | None] = mapped_column(String(100), comment="法定代表人或负责人")
    industry: Mapped[str | None] = mapped_column(String(1), index=True, comment="国民经济行业门类（GB/T 4754）")
    region: Mapped[str | None] = mapped_column(String(60), comment="所在区域")
    address: Mapped[str | None] = mapped_column(String(300), comment="住所或经营场所")
    registered_capital: Mapped[str | None] = mapped_column(String(40), comment="注册资本（万元）")
    established_on: Mapped[dt.date | None] = mapped_column(Date, comment="成立日期")
    status: Mapped[str] = mapped_column(String(20), default="存续", comment="登记状态")
    registration_authority: Mapped[str | None] = mapped_column(String(100), comment="登记机关")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=now, comment="建档时间")

    related_persons: Mapped[list[RelatedPerson]] = relationship(
        back_populates="entity", order_by="RelatedPerson.id", foreign_keys="RelatedPerson.entity_id"
    )

    @property
    def code(self) -> str:
        """What identifies the entity in lists and URLs; a person's number is shown masked."""
        return self.uscc or self.id_number_masked or ""


class RelatedPerson(Audited, Base):
    """关联人员: joint punishment reaches them too (R-ENT-4)."""

    __tablename__ = "related_persons"
    __table_args__ = {"comment": "关联人员（法定代表人、负责人、高管、董事、股东、执业人员）"}

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entity_id: Mapped[int] = mapped_column(ForeignKey("entities.id"), index=True, comment="所属信用主体")
    role: Mapped[RelatedRole] = mapped_column(_enum(RelatedRole, "related_role"), comment="关联身份")
    name: Mapped[str] = mapped_column(String(100), comment="姓名")
    id_number_cipher: Mapped[bytes | None] = mapped_column(LargeBinary, comment="证件号码密文")
    id_number_index: Mapped[str | None] = mapped_column(String(64), index=True, comment="证件号码检索哈希")
    id_number_masked: Mapped[str | None] = mapped_column(String(18), comment="证件号码掩码")
    position: Mapped[str | None] = mapped_column(String(60), comment="职务")
    share_percent: Mapped[str | None] = mapped_column(String(12), comment="持股比例（%）")
    person_entity_id: Mapped[int | None] = mapped_column(ForeignKey("entities.id"), index=True,
                                                         comment="对应的自然人信用主体")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=now, comment="登记时间")

    entity: Mapped[Entity] = relationship(back_populates="related_persons", foreign_keys=[entity_id])

"""Small factories: valid codes and the rows most tests need, created through the real services."""

from __future__ import annotations

import random
from dataclasses import dataclass

from xinyong.accounts import service as accounts
from xinyong.accounts.permissions import SYSTEM
from xinyong.entities import service as entities
from xinyong.entities.identifiers import id_check_digit, uscc_check_digit
from xinyong.entities.schemas import EntityCreate

PASSWORD = "correct-horse-9"
_USCC_BODY = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def uscc(rng: random.Random, prefix: str = "91") -> str:
    body = prefix + "110302" + "".join(rng.choice(_USCC_BODY) for _ in range(9))
    return body + uscc_check_digit(body)


def id_number(rng: random.Random, born: str = "19850312", region: str = "110105") -> str:
    body = region + born + f"{rng.randrange(1000):03d}"
    return body + id_check_digit(body)


@dataclass
class Factory:
    platform: object
    rng: random.Random

    def uscc(self, prefix: str = "91") -> str:
        return uscc(self.rng, prefix)

    def id_number(self, born: str = "19850312") -> str:
        return id_number(self.rng, born)

    def department(self, name: str | None = None, *, credit_office: bool = False, uscc: str | None = None):
        with self.platform.uow(actor=SYSTEM) as s:
            return accounts.create_department(s, actor=SYSTEM, uscc=uscc or self.uscc("11"),
                                              name=name or f"部门{self.rng.randrange(10**6)}",
                                              is_credit_office=credit_office)

    def entity(self, name: str | None = None, **fields):
        data = {"name": name or f"北京测试{self.rng.randrange(10**6)}科技有限公司", "uscc": self.uscc()} | fields
        if "id_number" in fields:
            data.pop("uscc")
        with self.platform.uow(actor=SYSTEM) as s:
            e = entities.create_entity(s, actor=SYSTEM, entity_in=EntityCreate(**data))
            s.refresh(e, ["related_persons"])
            return e

    def user(self, role: str, username: str | None = None, *, department=None, entity=None, entity_code: str | None = None,
             password: str = PASSWORD):
        if role in ("officer", "reviewer") and department is None:
            department = self.department()
        with self.platform.uow(actor=SYSTEM) as s:
            return accounts.create_user(
                s, actor=SYSTEM, username=username or f"{role}{self.rng.randrange(10**6)}", password=password,
                role=role, department_uscc=department.uscc if department else None,
                entity_code=entity_code or (entity.uscc if entity else None))

    def actor(self, user):
        with self.platform.uow(write=False) as s:
            return accounts.actor_for(s.merge(user))

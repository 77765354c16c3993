from __future__ import annotations

from xinyong.accounts.permissions import Permission
from xinyong.kit.errors import NotAuthenticated
from xinyong.web.deps import DB, CurrentActor, allowed, api_router

from . import service
from .schemas import DepartmentCreate, DepartmentRead, TokenCreate, TokenIssued, TokenRead, UserCreate, UserRead

router = api_router(tags=["accounts 账户"])

UserManager = allowed(Permission.USER_MANAGE)
DepartmentManager = allowed(Permission.DEPARTMENT_MANAGE)
TokenHolder = allowed(Permission.TOKEN_CREATE)


def user_read(u) -> UserRead:
    return UserRead(id=u.id, username=u.username, display_name=u.display_name, role=u.role,
                    department=u.department.name if u.department else None, entity_id=u.entity_id,
                    is_active=u.is_active)


def token_read(t) -> TokenRead:
    return TokenRead(id=t.id, name=t.name, prefix=t.prefix, expires_at=t.expires_at, revoked_at=t.revoked_at)


@router.get("/me")
def me(actor: CurrentActor) -> dict:
    if actor.is_public:
        raise NotAuthenticated("未登录")
    return {"username": actor.username, "display_name": actor.display_name, "role": actor.role.value,
            "department": actor.department_name, "entity_id": actor.entity_id,
            "permissions": sorted(p.value for p in Permission if actor.can(p))}


@router.get("/departments")
def departments(session: DB, actor: DepartmentManager) -> list[DepartmentRead]:
    return [DepartmentRead.model_validate(d) for d in service.list_departments(session)]


@router.post("/departments", status_code=201)
def create_department(body: DepartmentCreate, session: DB, actor: DepartmentManager) -> DepartmentRead:
    dept = service.create_department(session, actor=actor, uscc=body.uscc, name=body.name,
                                     is_credit_office=body.is_credit_office)
    return DepartmentRead.model_validate(dept)


@router.get("/users")
def users(session: DB, actor: UserManager) -> list[UserRead]:
    return [user_read(u) for u in service.list_users(session)]


@router.post("/users", status_code=201)
def create_user(body: UserCreate, session: DB, actor: UserManager) -> UserRead:
    return user_read(service.create_user(session, actor=actor, **body.model_dump()))


@router.get("/tokens")
def tokens(session: DB, actor: TokenHolder) -> list[TokenRead]:
    return [token_read(t) for t in service.list_tokens(session, user_id=actor.user_id)]


@router.post("/tokens", status_code=201)
def create_token(body: TokenCreate, session: DB, actor: TokenHolder) -> TokenIssued:
    raw, t = service.create_token(session, actor=actor, user=service.user_by_id(session, actor.user_id),
                                  name=body.name, days=body.days)
    return TokenIssued(token=raw, **token_read(t).model_dump())


@router.delete("/tokens/{token_id}")
def revoke_token(token_id: int, session: DB, actor: TokenHolder) -> TokenRead:
    return token_read(service.revoke_token(session, actor=actor, token_id=token_id))

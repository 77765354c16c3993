"""Sessions, CSRF, lock-out, bearer tokens (SPEC §0, R-SEC-3)."""

import re

from tests.factories import PASSWORD


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def login(client, username, password=PASSWORD, next="/"):
    token = csrf_of(client.get("/login").text)
    return client.post("/login", data={"username": username, "password": password, "csrf_token": token,
                                       "next": next}, follow_redirects=False)


def test_login_sets_httponly_session_and_home_follows_role(client, make):
    make.user("auditor", "shenji")
    r = login(client, "shenji")
    assert r.status_code == 303 and r.headers["location"] == "/"
    cookie = r.headers["set-cookie"]
    assert "xy_session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie.replace("Lax", "lax")
    home = client.get("/")
    assert "审计监督" in home.text and "退出" in home.text


def test_login_without_csrf_cookie_token_is_refused(client, make):
    make.user("admin", "boss1")
    r = client.post("/login", data={"username": "boss1", "password": PASSWORD, "csrf_token": "forged"})
    assert r.status_code == 403
    assert "xy_session" not in r.headers.get("set-cookie", "")


def test_wrong_password_then_lockout_persists(client, make, platform):  # R-SEC-3
    make.user("officer", "clerk1")
    for _ in range(platform.settings.login_max_failures - 1):
        r = login(client, "clerk1", "wrong-password")
        assert r.status_code == 401 and "用户名或口令错误" in r.text
    r = login(client, "clerk1", "wrong-password")
    assert r.status_code == 423 and "锁定" in r.text
    r = login(client, "clerk1")  # the right password, but locked
    assert r.status_code == 423


def test_unknown_user_gets_the_same_answer_as_a_wrong_password(client, make):
    make.user("officer", "clerk2")
    unknown, wrong = login(client, "nobody", "whatever-pw"), login(client, "clerk2", "bad-pw-123")
    assert unknown.status_code == wrong.status_code == 401
    assert "用户名或口令错误" in unknown.text and "用户名或口令错误" in wrong.text


def test_form_post_without_csrf_is_refused_even_when_logged_in(client, make):
    make.user("admin", "boss2")
    login(client, "boss2")
    r = client.post("/admin/departments", data={"uscc": make.uscc("11"), "name": "新部门"})
    assert r.status_code == 403 and "CSRF" in r.text
    page = client.get("/admin/users").text
    assert "新部门" not in page
    r = client.post("/admin/departments", data={"uscc": make.uscc("11"), "name": "新部门", "csrf_token": csrf_of(page)})
    assert r.status_code == 200 and "已登记部门 新部门" in r.text


def test_next_parameter_cannot_redirect_off_site(client, make):
    make.user("admin", "boss3")
    r = login(client, "boss3", next="//evil.example/steal")
    assert r.headers["location"] == "/"


def test_logout_ends_the_session(client, make):
    make.user("admin", "boss4")
    login(client, "boss4")
    home = client.get("/").text
    client.post("/logout", data={"csrf_token": csrf_of(home)})
    assert client.get("/admin/users", follow_redirects=False).status_code == 303  # to /login


def test_bearer_token_lifecycle(client, make, uow):
    from xinyong.accounts import service
    from xinyong.accounts.permissions import SYSTEM

    user = make.user("officer", "api_user")
    with uow(actor=SYSTEM) as s:
        raw, token = service.create_token(s, actor=SYSTEM, user=s.merge(user), name="审批系统")
    headers = {"Authorization": f"Bearer {raw}"}
    me = client.get("/api/v1/me", headers=headers)
    assert me.status_code == 200 and me.json()["username"] == "api_user"
    assert client.delete(f"/api/v1/tokens/{token.id}", headers=headers).status_code == 200
    r = client.get("/api/v1/me", headers=headers)
    assert r.status_code == 401 and r.json()["error"] == "not_authenticated"
    assert r.headers["www-authenticate"] == "Bearer"


def test_garbage_bearer_token_is_401_not_public(client):
    r = client.get("/api/v1/entities?q=北京", headers={"Authorization": "Bearer nonsense"})
    assert r.status_code == 401


def test_api_with_cookie_session_needs_csrf_header_for_writes(client, make):
    make.user("admin", "boss5")
    login(client, "boss5")
    body = {"uscc": make.uscc("11"), "name": "接口部门"}
    assert client.post("/api/v1/departments", json=body).status_code == 403
    token = csrf_of(client.get("/").text)
    assert client.post("/api/v1/departments", json=body, headers={"X-CSRF-Token": token}).status_code == 201


def test_role_permissions_are_enforced_on_routes(client, make, uow):  # SPEC §0
    from xinyong.accounts import service
    from xinyong.accounts.permissions import SYSTEM

    officer = make.user("officer", "o1")
    with uow(actor=SYSTEM) as s:
        raw, _ = service.create_token(s, actor=SYSTEM, user=s.merge(officer))
    h = {"Authorization": f"Bearer {raw}"}
    assert client.get("/api/v1/users", headers=h).status_code == 403
    assert client.get("/api/v1/audit/events", headers=h).status_code == 403
    assert client.patch("/api/v1/catalog/types/penalty", headers=h, json={"change_note": "x"}).status_code == 403
    assert client.get("/api/v1/catalog/types", headers=h).status_code == 200

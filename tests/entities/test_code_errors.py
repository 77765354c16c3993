"""A code that cannot exist is refused for what it is; only a valid code not on file is "not found"
(R-ENT-1; issue 17 defect 7)."""

import pytest

from tests.entities.test_masking import ID
from tests.records.test_api import api, body  # noqa: F401  (api is a fixture)
from xinyong.entities.identifiers import uscc_check_digit

USCC = "91110108MA01ABCD1" + uscc_check_digit("91110108MA01ABCD1")
BAD_USCC = USCC[:-1] + ("1" if USCC[-1] != "1" else "2")
BAD_ID = ID[:-1] + ("1" if ID[-1] != "1" else "2")


@pytest.mark.parametrize("name", [None, "北京亦庄新登记科技有限公司"])
def test_a_uscc_with_a_bad_check_digit_is_400_with_or_without_a_name(client, api, name):  # noqa: F811  R-ENT-1
    extra = {"entity_name": name} if name else {}
    r = client.post("/api/v1/records", headers=api["officer"], json=body(BAD_USCC, **extra))
    assert r.status_code == 400, r.text
    # said as a USCC, shown in full: a USCC is no personal data
    assert r.json()["message"] == f"统一社会信用代码校验位错误：{BAD_USCC}" and r.json()["field"] == "entity_code"
    assert "公民身份号码" not in r.text


def test_an_id_number_with_a_bad_check_digit_is_400_and_masked(client, api):  # noqa: F811  R-ENT-1, R-SEC-2
    r = client.post("/api/v1/records", headers=api["officer"], json=body(BAD_ID, entity_name="王某"))
    assert r.status_code == 400 and r.json()["message"] == f"公民身份号码校验位错误：{BAD_ID[:6]}********{BAD_ID[-4:]}"
    assert BAD_ID not in r.text


def test_only_a_valid_code_not_on_file_is_404(client, api):  # noqa: F811
    r = client.post("/api/v1/records", headers=api["officer"], json=body(USCC))
    assert r.status_code == 404 and "新主体请同时填写名称" in r.json()["message"]
    assert client.post("/api/v1/records", headers=api["officer"], json=body("nonsense")).status_code == 400
    r = client.post("/api/v1/records", headers=api["officer"], json=body(USCC, entity_name="北京亦庄新登记科技有限公司"))
    assert r.status_code == 201, r.text


def test_an_entity_lookup_says_what_is_wrong_with_the_code(client, api):  # noqa: F811
    r = client.post("/api/v1/entities/lookup", headers=api["admin"], json={"code": BAD_USCC})
    assert r.status_code == 400 and r.json()["message"] == f"统一社会信用代码校验位错误：{BAD_USCC}"
    assert client.post("/api/v1/entities/lookup", headers=api["admin"], json={"code": USCC}).status_code == 404

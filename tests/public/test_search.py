"""The public name search (R-PUB-1, R-ENT-6) and the departments' search that shares its index."""

import pytest
from sqlalchemy import text

from xinyong.accounts.permissions import SYSTEM
from xinyong.entities import name_index
from xinyong.entities import service as entities
from xinyong.entities.models import Entity
from xinyong.kit.errors import Invalid
from xinyong.public import service


def names(page) -> list[str]:
    return [e.name for e in page.items]


def test_names_match_the_way_people_write_them(uow, make):  # R-ENT-6
    make.entity("北京亦庄星河精密制造有限责任公司")
    make.entity("星河科技（北京）有限公司")
    make.entity("ＡＢＣ数码科技有限公司")
    with uow(write=False) as s:
        for q in ("星河精密制造有限公司", "星河精密制造有限责任公司", "星河 精密", "北京亦庄星河精密制造有限公司"):
            assert names(service.search(s, q=q)) == ["北京亦庄星河精密制造有限责任公司"], q
        for q in ("星河科技(北京)", "星河科技（北京）有限责任公司", "科技【北京】"):
            assert names(service.search(s, q=q)) == ["星河科技（北京）有限公司"], q
        assert names(service.search(s, q="abc数码")) == ["ＡＢＣ数码科技有限公司"]
        assert names(service.search(s, q="ＡＢＣ数码")) == ["ＡＢＣ数码科技有限公司"]


@pytest.mark.parametrize("rare, few", [(2000, 500), (0, 0)])  # SQLite: shortcuts taken, or the whole phrase
def test_the_name_itself_then_names_beginning_with_it_then_names_containing_it(uow, make, monkeypatch, rare, few):
    # R-PUB-1
    monkeypatch.setattr(name_index, "_RARE", rare)
    monkeypatch.setattr(name_index, "_FEW", few)
    for name in ("北京星河科技有限公司", "星河科技有限公司北京朝阳分公司", "星河科技有限公司", "天津市星河科技有限公司",
                 "星河科技有限公司北京分公司"):
        make.entity(name)
    with uow(write=False) as s:
        assert names(service.search(s, q="星河科技有限公司")) == [
            "星河科技有限公司",  # the name itself
            "星河科技有限公司北京分公司", "星河科技有限公司北京朝阳分公司",  # begin with it, shorter first
            "北京星河科技有限公司", "天津市星河科技有限公司"]  # contain it, shorter first


def test_a_two_character_trade_name_is_found_anywhere_in_a_name(uow, make):  # R-PUB-1
    for i in range(3):
        make.entity(f"北京亦庄翔宇{i}科技有限公司")
    make.entity("翔宇物流有限公司")
    make.entity("北京亦庄宇翔科技有限公司")
    with uow(write=False) as s:
        page = service.search(s, q="翔宇")
        assert page.total == 4 and names(page)[0] == "翔宇物流有限公司"  # begins with it
        assert "北京亦庄宇翔科技有限公司" not in names(page)


def test_one_character_finds_names_beginning_with_it_and_the_public_needs_two(uow, make):
    make.entity("星光照明有限公司")
    make.entity("北京星河科技有限公司")
    with uow(write=False) as s:
        assert names(entities.search(s, actor=SYSTEM, q="星")) == ["星光照明有限公司"]
        with pytest.raises(Invalid):
            service.search(s, q="星")


def test_a_uscc_is_matched_exactly_however_it_is_typed(uow, make):  # R-PUB-1
    target = make.entity("北京亦庄云帆软件有限公司")
    make.entity("北京亦庄云帆物流有限公司")
    full_width = target.uscc.translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789ABCDEFGHJKLMNPQRTUWXY"})
    with uow(write=False) as s:
        for q in (target.uscc, target.uscc.lower(), full_width, f" {target.uscc[:6]} {target.uscc[6:]} "):
            page = service.search(s, q=q)
            assert [e.code for e in page.items] == [target.uscc], q
        wrong = target.uscc[:-1] + ("0" if target.uscc[-1] != "0" else "1")
        assert service.search(s, q=wrong).total == 0


def test_natural_persons_are_never_listed_to_the_public(uow, make):  # R-SEC-2
    make.entity("张伟", id_number=make.id_number("19800101"))
    make.entity("张伟餐饮店", uscc=make.uscc("92"))
    with uow(write=False) as s:
        assert names(service.search(s, q="张伟")) == ["张伟餐饮店"]
        assert names(entities.search(s, actor=SYSTEM, q="张伟")) == ["张伟", "张伟餐饮店"]


def test_an_id_number_is_refused_in_a_search_and_never_echoed(uow, make):  # R-SEC-2
    number = make.id_number("19800101")
    make.entity("赵六", id_number=number)
    with uow(write=False) as s:
        with pytest.raises(Invalid) as exc:
            service.search(s, q=number)
    assert number not in exc.value.message and "POST" in exc.value.message


def test_the_total_is_counted_up_to_a_cap(uow, make, monkeypatch):
    for i in range(7):
        make.entity(f"北京亦庄启明{i}科技有限公司")
    monkeypatch.setattr(name_index, "CAP", 5)
    with uow(write=False) as s:
        page = service.search(s, q="启明", limit=3)
        assert (page.total, page.more, len(page.items)) == (5, True, 3)
        assert len(service.search(s, q="启明", offset=3).items) == 2  # nothing past the cap
        assert service.search(s, q="启明0").more is False


def test_pages_follow_one_another_without_repeats(uow, make):
    for i in range(25):
        make.entity(f"北京亦庄翔宇{i:02d}科技有限公司")
    with uow(write=False) as s:
        first, second = service.search(s, q="翔宇"), service.search(s, q="翔宇", offset=20)
    assert (first.total, len(first.items), len(second.items)) == (25, 20, 5)
    assert len(set(names(first)) | set(names(second))) == 25


def test_the_index_follows_every_insert_rename_and_delete(uow, make, platform):
    e = make.entity("北京亦庄晨光电子有限公司")
    with uow() as s:
        s.get(Entity, e.id).name_key = "北京亦庄曙光电子有限公司"  # the index is kept by the database, not the ORM
    with uow(write=False) as s:
        assert service.search(s, q="晨光").total == 0 and service.search(s, q="曙光").total == 1
        assert name_index.drift(s) == 0
    with platform.engine.begin() as conn:  # what the test cleanup does, behind the ORM's back
        conn.execute(text("DELETE FROM related_persons"))
        conn.execute(text("DELETE FROM entities"))
    with uow(write=False) as s:
        assert name_index.drift(s) == 0 and service.search(s, q="曙光").total == 0


def test_odd_input_is_answered_not_crashed(uow, make):
    make.entity("北京\"引号\"科技有限公司")
    with uow(write=False) as s:
        assert names(service.search(s, q='"引号"')) == ['北京"引号"科技有限公司']
        for q in ("* OR x", "NEAR(a b)", "%_%", "a" * 250, "'); DROP TABLE entities; --"):
            assert service.search(s, q=q).total == 0, q

"""Deterministic demo rows: market entities of the zone and the people behind them (R-ENT-1, R-ENT-4).

No database here. One ``ZoneGenerator(seed)`` yields the same rows on every machine: natural
persons first, then organisations, each with its related persons. Codes are valid (GB 32100
USCCs, GB 11643 resident ID numbers of adults) and unique; organisation names are unique after
``normalize_name``, the key the platform matches names by. Rows are plain dicts whose keys are the
``entities`` / ``related_persons`` column names, so the loader adds only what needs a key
(ciphertexts, blind indexes) or the database (ids).
"""

from __future__ import annotations

import bisect
import datetime as dt
import hashlib
import random
from collections.abc import Iterator, Sequence
from functools import cache
from itertools import accumulate
from typing import Any

from stdnum.cn import ric

from xinyong.entities.identifiers import id_check_digit, uscc_check_digit
from xinyong.entities.names import normalize_name

from . import names as words

# Output does not depend on the day it is generated; the demo's "now" is fixed.
REFERENCE_DATE = dt.date(2026, 11, 1)
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"

# entities.kind / related_persons.role values (EntityKind, RelatedRole), kept as text so that this
# module needs no SQLAlchemy import.
LEGAL_PERSON = "legal_person"
UNINCORPORATED = "unincorporated"
INDIVIDUAL_BUSINESS = "individual_business"
NATURAL_PERSON = "natural_person"
LEGAL_REPRESENTATIVE = "legal_representative"
PRINCIPAL = "principal"
SENIOR_MANAGER = "senior_manager"
DIRECTOR = "director"
SHAREHOLDER = "shareholder"

# Shares of the register by shape of organisation; the rest are companies (有限公司 and the like).
SHAPE_SHARES = (
    ("individual", 0.15),  # 个体工商户, USCC 92
    ("cooperative", 0.004),  # 农民专业合作社, USCC 93
    ("branch", 0.025),  # 分公司
    ("partnership", 0.015),  # 合伙企业
    ("sole", 0.01),  # 个人独资企业
)
# Of the natural persons, this many also run or own a company in the zone (the R-ENT-4 link).
LINKED_PERSON_SHARE = 0.4
# A founder of one company is now and then an officer or shareholder of another.
REPEAT_PERSON_SHARE = 0.05
REPEAT_POOL = 4000
NAME_ATTEMPTS_PER_CELL = 20
MAX_NAME_ATTEMPTS = 100_000

ZONE_FOUNDED = dt.date(1994, 8, 25)  # 北京经济技术开发区 became a state-level zone
USCC_INTRODUCED = dt.date(2015, 10, 1)  # 三证合一: codes issued since carry a new-style 组织机构代码


def _cum(weights: Sequence[float]) -> list[float]:
    return list(accumulate(weights))


_SHAPES = [shape for shape, _ in SHAPE_SHARES] + ["company"]
_SHAPE_CUM = [*_cum([share for _, share in SHAPE_SHARES]), 1.0]
_SURNAMES = [s for s, _ in words.SURNAMES]
_SURNAME_CUM = _cum([w for _, w in words.SURNAMES])
_INDUSTRIES = list(words.INDUSTRY_WEIGHTS)
_INDUSTRY_CUM = _cum(list(words.INDUSTRY_WEIGHTS.values()))
_COMPANY_FORMS = [f for f, _ in words.COMPANY_FORMS]
_COMPANY_FORM_CUM = _cum([w for _, w in words.COMPANY_FORMS])
_AREA_CUM = _cum([a["weight"] for a in words.SUB_AREAS])
_SHOPS = [(kind, section) for kind, section, _ in words.SHOP_KINDS]
_SHOP_CUM = _cum([w for _, _, w in words.SHOP_KINDS])
_CAPITALS = [c for c, _ in words.CAPITAL_STEPS]
_CAPITAL_CUM = _cum([w for _, w in words.CAPITAL_STEPS])
_REP_POSITIONS = [p for p, _ in words.LEGAL_REP_POSITIONS]
_REP_POSITION_CUM = _cum([w for _, w in words.LEGAL_REP_POSITIONS])
_BRANCH_PARENT_PLACES = ("北京", "北京", "天津", "上海", "深圳", "河北", "江苏", "广州", "杭州", "山东")


_ORG_CODE_VALUES = {c: (int(c) if c.isdigit() else ord(c) - 55) for c in "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"}
_ORG_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def org_code_check(body8: str) -> str:
    """GB 11714 check character of a 组织机构代码 (the 9-character part inside a USCC)."""
    v = _ORG_CODE_VALUES
    total = sum(map(int.__mul__, _ORG_CODE_WEIGHTS, (v[c] for c in body8)))
    c = 11 - total % 11
    return "X" if c == 10 else "0" if c == 11 else str(c)


@cache
def _regions_for(year: int) -> tuple[list[str], list[float]]:
    """ID region codes valid for people born in ``year``, as python-stdnum's GB/T 2260 history has them."""
    codes, weights = [], []
    for code, _place, weight in words.ID_REGIONS:
        body = f"{code}{year:04d}0615001"
        try:
            ric.validate(body + id_check_digit(body))
        except ric.ValidationError:
            continue
        codes.append(code)
        weights.append(weight)
    return codes, _cum(weights)


def _stable_key(text: str) -> int:
    # A 64-bit digest, not hash(): str hashes change per process and determinism must not.
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "big")


def _percent(value: float) -> str:
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return text or "0"


class _Draws(random.Random):
    """choice, randint and randrange from one float draw each: a million organisations take some
    twelve million draws, and the bias-free ``getrandbits`` loop costs three times as much. A bias
    of 2**-53 does not matter for demo data."""

    def choice(self, seq):
        return seq[int(self.random() * len(seq))]

    def randrange(self, start, stop=None):
        if stop is None:
            return int(self.random() * start)
        return start + int(self.random() * (stop - start))

    def randint(self, a, b):
        return a + int(self.random() * (b - a + 1))


class ZoneGenerator:
    """Rows for a demo zone. Call ``natural_persons`` first, then ``organisations``, with one seed."""

    def __init__(self, seed: int, *, as_of: dt.date = REFERENCE_DATE):
        self.rng = _Draws(seed)
        self.as_of = as_of
        self._id_keys: set[int] = set()
        self._uscc_keys: set[str] = set()
        self._name_keys: set[int] = set()
        self._pool: list[dict[str, str]] = []
        self._est_years = list(range(ZONE_FOUNDED.year, as_of.year + 1))
        # The register grows: many more firms were set up recently than in the 1990s.
        self._est_cum = _cum([(y - ZONE_FOUNDED.year + 2) ** 1.6 for y in self._est_years])

    # ---- people -------------------------------------------------------------------------------

    def _birth_date(self, youngest: int, oldest: int, latest: dt.date | None = None) -> dt.date:
        last = self._years_before(self.as_of, youngest)
        if latest is not None and latest < last:
            last = latest
        first = self._years_before(self.as_of, oldest)
        if first > last:
            first = last - dt.timedelta(days=3650)
        return dt.date.fromordinal(self.rng.randint(first.toordinal(), last.toordinal()))

    @staticmethod
    def _years_before(day: dt.date, years: int) -> dt.date:
        try:
            return day.replace(year=day.year - years)
        except ValueError:  # 29 February
            return day.replace(year=day.year - years, day=28)

    def _id_number(self, born: dt.date) -> str:
        rng = self.rng
        codes, cum = _regions_for(born.year)
        date = f"{born.year:04d}{born.month:02d}{born.day:02d}"
        while True:
            body = f"{codes[bisect.bisect(cum, rng.random() * cum[-1])]}{date}{rng.randrange(1000):03d}"
            key = int(body)
            if key not in self._id_keys:
                self._id_keys.add(key)
                return body + id_check_digit(body)

    def person_name(self, male: bool) -> str:
        rng = self.rng
        surname = _SURNAMES[bisect.bisect(_SURNAME_CUM, rng.random() * _SURNAME_CUM[-1])]
        if rng.random() < words.SINGLE_GIVEN_SHARE:
            return surname + rng.choice(words.GIVEN_MALE_SINGLE if male else words.GIVEN_FEMALE_SINGLE)
        first, second = ((words.GIVEN_MALE_FIRST, words.GIVEN_MALE_SECOND) if male
                         else (words.GIVEN_FEMALE_FIRST, words.GIVEN_FEMALE_SECOND))
        a, b = rng.choice(first), rng.choice(second)
        # 婷婷、丹丹 are names; 涛涛 is what a grandmother calls a boy
        while b == a and (male or rng.random() < 0.7):
            b = rng.choice(second)
        return surname + a + b

    def _new_person(self, *, youngest: int, oldest: int, latest: dt.date | None = None) -> dict[str, str]:
        number = self._id_number(self._birth_date(youngest, oldest, latest))
        # GB 11643: the 17th digit is odd for men, even for women; the name follows it.
        return {"name": self.person_name(int(number[16]) % 2 == 1), "id_number": number}

    def natural_persons(self, n: int) -> list[dict[str, Any]]:
        """Adults (18–75) who are credit subjects in their own right (R-ENT-1)."""
        rows = []
        for _ in range(n):
            person = self._new_person(youngest=18, oldest=75)
            area = words.SUB_AREAS[bisect.bisect(_AREA_CUM, self.rng.random() * _AREA_CUM[-1])]
            rows.append({"kind": NATURAL_PERSON, "name": person["name"], "id_number": person["id_number"],
                         "region": area["name"]})
        return rows

    # ---- organisations -------------------------------------------------------------------------

    def organisations(self, n: int, *, persons: Sequence[dict[str, Any]] = ()) -> Iterator[dict[str, Any]]:
        """``n`` organisations; about ``LINKED_PERSON_SHARE`` of ``persons`` each run or own one of them."""
        rng = self.rng
        links: dict[int, dict[str, Any]] = {}
        if persons and n:
            k = min(len(persons), n, max(1, round(len(persons) * LINKED_PERSON_SHARE)))
            chosen = rng.sample(range(len(persons)), k)
            for org_index, person_index in zip(rng.sample(range(n), k), chosen, strict=True):
                links[org_index] = persons[person_index]
        for i in range(n):
            yield self._organisation(links.get(i))

    def _organisation(self, linked: dict[str, Any] | None) -> dict[str, Any]:
        rng = self.rng
        shape = _SHAPES[bisect.bisect(_SHAPE_CUM, rng.random())]
        not_before = None
        if linked is not None:  # a natural person who runs the firm was an adult when it was set up
            not_before = min(self._years_before(ric.get_birth_date(linked["id_number"]), -20), self.as_of)
        established = self._established(recent=shape == "individual", not_before=not_before)
        attempt = 0
        while True:
            # Re-pick the place, trade and form now and then: with a million firms some cells (a
            # 便利店 in the zone proper) run out of believable 字号 before others do.
            if attempt % NAME_ATTEMPTS_PER_CELL == 0:
                area, industry, form, shop = self._cell(shape)
            attempt += 1
            if shape == "individual":
                name = self._shop_name(shop, area)
            elif shape == "cooperative":
                name = self._cooperative_name(area)
            elif shape == "branch":
                name = self._branch_name(industry)
            elif shape == "partnership":
                name = f"北京{self._trade_name()}{rng.choice(words.PARTNERSHIP_WORDS)}{rng.choice(words.PARTNERSHIP_FORMS)}"
            elif shape == "sole":
                business = rng.choice(words.INDUSTRY_WORDS[industry])
                name = f"北京{self._trade_name()}{business}{rng.choice(words.SOLE_PROPRIETORSHIP_FORMS)}"
            else:
                name = self._company_name(industry, form)
            name_key = normalize_name(name)
            key = _stable_key(name_key)
            if key not in self._name_keys:
                self._name_keys.add(key)
                break
            if attempt > MAX_NAME_ATTEMPTS:
                raise RuntimeError(f"no unused name left for a {shape} after {attempt} attempts")
        admin = self._admin_code(area, established, shape)

        prefix = {"individual": "92", "cooperative": "93"}.get(shape, "91")
        kind = {"individual": INDIVIDUAL_BUSINESS, "cooperative": LEGAL_PERSON, "company": LEGAL_PERSON}.get(
            shape, UNINCORPORATED)
        related = self._related(shape, form, established, linked)
        return {
            "kind": kind,
            "uscc": self._uscc(prefix, admin, established),
            "name": name,
            "name_key": name_key,
            "legal_representative": related[0]["name"],
            "industry": industry,
            "region": area["name"],
            "address": self._address(area, shape),
            "registered_capital": self._capital(shape, form),
            "established_on": established,
            "status": self._status(established),
            "registration_authority": words.REGISTRATION_AUTHORITIES[admin],
            "related": related,
        }

    def _cell(self, shape: str) -> tuple[dict[str, Any], str, str | None, str | None]:
        """Where the firm is, its GB/T 4754 section, its legal form and (个体工商户) its kind of shop."""
        rng = self.rng
        area = self._area(shape)
        form = shop = None
        if shape == "individual":
            shop, industry = _SHOPS[bisect.bisect(_SHOP_CUM, rng.random() * _SHOP_CUM[-1])]
        elif shape == "cooperative":
            industry = "A"
        elif shape == "partnership":
            industry = "L" if rng.random() < 0.7 else "M"
        else:
            industry = self._industry()
            if shape == "company":
                form = _COMPANY_FORMS[bisect.bisect(_COMPANY_FORM_CUM, rng.random() * _COMPANY_FORM_CUM[-1])]
        return area, industry, form, shop

    def _established(self, *, recent: bool, not_before: dt.date | None = None) -> dt.date:
        rng = self.rng
        if recent:  # 个体工商户 come and go; most of those on the register are young
            year = self.as_of.year - min(int(rng.expovariate(1 / 4)), self.as_of.year - ZONE_FOUNDED.year)
        else:
            year = self._est_years[bisect.bisect(self._est_cum, rng.random() * self._est_cum[-1])]
        start = max(dt.date(year, 1, 1), ZONE_FOUNDED)
        end = min(dt.date(year, 12, 31), self.as_of)
        if not_before is not None and end < not_before:
            start, end = not_before, self.as_of
        return dt.date.fromordinal(rng.randint(start.toordinal(), max(start, end).toordinal()))

    def _area(self, shape: str) -> dict[str, Any]:
        if shape == "cooperative":
            wanted = self.rng.choice(words.COOPERATIVE_AREAS)
            return next(a for a in words.SUB_AREAS if a["name"] == wanted)
        return words.SUB_AREAS[bisect.bisect(_AREA_CUM, self.rng.random() * _AREA_CUM[-1])]

    def _admin_code(self, area: dict[str, Any], established: dt.date, shape: str) -> str:
        rng = self.rng
        if shape == "company" and established.year < 2019 and rng.random() < 0.04:
            return "110000"  # registered with the city bureau before registration moved down
        if area["admin_code"] != words.ETDZ_ADMIN_CODE and established.year >= 2020 and rng.random() < 0.5:
            return words.ETDZ_ADMIN_CODE  # 区镇一体化: the zone now registers firms in its towns too
        return area["admin_code"]

    def _industry(self) -> str:
        return _INDUSTRIES[bisect.bisect(_INDUSTRY_CUM, self.rng.random() * _INDUSTRY_CUM[-1])]

    def _trade_name(self) -> str:
        rng = self.rng
        if rng.random() < words.FOUR_CHARACTER_SHARE:
            first, second = rng.choice(words.TRADE_NAMES), rng.choice(words.TRADE_NAMES)
            while set(first) & set(second):
                second = rng.choice(words.TRADE_NAMES)
            return first + second
        if rng.random() < 0.5:
            return rng.choice(words.TRADE_NAMES)
        head, tail = rng.choice(words.TRADE_NAME_HEADS), rng.choice(words.TRADE_NAME_TAILS)
        while tail == head:
            tail = rng.choice(words.TRADE_NAME_TAILS)
        return head + tail

    def _company_name(self, industry: str, form: str) -> str:
        rng = self.rng
        trade, business = self._trade_name(), rng.choice(words.INDUSTRY_WORDS[industry])
        if rng.random() < 0.12:
            return f"{trade}（北京）{business}{form}"  # 字号在前、行政区划居中
        return f"北京{trade}{business}{form}"

    def _branch_name(self, industry: str) -> str:
        rng = self.rng
        place = rng.choice(_BRANCH_PARENT_PLACES)
        parent = f"{place}{self._trade_name()}{rng.choice(words.INDUSTRY_WORDS[industry])}有限公司"
        return parent + rng.choice(words.BRANCH_SUFFIXES)

    def _shop_name(self, shop: str, area: dict[str, Any]) -> str:
        rng = self.rng
        r = rng.random()
        if r < 0.25:
            trade = rng.choice(words.SHOP_TRADE_NAMES)
        elif r < 0.55:
            trade = rng.choice(words.TRADE_NAME_HEADS) + rng.choice(words.TRADE_NAME_TAILS)
        elif r < 0.8:
            trade = rng.choice(words.SHOP_TRADE_NAMES + words.TRADE_NAMES) + rng.choice(words.SHOP_NAME_ENDINGS)
        else:
            surname = _SURNAMES[bisect.bisect(_SURNAME_CUM, rng.random() * _SURNAME_CUM[-1])]
            trade = f"老{surname}家" if rng.random() < 0.4 else f"{surname}记"
        return area["shop_prefix"] + trade + shop

    def _cooperative_name(self, area: dict[str, Any]) -> str:
        rng = self.rng
        product = rng.choice(words.COOPERATIVE_PRODUCTS)
        if rng.random() < 0.6:
            return f"{area['address_prefix']}{rng.choice(words.SHOP_TRADE_NAMES)}{product}专业合作社"
        return f"北京{self._trade_name()}{product}专业合作社"

    def _uscc(self, prefix: str, admin: str, established: dt.date) -> str:
        rng = self.rng
        while True:
            if prefix == "91" and established < USCC_INTRODUCED:
                # an old 组织机构代码, kept when the firm was given its USCC
                body8 = f"{rng.randrange(10 ** 8):08d}"
            else:
                body8 = self._new_style_head(established)
                body8 += "".join(rng.choices(USCC_ALPHABET, k=8 - len(body8)))
            first17 = prefix + admin + body8 + org_code_check(body8)
            if first17 not in self._uscc_keys:
                self._uscc_keys.add(first17)
                return first17 + uscc_check_digit(first17)

    @staticmethod
    def _new_style_head(established: dt.date) -> str:
        # The first characters of codes issued in Beijing since 2015 move with the year.
        year = established.year
        if year <= 2016:
            return "MA00"
        if year <= 2019:
            return "MA01"
        if year <= 2021:
            return "MA04"
        return {2022: "MA7", 2023: "MAC", 2024: "MAD"}.get(year, "MAE")

    def _address(self, area: dict[str, Any], shape: str) -> str:
        rng = self.rng
        street = rng.choice(area["streets"])
        number = rng.randint(1, 168) if not street.endswith(("村", "园", "里")) else rng.randint(1, 480)
        address = f"{area['address_prefix']}{street}{number}"
        if street.endswith(("村", "里")):
            return address + "号"
        if shape == "individual":
            return address + rng.choice(("号", "号底商", "号1层", "号商铺"))
        kind = rng.choice(words.BUILDING_KINDS)
        if kind == "号":
            return address + "号"
        floor = rng.randint(1, 18)
        building = rng.randint(1, 12)
        suffix = rng.choice((f"{building}号楼{floor}层{floor}{rng.randint(1, 20):02d}",
                             f"{building}号楼{floor}层{floor}{rng.randint(1, 20):02d}室",
                             f"{building}幢{floor}层", f"{building}号楼"))
        return address + ("号院" if kind == "号院" else "号") + suffix

    def _capital(self, shape: str, form: str | None) -> str | None:
        rng = self.rng
        if shape == "branch":
            return None
        if shape == "individual":
            return None if rng.random() < 0.5 else str(rng.choice((1, 2, 3, 5, 5, 10, 10, 20, 30, 50)))
        if shape == "sole":
            return str(rng.choice((1, 5, 10, 10, 20, 50, 100)))
        capital = _CAPITALS[bisect.bisect(_CAPITAL_CUM, rng.random() * _CAPITAL_CUM[-1])]
        if form in ("股份有限公司", "集团有限公司"):
            capital *= 10
        if rng.random() < 0.08:  # an odd subscribed amount such as 1250.5
            capital = round(capital * rng.uniform(0.6, 1.6), rng.choice((0, 0, 1)))
        return _percent(capital)

    def _status(self, established: dt.date) -> str:
        age = self.as_of.year - established.year
        r = self.rng.random()
        if r < 0.01 + age * 0.003:
            return "注销"
        if r < 0.015 + age * 0.0045:
            return "吊销"
        return "存续"

    # ---- related persons (R-ENT-4) --------------------------------------------------------------

    def _related(self, shape: str, form: str | None, established: dt.date,
                 linked: dict[str, Any] | None) -> list[dict[str, Any]]:
        rng = self.rng
        # whoever founded the firm was at least 20 then
        latest = self._years_before(established, 20)
        people: list[dict[str, Any]] = []
        used: set[str] = set()

        def person(*, allow_repeat: bool = True) -> dict[str, str]:
            if allow_repeat and self._pool and rng.random() < REPEAT_PERSON_SHARE:
                candidate = rng.choice(self._pool)
                if candidate["id_number"] not in used:
                    used.add(candidate["id_number"])
                    return candidate
            p = self._new_person(youngest=22, oldest=72, latest=latest)
            used.add(p["id_number"])
            if len(self._pool) < REPEAT_POOL:
                self._pool.append(p)
            else:
                self._pool[rng.randrange(REPEAT_POOL)] = p
            return p

        def add(role: str, who: dict[str, str], position: str | None, share: str | None = None) -> None:
            people.append({"role": role, "name": who["name"], "id_number": who["id_number"],
                           "position": position, "share_percent": share})

        head: dict[str, str]
        if linked is not None:
            head = {"name": linked["name"], "id_number": linked["id_number"]}
            used.add(head["id_number"])
        else:
            head = person()

        if shape == "individual":
            add(PRINCIPAL, head, "经营者")
        elif shape == "sole":
            add(PRINCIPAL, head, "投资人")
        elif shape == "branch":
            add(PRINCIPAL, head, "负责人")
        elif shape == "partnership":
            add(PRINCIPAL, head, "执行事务合伙人")
            # the general partner keeps a nominal 1%; the limited partners hold the rest
            limited = rng.randint(1, 2)
            shares = ["99"] if limited == 1 else [_percent(s * 0.99) for s in (rng.randint(51, 80),)]
            if limited == 2:
                shares.append(_percent(99 - float(shares[0])))
            for share in shares:
                add(SHAREHOLDER, person(), "有限合伙人", share)
        elif shape == "cooperative":
            add(LEGAL_REPRESENTATIVE, head, "理事长")
            for _ in range(rng.choice((0, 1, 1, 2))):
                add(DIRECTOR, person(), "理事")
        elif form == "股份有限公司":
            add(LEGAL_REPRESENTATIVE, head, rng.choice(("董事长", "董事长兼总经理")))
            for _ in range(rng.randint(1, 2)):
                add(DIRECTOR, person(), rng.choice(words.DIRECTOR_POSITIONS))
            if rng.random() < 0.6:
                add(SENIOR_MANAGER, person(), rng.choice(("总经理", "董事会秘书", "财务负责人")))
        else:
            position = _REP_POSITIONS[bisect.bisect(_REP_POSITION_CUM, rng.random() * _REP_POSITION_CUM[-1])]
            add(LEGAL_REPRESENTATIVE, head, position)
            extra = rng.choices((0, 1, 2, 3), weights=(30, 35, 25, 10))[0]
            if extra:
                owners = rng.choice((1, 1, 2, 2, 3)) if extra >= 2 else 1
                owners = min(owners, extra)
                shares = self._shares(owners)
                # the legal representative usually holds the largest stake himself
                add(SHAREHOLDER, head, None, shares[0])
                for share in shares[1:]:
                    add(SHAREHOLDER, person(), None, share)
                for _ in range(extra - owners):
                    if "董事长" in position and rng.random() < 0.5:
                        add(DIRECTOR, person(), rng.choice(words.DIRECTOR_POSITIONS))
                    else:
                        taken = {p["position"] for p in people}
                        choices = [p for p in words.SENIOR_MANAGER_POSITIONS
                                   if p not in taken and not (p == "总经理" and "总经理" in position)]
                        add(SENIOR_MANAGER, person(), rng.choice(choices))
        return people

    def _shares(self, owners: int) -> list[str]:
        """Percentages held by natural persons, largest first; the rest may belong to companies."""
        rng = self.rng
        if owners == 1:
            return [_percent(rng.choice((100, 100, 100, 90, 80, 70, 60, 51)))]
        cuts = sorted(rng.sample(range(5, 96), owners - 1))
        parts = [b - a for a, b in zip([0, *cuts], [*cuts, 100], strict=True)]
        return [_percent(p) for p in sorted(parts, reverse=True)]


def generate_zone(seed: int, *, entities: int, persons: int,
                  as_of: dt.date = REFERENCE_DATE) -> tuple[list[dict[str, Any]], Iterator[dict[str, Any]]]:
    """Natural persons (a list) and organisations (a lazy iterator) from one seed."""
    gen = ZoneGenerator(seed, as_of=as_of)
    people = gen.natural_persons(persons)
    return people, gen.organisations(entities, persons=people)

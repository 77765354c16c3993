"""No personal identifier reaches the public, however a clerk wrote it (R-SEC-2; issue 17 defect 2).

1,200 generated variants — 18- and 15-digit ID numbers and mobile numbers, with spaces, hyphens, dots,
full-width digits and separators in any grouping, inside Chinese sentences — are put in the free-text
items of a few accepted penalties, then read back through the real public API, the public page and the
anonymous file view: not one number is readable once separators are stripped."""

import datetime as dt
import json
import random

from tests.entities.masking_variants import leaks, variants
from tests.public.conftest import penalty
from xinyong.entities.identifiers import mask_ids_in, uscc_check_digit

TEXT_FIELDS = ("violation_facts", "penalty_basis", "penalty_content", "licence_suspended", "remarks")
MAX_TEXT = 2000  # what a record's text item holds (records.service)
OTHER_USCC = "91110108MA01ABCD1" + uscc_check_digit("91110108MA01ABCD1")
KEPT = f"涉案企业统一社会信用代码{OTHER_USCC}，依据京市监罚〔2026〕123号，2026-03-05起罚款1,000,000.00元。"


def _pack(sentences: list[str]) -> list[dict[str, str]]:
    """The sentences as the text items of as few records as they fit in, each item under its limit."""
    texts, current = [], KEPT
    for sentence in sentences:
        if len(current) + len(sentence) > MAX_TEXT:
            texts.append(current)
            current = ""
        current += sentence
    texts.append(current)
    per = len(TEXT_FIELDS)
    return [dict(zip(TEXT_FIELDS, texts[i:i + per], strict=False)) for i in range(0, len(texts), per)]


def test_no_identifier_written_any_way_reaches_public_output(client, zone, accepted, on_day):  # R-SEC-2, issue 17
    found = variants(random.Random(17), 1200)
    company = zone["company"]
    contents = [penalty(company).content | texts for texts in _pack([v.sentence for v in found])]
    for i, content in enumerate(contents):
        # the document number is free text too: one carries a number
        number = f"京开市监罚〔2026〕{300 + i}号" + ("（当事人412723 1969 1026 8726）" if i == 0 else "")
        accepted(penalty(company, document_number=number, content=content))
    on_day(dt.date(2026, 6, 1))

    api = client.get(f"/api/v1/public/entities/{company.uscc}")
    assert api.status_code == 200, api.text
    shown = sorted(f["value"] for r in api.json()["records"] for f in r["fields"] if f["name"] in TEXT_FIELDS)
    # every item is published, through the one masking function, and the rest of the text as written
    assert shown == sorted(mask_ids_in(c[name]) for c in contents for name in TEXT_FIELDS if c.get(name))
    assert len(contents) > 1 and any(v.startswith(KEPT) for v in shown)
    assert leaks(json.dumps(api.json(), ensure_ascii=False), found) == []
    assert "412723 **** **** 8726" in api.text and "19691026" not in api.text

    page = client.get(f"/public/entities/{company.uscc}")
    assert page.status_code == 200 and KEPT in page.text
    assert leaks(page.text, found) == [] and "19691026" not in page.text

    file = client.get(f"/api/v1/entities/{company.uscc}/file")  # anonymous: the public part of the file
    assert file.status_code in (200, 401), file.text  # 401 if the file ever needs a login (issue 17 defect 4)
    if file.status_code == 200:
        assert leaks(file.text, found) == [] and "19691026" not in file.text

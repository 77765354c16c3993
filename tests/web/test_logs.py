"""No ID number is ever written to a log line (R-SEC-2; issue 17 defect 5): uvicorn's access log of a
request whose URL carries one, the platform's error log, a traceback — each masked (``web.logs``)."""

from __future__ import annotations

import io
import logging
import time

import httpx
import pytest
from uvicorn.logging import AccessFormatter

from tests.helpers import id_number, served_in_thread
from xinyong.web import logs

NUMBER = id_number("19790505", "415")
MASKED = NUMBER[:6] + "********" + NUMBER[-4:]


@pytest.fixture
def served(app):
    """The app served by a real uvicorn with its access log on, and uvicorn's own logging configuration."""
    with served_in_thread(app, access_log=True, log_level="info", lifespan="on") as url:
        yield url


def test_the_access_log_of_a_url_with_an_id_number_shows_it_masked(served, bearer, make):  # R-SEC-2
    # the handlers uvicorn configured write the line: catch what its access handler writes
    access = logging.getLogger("uvicorn.access")
    written = io.StringIO()
    handler = logging.StreamHandler(written)
    handler.setFormatter(AccessFormatter('%(client_addr)s - "%(request_line)s" %(status_code)s', use_colors=False))
    access.addHandler(handler)
    try:
        officer = bearer(make.user("officer", "log_jbr", department=make.department()))
        for path in (f"/api/v1/entities/{NUMBER}/check?matter=subsidy", f"/public/search?q={NUMBER}",
                     f"/api/v1/entities/{NUMBER}"):
            r = httpx.get(served + path, headers=officer, timeout=30)
            assert r.status_code == 400 and NUMBER not in r.text, (path, r.text)
        deadline = time.monotonic() + 10
        while written.getvalue().count("\n") < 3 and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        access.removeHandler(handler)
    lines = written.getvalue().splitlines()
    assert len(lines) == 3, lines
    assert all(MASKED in line and NUMBER not in line and " 400" in line for line in lines), lines
    assert f"GET /api/v1/entities/{MASKED}/check?matter=subsidy HTTP/1.1" in lines[0]


def test_errors_and_tracebacks_are_masked_whatever_writes_them(caplog):  # R-SEC-2
    logs.install()
    logs.install()  # twice is once
    log = logging.getLogger("xinyong.test")
    spaced = f"{NUMBER[:6]} {NUMBER[6:14]} {NUMBER[14:]}"
    with caplog.at_level(logging.INFO, logger="xinyong.test"):
        log.info("lookup of %s by %s", NUMBER, "czj")
        log.warning({"id_number": NUMBER})
        log.info("row %(row)d: %(value)s", {"row": 7, "value": spaced})
        try:
            raise ValueError(f"bad party {NUMBER}")
        except ValueError:
            log.exception("import failed on %s", f"/records/{NUMBER}")
    text = "\n".join(logging.Formatter().format(r) for r in caplog.records)
    assert NUMBER not in text and spaced not in text and NUMBER[6:14] not in text, text
    assert f"lookup of {MASKED} by czj" in text and "row 7:" in text
    assert f"ValueError: bad party {MASKED}" in text and "Traceback" in text


def test_the_filter_masks_for_a_deployments_own_log_config():  # R-SEC-2
    record = logging.LogRecord("uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d',
                               ("10.0.0.1:5000", "GET", f"/api/v1/entities/{NUMBER}/check", "1.1", 400), None)
    assert logs.MaskIdNumbers().filter(record) is True
    line = AccessFormatter('%(client_addr)s - "%(request_line)s" %(status_code)s', use_colors=False).format(record)
    assert line == f'10.0.0.1:5000 - "GET /api/v1/entities/{MASKED}/check HTTP/1.1" 400 Bad Request'

"""The measures catalog's tests. ``test_matching`` is pure (DESIGN: rules that need no database) and opens none."""

import pytest

from ..conftest import reset_database

PURE_MODULES = {"test_matching"}


@pytest.fixture(autouse=True)
def _clean_database(request):
    if request.module.__name__.rsplit(".", 1)[-1] in PURE_MODULES:
        yield
        return
    platform = request.getfixturevalue("platform")
    yield
    reset_database(platform)


from ..records.conftest import zone  # noqa: E402, F401  the records' small zone, for checks and reminders

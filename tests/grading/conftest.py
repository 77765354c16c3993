import pytest

from ..conftest import reset_database
from ..records.conftest import zone  # noqa: F401  the records' small zone, for grading them

# The grading core is pure (DESIGN: rules that need no database): these modules open none, so the
# suite-wide fixture that empties the tables after each test has nothing to do for them.
PURE_MODULES = {"test_engine", "test_model", "test_oracle", "test_spark"}


@pytest.fixture(autouse=True)
def _clean_database(request):
    if request.module.__name__.rsplit(".", 1)[-1] in PURE_MODULES:
        yield
        return
    platform = request.getfixturevalue("platform")
    yield
    reset_database(platform)

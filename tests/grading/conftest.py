import pytest


@pytest.fixture(autouse=True)
def _clean_database():
    """The grading core is pure (DESIGN: rules that need no database): these tests open none, so the
    suite-wide fixture that empties the tables after each test has nothing to do here."""
    yield

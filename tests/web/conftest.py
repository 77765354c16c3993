import pytest

from xinyong.accounts import service
from xinyong.accounts.permissions import SYSTEM


@pytest.fixture
def bearer(uow):
    """``bearer(user)`` → Authorization headers for that user's fresh API token."""

    def issue(user):
        with uow(actor=SYSTEM) as s:
            raw, _ = service.create_token(s, actor=SYSTEM, user=s.merge(user))
        return {"Authorization": f"Bearer {raw}"}

    return issue

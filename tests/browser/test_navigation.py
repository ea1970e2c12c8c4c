"""Each demo role logs in through the real form and sees its own navigation."""

from __future__ import annotations

import pytest

from factcheck.roles import Role
from tests.factories import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EXPECTED = {
    Role.REVIEWER: ({"Dashboard", "Queue", "Articles"}, {"Approvals", "Team"}),
    Role.EDITOR: ({"Dashboard", "Queue", "Articles", "Approvals", "Audit"}, {"Team"}),
    Role.ADMIN: ({"Dashboard", "Queue", "Articles", "Audit", "Team"}, {"Approvals"}),
}


@pytest.mark.parametrize("role", list(EXPECTED))
def test_each_role_sees_its_navigation(page, login, role):
    make_user(role=role, username=f"demo-{role.value}")

    login(f"demo-{role.value}")

    nav = set(
        page.get_by_role("navigation", name="Main")
        .get_by_role("link")
        .all_inner_texts()
    )
    present, absent = EXPECTED[role]
    assert present <= nav, nav
    assert not (absent & nav), nav
    assert page.get_by_role("heading", name="Dashboard").is_visible()

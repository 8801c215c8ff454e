"""The admin pages open for staff and list what the demo holds."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "path",
    [
        "/admin/digest/section/",
        "/admin/digest/source/",
        "/admin/digest/article/",
        "/admin/digest/edition/",
        "/admin/digest/delivery/",
        "/admin/subscribers/mailinglist/",
        "/admin/subscribers/subscriber/",
    ],
)
def test_admin_changelists_open_for_staff_and_not_for_anonymous(demo, admin_client, client, path):
    assert admin_client.get(path).status_code == 200
    assert client.get(path).status_code == 302


def test_list_changelist_counts_subscribers_by_status(demo, admin_client):
    page = admin_client.get("/admin/subscribers/mailinglist/").content.decode()
    assert "The Korea Daily Morning" in page
    # morning-en: 5 confirmed (one of them blocked), 0 pending, 1 unsubscribed.
    assert '<td class="field-confirmed">5</td>' in page
    assert '<td class="field-left">1</td>' in page

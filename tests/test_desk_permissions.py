"""Who may reach what: every desk view refuses the anonymous (to the login page) and the
logged-in non-editor (403); editors and admins get in; forms need their CSRF token; failed
logins are throttled; editors never see subscribers beyond counts."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from digest.delivery.dispatch import send_edition
from digest.delivery.senders import MemorySender
from digest.models import Edition
from digest.urls import desk_patterns

from .newsroom import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_throttle():
    cache.clear()
    yield
    cache.clear()


def desk_requests(world) -> list[tuple[str, str, str, dict]]:
    """(url name, method, path, data) for every desk view that needs an editor."""
    e, item = world.edition, world.edition.items.first()
    return [
        ("editions", "get", reverse("desk:editions"), {}),
        ("edition", "get", reverse("desk:edition", args=[e.pk]), {}),
        ("preview", "get", reverse("desk:preview", args=[e.pk]), {}),
        ("item", "post", reverse("desk:item", args=[e.pk, item.pk]), {"action": "up"}),
        ("action", "post", reverse("desk:action", args=[e.pk, "unapprove"]), {}),
        ("stats", "get", reverse("desk:stats", args=["morning-en"]), {}),
    ]


def test_every_desk_view_is_covered_here(world):
    names = {p.name for p in desk_patterns[0]} - {"login", "logout"}
    assert names == {name for name, *_ in desk_requests(world)}


def test_anonymous_visitors_are_sent_to_the_login_page(world, client):
    for name, method, path, data in desk_requests(world):
        response = getattr(client, method)(path, data)
        assert response.status_code == 302, name
        assert response["Location"].startswith("/desk/login/?next="), name


def test_logged_in_non_editors_are_refused(world, client):
    client.force_login(world.outsider)
    for name, method, path, data in desk_requests(world):
        assert getattr(client, method)(path, data).status_code == 403, name


@pytest.mark.parametrize("who", ["editor", "admin"])
def test_editors_and_admins_get_in(world, client, who):
    client.force_login(getattr(world, who))
    for name, method, path, data in desk_requests(world):
        assert getattr(client, method)(path, data).status_code in (200, 302), name


def test_changes_only_by_post(world, client):
    client.force_login(world.editor)
    e = world.edition
    assert client.get(reverse("desk:action", args=[e.pk, "approve"])).status_code == 405
    item = e.items.first()
    assert client.get(reverse("desk:item", args=[e.pk, item.pk])).status_code == 405
    assert client.post(reverse("desk:preview", args=[e.pk])).status_code == 405


def test_every_form_needs_its_csrf_token(world):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(world.editor)
    for name, method, path, data in desk_requests(world):
        if method == "post":
            assert strict.post(path, data).status_code == 403, name
    assert (
        strict.post(reverse("desk:action", args=[world.edition.pk, "approve"])).status_code == 403
    )
    world.edition.refresh_from_db()
    assert world.edition.status == "draft"
    page = strict.get(reverse("desk:edition", args=[world.edition.pk])).content.decode()
    assert page.count("<form") - 1 == page.count("csrfmiddlewaretoken")  # all but the GET form
    login = Client(enforce_csrf_checks=True)
    assert (
        login.post(reverse("desk:login"), {"username": "editor", "password": PASSWORD}).status_code
        == 403
    )


def test_logging_in_and_out(world, client):
    response = client.post(reverse("desk:login"), {"username": "editor", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/desk/"
    assert client.get("/desk/").status_code == 200
    client.post(reverse("desk:logout"))
    assert client.get("/desk/").status_code == 302


def test_failed_logins_are_throttled(world, client, settings):
    settings.DIGEST_LOGIN_MAX_FAILURES = 3
    for _ in range(3):
        assert (
            client.post(reverse("desk:login"), {"username": "editor", "password": "no"}).status_code
            == 200
        )
    # Locked out now, even with the right password; the admin's login counts the same.
    response = client.post(reverse("desk:login"), {"username": "editor", "password": PASSWORD})
    assert response.status_code == 429 and "Too many" in response.content.decode()
    assert (
        client.post("/admin/login/", {"username": "editor", "password": PASSWORD}).status_code
        == 429
    )
    cache.clear()
    assert (
        client.post(reverse("desk:login"), {"username": "editor", "password": PASSWORD}).status_code
        == 302
    )


def _login(address: str, username: str, password: str) -> int:
    client = Client(REMOTE_ADDR=address)
    return client.post(
        reverse("desk:login"), {"username": username, "password": password}
    ).status_code


def test_failures_for_a_username_lock_it_at_that_address_only(world, settings):
    """The desk shows editors' usernames: guessing one from anywhere must not lock its
    editor out everywhere (on a list that needs approval, that stops the edition)."""
    assert settings.DIGEST_LOGIN_MAX_FAILURES == 5
    for _ in range(5):
        assert _login("203.0.113.66", "editor", "guess") == 200
    assert _login("203.0.113.66", "editor", PASSWORD) == 429
    assert _login("203.0.113.66", "EDITOR ", PASSWORD) == 429  # as the login form reads it
    assert _login("198.51.100.7", "editor", PASSWORD) == 302
    # Another user at the guesser's address is not locked by that username's count.
    assert _login("203.0.113.66", "admin", PASSWORD) == 302


def test_guessing_many_usernames_from_one_address_locks_the_address(world, settings):
    limit = settings.DIGEST_LOGIN_MAX_FAILURES_PER_ADDRESS
    assert limit == 4 * settings.DIGEST_LOGIN_MAX_FAILURES
    for n in range(limit - 1):
        assert _login("203.0.113.66", f"user{n}", "guess") == 200
    # A good login does not clear the address's count (a guesser with an account of their own).
    assert _login("203.0.113.66", "editor", PASSWORD) == 302
    assert _login("203.0.113.66", "someone-else", "guess") == 200
    for username, password in [("editor", PASSWORD), ("nobody", "guess")]:
        assert _login("203.0.113.66", username, password) == 429
    assert _login("198.51.100.7", "editor", PASSWORD) == 302


def test_editors_see_counts_but_never_subscribers(world, client):
    Edition.objects.filter(pk=world.edition.pk).update(status="approved")
    send_edition(Edition.objects.get(pk=world.edition.pk), MemorySender())
    client.force_login(world.editor)
    for path in (
        reverse("desk:editions"),
        reverse("desk:edition", args=[world.edition.pk]),
        reverse("desk:stats", args=["morning-en"]),
    ):
        body = client.get(path).content.decode()
        assert "ana@example.com" not in body and "bo@example.com" not in body, path
    stats = client.get(reverse("desk:stats", args=["morning-en"])).content.decode()
    assert '<td class="n">3</td>' in stats  # three recipients, as a count
    # The admin (and with it every subscriber record) stays closed to editors.
    for path in ("/admin/", "/admin/subscribers/subscriber/", "/admin/digest/delivery/"):
        response = client.get(path)
        assert response.status_code == 302 and "/admin/login/" in response["Location"], path


def test_the_archive_is_public(world, client):
    assert client.get(reverse("archive", args=["morning-en"])).status_code == 200

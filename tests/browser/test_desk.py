"""An editor's morning in a real browser: log in, fix a summary and see it in the preview,
move a story, send a test to themselves, approve. Screenshots at desktop and phone widths
are kept in test-artifacts/ (desk-desktop.png, desk-phone.png)."""

from __future__ import annotations

import email
import email.policy

import pytest

from digest.models import Article, Edition, EditionItem, Section, SectionExample

from ..newsroom import PASSWORD, build

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(live_server, settings):
    settings.SITE_URL = live_server.url
    return build()


def test_an_editor_corrects_tests_and_approves_the_edition(
    browser, shoot, live_server, world, settings
):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    page = context.new_page()
    page.goto(f"{live_server.url}/desk/")
    page.wait_for_selector("text=Editors' desk")
    page.fill("#id_username", "editor")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.click("text=2026-11-24")
    page.wait_for_selector("#preview")

    item = world.edition.items.filter(section__key="trade").order_by("position").first()
    box = page.locator(f"#item-{item.pk}")
    box.locator("textarea").fill("Negotiators agreed to meet again in December.")
    box.locator("button[value=save]").click()
    page.wait_for_selector("text=Saved.")
    preview = page.frame_locator("#preview")
    preview.get_by_text("Negotiators agreed to meet again in December.").wait_for()

    box = page.locator(f"#item-{item.pk}")
    box.locator("select[name=section]").select_option("community")
    box.locator("button[value=move]").click()
    page.wait_for_selector("text=Moved to Community.")
    assert EditionItem.objects.get(pk=item.pk).section.key == "community"
    assert page.locator(f"#section-community #item-{item.pk}").count() == 1
    shoot(page, "desk-desktop")

    page.click("#send-test")
    page.wait_for_selector("text=Test sent to editor@news.example.com")
    (path,) = (settings.DIGEST_OUTBOX_DIR / "_test").rglob("*.eml")
    message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert message["Subject"].startswith("[TEST] ") and message["X-Digest-Test"] == "1"
    assert "Negotiators agreed" in message.get_body(("plain",)).get_content()

    # The phone toggle resizes the preview at once (a little JavaScript), dark mode too.
    page.check("input[name=w][value=phone]")
    assert page.locator("#preview").get_attribute("width") == "375"
    page.check("input[name=dark]")
    assert "dark=1" in page.locator("#preview").get_attribute("src")

    page.click("#approve")
    page.wait_for_selector("#status:has-text('Approved')")
    edition = Edition.objects.get(pk=world.edition.pk)
    assert edition.status == "approved" and edition.approved_by == world.editor
    context.close()

    phone = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-US")
    page = phone.new_page()
    page.goto(f"{live_server.url}/desk/login/")
    page.fill("#id_username", "editor")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.goto(f"{live_server.url}/desk/editions/{world.edition.pk}/?w=phone")
    page.frame_locator("#preview").get_by_text("Negotiators agreed").wait_for()
    shoot(page, "desk-phone")
    phone.close()


def test_the_desk_works_without_javascript(browser, live_server, world):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server.url}/desk/login/")
    page.fill("#id_username", "editor")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.goto(f"{live_server.url}/desk/editions/{world.edition.pk}/")
    page.check("input[name=w][value=phone]")
    page.click("text=Show")
    assert page.locator("#preview").get_attribute("width") == "375"
    page.click("#approve")
    page.wait_for_selector("#status:has-text('Approved')")
    context.close()


def test_a_thin_call_moves_to_its_runner_up_in_one_click_on_a_phone(browser, live_server, world):
    item = world.edition.items.filter(section__key="trade").order_by("position").first()
    Article.objects.filter(pk=item.article_id).update(
        section_thin_margin=True, section_runner_up=Section.objects.get(key="community")
    )
    context = browser.new_context(viewport={"width": 390, "height": 844}, java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server.url}/desk/login/")
    page.fill("#id_username", "editor")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.goto(f"{live_server.url}/desk/editions/{world.edition.pk}/?w=phone")
    page.wait_for_selector("text=1 story has an uncertain section")
    assert page.locator(f"#item-{item.pk}").get_by_text("section uncertain").is_visible()
    button = page.get_by_role("button", name=f"Move “{item.headline}” to Community")
    box = button.bounding_box()
    assert box and box["x"] + box["width"] <= 390 and box["height"] >= 40  # a thumb's target
    button.click()
    page.wait_for_selector("text=Moved to Community.")
    assert page.locator(f"#section-community #item-{item.pk}").count() == 1
    assert SectionExample.objects.get(article_id=item.article_id).moved_to.key == "community"
    context.close()

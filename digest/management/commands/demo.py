from __future__ import annotations

import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError

from subscribers import tokens
from subscribers.models import MailingList, Subscriber

from ...compose import ComposeError
from ...delivery.dispatch import DispatchError
from ...delivery.errors import FatalError
from ...delivery.senders import OutboxSender
from ...demo import DEMO_DAY, load_demo
from ...pipeline import run_list
from ...preview_files import write_preview
from ._output import console_for, print_ending
from .run import print_run


class Command(BaseCommand):
    help = "Load the demo lists, readers and articles, then build and deliver the demo edition."

    def handle(self, *args, **options):
        console = console_for(self)
        loaded = load_demo()
        console.print(
            f"Demo data loaded ({loaded['lists']} lists, {loaded['new_readers']} new readers)."
        )
        outbox = OutboxSender(settings.DIGEST_OUTBOX_DIR)
        where = []
        for mailing_list in MailingList.objects.filter(slug__in=["morning-en", "morning-ko"]):
            console.rule(f"{mailing_list.name} ({mailing_list.slug}), {DEMO_DAY}")
            try:
                report = run_list(mailing_list, DEMO_DAY, outbox)
            except (ComposeError, DispatchError, FatalError) as exc:
                raise CommandError(f"{mailing_list.slug}: {exc}") from exc
            print_run(console, report, outbox)
            print_ending(console, report.sent, report.composed.edition)
            folder = settings.DIGEST_OUTBOX_DIR / mailing_list.slug / f"{DEMO_DAY:%Y-%m-%d}"
            preview, _ = write_preview(report.composed.edition, folder / "preview-all.html")
            where.append((mailing_list.slug, preview, sorted(folder.glob("*.eml"))))
        console.rule("Where to look")
        for slug, preview, emails in where:
            console.print(f"[bold]{slug}[/] preview (open in a browser): {preview}", soft_wrap=True)
            for path in emails:
                console.print(f"  {path}", soft_wrap=True)
        password = demo_admin_password()
        editor_password = demo_editor_password()
        reader = Subscriber.objects.get(email__iexact="grace.kim@example.com")
        english = MailingList.objects.get(slug="morning-en")
        token = tokens.make_token(tokens.PREFERENCES, reader.pk, english.pk)
        site = settings.SITE_URL
        console.rule("Web pages: start them with `make serve`")
        for label, value in (
            ("admin", f"{site}/admin/  (user {DEMO_ADMIN}, password {password})"),
            ("editors' desk", f"{site}/desk/  (user {DEMO_EDITOR}, password {editor_password})"),
            ("public archive", f"{site}/archive/morning-en/"),
            ("subscribe page", f"{site}/subscribe/morning-en/"),
            ("a reader's preferences", f"{site}/preferences/{token}/"),
        ):
            console.print(f"{label:<24}{value}", soft_wrap=True)


DEMO_ADMIN = "demo-admin"
DEMO_EDITOR = "demo-editor"


def demo_admin_password() -> str:
    """A staff login for the demo, with a fresh random password each run (never a known one)."""
    user, _ = get_user_model().objects.get_or_create(
        username=DEMO_ADMIN, defaults={"is_staff": True, "is_superuser": True}
    )
    password = secrets.token_urlsafe(9)
    user.set_password(password)
    user.save()
    return password


def demo_editor_password() -> str:
    """An editor's login for the desk (the ``editors`` group, not staff: no admin access),
    with a fresh random password each run."""
    user, _ = get_user_model().objects.get_or_create(
        username=DEMO_EDITOR, defaults={"email": "editor@example.com"}
    )
    user.groups.add(Group.objects.get_or_create(name="editors")[0])
    password = secrets.token_urlsafe(9)
    user.set_password(password)
    user.save()
    return password

from __future__ import annotations

import email.policy
import mailbox
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ...mailto import handle


class Command(BaseCommand):
    help = (
        "Apply the unsubscribe requests mailed to the List-Unsubscribe mailto: address, read "
        "from a Maildir (new messages are moved to cur/ once handled) or an mbox file."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="a Maildir folder or an mbox file")

    def handle(self, *args, path, **options):
        where = Path(path)
        if (where / "new").is_dir() and (where / "cur").is_dir():
            box = mailbox.Maildir(where, factory=None, create=False)
            keys = [key for key in box.iterkeys() if box.get_message(key).get_subdir() == "new"]
        elif where.is_file():
            box = mailbox.mbox(where, create=False)
            keys = list(box.iterkeys())
        else:
            raise CommandError(f"{path}: neither a Maildir (with new/ and cur/) nor an mbox file")
        counts: dict[str, int] = {}
        try:
            for key in keys:
                parsed = email.message_from_bytes(box.get_bytes(key), policy=email.policy.default)
                outcome = handle(parsed)
                counts[outcome.action] = counts.get(outcome.action, 0) + 1
                self.stdout.write(f"{outcome.action:<13} {outcome.sender or '?'}: {outcome.detail}")
                if isinstance(box, mailbox.Maildir):
                    message = box.get_message(key)
                    message.set_subdir("cur")
                    message.add_flag("S")
                    box[key] = message
        finally:
            box.close()
        summary = ", ".join(f"{n} {action}" for action, n in sorted(counts.items()))
        self.stdout.write(f"{len(keys)} message(s): {summary or 'nothing to do'}")

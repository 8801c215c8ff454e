from django.core.management import call_command

from ...delivery.control import resume
from ._control import EditionCommand


class Command(EditionCommand):
    help = (
        "Resume a paused or too-late edition; with --send, send what is left now (otherwise "
        "the next `digest send` does)."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--send", action="store_true", help="send what is left now")

    def act(self, console, edition, send=False, **options):
        resume(edition)
        ref = f"{edition.mailing_list.slug}/{edition.date:%Y-%m-%d}"
        if not send:
            console.print(f"{edition}: resumed; run `digest send --edition {ref}` to send")
            return
        console.print(f"{edition}: resumed; sending")
        call_command("send", edition=ref, stdout=self.stdout, stderr=self.stderr)

from ...delivery.control import resume
from ._control import EditionCommand


class Command(EditionCommand):
    help = "Resume a paused or too-late edition; the next `digest send` sends what is left."

    def act(self, console, edition, **options):
        resume(edition)
        console.print(f"{edition}: resumed; run `digest send --edition {edition.pk}` to send")

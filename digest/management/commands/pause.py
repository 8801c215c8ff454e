from ...delivery.control import pause
from ._control import EditionCommand


class Command(EditionCommand):
    help = "Pause an edition: running senders stop after their batch; `digest resume` goes on."

    def act(self, console, edition, **options):
        pause(edition, "paused by an operator")
        console.print(f"{edition}: paused")

from ...delivery.control import cancel
from ._control import EditionCommand


class Command(EditionCommand):
    help = "Cancel an edition: nothing more of it is sent."

    def act(self, console, edition, **options):
        dropped = cancel(edition)
        console.print(f"{edition}: cancelled; {dropped} reader(s) will not get it")

"""The shared shape of the one-edition control verbs (pause, resume, cancel, ...)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from ...delivery.control import ControlError, find_edition
from ._output import console_for


class EditionCommand(BaseCommand):
    def add_arguments(self, parser):
        parser.add_argument("edition", help="the edition: its id, or LIST/YYYY-MM-DD")

    def handle(self, *args, edition, **options):
        console = console_for(self)
        try:
            target = find_edition(edition)
            self.act(console, target, **options)
        except ControlError as exc:
            raise CommandError(str(exc)) from exc

    def act(self, console, edition, **options) -> None:
        raise NotImplementedError

"""`digest serve`: the production web server (gunicorn, static files by WhiteNoise)."""

from __future__ import annotations

import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor

from ... import serving
from ._output import console_for


class Command(BaseCommand):
    help = (
        "Serve the web pages (desk, admin, readers' pages, webhooks) with gunicorn; collects "
        "the static files first when they changed. Put Caddy or nginx in front for HTTPS."
    )

    def add_arguments(self, parser):
        parser.add_argument("--bind", help="address:port (default DIGEST_BIND, 127.0.0.1:8000)")
        parser.add_argument("--workers", type=int, help="processes (default DIGEST_WEB_WORKERS)")
        parser.add_argument("--threads", type=int, help="threads each (default DIGEST_WEB_THREADS)")
        parser.add_argument(
            "--print", action="store_true", help="print the gunicorn command and exit"
        )

    def handle(self, *args, bind=None, workers=None, threads=None, **options):
        console = console_for(self)
        try:
            config = serving.ServeOptions.from_settings(bind=bind, workers=workers, threads=threads)
        except ValueError as exc:
            raise CommandError(f"{exc} (--workers, --threads or DIGEST_WEB_*)") from exc
        if options["print"]:
            self.stdout.write(" ".join(serving.gunicorn_argv(config)))
            return
        if serving.static_is_current():
            console.print("static files: up to date")
        else:
            started = time.monotonic()
            with console.status("collecting static files"):
                try:
                    count = serving.collect_static()
                except (RuntimeError, OSError) as exc:
                    raise CommandError(
                        f"{exc}\nCheck that the folder is writable by this user "
                        "(DIGEST_VAR_DIR / DIGEST_HOME)."
                    ) from exc
            console.print(f"static files: {count} collected in {time.monotonic() - started:.1f} s")
        self.warn_unapplied(console)
        if settings.DIGEST_CACHE == "database":
            # The table the web processes of every machine count lockouts in (idempotent).
            try:
                call_command("createcachetable", verbosity=0)
            except DatabaseError as exc:
                console.print(f"[yellow]warning:[/] the cache table cannot be made: {exc}")
            finally:
                connection.close()
        console.print(
            f"serving on http://{config.bind} with gunicorn: {config.workers} workers × "
            f"{config.threads} threads, {config.timeout} s timeout"
        )
        serving.exec_gunicorn(config)

    def warn_unapplied(self, console) -> None:
        """A server that starts while the database is down or behind still starts (pages
        say so, /healthz answers 503), but the operator is told here first."""
        try:
            executor = MigrationExecutor(connection)
            plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
        except DatabaseError as exc:
            console.print(f"[yellow]warning:[/] the database cannot be reached: {exc}")
            return
        finally:
            connection.close()  # gunicorn's workers open their own
        if plan:
            console.print(
                f"[yellow]warning:[/] {len(plan)} database migrations are not applied: "
                "run `digest migrate`"
            )

"""Will the planned processes fit within PostgreSQL's ``max_connections``?

Each gunicorn thread keeps at most one connection per alias (``CONN_MAX_AGE``), each task
worker (``run_huey -w N``) one per worker, plus a few for commands (migrate, cron, psql).
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import connections
from django.utils.translation import gettext as _

RESERVE = 5  # migrate, send_reminders from cron, a psql session, a backup


def connections_needed(*, servers: int, workers: int, threads: int, task_workers: int) -> int:
    return servers * workers * threads + task_workers + RESERVE


class Command(BaseCommand):
    help = "Kiểm tra số kết nối cơ sở dữ liệu cần dùng so với max_connections của PostgreSQL."

    def add_arguments(self, parser):
        parser.add_argument("--servers", type=int, default=1, help="Số máy chủ ứng dụng")
        parser.add_argument("--workers", type=int, default=4, help="Số tiến trình gunicorn")
        parser.add_argument("--threads", type=int, default=4, help="Số luồng mỗi tiến trình")
        parser.add_argument("--task-workers", type=int, default=4, help="run_huey -w")

    def handle(self, *args, **options):
        needed = connections_needed(
            servers=options["servers"],
            workers=options["workers"],
            threads=options["threads"],
            task_workers=options["task_workers"],
        )
        too_many = []
        for alias in connections:
            conn = connections[alias]
            if conn.vendor != "postgresql":
                self.stdout.write(
                    _("%(alias)s: %(vendor)s, không giới hạn số kết nối.")
                    % {"alias": alias, "vendor": conn.vendor}
                )
                continue
            with conn.cursor() as cursor:
                cursor.execute(
                    "SELECT current_setting('max_connections')::int"
                    " - current_setting('superuser_reserved_connections')::int"
                )
                limit = cursor.fetchone()[0]
            self.stdout.write(
                _("%(alias)s: cần %(needed)s kết nối, máy chủ cho phép %(limit)s.")
                % {"alias": alias, "needed": needed, "limit": limit}
            )
            if needed > limit:
                too_many.append(alias)
        if too_many:
            raise CommandError(
                _(
                    "Quá số kết nối PostgreSQL cho phép (%(aliases)s): giảm số tiến trình hoặc "
                    "số luồng, hoặc tăng max_connections."
                )
                % {"aliases": ", ".join(too_many)}
            )

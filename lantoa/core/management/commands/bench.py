import importlib
import time
import traceback

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from huey.contrib.djhuey import HUEY

from lantoa.core.bench import Context, format_rows


class Command(BaseCommand):
    help = "Đo hiệu năng (tỷ lệ so với truy vấn SQL thuần đo trong cùng lần chạy) trên một cơ sở dữ liệu riêng."

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale", type=float, default=1.0, help="Tỷ lệ quy mô dữ liệu (1.0 = toàn quốc)"
        )
        parser.add_argument(
            "--only",
            default="",
            help="Chỉ chạy các phép đo có tên chứa một trong các chuỗi này (cách nhau bởi dấu phẩy)",
        )
        parser.add_argument(
            "--keepdb",
            action="store_true",
            help="Giữ cơ sở dữ liệu đo sau khi chạy (để xem lại, ví dụ EXPLAIN); "
            "lần chạy sau vẫn dựng lại từ đầu",
        )

    def handle(self, *args, **options):
        # The benchmark never touches the real database: it builds its own test database
        # (SQLite: var/bench.sqlite3; PostgreSQL: test_<name>), like the test runner does.
        db = settings.DATABASES["default"]
        if db["ENGINE"].endswith("sqlite3"):
            db.setdefault("TEST", {})["NAME"] = str(settings.DATA_DIR / "bench.sqlite3")
        # Always a fresh database: a kept one holds an earlier run's worlds (their roots and
        # campaign years), which the modules would collide with. --keepdb keeps it afterwards.
        old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
        # Tasks the benchmarks enqueue (e-mails) go to a queue of their own that no worker
        # reads, never to the installation's: the same storage class, another name/file.
        real_storage = HUEY.storage
        kwargs = dict(HUEY.storage_kwargs)
        if "filename" in kwargs:
            kwargs["filename"] = str(settings.DATA_DIR / "bench-tasks.sqlite3")
        HUEY.storage = type(real_storage)(name="lantoa-bench", **kwargs)
        try:
            ctx = Context(scale=options["scale"], vendor=connection.vendor, out=self.stdout.write)
            self.stdout.write(f"Lantoa bench · {connection.vendor} · scale {options['scale']:g}")
            rows = []
            failures: list[str] = []
            only = [name for name in options["only"].split(",") if name]
            for app in apps.get_app_configs():
                if not app.name.startswith("lantoa."):
                    continue
                try:
                    module = importlib.import_module(f"{app.name}.bench")
                except ModuleNotFoundError as exc:
                    if exc.name != f"{app.name}.bench":
                        raise
                    continue
                for fn in getattr(module, "BENCHMARKS", []):
                    if only and not any(name in fn.__name__ for name in only):
                        continue
                    name = f"{fn.__module__}.{fn.__name__}"
                    started = time.perf_counter()
                    try:
                        result = fn(ctx)
                    except Exception as exc:
                        # One broken benchmark must not hide the others: report it, go on,
                        # and fail the command at the end.
                        failures.append(f"{name}: {type(exc).__name__}: {exc}")
                        self.stderr.write(f"  LỖI {name}: {type(exc).__name__}: {exc}")
                        self.stderr.write(traceback.format_exc(limit=-3))
                        continue
                    for row in result:
                        row.scale = ctx.scale
                    rows.extend(result)
                    self.stdout.write(format_rows(result))
                    self.stdout.write(f"  ({name}: {time.perf_counter() - started:.1f} s in all)")
            self.stdout.write("\n== Summary ==\n" + format_rows(rows))
            if ctx.scale != 1.0:
                self.stdout.write(
                    "(Ngân sách thời gian tuyệt đối chỉ được xét ở --scale 1; "
                    "absolute budgets are judged at scale 1.0 only.)"
                )
        finally:
            HUEY.storage.flush_all()
            HUEY.storage = real_storage
            connection.creation.destroy_test_db(old_name, verbosity=0, keepdb=options["keepdb"])
        if failures:
            raise CommandError(
                f"{len(failures)} phép đo bị lỗi (benchmarks failed): " + "; ".join(failures)
            )

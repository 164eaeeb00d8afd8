import importlib

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test.utils import override_settings

from lantoa.accounts.models import User
from lantoa.core.models import SystemFlag
from lantoa.demo import world as demo_world
from lantoa.units.models import Unit

# Later steps add campaigns' documents, activities, reports and honours to the
# world. Each runs once (a SystemFlag records it), so `lantoa demo` is idempotent.
# The 2025 reform comes after the reports: 2020–2023 are closed (their reporting trees
# frozen on the old lines) before Long Biên's schools and centres move to the new wards.
STEPS = [
    "lantoa.documents.demo",
    "lantoa.documents.demo_pki",
    "lantoa.activities.demo",
    "lantoa.reports.demo",
    "lantoa.notifications.demo",
    "lantoa.honours.demo",
    "lantoa.demo.reform",
]


def step_label(step: str) -> str:
    """What the step loaded, for the log: ``documents``, ``documents.demo_pki``, ``reform``."""
    app, module = step.split(".")[1:3]
    if app == "demo":
        return module
    return app if module == "demo" else f"{app}.{module}"


class Command(BaseCommand):
    help = "Tạo dữ liệu mẫu (DEMO.md): cây đơn vị, tài khoản, Tuần lễ, văn bản, hoạt động, báo cáo."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force", action="store_true", help="Chạy cả khi cơ sở dữ liệu đã có dữ liệu thật"
        )
        parser.add_argument("--accounts", action="store_true", help="Chỉ in bảng tài khoản mẫu")
        parser.add_argument(
            "--auto",
            action="store_true",
            help="Chỉ nạp khi cơ sở dữ liệu còn trống (dùng cho start.sh)",
        )

    def handle(self, *args, **options):
        if options["accounts"]:
            self.print_accounts()
            return
        has_world = SystemFlag.objects.filter(key="demo:world").exists()
        if not has_world and Unit.objects.exists():
            if options["auto"]:
                self.log(options, "Cơ sở dữ liệu đã có dữ liệu, không nạp dữ liệu mẫu.")
                return
            if not options["force"]:
                raise CommandError(
                    "Cơ sở dữ liệu đã có dữ liệu không phải dữ liệu mẫu. Dùng --force nếu bạn chắc chắn."
                )
        # The demo's units carry real-looking addresses (vanthu@moet.gov.vn …): whatever
        # the configured e-mail backend, building the demo never sends a message.
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
            self.build(options, has_world)
        self.log(options, "Dữ liệu mẫu đã sẵn sàng.")

    def build(self, options, has_world: bool) -> None:
        if not has_world:
            with transaction.atomic():
                w = demo_world.build_world()
                demo_world.remember_world(w)
                SystemFlag.objects.create(key="demo:world")
            self.log(
                options,
                f"Đã tạo cây đơn vị mẫu ({Unit.objects.count()} đơn vị) và {User.objects.count()} tài khoản.",
            )
        else:
            w = demo_world.load_world()
        for step in STEPS:
            key = f"demo:{step}"
            if SystemFlag.objects.filter(key=key).exists():
                continue
            module = importlib.import_module(step)
            with transaction.atomic():
                module.build(w)
                SystemFlag.objects.create(key=key)
            self.log(options, f"Đã nạp: {step_label(step)}")

    def log(self, options, text):
        if options.get("verbosity", 1) > 0:
            self.stdout.write(text)

    def print_accounts(self):
        password = settings.LANTOA_DEMO_PASSWORD
        self.stdout.write(f"Mật khẩu của mọi tài khoản mẫu: {password}")
        self.stdout.write(f"{'Tài khoản':<16} {'Vai trò':<10} Đơn vị")
        self.stdout.write(f"{'admin':<16} {'superuser':<10} (toàn hệ thống)")
        for username, _name, unit_key, role in demo_world.ACCOUNTS:
            unit = (
                SystemFlag.objects.filter(key=f"demo:unit:{unit_key}")
                .values_list("value", flat=True)
                .first()
            )
            found = (
                Unit.objects.filter(pk=unit).values_list("name", "valid_from", "valid_to").first()
                if unit
                else None
            )
            name = unit_key
            if found:
                # Two "UBND phường Bồ Đề" exist (before and after the 2025 reform).
                name, since, until = found
                if since:
                    name += f" (từ {since:%d/%m/%Y})"
                elif until:
                    name += f" (đến {until:%d/%m/%Y})"
            self.stdout.write(f"{username:<16} {role:<10} {name}")

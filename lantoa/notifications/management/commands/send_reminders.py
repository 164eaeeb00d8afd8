from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from lantoa.notifications.services import reminders_send_due


class Command(BaseCommand):
    help = "Đôn đốc các đơn vị chưa nộp báo cáo (trước hạn 3 và 1 ngày, sau hạn hằng ngày)."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="Ngày chạy, dạng YYYY-MM-DD (mặc định: hôm nay)")

    def handle(self, *args, **options):
        today = timezone.localdate()
        if options.get("date"):
            try:
                today = date.fromisoformat(options["date"])
            except ValueError:
                raise CommandError("Ngày không hợp lệ, cần dạng YYYY-MM-DD, ví dụ 2023-10-12.")
        sent = reminders_send_due(today=today)
        self.stdout.write(f"Đã đôn đốc {sent} đơn vị ngày {today:%d/%m/%Y}.")

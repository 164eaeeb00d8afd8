from django.core.management.base import BaseCommand

from lantoa.activities.services import registrations_anonymise


class Command(BaseCommand):
    help = "Ẩn danh thông tin người đăng ký khi đã hết thời hạn lưu giữ sau Tuần lễ."

    def handle(self, *args, **options):
        count = registrations_anonymise()
        self.stdout.write(f"Đã ẩn danh {count} lượt đăng ký.")

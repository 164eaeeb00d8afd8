from django.core.management.base import BaseCommand

from lantoa.activities.services import activities_search_reindex


class Command(BaseCommand):
    help = (
        "Dựng lại chỉ mục tìm kiếm của mọi hoạt động (tên, loại hoạt động, xã/phường, "
        "quận/huyện, tỉnh/thành phố của đơn vị tổ chức), ví dụ sau khi đổi tên đơn vị."
    )

    def handle(self, *args, **options):
        count = activities_search_reindex()
        self.stdout.write(f"Đã cập nhật chỉ mục tìm kiếm của {count} hoạt động.")

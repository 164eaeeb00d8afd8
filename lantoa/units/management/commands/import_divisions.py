import time

from django.core.management.base import BaseCommand
from django.utils.formats import number_format

from lantoa.units.divisions import divisions_import


class Command(BaseCommand):
    help = (
        "Nhập cây hành chính hiện hành (34 tỉnh/thành phố, 3.321 xã/phường/đặc khu) từ gói "
        "vietnam-provinces; đơn vị đã có (cùng mã) được giữ nguyên, chạy lại không thay đổi gì."
    )

    def handle(self, *args, **options):
        started = time.perf_counter()
        result = divisions_import()

        def n(value: int) -> str:
            return number_format(value, force_grouping=True)

        self.stdout.write(
            f"Tỉnh/thành phố: {n(result.provinces_created)} mới, "
            f"{n(result.provinces_existing)} đã có."
        )
        self.stdout.write(
            f"Xã/phường/đặc khu: {n(result.communes_created)} mới, "
            f"{n(result.communes_existing)} đã có."
        )
        self.stdout.write(f"Xong trong {time.perf_counter() - started:.1f} giây.")

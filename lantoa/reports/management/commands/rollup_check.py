from django.core.management.base import BaseCommand, CommandError

from lantoa.campaigns.models import Campaign
from lantoa.reports.lines.services import reporting_tree_ensure, rollup_check


class Command(BaseCommand):
    help = (
        "Đối chiếu số tổng hợp lưu trên tuyến báo cáo và theo cây hành chính với số tính lại "
        "từ số liệu gốc "
        "(mã thoát khác 0 nếu lệch)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--campaign", type=int, help="năm của Tuần lễ (mặc định: tất cả)")

    def handle(self, *args, **options):
        campaigns = Campaign.objects.order_by("year")
        if options.get("campaign"):
            campaigns = campaigns.filter(year=options["campaign"])
            if not campaigns.exists():
                raise CommandError(f"Không có Tuần lễ năm {options['campaign']}.")
        failed = 0
        for campaign in campaigns:
            reporting_tree_ensure(campaign=campaign)
            problems = rollup_check(campaign=campaign)
            if problems:
                failed += 1
                self.stdout.write(f"{campaign.year}: lệch {len(problems)} số")
                for line in problems[:50]:
                    self.stdout.write(f"  {line}")
            else:
                self.stdout.write(f"{campaign.year}: khớp")
        if failed:
            raise CommandError(f"{failed} Tuần lễ có số tổng hợp lệch so với số liệu gốc.")

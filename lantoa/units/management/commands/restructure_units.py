from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from lantoa.accounts.models import User
from lantoa.core.errors import NotFound
from lantoa.core.spreadsheets import RowErrors
from lantoa.units.models import Unit
from lantoa.units.restructuring import units_restructure


class Command(BaseCommand):
    help = (
        "Tái cấu trúc đơn vị từ tệp .xlsx/.csv (chuyển, sáp nhập, chia tách): "
        "một dòng lỗi thì không áp dụng dòng nào."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="Tệp .xlsx hoặc .csv theo mẫu tái cấu trúc")
        parser.add_argument("--root", required=True, help="Mã đơn vị gốc của phạm vi")
        parser.add_argument(
            "--user", required=True, help="Tài khoản thực hiện (quản trị của đơn vị gốc)"
        )

    def handle(self, *args, **options):
        user = User.objects.filter(username=options["user"]).first()
        if user is None:
            raise CommandError(f"Không có tài khoản “{options['user']}”.")
        roots = list(Unit.objects.filter(code=options["root"]))
        if len(roots) != 1:
            raise CommandError(f"Mã đơn vị gốc “{options['root']}” không xác định một đơn vị.")
        try:
            with open(options["file"], "rb") as upload:
                changed = units_restructure(root=roots[0], upload=upload, actor=user)
        except OSError as exc:
            raise CommandError(f"Không đọc được tệp: {exc}")
        except RowErrors as exc:
            for error in exc.errors:
                self.stderr.write(str(error))
            raise CommandError(f"Tệp có {len(exc.errors)} lỗi, chưa áp dụng dòng nào.")
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages))
        except NotFound:
            raise CommandError("Tài khoản không quản trị đơn vị gốc này.")
        self.stdout.write(f"Đã áp dụng {len(changed)} thay đổi.")

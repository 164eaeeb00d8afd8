"""The data folder (``LANTOA_DATA_DIR``): resolved once, absolute, and checked.

Rules (docs/operations.md, "Data folder"):

- Default: ``var/`` in the checkout that holds this package, wherever the command is run
  from. A relative ``LANTOA_DATA_DIR`` is taken relative to that checkout too, never to the
  current directory. The resolved absolute path is written back into the environment so the
  worker and every child process use the same folder.
- Lantoa marks a folder it uses with a ``.lantoa-data`` file. A missing or empty folder is
  created and marked. A non-empty folder without the marker is refused, unless it already
  holds Lantoa's files (a folder from before the marker existed) or it is the checkout's own
  ``var/`` (ignored by git, where the test command keeps its scratch folders), which are
  adopted.
- Once the SQLite database has been seen in a marked folder, the marker remembers it; if
  the database file later disappears (wrong folder mounted, a restore that forgot it) the
  folder is refused instead of silently starting an empty database and a new secret key.
"""

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

MARKER = ".lantoa-data"
SQLITE_NAME = "lantoa.sqlite3"
LANTOA_FILES = (SQLITE_NAME, "secret_key", "tasks.sqlite3")
DATABASE_SEEN = "database=sqlite"


class DataDirError(ImproperlyConfigured):
    pass


def _repo_root() -> Path:
    # lantoa/config/datadir.py → the checkout (or site-packages for a wheel install).
    return Path(__file__).resolve().parent.parent.parent


def resolve_data_dir(
    environ=None, *, repo_root: Path | None = None, uses_sqlite: bool | None = None
) -> Path:
    """Return the absolute data folder, creating or adopting it, or raise DataDirError."""
    environ = os.environ if environ is None else environ
    root = repo_root or _repo_root()
    raw = environ.get("LANTOA_DATA_DIR", "").strip()
    if raw:
        path = Path(raw).expanduser()
        if not path.is_absolute():
            path = root / path
    else:
        if not (root / "pyproject.toml").exists():
            raise DataDirError(
                "Chưa đặt LANTOA_DATA_DIR: Lantoa được cài ngoài thư mục mã nguồn nên không có "
                "thư mục dữ liệu mặc định. Hãy đặt LANTOA_DATA_DIR=/đường/dẫn/tuyệt/đối. "
                "(LANTOA_DATA_DIR is not set and there is no checkout to default to.)"
            )
        path = root / "var"
    path = path.resolve()
    own = path == (root / "var").resolve()
    if uses_sqlite is None:
        uses_sqlite = not environ.get("DATABASE_URL")
    _check(path, uses_sqlite, own=own)
    environ["LANTOA_DATA_DIR"] = str(path)
    return path


def _check(path: Path, uses_sqlite: bool, *, own: bool = False) -> None:
    marker = path / MARKER
    if path.exists() and not path.is_dir():
        raise DataDirError(
            f"LANTOA_DATA_DIR={path} không phải là thư mục. (LANTOA_DATA_DIR is not a folder.)"
        )
    if not path.exists():
        path.mkdir(parents=True)
    if not marker.exists():
        entries = [p.name for p in path.iterdir()]
        if entries and not own and not any(name in entries for name in LANTOA_FILES):
            raise DataDirError(
                f"LANTOA_DATA_DIR={path} đã có tệp khác nhưng không phải thư mục dữ liệu của "
                f"Lantoa (không có tệp đánh dấu {MARKER}). Hãy chọn một thư mục trống hoặc "
                "thư mục dữ liệu Lantoa đã có. (Not a Lantoa data folder: it is not empty "
                f"and has no {MARKER} marker.)"
            )
        marker.write_text("Thư mục dữ liệu Lantoa (Lantoa data folder).\n")
    lines = marker.read_text().splitlines()
    if uses_sqlite:
        has_db = (path / SQLITE_NAME).exists()
        if has_db and DATABASE_SEEN not in lines:
            with marker.open("a") as fh:
                fh.write(DATABASE_SEEN + "\n")
        elif not has_db and DATABASE_SEEN in lines:
            raise DataDirError(
                f"Thư mục dữ liệu {path} đã từng có cơ sở dữ liệu {SQLITE_NAME} nhưng nay không "
                "còn. Hãy khôi phục từ bản sao lưu (docs/operations.md) hoặc kiểm tra lại "
                f"LANTOA_DATA_DIR; để bắt đầu lại từ đầu, xóa dòng '{DATABASE_SEEN}' trong "
                f"{MARKER}. (The SQLite database this folder held is missing.)"
            )

"""LANTOA_DATA_DIR: resolved once, absolute, from the checkout; refused when it is not ours."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from lantoa.config.datadir import MARKER, DataDirError, resolve_data_dir

REPO = Path(__file__).resolve().parents[3]


def test_default_is_the_checkouts_var_whatever_the_current_directory(tmp_path):
    env = {}
    (tmp_path / "pyproject.toml").write_text("")
    path = resolve_data_dir(env, repo_root=tmp_path, uses_sqlite=True)
    assert path == tmp_path / "var"
    assert (path / MARKER).exists()
    # Resolved once: the absolute value is handed to the worker and child processes.
    assert env["LANTOA_DATA_DIR"] == str(tmp_path / "var")


def test_relative_value_is_taken_from_the_checkout_not_the_cwd(tmp_path, monkeypatch):
    (tmp_path / "repo").mkdir()
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")
    env = {"LANTOA_DATA_DIR": "./data"}
    path = resolve_data_dir(env, repo_root=tmp_path / "repo", uses_sqlite=True)
    assert path == tmp_path / "repo" / "data"
    assert path.is_absolute()
    assert not (tmp_path / "elsewhere" / "data").exists()


def test_installed_outside_a_checkout_needs_an_explicit_folder(tmp_path):
    with pytest.raises(DataDirError, match="Chưa đặt LANTOA_DATA_DIR"):
        resolve_data_dir({}, repo_root=tmp_path, uses_sqlite=True)


def test_foreign_non_empty_folder_is_refused_and_left_untouched(tmp_path):
    (tmp_path / "notes.txt").write_text("không phải của Lantoa")
    with pytest.raises(DataDirError, match="không phải thư mục dữ liệu của Lantoa"):
        resolve_data_dir({"LANTOA_DATA_DIR": str(tmp_path)}, uses_sqlite=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


def test_a_file_is_refused(tmp_path):
    target = tmp_path / "file"
    target.write_text("x")
    with pytest.raises(DataDirError, match="không phải là thư mục"):
        resolve_data_dir({"LANTOA_DATA_DIR": str(target)}, uses_sqlite=True)


def test_folder_from_before_the_marker_is_adopted(tmp_path):
    (tmp_path / "secret_key").write_text("k")
    (tmp_path / "lantoa.sqlite3").write_bytes(b"")
    resolve_data_dir({"LANTOA_DATA_DIR": str(tmp_path)}, uses_sqlite=True)
    assert "database=sqlite" in (tmp_path / MARKER).read_text()


def test_lost_database_is_refused_instead_of_starting_empty(tmp_path):
    env = {"LANTOA_DATA_DIR": str(tmp_path)}
    resolve_data_dir(env, uses_sqlite=True)  # first run: folder created and marked
    (tmp_path / "lantoa.sqlite3").write_bytes(b"")
    resolve_data_dir(env, uses_sqlite=True)  # the database is seen and remembered
    (tmp_path / "lantoa.sqlite3").unlink()
    with pytest.raises(DataDirError, match="nay không còn"):
        resolve_data_dir(env, uses_sqlite=True)
    # With PostgreSQL (DATABASE_URL) the SQLite file is not expected.
    assert resolve_data_dir(env, uses_sqlite=False) == tmp_path


def test_settings_refuse_a_foreign_folder_with_a_clear_message(tmp_path):
    (tmp_path / "hello.txt").write_text("x")
    env = dict(os.environ, LANTOA_DATA_DIR=str(tmp_path))
    env["DJANGO_SETTINGS_MODULE"] = "lantoa.config.settings.base"
    env.pop("DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "-m", "lantoa", "check"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "không phải thư mục dữ liệu của Lantoa" in result.stderr
    assert not (tmp_path / "secret_key").exists()


def test_settings_use_the_checkouts_var_from_another_directory(tmp_path):
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="lantoa.config.settings.base")
    env.pop("LANTOA_DATA_DIR", None)
    env.pop("DATABASE_URL", None)
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings;"
            "print(settings.DATA_DIR); print(settings.DATABASES['default']['NAME'])",
        ],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    data_dir, db_name = result.stdout.split()
    assert data_dir == str(REPO / "var")
    assert db_name == str(REPO / "var" / "lantoa.sqlite3")
    assert list(tmp_path.iterdir()) == []

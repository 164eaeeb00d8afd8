"""The replica router against a real PostgreSQL streaming replica.

The test starts its own primary cluster (initdb) and a standby made from it with
``pg_basebackup -R -X stream`` on two free ports, runs scripts/replica_check.py against
them, and removes both clusters. It needs the PostgreSQL server binaries, so it runs in
the PostgreSQL pass of ./test.sh (the routing decisions themselves are tested on every
database in test_dbrouting.py).
"""

import glob
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[3]


def _pg_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Clusters:
    def __init__(self, bindir: Path, workdir: Path):
        self.bin, self.dir = bindir, workdir
        self.as_user = []
        if os.geteuid() == 0:  # PostgreSQL refuses to run as root
            self.as_user = ["runuser", "-u", "postgres", "--"]
            os.chown(workdir, pwd.getpwnam("postgres").pw_uid, -1)
        self.started: list[Path] = []

    def run(self, *args, **kwargs):
        return subprocess.run(
            [*self.as_user, *map(str, args)], check=True, capture_output=True, **kwargs
        )

    def start(self, data: Path, port: int):
        self.run(
            self.bin / "pg_ctl", "-D", data, "-l", self.dir / f"{data.name}.log", "-w", "-t", "60",
            "-o", f"-p {port} -k {self.dir} -c listen_addresses=127.0.0.1", "start",
        )  # fmt: skip
        self.started.append(data)

    def stop_all(self):
        for data in reversed(self.started):
            subprocess.run(
                [*self.as_user, str(self.bin / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"],
                capture_output=True,
            )  # fmt: skip


@pytest.fixture(scope="module")
def replica_pair():
    bindir = _pg_bin()
    if bindir is None:
        pytest.fail("PostgreSQL server binaries (initdb, pg_ctl, pg_basebackup) are required")
    workdir = Path(tempfile.mkdtemp(prefix="lantoa-replica-"))
    clusters = Clusters(bindir, workdir)
    primary, standby = workdir / "primary", workdir / "standby"
    p1, p2 = _free_port(), _free_port()
    try:
        clusters.run(bindir / "initdb", "-D", primary, "-U", "postgres", "-A", "trust", "-E", "UTF8",
                     "--no-sync")  # fmt: skip
        with open(primary / "postgresql.conf", "a") as conf:
            conf.write("fsync = off\nwal_level = replica\nmax_wal_senders = 4\n")
        with open(primary / "pg_hba.conf", "a") as hba:
            hba.write("host replication all 127.0.0.1/32 trust\n")
        clusters.start(primary, p1)
        clusters.run(bindir / "pg_basebackup", "-h", "127.0.0.1", "-p", p1, "-U", "postgres",
                     "-D", standby, "-R", "-X", "stream")  # fmt: skip
        clusters.start(standby, p2)
        subprocess.run(
            [*clusters.as_user, str(bindir / "createdb"), "-h", "127.0.0.1", "-p", str(p1),
             "-U", "postgres", "lantoa_replica_check"],
            check=True, capture_output=True,
        )  # fmt: skip
        yield (
            f"postgresql://postgres@127.0.0.1:{p1}/lantoa_replica_check",
            f"postgresql://postgres@127.0.0.1:{p2}/lantoa_replica_check",
        )
    finally:
        clusters.stop_all()
        shutil.rmtree(workdir, ignore_errors=True)


@pytest.mark.skipif(
    os.environ.get("DATABASE_URL", "").startswith("sqlite") or connection.vendor != "postgresql",
    reason="PostgreSQL pass only (a PostgreSQL facility); routing logic: test_dbrouting.py",
)
def test_portal_reads_the_replica_and_a_writer_reads_its_writes(replica_pair):
    primary, replica = replica_pair
    env = {**os.environ, "DATABASE_URL": primary, "DATABASE_REPLICA_URL": replica}
    env["DJANGO_SETTINGS_MODULE"] = "lantoa.config.settings.test"
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "replica_check.py")],
        env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    print(result.stdout, result.stderr)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "replica check: all passed" in result.stdout
    assert "FAIL" not in result.stdout

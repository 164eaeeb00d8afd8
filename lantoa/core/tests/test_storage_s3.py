"""Uploads on an S3-compatible store: a local moto server started by the test, the real
django-storages backend, and the one scoped download view in front of it."""

import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import boto3
import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from lantoa.config.storage import FILESYSTEM_BACKEND, S3_BACKEND, default_storage_from_env
from lantoa.reports.models import Report
from lantoa.reports.services import evidence_add, report_save
from lantoa.reports.tests.factories import build_tree

BUCKET = "lantoa-test"
KEYS = {"LANTOA_S3_ACCESS_KEY": "testing-key", "LANTOA_S3_SECRET_KEY": "testing-secret"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def s3_endpoint():
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(url + "/moto-api/", timeout=1)  # noqa: S310
                break
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.1)
        else:
            raise RuntimeError("moto server did not start")
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _client(endpoint):
    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id=KEYS["LANTOA_S3_ACCESS_KEY"],
        aws_secret_access_key=KEYS["LANTOA_S3_SECRET_KEY"],
    )


@pytest.fixture
def s3_storage(s3_endpoint, settings):
    client = _client(s3_endpoint)
    client.create_bucket(Bucket=BUCKET)
    env = {"LANTOA_S3_BUCKET": BUCKET, "LANTOA_S3_ENDPOINT_URL": s3_endpoint, **KEYS}
    env["LANTOA_S3_PREFIX"] = "media"
    settings.STORAGES = {**settings.STORAGES, "default": default_storage_from_env(env)}
    yield client
    listed = client.list_objects_v2(Bucket=BUCKET).get("Contents", [])
    for obj in listed:
        client.delete_object(Bucket=BUCKET, Key=obj["Key"])
    client.delete_bucket(Bucket=BUCKET)


def test_environment_chooses_the_backend():
    assert default_storage_from_env({}) == {"BACKEND": FILESYSTEM_BACKEND}
    chosen = default_storage_from_env(
        {"LANTOA_S3_BUCKET": "b", "LANTOA_S3_ENDPOINT_URL": "http://s3.local", **KEYS}
    )
    assert chosen["BACKEND"] == S3_BACKEND
    options = chosen["OPTIONS"]
    assert options["bucket_name"] == "b"
    assert options["endpoint_url"] == "http://s3.local"
    assert options["default_acl"] == "private"
    assert options["querystring_auth"] is True
    assert options["file_overwrite"] is False
    assert options["access_key"] == "testing-key"


def test_evidence_round_trip_through_the_scoped_view(db, s3_storage, s3_endpoint, client):
    from storages.backends.s3 import S3Storage

    tree = build_tree()
    editor = tree.users["a.editor"]
    report = report_save(
        report=Report(campaign=tree.campaign, unit=tree["a"], version=0), user=editor, version=0
    )
    pdf = b"%PDF-1.7\n% bang chung tren S3\n" + bytes(range(256)) * 40
    evidence = evidence_add(
        report=report, user=editor, upload=SimpleUploadedFile("bien-ban.pdf", pdf), title="BB"
    )
    assert isinstance(evidence.file.storage, S3Storage)
    assert isinstance(default_storage._wrapped, S3Storage)

    # The bytes are in the bucket (not on disk), under the configured prefix.
    key = f"media/{evidence.file.name}"
    stored = s3_storage.get_object(Bucket=BUCKET, Key=key)["Body"].read()
    assert stored == pdf

    # Private: no grant to everyone, and an unsigned request is refused.
    grants = s3_storage.get_object_acl(Bucket=BUCKET, Key=key)["Grants"]
    assert [g["Permission"] for g in grants] == ["FULL_CONTROL"]
    assert all("AllUsers" not in g["Grantee"].get("URI", "") for g in grants)
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(f"{s3_endpoint}/{BUCKET}/{key}", timeout=5)  # noqa: S310
    assert refused.value.code == 403

    url = f"/tep/report-evidence/{evidence.pk}/"
    # In scope: the editor of the unit and the approver above it get the exact bytes.
    for username in ("a.editor", "phong.approver"):
        client.force_login(tree.users[username])
        response = client.get(url)
        assert response.status_code == 200, username
        assert b"".join(response.streaming_content) == pdf
        assert response["Content-Type"] == "application/pdf"
        assert response["Cache-Control"] == "private, no-store"
        assert "amazonaws" not in response.get("Location", "") and s3_endpoint not in str(
            response.headers
        )
    # Out of scope: a sibling school and a commune get 404; anonymous is sent to log in.
    for username in ("b.editor", "xa.editor"):
        client.force_login(tree.users[username])
        assert client.get(url).status_code == 404, username
    client.logout()
    response = client.get(url)
    assert response.status_code == 302 and "/dang-nhap/" in response["Location"]

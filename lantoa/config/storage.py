"""Where uploaded files are stored, chosen by environment variables.

Without ``LANTOA_S3_BUCKET`` files go to ``MEDIA_ROOT`` on the local disk. With it, they go
to an S3-compatible object store (AWS S3, MinIO, Ceph, Viettel/FPT object storage…) through
django-storages:

- ``LANTOA_S3_BUCKET``        bucket name (required to turn S3 on)
- ``LANTOA_S3_ENDPOINT_URL``  e.g. ``https://s3.example.vn`` (default: AWS)
- ``LANTOA_S3_ACCESS_KEY`` / ``LANTOA_S3_SECRET_KEY``  credentials (default: boto3's chain)
- ``LANTOA_S3_REGION``        region name (default ``us-east-1``)
- ``LANTOA_S3_PREFIX``        folder inside the bucket (default none)
- ``LANTOA_S3_ADDRESSING``    ``path`` (default, what MinIO expects) or ``virtual``

Objects are written private (ACL ``private``, never overwritten); the application never
hands out an object-store address: every download goes through the one scoped view
``core:download`` (lantoa/core/uploads.py), which reads the object with the storage API.
"""

from collections.abc import Mapping

S3_BACKEND = "storages.backends.s3.S3Storage"
FILESYSTEM_BACKEND = "django.core.files.storage.FileSystemStorage"


def default_storage_from_env(environ: Mapping[str, str]) -> dict:
    """The ``STORAGES["default"]`` entry for these environment variables."""
    bucket = environ.get("LANTOA_S3_BUCKET", "").strip()
    if not bucket:
        return {"BACKEND": FILESYSTEM_BACKEND}
    options = {
        "bucket_name": bucket,
        "region_name": environ.get("LANTOA_S3_REGION", "us-east-1"),
        "default_acl": "private",
        "querystring_auth": True,  # any URL ever built is signed and short-lived
        "querystring_expire": 60,
        "file_overwrite": False,
        "addressing_style": environ.get("LANTOA_S3_ADDRESSING", "path"),
        "signature_version": "s3v4",
        "location": environ.get("LANTOA_S3_PREFIX", "").strip("/"),
    }
    if endpoint := environ.get("LANTOA_S3_ENDPOINT_URL"):
        options["endpoint_url"] = endpoint
    if access_key := environ.get("LANTOA_S3_ACCESS_KEY"):
        options["access_key"] = access_key
        options["secret_key"] = environ.get("LANTOA_S3_SECRET_KEY", "")
    return {"BACKEND": S3_BACKEND, "OPTIONS": options}

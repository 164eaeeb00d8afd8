"""Static files as WhiteNoise serves them best on the embedded default too."""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticFiles(CompressedManifestStaticFilesStorage):
    """Hashed names (WhiteNoise caches them for a year, ``immutable``) and gzip copies, both
    made by ``collectstatic`` (start.sh runs it). Before the first collectstatic the plain
    names still work: the manifest is not required."""

    manifest_strict = False

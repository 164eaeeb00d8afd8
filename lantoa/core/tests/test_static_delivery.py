"""What the embedded default sends: gzipped pages, public pages without scripts and with the
stylesheet inlined, static files hashed, gzipped and cached for a year by WhiteNoise."""

import gzip

from django.conf import settings
from django.core.management import call_command
from django.test import RequestFactory, override_settings

PUBLIC = ["/cong-khai/", "/cong-khai/lich/", "/cong-khai/dang-ky/", "/tai-khoan/dang-nhap/"]


def test_base_settings_hand_static_files_to_whitenoise():
    from lantoa.config.settings import base

    assert base.STORAGES["staticfiles"]["BACKEND"] == "lantoa.core.staticfiles.StaticFiles"
    apps = base.INSTALLED_APPS
    assert apps.index("whitenoise.runserver_nostatic") < apps.index("django.contrib.staticfiles")
    assert "django.middleware.gzip.GZipMiddleware" in base.MIDDLEWARE


def test_public_pages_are_gzipped_one_request_pages(db, client):
    for path in PUBLIC:
        response = client.get(path, HTTP_ACCEPT_ENCODING="gzip")
        assert response.status_code == 200, path
        assert response["Content-Encoding"] == "gzip", path
        html = gzip.decompress(response.content).decode()
        assert "<script src=" not in html and "htmx" not in html, path
        assert '<link rel="stylesheet"' not in html and "<style>/* Lantoa" in html, path
        assert '<link rel="icon" href="data:image/svg+xml' in html, path


def test_office_pages_keep_htmx_and_the_cached_stylesheet(demo_tree, client_as):
    html = client_as("pgd.longbien").get("/tong-quan/").content.decode()
    assert "vendor/htmx.min.js" in html and '<link rel="stylesheet"' in html


def test_static_files_hashed_gzipped_and_cached_for_a_year(tmp_path):
    from whitenoise.middleware import WhiteNoiseMiddleware

    storages = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "lantoa.core.staticfiles.StaticFiles"},
    }
    with override_settings(STATIC_ROOT=tmp_path, STORAGES=storages, WHITENOISE_USE_FINDERS=False):
        call_command("collectstatic", interactive=False, verbosity=0)
        from django.contrib.staticfiles.storage import staticfiles_storage

        staticfiles_storage._setup()
        url = staticfiles_storage.url("app.css")
        assert url != "/static/app.css" and url.endswith(".css")  # hashed name
        middleware = WhiteNoiseMiddleware(lambda request: None)
        request = RequestFactory().get(url, HTTP_ACCEPT_ENCODING="gzip, br")
        response = middleware(request)
        assert response.status_code == 200
        assert response["Content-Encoding"] == "gzip"
        assert "immutable" in response["Cache-Control"]
        assert "max-age=315360000" in response["Cache-Control"]
        body = b"".join(response.streaming_content)
        assert b":root" in gzip.decompress(body)

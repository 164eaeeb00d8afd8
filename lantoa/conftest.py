"""Shared fixtures: the demo world, API clients, a headless Chromium."""

import os
import shutil

import pytest
from django.test import Client, RequestFactory

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DEMO_PASSWORD = "hoctapsuotdoi"


@pytest.fixture(autouse=True)
def _vietnamese_after_each_test():
    """LocaleMiddleware leaves the last request's language active in the thread; a test
    that browsed in English must not turn later tests' messages English."""
    yield
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _empty_cache_for_each_test():
    """Cached public fragments (lantoa.core.publiccache) belong to one test's database."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture
def demo(db):
    """The whole demo world (DEMO.md), built in the test's transaction."""
    from lantoa.demo.snapshot import load_demo
    from lantoa.demo.world import load_world

    load_demo()
    return load_world()


@pytest.fixture
def demo_tree(db):
    """Only the demo's units, accounts and campaigns (no documents, activities, reports,
    honours): what the foundation's tests need, built in a fraction of the time."""
    from lantoa.demo.world import build_world, remember_world

    world = build_world()
    remember_world(world)
    return world


def login_client(username: str) -> Client:
    client = Client()
    # django-axes' backend needs the request to check lockouts.
    request = RequestFactory().post("/tai-khoan/dang-nhap/")
    assert client.login(request=request, username=username, password=DEMO_PASSWORD), username
    return client


@pytest.fixture
def client_as():
    return login_client


def api_token(client: Client, username: str) -> str:
    response = client.post(
        "/api/v1/auth/token",
        {"username": username, "password": DEMO_PASSWORD},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    return response.json()["token"]


class ApiClient:
    """JSON client with a Bearer token."""

    def __init__(self, token: str):
        self.client = Client()
        self.headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}

    def get(self, path, params=None):
        return self.client.get(path, params or {}, **self.headers)

    def post(self, path, data=None):
        return self.client.post(path, data or {}, content_type="application/json", **self.headers)

    def put(self, path, data=None):
        return self.client.put(path, data or {}, content_type="application/json", **self.headers)

    def patch(self, path, data=None):
        return self.client.patch(path, data or {}, content_type="application/json", **self.headers)

    def upload(self, path, files: dict, data=None):
        return self.client.post(path, {**(data or {}), **files}, **self.headers)


@pytest.fixture
def api_as():
    def make(username: str) -> ApiClient:
        return ApiClient(api_token(Client(), username))

    return make


# ---- browser -------------------------------------------------------------


def chromium_path() -> str:
    path = os.environ.get("LANTOA_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    if not os.path.exists(path):
        pytest.fail("Chromium not found: install Debian's `chromium` (test.sh does).")
    return path


@pytest.fixture(scope="session")
def chromium():
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def demo_live_server(transactional_db, live_server):
    """A live server with the demo world loaded (transactional: the server thread sees it)."""
    from lantoa.demo.snapshot import load_demo

    load_demo()
    return live_server


@pytest.fixture
def browser_page(chromium):
    context = chromium.new_context(
        locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh", viewport={"width": 390, "height": 844}
    )
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


@pytest.fixture
def browser_login(browser_page, demo_live_server):
    def login(username: str, password: str = DEMO_PASSWORD):
        page = browser_page
        page.goto(f"{demo_live_server.url}/tai-khoan/dang-nhap/")
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        page.click("button[type=submit]")
        return page

    return login

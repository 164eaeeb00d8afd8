"""Smoke test of the production build, as docs/operations.md describes it.

In a scratch data folder (SQLite) and with the production settings: migrate, load the
demo, `collectstatic`, then start a real gunicorn process and check over HTTP that
HTML pages, hashed static files, the JSON API and file downloads answer (no 500).
Exits non-zero on the first failure, printing gunicorn's error log.

    .venv/bin/python scripts/production_smoke.py
"""

import io
import json
import os
import re
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from http.cookies import SimpleCookie
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PASSWORD = "hoctapsuotdoi"


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """A minimal HTTP client behind a TLS-terminating proxy: every request carries
    X-Forwarded-Proto: https (the production settings trust it), cookies kept by hand
    because they are Secure."""

    def __init__(self, base: str):
        self.base = base
        self.cookies: dict[str, str] = {}
        self.opener = urllib.request.build_opener(NoRedirect)

    def request(self, method, path, data=None, headers=None):
        url = self.base + path
        h = {"X-Forwarded-Proto": "https", "Host": urllib.parse.urlsplit(self.base).netloc}
        h["Referer"] = "https://" + h["Host"] + "/"
        if self.cookies:
            h["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        h.update(headers or {})
        req = urllib.request.Request(url, data=data, headers=h, method=method)  # noqa: S310
        try:
            resp = self.opener.open(req, timeout=60)
        except urllib.error.HTTPError as exc:
            resp = exc
        body = resp.read()
        for header in resp.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie()
            cookie.load(header)
            for key, morsel in cookie.items():
                self.cookies[key] = morsel.value
        return resp.status, resp.headers, body


def check(condition, message):
    if not condition:
        raise AssertionError(message)
    print(f"  ok  {message}")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(cmd, env):
    subprocess.run(cmd, env=env, cwd=ROOT, check=True)


def smoke(base: str) -> None:
    anonymous = Browser(base)
    status, _, body = anonymous.request("GET", "/cong-khai/")
    check(status == 200 and b"<html" in body, f"public portal page: {status}")
    style = re.search(rb"<style>(.*?)</style>", body, re.S)
    check(style is not None and len(style.group(1)) > 1000, "portal inlines the stylesheet")
    status, _, body = anonymous.request("GET", "/suc-khoe/")
    check(status == 200 and json.loads(body) == {"status": "ok"}, "public liveness JSON")
    status, _, body = anonymous.request("GET", "/cong-khai/lich/")
    check(status == 200, f"public calendar: {status}")
    status, _, _ = anonymous.request("GET", "/api/v1/docs")
    check(status == 200, f"API docs (Swagger UI from local static files): {status}")

    # HTML login through the form (CSRF, Secure cookies behind the proxy header).
    user = Browser(base)
    status, _, body = user.request("GET", "/tai-khoan/dang-nhap/")
    check(status == 200, f"login page: {status}")
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1).decode()
    form = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": token, "username": "so.hanoi", "password": PASSWORD}
    ).encode()
    status, headers, _ = user.request(
        "POST",
        "/tai-khoan/dang-nhap/",
        form,
        {"Content-Type": "application/x-www-form-urlencoded"},
    )
    check(status == 302 and "sessionid" in user.cookies, f"login redirects: {status}")
    status, headers, _ = user.request("GET", "/")
    check(status in (200, 302), f"home: {status} {headers.get('Location', '')}")
    for path in ("/tong-quan/", "/van-ban/", "/hoat-dong/", "/tuan-le/", "/thong-bao/"):
        status, _, body = user.request("GET", path)
        check(status == 200, f"signed-in page {path}: {status}")
    for pattern in (
        rb'href="(/static/app\.[0-9a-f]{12}\.css)"',
        rb'src="(/static/vendor/htmx\.min\.[0-9a-f]{12}\.js)"',
    ):
        asset = re.search(pattern, body)
        check(asset is not None, "office page links hashed static files")
        status, headers, _ = anonymous.request("GET", asset.group(1).decode())
        check(
            status == 200 and "max-age" in headers.get("Cache-Control", ""),
            f"hashed static file served: {asset.group(1).decode()}",
        )
    status, _, body = user.request("GET", "/bao-cao/")
    check(status == 200, f"reports: {status}")
    report = re.search(rb'href="/bao-cao/(\d+)/(\d+)/"', body)
    check(report is not None, "reports page links a report")
    campaign, unit = (g.decode() for g in report.groups())
    status, _, body = user.request("GET", f"/bao-cao/{campaign}/{unit}/tong-hop/")
    check(status == 200, f"roll-up page: {status}")
    status, headers, body = user.request("GET", f"/bao-cao/{campaign}/{unit}/tong-hop.xlsx")
    check(
        status == 200 and zipfile.is_zipfile(io.BytesIO(body)),
        f"XLSX download from a page: {status}, {len(body)} bytes",
    )
    import openpyxl  # the venv's openpyxl: the file opens back

    check(openpyxl.load_workbook(io.BytesIO(body)).active.max_row > 1, "downloaded XLSX opens")

    # JSON API with a token, and a generated file.
    api = Browser(base)
    status, _, body = api.request(
        "POST",
        "/api/v1/auth/token",
        json.dumps({"username": "so.hanoi", "password": PASSWORD}).encode(),
        {"Content-Type": "application/json"},
    )
    check(status == 200, f"API token: {status}")
    auth = {"Authorization": "Bearer " + json.loads(body)["token"]}
    status, _, body = api.request("GET", "/api/v1/documents", headers=auth)
    check(status == 200, f"API document list: {status}")
    items = json.loads(body)["items"]
    check(bool(items), f"API lists {len(items)} documents")
    status, headers, body = api.request(
        "GET", f"/api/v1/documents/{items[0]['id']}/file?format=docx", headers=auth
    )
    check(
        status == 200 and zipfile.is_zipfile(io.BytesIO(body)),
        f"API DOCX download: {status}, {len(body)} bytes",
    )
    import docx  # the venv's python-docx: the file opens back

    check(len(docx.Document(io.BytesIO(body)).paragraphs) > 0, "downloaded DOCX opens")
    status, headers, body = api.request("GET", "/khong-co-trang-nay/")
    check(status == 404 and b"<html" in body, f"404 page renders: {status}")


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="lantoa-smoke-") as tmp:
        env = dict(os.environ)
        env.pop("DATABASE_URL", None)
        env.pop("REDIS_URL", None)
        env.update(
            DJANGO_SETTINGS_MODULE="lantoa.config.settings.production",
            LANTOA_SECRET_KEY=secrets.token_urlsafe(50),
            LANTOA_DATA_DIR=tmp,
            LANTOA_ALLOWED_HOSTS="127.0.0.1,localhost",
            LANTOA_LOG_LEVEL="WARNING",
        )
        lantoa = str(BIN / "lantoa")
        print("==> migrate, demo, collectstatic (production settings)")
        run([lantoa, "migrate", "--noinput", "-v0"], env)
        run([lantoa, "demo", "--auto"], env)
        run([lantoa, "collectstatic", "--noinput", "-v0"], env)
        port = free_port()
        log = Path(tmp) / "gunicorn.log"
        cmd = [
            str(BIN / "gunicorn"),
            "lantoa.config.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--threads",
            "2",
            "--error-logfile",
            str(log),
            "--capture-output",
            "--no-control-socket",
        ]
        print("==> gunicorn", " ".join(cmd[1:]))
        server = subprocess.Popen(cmd, env=env, cwd=tmp)
        try:
            base = f"http://127.0.0.1:{port}"
            for _ in range(100):
                try:
                    with socket.create_connection(("127.0.0.1", port), timeout=1):
                        break
                except OSError:
                    if server.poll() is not None:
                        raise AssertionError("gunicorn exited at start") from None
                    time.sleep(0.2)
            smoke(base)
            text = log.read_text(errors="replace")
            check("Traceback" not in text, "no traceback in gunicorn's log")
        except Exception:
            print("---- gunicorn log ----")
            print(log.read_text(errors="replace") if log.exists() else "(empty)")
            raise
        finally:
            server.terminate()
            server.wait(timeout=30)
    print("==> Production smoke: OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Text inputs are NFC without control characters at the boundary: forms and API bodies."""

import unicodedata

from django.http import HttpResponse
from django.test import RequestFactory

from lantoa.core.middleware import CleanTextInputMiddleware
from lantoa.core.text import clean_input_deep, nfc

NFD = unicodedata.normalize("NFD", "Phường Bồ Đề")


def test_form_posts_are_cleaned_before_any_view_but_passwords_are_not():
    seen = {}

    def view(request):
        seen.update({k: request.POST.getlist(k) for k in request.POST})
        return HttpResponse()

    request = RequestFactory().post(
        "/x/", {"name": [f"{NFD}\x0b", "a\x01b"], "note": "dòng 1\r\ndòng 2", "password": "á\x01"}
    )
    CleanTextInputMiddleware(view)(request)
    assert seen["name"] == ["Phường Bồ Đề", "ab"]
    assert seen["note"] == ["dòng 1\ndòng 2"]
    assert seen["password"] == ["á\x01"]


def test_api_bodies_are_cleaned_deeply():
    body = {"title": NFD + "\x01", "items": [{"name": "a\x0bb"}], "n": 3, "password": NFD}
    assert clean_input_deep(body) == {
        "title": "Phường Bồ Đề",
        "items": [{"name": "ab"}],
        "n": 3,
        "password": NFD,
    }


def test_api_create_stores_clean_text(demo, api_as):
    from lantoa.activities.models import Activity
    from lantoa.activities.tests.test_api_activities import _payload

    response = api_as("thcs.ngoclam").post(
        "/api/v1/activities", _payload(demo, title=f"Lớp {NFD}\x0b\x01", location=f"{NFD}\x7f")
    )
    assert response.status_code == 201, response.content
    activity = Activity.objects.get(pk=response.json()["id"])
    assert activity.title == "Lớp Phường Bồ Đề" and activity.location == "Phường Bồ Đề"
    assert nfc(" a\x00b\r\n") == "ab"

"""``NotFound`` becomes a 404 page in one place (``core.middleware.NotFoundMiddleware``)."""

import re
from pathlib import Path

import pytest
from django.http import Http404
from django.test import RequestFactory

from lantoa.core.errors import NotFound
from lantoa.core.middleware import NotFoundMiddleware

ROOT = Path(__file__).resolve().parents[2]


def test_the_middleware_turns_not_found_into_http404():
    middleware = NotFoundMiddleware(lambda request: None)
    request = RequestFactory().get("/")
    with pytest.raises(Http404):
        middleware.process_exception(request, NotFound())
    assert middleware.process_exception(request, ValueError()) is None


def test_no_view_translates_not_found_itself():
    pattern = re.compile(r"except \(?[\w, ]*NotFound[\w, ]*\)?:\s*\n\s*raise Http404")
    offenders = [
        str(path.relative_to(ROOT))
        for path in ROOT.rglob("*.py")
        if "tests" not in path.parts and pattern.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


@pytest.mark.django_db
def test_an_out_of_scope_page_is_the_404_page(demo_tree, client_as):
    response = client_as("th.giathuy").get(f"/don-vi/{demo_tree['bo'].pk}/")
    assert response.status_code == 404
    response = client_as("th.giathuy").get(f"/bao-cao/{10**6}/{demo_tree['bo'].pk}/")
    assert response.status_code == 404

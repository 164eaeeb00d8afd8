"""The document editor goes through Django forms (``documents/forms.py``): malformed or
hostile input is a Vietnamese message and nothing stored, never a 500 or a client-chosen
loop bound (issue 9: ``int(post["duty_rows"])``)."""

import pytest

from lantoa.conftest import login_client
from lantoa.documents.forms import MAX_DUTIES, document_form_data
from lantoa.documents.models import Document
from lantoa.documents.tests.factories import small_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return small_world()


def _post(w, **extra) -> dict:
    return {
        "kind": "ke_hoach",
        "subject": "Tổ chức Tuần lễ",
        "issuer_unit": w.units["huyen"].pk,
        "drafting_unit": w.units["pgd"].pk,
        "section_key_0": "purpose",
        "section_heading_0": "I. MỤC ĐÍCH, YÊU CẦU",
        "section_body_0": "Đẩy mạnh học tập.",
        "recipient_units": [w.units["xa1"].pk],
        "duty_target_0": "kind:ubnd_xa",
        "duty_text_0": "Xây dựng kế hoạch của xã.",
        "duty_due_0": "12/10/2027",
        **extra,
    }


@pytest.mark.parametrize("duty_rows", ["abc", "-1", str(10**12), ""])
def test_the_client_does_not_choose_the_loop_bound(w, duty_rows):
    response = login_client("cv").post("/van-ban/moi/", _post(w, duty_rows=duty_rows))
    assert response.status_code == 302, response.content[:500]
    doc = Document.objects.get(subject="Tổ chức Tuần lễ")
    assert [(a.unit_kind, a.due_on.isoformat()) for a in doc.assignments.all()] == [
        ("ubnd_xa", "2027-10-12")
    ]
    assert doc.sections[0]["heading"] == "I. MỤC ĐÍCH, YÊU CẦU"


@pytest.mark.parametrize(
    "extra, message",
    [
        ({"duty_due_0": "31/02/2027"}, "Ngày “31/02/2027” không hợp lệ (dd/mm/yyyy)."),
        ({"report_due_on": "mai"}, "Ngày “mai” không hợp lệ (dd/mm/yyyy)."),
        ({"recipient_units": ["abc"]}, "Không tìm thấy mục đã chọn."),
        ({"recipient_units": [str(2**70)]}, "Không tìm thấy mục đã chọn."),
        ({"based_on": ["999999"]}, "Không tìm thấy văn bản căn cứ."),
    ],
)
def test_malformed_input_is_a_vietnamese_message_and_nothing_stored(w, extra, message):
    before = Document.objects.count()
    response = login_client("cv").post("/van-ban/moi/", _post(w, **extra))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert Document.objects.count() == before


def test_rows_stop_at_the_first_gap_and_at_the_cap(w):
    from django.http import QueryDict

    data = QueryDict(mutable=True)
    for j in range(MAX_DUTIES + 5):
        data[f"duty_target_{j}"] = "kind:ubnd_xa"
        data[f"duty_text_{j}"] = f"Nhiệm vụ {j}"
    parsed = document_form_data(data, user=w.users["cv"], issuer=w.units["huyen"])
    assert len(parsed["assignments"]) == MAX_DUTIES
    data = QueryDict(mutable=True)
    data.update({"duty_text_0": "Một", "duty_text_2": "Ba"})
    parsed = document_form_data(data, user=w.users["cv"], issuer=w.units["huyen"])
    assert [a.text for a in parsed["assignments"]] == ["Một"]

"""The search index: activity type and the organiser's commune, district and province names,
diacritic-free whole words; the set-based rebuild; the commune picker; places on cards."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from lantoa.activities import selectors
from lantoa.activities.models import Activity
from lantoa.activities.search import search_text_of
from lantoa.activities.services import activities_search_reindex


def _titles(**kwargs) -> set[str]:
    return set(selectors.public_activities(**kwargs).values_list("title", flat=True))


def test_search_text_holds_type_and_places(demo):
    # Phòng GDĐT quận Long Biên's seminar: type "Hội thảo…", the district (UBND quận Long
    # Biên) and the province (Hà Nội).
    activity = Activity.objects.get(title="Hội thảo Xây dựng năng lực tự học trong kỷ nguyên số")
    text = activity.search_text
    assert text.startswith(" ") and text.endswith(" ")
    for words in (
        " hoi thao ",
        " quan long bien ",
        " long bien ",
        " ha noi ",
        " thanh pho ha noi ",
    ):
        assert words in text, words
    # THCS Ngọc Lâm's class: its ward since the 2025 reform (the demo's reform reindexes).
    text = Activity.objects.get(title="Tin học cơ bản cho người cao tuổi").search_text
    assert " phuong bo de " in text and " long bien " not in text
    assert search_text_of("Phường Bồ Đề, Hà Nội!") == " phuong bo de ha noi "


def test_ky_nang_so_in_ha_noi_finds_the_digital_skills_classes(demo):
    hanoi = demo.units["ubnd_hanoi"]
    found = _titles(q="ky nang so", unit=hanoi)
    assert {
        "An toàn trên mạng cho cha mẹ học sinh",
        "Bình dân học vụ số: cài đặt và dùng VNeID",
    } <= found
    # Only Hà Nội: Đức Trọng's digital-skills class (Lâm Đồng) is left out.
    assert "Thương mại điện tử cho nông sản Đức Trọng" not in found
    assert "Thương mại điện tử cho nông sản Đức Trọng" in _titles(q="ky nang so")


def test_a_district_name_finds_activities_of_its_units(demo):
    found = _titles(q="long bien")
    # Phòng GDĐT quận Long Biên (the district); MN Hoa Sữa, in phường Long Biên since 2025.
    assert "Hội thảo Xây dựng năng lực tự học trong kỷ nguyên số" in found
    assert "Câu lạc bộ cha mẹ: nuôi dạy trẻ trong thời đại số" in found
    # THCS Ngọc Lâm moved to phường Bồ Đề: no longer found by the old district's name.
    assert "Tin học cơ bản cho người cao tuổi" not in found
    assert "Tin học cơ bản cho người cao tuổi" in _titles(q="bo de")
    assert "Thương mại điện tử cho nông sản Đức Trọng" not in found
    # Whole words: "bien" is not the start of "biên tập" inside another word, "ha" alone is a
    # prefix only as the last word.
    assert "Tin học cơ bản cho người cao tuổi" in _titles(q="phuong bo de") | _titles(
        q="ha noi tin hoc"
    )


def test_reindex_rebuilds_every_activity_in_a_few_queries(demo):
    before = dict(Activity.objects.values_list("pk", "search_text"))
    Activity.objects.update(search_text="")
    assert not _titles(q="long bien")
    with CaptureQueriesContext(connection) as queries:
        count = activities_search_reindex()
    assert count == len(before)
    # One batch: activities, places, the bulk update (+ savepoints around it).
    assert len(queries) <= 6, [q["sql"][:80] for q in queries]
    assert dict(Activity.objects.values_list("pk", "search_text")) == before


def test_commune_picker_lists_current_units_once_with_their_province(demo):
    hanoi = demo.units["ubnd_hanoi"]
    with CaptureQueriesContext(connection) as queries:
        communes = selectors.communes_of(hanoi)
    assert len(queries) == 1
    names = [c["name"] for c in communes]
    assert "Phường Bồ Đề (Hà Nội)" in names
    assert len(names) == len(set(names))
    # The wards closed by the 2025 reform (Ngọc Lâm, Gia Thụy…) and the old district are gone.
    assert "Phường Ngọc Lâm (Hà Nội)" not in names
    assert "Quận Long Biên (Hà Nội)" not in names
    ids = {c["id"] for c in communes}
    assert demo.units["new_bode"].pk in ids and demo.units["ward_bode"].pk not in ids


def test_every_card_names_its_ward_and_province_in_one_query(demo):
    activities = list(selectors.public_activities(q="", unit=demo.units["ubnd_hanoi"]))
    with CaptureQueriesContext(connection) as queries:
        places = selectors.activity_places(activities)
    assert len(queries) == 1
    by_title = {a.title: places[a.pk] for a in activities}
    assert by_title["Lễ phát động Tuần lễ học tập suốt đời phường Bồ Đề"] == "Phường Bồ Đề · Hà Nội"
    # THCS Ngọc Lâm has been under the new phường Bồ Đề since the 2025 reform.
    assert by_title["Tin học cơ bản cho người cao tuổi"] == "Phường Bồ Đề · Hà Nội"
    assert all(p.endswith("Hà Nội") for p in places.values())


def test_moving_a_unit_reindexes_its_activities(demo, django_capture_on_commit_callbacks):
    # THCS Ngọc Lâm moves from Phường Bồ Đề to Phường Long Biên: its class is found under the
    # new ward at once (``units_moved`` hook), and no longer under the old one.
    from lantoa.units.models import Unit
    from lantoa.units.services import unit_move

    school = demo.units["thcs_ngoclam"]
    new_ward = demo.units["new_longbien"]
    old_ward = Unit.objects.get_parent(Unit.objects.get(pk=school.pk))
    with django_capture_on_commit_callbacks(execute=True):  # the worker runs at once in tests
        unit_move(
            unit=school, new_parent=new_ward, version=school.version, user=demo.users["admin"]
        )
    text = Activity.objects.get(title="Tin học cơ bản cho người cao tuổi").search_text
    assert " phuong long bien " in text
    assert search_text_of(old_ward.name) not in text

"""With USE_THOUSAND_SEPARATOR on, {{ obj.pk }} of 1234 renders "1.234": ids printed into
attributes, URLs or scripts must be unlocalised. This scan keeps that bug class out."""

import re
from pathlib import Path

import lantoa

TEMPLATES = Path(lantoa.__file__).parent / "templates"
# {{ x.pk }}, {{ x.id }}, {{ x.unit_id }} … without a filter that stops localisation.
ID_OUTPUT = re.compile(r"{{\s*[\w.]*(?:\.pk|\.id|_id)\s*(\|(?!stringformat|unlocalize)[^}]*)?}}")
SAFE_BLOCK = re.compile(r"{%\s*localize\s+off\s*%}.*?{%\s*endlocalize\s*%}", re.S)


def test_ids_are_never_localised_in_templates():
    offenders = []
    for path in (
        sorted(TEMPLATES.rglob("*.html"))
        + sorted(TEMPLATES.rglob("*.txt"))
        + sorted(TEMPLATES.rglob("*.ics"))
    ):
        text = SAFE_BLOCK.sub("", path.read_text(encoding="utf-8"))
        for number, line in enumerate(text.splitlines(), start=1):
            if ID_OUTPUT.search(line):
                offenders.append(f"{path.relative_to(TEMPLATES)}:{number}: {line.strip()}")
    assert not offenders, "Print ids with |stringformat:'d' or |unlocalize:\n" + "\n".join(
        offenders
    )


def test_the_scan_catches_a_bare_id():
    assert ID_OUTPUT.search('<tr data-unit="{{ r.unit_id }}">')
    assert ID_OUTPUT.search("{{ unit.pk }}")
    assert not ID_OUTPUT.search("{{ unit.pk|stringformat:'d' }}")
    assert not ID_OUTPUT.search("{{ unit.pk|unlocalize }}")
    assert not ID_OUTPUT.search("{% url 'units:detail' unit.pk %}")

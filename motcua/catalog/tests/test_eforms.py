from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.utils import translation

from motcua.catalog.eforms import eform_cleaned_json, eform_form_class, eform_validate_definition

DEFINITION: list[dict[str, Any]] = [
    {
        "name": "full_name",
        "label": "Họ và tên",
        "label_en": "Full name",
        "type": "text",
        "required": True,
        "max_length": 50,
        "pattern": "[^0-9]+",
        "help": "Viết có dấu",
    },
    {"name": "birth", "label": "Ngày sinh", "type": "date", "required": True, "min": "1900-01-01"},
    {"name": "area", "label": "Diện tích", "type": "number", "min": 0, "max": 500},
    {"name": "mail", "label": "Thư điện tử", "type": "email"},
    {"name": "phone", "label": "Điện thoại", "type": "tel", "pattern": "0[0-9]{9}"},
    {
        "name": "purpose",
        "label": "Mục đích",
        "type": "select",
        "required": True,
        "options": [
            {"value": "new", "label": "Cấp mới", "label_en": "New"},
            {"value": "renew", "label": "Gia hạn"},
        ],
    },
    {"name": "agree", "label": "Cam đoan", "type": "checkbox", "required": True},
    {"name": "note", "label": "Ghi chú", "type": "textarea"},
]
VALID = {
    "eform-full_name": "Trần Thị Lan",
    "eform-birth": "1990-05-17",
    "eform-area": "120.5",
    "eform-phone": "0905123456",
    "eform-purpose": "new",
    "eform-agree": "on",
}


def bind(data: dict[str, Any]) -> Any:
    return eform_form_class(DEFINITION)(data=data, prefix="eform")


def test_the_form_renders_browser_validation_attributes_under_the_eform_prefix() -> None:
    html = str(eform_form_class(DEFINITION)(prefix="eform"))
    assert 'name="eform-full_name"' in html
    assert 'maxlength="50"' in html
    assert 'pattern="[^0-9]+"' in html
    assert 'type="date"' in html and 'min="1900-01-01"' in html
    assert 'type="number"' in html and 'min="0"' in html and 'max="500"' in html
    assert 'type="email"' in html
    assert 'type="tel"' in html and 'pattern="0[0-9]{9}"' in html
    assert 'type="checkbox"' in html
    assert html.count(" required") == 4  # full_name, birth, purpose, agree


def test_labels_follow_the_active_language() -> None:
    with translation.override("vi"):
        vi = eform_form_class(DEFINITION)()
    with translation.override("en"):
        en = eform_form_class(DEFINITION)()
    assert vi.fields["full_name"].label == "Họ và tên"
    assert en.fields["full_name"].label == "Full name"
    assert en.fields["birth"].label == "Ngày sinh"  # no English label: the Vietnamese one
    assert ("new", "New") in en.fields["purpose"].choices  # type: ignore[attr-defined]
    assert ("new", "Cấp mới") in vi.fields["purpose"].choices  # type: ignore[attr-defined]


def test_valid_data_is_cleaned_to_json_values() -> None:
    form = bind(VALID)
    assert form.is_valid(), form.errors
    data = eform_cleaned_json(form)
    assert data["birth"] == "1990-05-17"
    assert data["area"] == "120.5"
    assert data["agree"] is True
    assert data["note"] == ""
    json.dumps(data)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("full_name", ""),
        ("full_name", "x" * 51),
        ("full_name", "Lan 2"),
        ("birth", "17/05/1990"),
        ("birth", "1899-12-31"),
        ("area", "501"),
        ("area", "-1"),
        ("mail", "not-an-address"),
        ("phone", "12345"),
        ("purpose", "other"),
        ("agree", ""),
    ],
)
def test_the_server_refuses_what_the_browser_would(name: str, value: str) -> None:
    form = bind({**VALID, f"eform-{name}": value})
    assert not form.is_valid()
    assert list(form.errors) == [name]


def test_a_pattern_must_match_the_whole_value() -> None:
    assert not bind({**VALID, "eform-phone": "0905123456789"}).is_valid()


def test_a_good_definition_has_no_problems() -> None:
    assert eform_validate_definition(DEFINITION) == []
    assert eform_validate_definition([]) == []


@pytest.mark.parametrize(
    ("spec", "problem"),
    [
        ({"name": "a b", "label": "A", "type": "text"}, "identifier"),
        ({"name": "a", "type": "text"}, "'label' is required"),
        ({"name": "a", "label": "A", "type": "file"}, "unknown type"),
        ({"name": "a", "label": "A", "type": "text", "required": "yes"}, "true or false"),
        ({"name": "a", "label": "A", "type": "text", "max_length": 0}, "max_length"),
        ({"name": "a", "label": "A", "type": "select"}, "options"),
        ({"name": "a", "label": "A", "type": "select", "options": [{"value": 1}]}, "'label'"),
        ({"name": "a", "label": "A", "type": "number", "min": "0"}, "must be numbers"),
        ({"name": "a", "label": "A", "type": "number", "min": 5, "max": 1}, "greater"),
        ({"name": "a", "label": "A", "type": "date", "min": "01/01/2000"}, "YYYY-MM-DD"),
        ({"name": "a", "label": "A", "type": "text", "min": 1}, "only for number and date"),
        ({"name": "a", "label": "A", "type": "text", "pattern": "(["}, "regular expression"),
        ({"name": "a", "label": "A", "type": "checkbox", "pattern": "x"}, "only for text"),
        ({"name": "a", "label": "A", "type": "text", "colour": "red"}, "unknown keys"),
    ],
)
def test_each_problem_of_a_spec_is_named(spec: dict[str, Any], problem: str) -> None:
    problems = eform_validate_definition([spec])
    assert len(problems) == 1, problems
    assert problem in problems[0]
    assert problems[0].startswith("Field 1")


def test_a_definition_must_be_a_list_of_objects_with_unique_names() -> None:
    assert eform_validate_definition({"name": "a"}) == ["The e-form must be a list of field specs."]
    spec = {"name": "a", "label": "A", "type": "text"}
    assert eform_validate_definition([spec, spec]) == ["Field 2 (a): duplicate name."]
    assert eform_validate_definition(["a"]) == ["Field 1: not an object."]


def test_every_demo_definition_is_valid_and_builds_a_form() -> None:
    path = Path(__file__).resolve().parents[2] / "demo" / "data" / "procedures.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    procedures = data if isinstance(data, list) else data["procedures"]
    for procedure in procedures:
        definition = procedure.get("eform") or []
        assert eform_validate_definition(definition) == [], procedure.get("code")
        eform_form_class(definition)(prefix="eform").as_div()


def test_a_date_bounded_by_today_refuses_the_future() -> None:
    from django.utils import timezone

    from motcua.catalog.eforms import eform_form_class

    spec = [{"name": "born", "label": "Ngày sinh", "type": "date", "max": "today"}]
    assert eform_validate_definition(spec) == []
    form_class = eform_form_class(spec)
    tomorrow = timezone.localdate() + __import__("datetime").timedelta(days=1)
    future = form_class(data={"born": tomorrow.isoformat()})
    assert not future.is_valid()
    assert "born" in future.errors
    assert form_class(data={"born": timezone.localdate().isoformat()}).is_valid()
    assert f'max="{timezone.localdate().isoformat()}"' in str(form_class()["born"])


def test_a_whole_number_refuses_fractions() -> None:
    spec = [{"name": "copies", "label": "Số bản", "type": "number", "integer": True, "min": 0}]
    assert eform_validate_definition(spec) == []
    form_class = eform_form_class(spec)
    half = form_class(data={"copies": "2.5"})
    assert not half.is_valid()
    assert form_class(data={"copies": "3"}).is_valid()
    assert eform_validate_definition([{**spec[0], "type": "text"}]) != []
    assert eform_validate_definition([{**spec[0], "min": 0.5}]) != []


def test_answers_come_back_labelled_in_the_form_order() -> None:
    from motcua.catalog.eforms import eform_answers

    with translation.override("vi"):
        answers = eform_answers(
            DEFINITION,
            {"full_name": "Trần Thị Bình", "purpose": "new", "agree": True, "birth": "1990-05-02"},
        )
    texts = {a.label: a.text for a in answers}
    assert [a.name for a in answers][:3] == ["full_name", "birth", "area"]
    assert texts["Họ và tên"] == "Trần Thị Bình"
    assert texts["Ngày sinh"] == "02/05/1990"
    assert texts["Mục đích"] == "Cấp mới"
    assert texts["Cam đoan"] == "Có"
    assert texts["Diện tích"] == ""
    with translation.override("en"):
        english = {a.name: a for a in eform_answers(DEFINITION, {"purpose": "new"})}
    assert english["purpose"].label == "Mục đích" and english["purpose"].text == "New"
    assert english["full_name"].label == "Full name"

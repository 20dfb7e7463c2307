from __future__ import annotations

import pytest

from motcua.catalog.models import OnlineLevel
from motcua.catalog.selectors import (
    PROCEDURE_NOT_FOUND,
    filter_options,
    procedure_get_published,
    procedure_search,
)
from motcua.catalog.services import procedure_update
from motcua.core.errors import NotFound, ValidationFailed
from motcua.core.text import vi_sort_key
from motcua.organisation.models import Agency, GovernmentLevel

from .conftest import Publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue(publish: Publish, xay_dung: Agency, phuong: Agency) -> None:
    publish("1.001193.000.00.00.H15", "Đăng ký khai sinh", agency=phuong, level="commune")
    publish("2.001418.000.00.00.H15", "Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam")
    publish(
        "1.009974.000.00.00.H15",
        "Gia hạn giấy phép xây dựng",
        agency=xay_dung,
        field=("xay-dung", "Xây dựng"),
        online_level=OnlineLevel.PARTIAL,
    )
    publish(
        "1.009972.000.00.00.H15",
        "Cấp giấy phép xây dựng mới đối với công trình cấp đặc biệt",
        agency=xay_dung,
        field=("xay-dung", "Xây dựng"),
        online_level=OnlineLevel.NONE,
    )


def names(**kwargs: str) -> list[str]:
    return [p.name for p in procedure_search(**kwargs)]


@pytest.mark.usefixtures("catalogue")
class TestProcedureSearch:
    @pytest.mark.parametrize("q", ["dang ky khai sinh", "KHAI SINH", "Đăng ký khai sinh", "khai"])
    def test_finds_birth_registration_with_or_without_diacritics_in_any_case(self, q: str) -> None:
        assert names(q=q) == ["Đăng ký khai sinh"]

    def test_finds_construction_permits_with_diacritics(self) -> None:
        assert set(names(q="giấy phép xây dựng")) == {
            "Gia hạn giấy phép xây dựng",
            "Cấp giấy phép xây dựng mới đối với công trình cấp đặc biệt",
        }

    def test_every_word_must_match(self) -> None:
        assert names(q="gia han xay dung") == ["Gia hạn giấy phép xây dựng"]
        assert names(q="khai sinh xay dung") == []

    def test_finds_by_code_and_national_code(self) -> None:
        assert names(q="2.001418") == ["Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam"]
        assert names(q="1.009974.000.00.00.H15") == ["Gia hạn giấy phép xây dựng"]

    def test_finds_by_agency_name(self) -> None:
        assert len(names(q="so xay dung")) == 2

    def test_empty_query_lists_everything_in_vietnamese_order(self) -> None:
        # "Cấp giấy" before "Cấp Phiếu" (case is the last level), "Đăng" after "Gia" would
        # be byte order: in Vietnamese order đ comes right after d, before g.
        assert names() == sorted(names(), key=vi_sort_key)
        assert names() == [
            "Cấp giấy phép xây dựng mới đối với công trình cấp đặc biệt",
            "Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam",
            "Đăng ký khai sinh",
            "Gia hạn giấy phép xây dựng",
        ]

    def test_filters_by_agency_field_level_and_online_level(self) -> None:
        assert len(names(agency="000.00.20.H15")) == 2
        assert len(names(field="xay-dung")) == 2
        assert names(level=GovernmentLevel.COMMUNE) == ["Đăng ký khai sinh"]
        assert names(online=OnlineLevel.PARTIAL) == ["Gia hạn giấy phép xây dựng"]
        assert names(q="xay dung", online=OnlineLevel.NONE) == [
            "Cấp giấy phép xây dựng mới đối với công trình cấp đặc biệt"
        ]
        assert names(agency="nope") == []

    def test_unknown_level_or_online_value_is_refused_per_field(self) -> None:
        with pytest.raises(ValidationFailed) as caught:
            procedure_search(level="district", online="level4")
        assert set(caught.value.field_errors) == {"level", "online"}

    def test_unpublished_procedures_are_not_found(self) -> None:
        procedure = procedure_search(q="khai sinh").get()
        procedure_update(procedure=procedure, is_published=False)
        assert names(q="khai sinh") == []


@pytest.mark.usefixtures("catalogue")
def test_published_procedure_comes_with_version_components_and_fees(
    django_assert_num_queries: object,
) -> None:
    procedure = procedure_get_published(code="1.001193.000.00.00.H15")
    with django_assert_num_queries(0):  # type: ignore[operator]
        assert procedure.current_version is not None
        assert [c.name for c in procedure.current_version.components.all()] == ["Tờ khai"]
        assert [f.amount for f in procedure.current_version.fees.all()] == [8000]
        assert procedure.agency.name == "UBND Phường Hải Châu"


@pytest.mark.django_db
def test_unknown_procedure_is_not_found() -> None:
    with pytest.raises(NotFound) as caught:
        procedure_get_published(code="9.999999")
    assert caught.value.message == PROCEDURE_NOT_FOUND


@pytest.mark.usefixtures("catalogue")
def test_filter_options_list_agencies_and_fields_with_published_procedures(
    publish: Publish,
) -> None:
    options = filter_options()
    assert [c.label for c in options.agencies] == [
        "Sở Tư pháp",
        "Sở Xây dựng",
        "UBND Phường Hải Châu",
    ]
    assert {c.value for c in options.fields} == {"ho-tich", "xay-dung"}
    assert {c.value for c in options.levels} == {"province", "commune"}
    assert {c.value for c in options.online_levels} == {"full", "partial", "none"}

"""Search that forgives a typo and knows abbreviations; lists in Vietnamese order."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from motcua.catalog.models import SearchAbbreviation
from motcua.catalog.selectors import (
    filter_options,
    procedure_search,
    search_terms,
    search_understood,
)
from motcua.catalog.services import (
    ABBREVIATION_INVALID,
    ABBREVIATION_TAKEN,
    VOCABULARY_CACHE_KEY,
    search_abbreviation_delete,
    search_abbreviation_save,
)
from motcua.core.errors import ValidationFailed
from motcua.organisation.models import Agency

from .conftest import Publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue(publish: Publish, xay_dung: Agency, phuong: Agency) -> None:
    publish("1.001193.000.00.00.H15", "Đăng ký khai sinh", agency=phuong, level="commune")
    publish("1.000656.000.00.00.H15", "Đăng ký khai tử", agency=phuong, level="commune")
    publish("2.001418.000.00.00.H15", "Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam")
    publish(
        "1.009974.000.00.00.H15",
        "Gia hạn giấy phép xây dựng",
        agency=xay_dung,
        field=("xay-dung", "Xây dựng"),
    )
    publish(
        "1.001612.000.00.00.H15",
        "Đăng ký thành lập hộ kinh doanh",
        agency=phuong,
        level="commune",
        field=("kinh-doanh", "Thành lập và hoạt động của hộ kinh doanh"),
    )


def names(**kwargs: str) -> list[str]:
    return [p.name for p in procedure_search(**kwargs)]


@pytest.mark.usefixtures("catalogue")
class TestForgivingSearch:
    def test_a_typo_finds_the_word_meant(self) -> None:
        assert names(q="khai sih") == ["Đăng ký khai sinh"]
        assert names(q="ly lich tu phapp") == ["Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam"]
        assert names(q="giay phep xay dunh") == ["Gia hạn giấy phép xây dựng"]

    def test_a_word_found_as_typed_is_not_corrected(self) -> None:
        # "tu" is in "tư pháp" and "khai tử": no guessing when the catalogue has it.
        terms = search_terms("khai tu")
        assert [t.alternatives for t in terms] == [("khai",), ("tu",)]
        assert names(q="khai tu") == ["Đăng ký khai tử"]

    def test_nonsense_finds_nothing(self) -> None:
        assert names(q="xyzzyq") == []
        assert names(q="khai qwrtz") == []

    def test_abbreviations_expand(self) -> None:
        assert names(q="LLTP") == ["Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam"]
        assert names(q="gpxd") == ["Gia hạn giấy phép xây dựng"]
        assert names(q="HKD") == ["Đăng ký thành lập hộ kinh doanh"]

    def test_exact_matches_rank_first(self, publish: Publish) -> None:
        publish("9.000001.000.00.00.H15", "Đăng ký lại khai sinh")
        publish("9.000002.000.00.00.H15", "Khai sinh cho người đã có hồ sơ")
        found = names(q="khai sinh")
        # Starts with the words, then holds them in order, then the rest.
        assert found[0] == "Khai sinh cho người đã có hồ sơ"
        assert set(found[1:]) == {"Đăng ký khai sinh", "Đăng ký lại khai sinh"}

    def test_typo_results_follow_the_exact_ones(self, publish: Publish) -> None:
        publish("9.000003.000.00.00.H15", "Xác nhận sih hoạt")
        found = names(q="sih")
        assert found[0] == "Xác nhận sih hoạt"
        assert search_terms("sih")[0].corrected is False

    def test_new_procedures_join_the_vocabulary(
        self, publish: Publish, django_capture_on_commit_callbacks: Any
    ) -> None:
        assert names(q="bao troo") == []
        assert cache.get(VOCABULARY_CACHE_KEY) is not None
        with django_capture_on_commit_callbacks(execute=True):
            publish("9.000004.000.00.00.H15", "Trợ cấp bảo trợ xã hội")
        assert cache.get(VOCABULARY_CACHE_KEY) is None
        assert names(q="bao troo") == ["Trợ cấp bảo trợ xã hội"]

    def test_search_reads_the_catalogue_words_once(self) -> None:
        names(q="khai sih")
        with CaptureQueriesContext(connection) as queries:
            names(q="khai sihh")
        assert len(queries) == 1  # the results; words and abbreviations from the cache


@pytest.mark.usefixtures("catalogue")
class TestVietnameseOrder:
    def test_lists_and_filters_in_vietnamese_order(self) -> None:
        assert names() == [
            "Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam",
            "Đăng ký khai sinh",
            "Đăng ký khai tử",
            "Đăng ký thành lập hộ kinh doanh",
            "Gia hạn giấy phép xây dựng",
        ]
        fields = [c.label for c in filter_options().fields]
        assert fields == ["Hộ tịch", "Thành lập và hoạt động của hộ kinh doanh", "Xây dựng"]


class TestAbbreviations:
    def test_seeded_by_the_migration(self) -> None:
        keys = set(SearchAbbreviation.objects.values_list("key", flat=True))
        assert {"lltp", "gpxd", "cccd", "dkkd"} <= keys

    @pytest.mark.usefixtures("catalogue")
    def test_an_administrator_adds_one_and_search_knows_it(
        self, django_capture_on_commit_callbacks: Any
    ) -> None:
        assert names(q="DKKS") == []
        with django_capture_on_commit_callbacks(execute=True):
            search_abbreviation_save(abbreviation="ĐKKS", expansion="  đăng ký   khai sinh ")
        row = SearchAbbreviation.objects.get(key="dkks")
        assert (row.abbreviation, row.expansion) == ("ĐKKS", "đăng ký khai sinh")
        assert names(q="đkks") == ["Đăng ký khai sinh"]
        with django_capture_on_commit_callbacks(execute=True):
            search_abbreviation_delete(instance=row)
        assert names(q="đkks") == []

    @pytest.mark.parametrize(
        ("abbreviation", "expansion", "message"),
        [
            ("", "lý lịch", ABBREVIATION_INVALID),
            ("L L", "lý lịch", ABBREVIATION_INVALID),
            ("LL", "  ", ABBREVIATION_INVALID),
            ("lltp", "lý lịch tư pháp", ABBREVIATION_TAKEN),
        ],
    )
    def test_bad_ones_are_refused(self, abbreviation: str, expansion: str, message: str) -> None:
        count = SearchAbbreviation.objects.count()
        with pytest.raises(ValidationFailed) as caught:
            search_abbreviation_save(abbreviation=abbreviation, expansion=expansion)
        assert caught.value.message == message
        assert SearchAbbreviation.objects.count() == count


@pytest.mark.usefixtures("catalogue")
def test_the_page_says_what_a_query_was_also_read_as(client: Any) -> None:
    assert search_understood("khai sih") == "khai sinh"
    assert search_understood("LLTP") == "lý lịch tư pháp"
    assert search_understood("khai sinh") == ""
    assert search_understood("xyzzyq") == ""

    html = client.get("/thu-tuc/", {"q": "khai sih"}).content.decode()

    assert "Đã tìm cả theo: “khai sinh”" in html
    assert "Đăng ký khai sinh" in html
    assert "Đã tìm cả theo" not in client.get("/thu-tuc/", {"q": "khai sinh"}).content.decode()

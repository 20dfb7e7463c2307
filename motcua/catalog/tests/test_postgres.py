"""PostgreSQL only: relevance ranking, the trigram index and the extensions."""

from __future__ import annotations

import pytest
from django.db import connection

from motcua.catalog.selectors import procedure_search

from .conftest import Publish

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def test_results_are_ranked_by_word_similarity_before_name(publish: Publish) -> None:
    publish("1.000001.000.00.00.H15", "An tamtam thử nghiệm")
    publish("1.000002.000.00.00.H15", "Tạm ngừng hoạt động hộ kinh doanh")

    assert [p.name for p in procedure_search(q="tạm")] == [
        "Tạm ngừng hoạt động hộ kinh doanh",
        "An tamtam thử nghiệm",
    ]


def test_search_columns_have_trigram_indexes_and_extensions_exist() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT extname FROM pg_extension")
        extensions = {row[0] for row in cursor.fetchall()}
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE indexname LIKE '%trgm'")
        indexes = dict(cursor.fetchall())
    assert {"unaccent", "pg_trgm"} <= extensions
    assert "gin_trgm_ops" in indexes["catalog_procedure_search_trgm"]
    assert "gin_trgm_ops" in indexes["territory_unit_search_trgm"]


def test_the_vi_collation_is_icus_and_sorts_as_the_python_key() -> None:
    from motcua.core.text import vi_sort_key

    words = ["an", "ăn", "ân", "ba", "Ba", "bà", "bả", "bã", "bá", "bạ", "bác", "dz", "đa"]
    words += ["Điện Bàn", "ôm", "ơn", "Sở Tài chính", "Sở Tư pháp", "Uông", "Ưng"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT collprovider FROM pg_collation WHERE collname = 'vi'")
        assert cursor.fetchone() == ("i",)  # ICU: this server was built with it
        cursor.execute(
            'SELECT w FROM unnest(%s::text[]) AS w ORDER BY w COLLATE "vi"', [words[::-1]]
        )
        assert [row[0] for row in cursor.fetchall()] == sorted(words, key=vi_sort_key)

from motcua.core.text import fold


def test_fold_removes_diacritics_and_case() -> None:
    assert fold("Đăng ký KHAI SINH") == "dang ky khai sinh"
    assert fold("  Giấy   phép xây dựng ") == "giay phep xay dung"


def test_vietnamese_order_letters_then_tones_then_case() -> None:
    from motcua.core.text import vi_sort_key

    # The order PostgreSQL's ICU "vi-VN" collation gives for the same words.
    expected = [
        "an",
        "ăn",
        "ân",
        "ba",
        "Ba",
        "bà",
        "bả",
        "bã",
        "bá",
        "bạ",
        "bác",
        "Duy Xuyên",
        "dz",
        "đa",
        "Điện Bàn",
        "ôm",
        "ơn",
        "Sở Tài chính",
        "Sở Tư pháp",
        "Sở Xây dựng",
        "Uông",
        "Ưng",
    ]
    assert sorted(reversed(expected), key=vi_sort_key) == expected


def test_vietnamese_order_is_the_same_for_composed_and_decomposed_text() -> None:
    import unicodedata

    from motcua.core.text import vi_compare

    word = "Đăng ký khai sinh"
    assert vi_compare(unicodedata.normalize("NFD", word), unicodedata.normalize("NFC", word)) == 0
    assert vi_compare("hộ tịch", "hồ sơ") == 1  # letters first: "hô t" after "hô s"
    assert vi_compare("hồ", "hộ") == -1  # then tones: huyền before nặng
    assert vi_compare("a", "b") == -1

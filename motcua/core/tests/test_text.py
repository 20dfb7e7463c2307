from motcua.core.text import fold


def test_fold_removes_diacritics_and_case() -> None:
    assert fold("Đăng ký KHAI SINH") == "dang ky khai sinh"
    assert fold("  Giấy   phép xây dựng ") == "giay phep xay dung"

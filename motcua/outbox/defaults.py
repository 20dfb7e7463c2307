"""The texts the message templates start from (seeded by a migration, editable in the admin).

Each kind: (subject, e-mail text, SMS text) in Vietnamese and English. SMS
texts are written with diacritics; they are folded to ASCII when the gateway
is not asked for Unicode (``OUTBOX_SMS_UNICODE``).
"""

from __future__ import annotations

_TRACK_VI = "\n\nTheo dõi hồ sơ: {{ tracking_url }}\n"
_TRACK_EN = "\n\nFollow your dossier: {{ tracking_url }}\n"
_HELLO_VI = "Kính gửi Quý ông/bà,\n\n"
_HELLO_EN = "Dear applicant,\n\n"
_ITEMS_VI = "{% for item in items %}\n- {{ item }}{% endfor %}"
_ITEMS_EN = _ITEMS_VI

DEFAULT_TEMPLATES: dict[str, dict[str, tuple[str, str, str]]] = {
    "acknowledged": {
        "vi": (
            "Hồ sơ {{ code }} đã được nhận",
            _HELLO_VI + "{{ agency }} đã nhận hồ sơ trực tuyến {{ code }} ({{ procedure }}) "
            "lúc {{ submitted_at }}. Cán bộ một cửa sẽ kiểm tra và trả lời Quý ông/bà "
            "trước {{ answer_by }}." + _TRACK_VI,
            "Hồ sơ {{ code }} đã được nhận, sẽ trả lời trước {{ answer_by }}. {{ tracking_url }}",
        ),
        "en": (
            "Dossier {{ code }} received",
            _HELLO_EN + "{{ agency }} received your online dossier {{ code }} ({{ procedure }}) "
            "at {{ submitted_at }}. The one-stop unit will check it and answer you "
            "by {{ answer_by }}." + _TRACK_EN,
            "Dossier {{ code }} received, answer by {{ answer_by }}. {{ tracking_url }}",
        ),
    },
    "accepted": {
        "vi": (
            "Hồ sơ {{ code }} đã được tiếp nhận",
            _HELLO_VI + "Hồ sơ {{ code }} ({{ procedure }}) đã được {{ agency }} tiếp nhận "
            "lúc {{ received_at }}. Ngày hẹn trả kết quả: {{ due_at }}. Giấy tiếp nhận và hẹn "
            "trả kết quả có trên trang theo dõi hồ sơ." + _TRACK_VI,
            "Hồ sơ {{ code }} đã được tiếp nhận. Hẹn trả kết quả: {{ due_at }}. {{ tracking_url }}",
        ),
        "en": (
            "Dossier {{ code }} accepted",
            _HELLO_EN + "Your dossier {{ code }} ({{ procedure }}) was accepted by {{ agency }} "
            "at {{ received_at }}. Result expected on {{ due_at }}. The receipt is on the "
            "dossier's tracking page." + _TRACK_EN,
            "Dossier {{ code }} accepted. Result expected on {{ due_at }}. {{ tracking_url }}",
        ),
    },
    "supplement_requested": {
        "vi": (
            "Hồ sơ {{ code }} cần bổ sung",
            _HELLO_VI + "Hồ sơ {{ code }} ({{ procedure }}) cần được bổ sung, hoàn thiện. "
            "Lý do: {{ reason }}\n\nGiấy tờ cần bổ sung:" + _ITEMS_VI + "\n\nThời gian giải "
            "quyết tạm dừng cho đến khi nhận được phần bổ sung." + _TRACK_VI,
            "Hồ sơ {{ code }} cần bổ sung giấy tờ. Xem chi tiết: {{ tracking_url }}",
        ),
        "en": (
            "Dossier {{ code }}: a supplement is needed",
            _HELLO_EN + "Your dossier {{ code }} ({{ procedure }}) needs to be completed. "
            "Reason: {{ reason }}\n\nPapers to add:" + _ITEMS_EN + "\n\nThe processing time "
            "is paused until the supplement is received." + _TRACK_EN,
            "Dossier {{ code }} needs more papers. Details: {{ tracking_url }}",
        ),
    },
    "supplement_received": {
        "vi": (
            "Đã nhận phần bổ sung của hồ sơ {{ code }}",
            _HELLO_VI + "{{ agency }} đã nhận phần bổ sung của hồ sơ {{ code }} "
            "({{ procedure }}); hồ sơ tiếp tục được giải quyết. Ngày hẹn trả kết quả: "
            "{{ due_at }}." + _TRACK_VI,
            "Đã nhận bổ sung hồ sơ {{ code }}. Hẹn trả kết quả: {{ due_at }}.",
        ),
        "en": (
            "Supplement to dossier {{ code }} received",
            _HELLO_EN + "{{ agency }} received the supplement to your dossier {{ code }} "
            "({{ procedure }}); processing resumes. Result expected on {{ due_at }}." + _TRACK_EN,
            "Supplement to dossier {{ code }} received. Result expected on {{ due_at }}.",
        ),
    },
    "fee_requested": {
        "vi": (
            "Hồ sơ {{ code }}: đề nghị nộp phí, lệ phí",
            _HELLO_VI + "Để tiếp tục giải quyết hồ sơ {{ code }} ({{ procedure }}), "
            "đề nghị Quý ông/bà thực hiện nghĩa vụ tài chính. {{ reason }}" + _TRACK_VI,
            "Hồ sơ {{ code }}: đề nghị nộp phí, lệ phí. {{ tracking_url }}",
        ),
        "en": (
            "Dossier {{ code }}: fees to pay",
            _HELLO_EN + "To continue with your dossier {{ code }} ({{ procedure }}), please "
            "pay the fees due. {{ reason }}" + _TRACK_EN,
            "Dossier {{ code }}: fees to pay. {{ tracking_url }}",
        ),
    },
    "payment_received": {
        "vi": (
            "Hồ sơ {{ code }}: đã nhận phí, lệ phí",
            _HELLO_VI + "{{ agency }} đã nhận khoản phí, lệ phí của hồ sơ {{ code }} "
            "({{ procedure }}). Biên lai điện tử có trên trang hồ sơ của Quý ông/bà; hồ sơ "
            "tiếp tục được giải quyết." + _TRACK_VI,
            "Hồ sơ {{ code }}: đã nhận phí, lệ phí. {{ tracking_url }}",
        ),
        "en": (
            "Dossier {{ code }}: fees received",
            _HELLO_EN + "{{ agency }} received the fees of your dossier {{ code }} "
            "({{ procedure }}). The electronic receipt is on your dossier's page; processing "
            "goes on." + _TRACK_EN,
            "Dossier {{ code }}: fees received. {{ tracking_url }}",
        ),
    },
    "extended": {
        "vi": (
            "Xin lỗi: hồ sơ {{ code }} được hẹn lại ngày trả kết quả",
            _HELLO_VI + "{{ agency }} xin lỗi Quý ông/bà vì hồ sơ {{ code }} ({{ procedure }}) "
            "chưa thể trả kết quả đúng hẹn. Lý do: {{ reason }}\n\nNgày hẹn trả kết quả mới: "
            "{{ due_at }}." + _TRACK_VI,
            "Xin lỗi: hồ sơ {{ code }} chậm hẹn. Hẹn mới: {{ due_at }}. {{ tracking_url }}",
        ),
        "en": (
            "Our apologies: dossier {{ code }} has a new date",
            _HELLO_EN + "{{ agency }} apologises: your dossier {{ code }} ({{ procedure }}) "
            "cannot be finished on the date given. Reason: {{ reason }}\n\nNew date: "
            "{{ due_at }}." + _TRACK_EN,
            "Sorry: dossier {{ code }} is delayed. New date: {{ due_at }}. {{ tracking_url }}",
        ),
    },
    "refused": {
        "vi": (
            "Hồ sơ {{ code }} không được tiếp nhận",
            _HELLO_VI + "Hồ sơ {{ code }} ({{ procedure }}) không được tiếp nhận. "
            "Lý do: {{ reason }}" + _TRACK_VI,
            "Hồ sơ {{ code }} không được tiếp nhận. Lý do xem tại {{ tracking_url }}",
        ),
        "en": (
            "Dossier {{ code }} not accepted",
            _HELLO_EN + "Your dossier {{ code }} ({{ procedure }}) was not accepted. "
            "Reason: {{ reason }}" + _TRACK_EN,
            "Dossier {{ code }} not accepted. Reason: {{ tracking_url }}",
        ),
    },
    "stopped": {
        "vi": (
            "Hồ sơ {{ code }} bị dừng xử lý",
            _HELLO_VI + "Việc giải quyết hồ sơ {{ code }} ({{ procedure }}) đã dừng. "
            "Lý do: {{ reason }}" + _TRACK_VI,
            "Hồ sơ {{ code }} bị dừng xử lý. Lý do xem tại {{ tracking_url }}",
        ),
        "en": (
            "Dossier {{ code }}: processing stopped",
            _HELLO_EN + "Processing of your dossier {{ code }} ({{ procedure }}) has stopped. "
            "Reason: {{ reason }}" + _TRACK_EN,
            "Dossier {{ code }}: processing stopped. Reason: {{ tracking_url }}",
        ),
    },
    "withdrawal_accepted": {
        "vi": (
            "Hồ sơ {{ code }} đã được rút",
            _HELLO_VI + "Yêu cầu rút hồ sơ {{ code }} ({{ procedure }}) của Quý ông/bà "
            "đã được chấp nhận." + _TRACK_VI,
            "Yêu cầu rút hồ sơ {{ code }} đã được chấp nhận.",
        ),
        "en": (
            "Dossier {{ code }} withdrawn",
            _HELLO_EN + "Your request to withdraw dossier {{ code }} ({{ procedure }}) "
            "was accepted." + _TRACK_EN,
            "Your withdrawal of dossier {{ code }} was accepted.",
        ),
    },
    "withdrawal_refused": {
        "vi": (
            "Yêu cầu rút hồ sơ {{ code }} không được chấp nhận",
            _HELLO_VI + "Yêu cầu rút hồ sơ {{ code }} ({{ procedure }}) không được chấp nhận; "
            "hồ sơ tiếp tục được giải quyết. Lý do: {{ reason }}" + _TRACK_VI,
            "Yêu cầu rút hồ sơ {{ code }} không được chấp nhận. {{ tracking_url }}",
        ),
        "en": (
            "Withdrawal of dossier {{ code }} refused",
            _HELLO_EN + "Your request to withdraw dossier {{ code }} ({{ procedure }}) was "
            "refused; processing continues. Reason: {{ reason }}" + _TRACK_EN,
            "Withdrawal of dossier {{ code }} refused. {{ tracking_url }}",
        ),
    },
    "result_ready": {
        "vi": (
            "Hồ sơ {{ code }} đã có kết quả",
            _HELLO_VI + "Hồ sơ {{ code }} ({{ procedure }}) đã giải quyết xong. Kết quả sẽ "
            "được trả theo hình thức Quý ông/bà đã chọn." + _TRACK_VI,
            "Hồ sơ {{ code }} đã có kết quả. {{ tracking_url }}",
        ),
        "en": (
            "The result of dossier {{ code }} is ready",
            _HELLO_EN + "Your dossier {{ code }} ({{ procedure }}) has been processed. The "
            "result will be returned as you chose." + _TRACK_EN,
            "The result of dossier {{ code }} is ready. {{ tracking_url }}",
        ),
    },
    "result_returned": {
        "vi": (
            "Hồ sơ {{ code }} đã trả kết quả",
            _HELLO_VI + "Kết quả hồ sơ {{ code }} ({{ procedure }}) đã được trả. Mời Quý "
            "ông/bà đánh giá mức độ hài lòng về việc giải quyết hồ sơ." + _TRACK_VI,
            "Hồ sơ {{ code }} đã trả kết quả. Mời đánh giá: {{ tracking_url }}",
        ),
        "en": (
            "The result of dossier {{ code }} has been returned",
            _HELLO_EN + "The result of your dossier {{ code }} ({{ procedure }}) has been "
            "returned. Please tell us how it went." + _TRACK_EN,
            "The result of dossier {{ code }} was returned. Rate it: {{ tracking_url }}",
        ),
    },
    # A one-time code to look up one's dossiers without an account (applicants.lookup): SMS
    # only; the e-mail texts are there for the form's sake.
    "lookup_code": {
        "vi": (
            "Mã tra cứu hồ sơ",
            "Mã tra cứu hồ sơ của Quý ông/bà là {{ otp }}, có hiệu lực {{ valid_minutes }} "
            "phút. Không cung cấp mã này cho người khác.\n",
            "Mã tra cứu hồ sơ: {{ otp }} (hiệu lực {{ valid_minutes }} phút). "
            "Không cung cấp mã này cho người khác.",
        ),
        "en": (
            "Code to look up your dossiers",
            "Your code to look up your dossiers is {{ otp }}, valid for {{ valid_minutes }} "
            "minutes. Do not give it to anyone.\n",
            "Dossier lookup code: {{ otp }} (valid {{ valid_minutes }} minutes). "
            "Do not give it to anyone.",
        ),
    },
}

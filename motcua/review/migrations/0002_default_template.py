"""The default template of the annual review: the structure of the departments' year-end reports
(overview; online public services; the one-stop and the post; timeliness; satisfaction; the
sector's figures; the previous year and the year's targets). Staff edit it afterwards."""

from django.db import migrations

TITLE = (
    "Tổng kết công tác năm {{ year }} về giải quyết thủ tục hành chính, cung cấp dịch vụ công "
    "trực tuyến, bưu chính, viễn thông trên địa bàn {{ province }}"
)

SECTIONS = [
    (
        "I. KHÁI QUÁT CHUNG",
        """Năm {{ year }}, các cơ quan, đơn vị trên địa bàn {{ province }} đã tiếp nhận {{ f.received }} hồ sơ thủ tục hành chính, {{ f.received|so_voi }}; ngoài ra còn {{ f.carried_over }} hồ sơ từ năm trước chuyển sang. Trong đó, {{ f.recv_online }} hồ sơ được tiếp nhận trực tuyến, {{ f.recv_counter }} hồ sơ tiếp nhận trực tiếp tại bộ phận một cửa và {{ f.post_received }} hồ sơ tiếp nhận qua dịch vụ bưu chính công ích.

Trong năm đã giải quyết xong {{ f.finished }} hồ sơ và trả kết quả {{ f.returned }} hồ sơ.""",
        "channels",
        "",
        "",
    ),
    (
        "II. CUNG CẤP DỊCH VỤ CÔNG TRỰC TUYẾN",
        """Năm {{ year }}, toàn tỉnh có {{ f.procedures_online }} thủ tục hành chính cung cấp trực tuyến{% if f.procedures_full %}, trong đó {{ f.procedures_full }} thủ tục toàn trình và {{ f.procedures_partial }} thủ tục một phần{% else %} mức độ 3, 4, trong đó {{ f.procedures_level3 }} thủ tục mức độ 3 và {{ f.procedures_level4 }} thủ tục mức độ 4{% endif %} ({{ f.procedures_online|so_voi }}); tỷ lệ thủ tục cung cấp trực tuyến đạt {{ f.procedures_online_share }}{{ f.procedures_online_share|chi_tieu }}.

Tổng số hồ sơ tiếp nhận trực tuyến là {{ f.recv_online }} hồ sơ, chiếm {{ f.online_share }} tổng số hồ sơ tiếp nhận ({{ f.online_share|so_voi }}){{ f.online_share|chi_tieu }}. Tỷ lệ hồ sơ được xử lý toàn trình trực tuyến đạt {{ f.fully_online_share }} ({{ f.fully_online }} hồ sơ){{ f.fully_online_share|chi_tieu }}.

- Thanh toán trực tuyến: {{ f.paid_online }} hồ sơ nộp phí, lệ phí trực tuyến, chiếm {{ f.paid_online_share }} số hồ sơ đã nộp phí, lệ phí{{ f.paid_online_share|chi_tieu }}.
- Kết quả điện tử: {{ f.e_results }} kết quả giải quyết được cấp bản điện tử, bằng {{ f.e_results_share }} số hồ sơ đã giải quyết{{ f.e_results_share|chi_tieu }}.
- Số hóa hồ sơ: {{ f.digitised_share }} thành phần hồ sơ được số hóa; tỷ lệ khai thác, sử dụng lại dữ liệu số hóa {% if f.reused_share.value is None %}chưa được ghi nhận{% else %}đạt {{ f.reused_share }}{% endif %}.""",
        "bars",
        "Thủ tục hành chính theo mức độ cung cấp trực tuyến",
        "procedures_full,procedures_partial,procedures_none,procedures_level3,procedures_level4",
    ),
    (
        "III. THỰC HIỆN CƠ CHẾ MỘT CỬA VÀ DỊCH VỤ BƯU CHÍNH CÔNG ÍCH",
        """{{ province }} có {{ f.post_received }} hồ sơ được tiếp nhận qua dịch vụ bưu chính công ích, {{ f.post_returned }} hồ sơ được trả kết quả qua dịch vụ bưu chính công ích. So với năm {{ previous_year }}, số hồ sơ tiếp nhận qua bưu chính {{ f.post_received|chenh_lech }}, số hồ sơ trả kết quả qua bưu chính {{ f.post_returned|chenh_lech }}.

Trong tổng số {{ f.returned }} kết quả đã trả, {{ f.ret_counter }} kết quả được trả trực tiếp tại bộ phận một cửa, {{ f.ret_online }} kết quả trả trực tuyến và {{ f.post_returned }} kết quả trả qua dịch vụ bưu chính công ích.""",
        "bars",
        "Hồ sơ qua dịch vụ bưu chính công ích",
        "post_received,post_returned",
    ),
    (
        "IV. KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH",
        """Trong năm đã giải quyết xong {{ f.finished }} hồ sơ; tỷ lệ giải quyết đúng hạn đạt {{ f.on_time_share }} ({{ f.on_time_share|so_voi }}){{ f.on_time_share|chi_tieu }}, trong đó {{ f.fin_early }} hồ sơ giải quyết trước hạn, {{ f.fin_on_time }} hồ sơ đúng hạn và {{ f.fin_late }} hồ sơ quá hạn.

Thời gian giải quyết trung bình là {{ f.average_days }} ngày ({{ f.average_days|so_voi }}), trung vị {{ f.median_days }} ngày.""",
        "on_time",
        "",
        "",
    ),
    (
        "V. MỨC ĐỘ HÀI LÒNG CỦA NGƯỜI DÂN, DOANH NGHIỆP",
        """Năm {{ year }} có {{ f.rated }} lượt đánh giá mức độ hài lòng ({{ f.rated|so_voi }}); {{ f.satisfied }} lượt hài lòng hoặc rất hài lòng, đạt {{ f.satisfied_share }}{{ f.satisfied_share|chi_tieu }}; {{ f.dissatisfied }} lượt không hài lòng hoặc rất không hài lòng.""",
        "",
        "",
        "",
    ),
    (
        "VI. BƯU CHÍNH, VIỄN THÔNG",
        """{% if sector %}Trên lĩnh vực bưu chính, viễn thông, đến cuối năm {{ year }}:
{% for x in sector %}- {{ x.label }}: {{ x|don_vi }}{% if x.previous_value is not None %} ({{ x|so_voi }}){% endif %}{{ x|chi_tieu }}.
{% endfor %}{% else %}Chưa có số liệu ngành.{% endif %}""",
        "",
        "",
        "",
    ),
    (
        "VII. SO SÁNH VỚI NĂM TRƯỚC VÀ CHỈ TIÊU CỦA NĂM",
        """So với năm {{ previous_year }}:
- Hồ sơ tiếp nhận: {{ f.received|don_vi }}, {{ f.received|so_voi }}.
- Hồ sơ tiếp nhận trực tuyến: {{ f.recv_online|don_vi }}, {{ f.recv_online|so_voi }}; tỷ lệ hồ sơ trực tuyến {{ f.online_share|so_voi }}.
- Hồ sơ qua dịch vụ bưu chính công ích: tiếp nhận {{ f.post_received|so_voi }}; trả kết quả {{ f.post_returned|so_voi }}.
- Tỷ lệ giải quyết đúng hạn: {{ f.on_time_share }}, {{ f.on_time_share|so_voi }}.
- Tỷ lệ thanh toán trực tuyến: {{ f.paid_online_share }}, {{ f.paid_online_share|so_voi }}.

{% if targets %}Kết quả thực hiện các chỉ tiêu năm {{ year }}:
{% for x in targets %}- {{ x.label }}: {{ x|don_vi }}{{ x|chi_tieu }}.
{% endfor %}{% else %}Chưa có chỉ tiêu năm {{ year }} trong hệ thống để đánh giá mức độ hoàn thành.{% endif %}""",
        "bars",
        "Một số tỷ lệ chính so với năm trước (%)",
        "online_share,fully_online_share,on_time_share,paid_online_share",
    ),
]


def seed(apps, schema_editor):
    ReviewTemplate = apps.get_model("review", "ReviewTemplate")
    ReviewSection = apps.get_model("review", "ReviewSection")
    template = ReviewTemplate.objects.create(
        name="Báo cáo tổng kết năm (mẫu mặc định)",
        issuer="Sở Khoa học và Công nghệ",
        title=TITLE,
        year_from=2020,
        active=True,
    )
    ReviewSection.objects.bulk_create(
        ReviewSection(
            template=template,
            position=10 * (index + 1),
            heading=heading,
            body=body,
            chart=chart,
            chart_title=chart_title,
            chart_figures=chart_figures,
        )
        for index, (heading, body, chart, chart_title, chart_figures) in enumerate(SECTIONS)
    )


def unseed(apps, schema_editor):
    apps.get_model("review", "ReviewTemplate").objects.filter(
        name="Báo cáo tổng kết năm (mẫu mặc định)"
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("review", "0001_review_initial")]

    operations = [migrations.RunPython(seed, unseed)]

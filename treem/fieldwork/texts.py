"""The field page script's own words, translated on the server and handed to the script in a ``json_script`` block
(the page is cached in the language it was opened in). ``{name}`` marks a value the script fills in."""

from __future__ import annotations

from django.utils.translation import gettext


def page_texts() -> dict[str, str]:
    return {
        "status_waiting": gettext("Đang chờ đồng bộ"),
        "status_synced": gettext("Đã đồng bộ"),
        "status_refused": gettext("Bị từ chối"),
        "status_conflict": gettext("Xung đột – cần chọn giá trị"),
        "status_resolved": gettext("Đã giải quyết"),
        "field_weight_kg": gettext("Cân nặng (kg)"),
        "field_length_cm": gettext("Chiều dài/cao (cm)"),
        "field_position": gettext("Cách đo"),
        "field_has_oedema": gettext("Phù"),
        "field_value": gettext("Số liệu"),
        "field_comment": gettext("Giải trình"),
        "year_of": gettext("năm {year}"),
        "figure_of": gettext("Số liệu {name}"),
        "comment_of": gettext("Giải trình cho {name}"),
        "signed_out": gettext("Phiên đăng nhập đã hết: hãy đăng nhập lại khi có mạng."),
        "server_answered": gettext("Máy chủ trả lời {status}."),
        "other_account": gettext("Máy này đang giữ dữ liệu của một tài khoản khác: hãy đồng bộ bằng tài khoản đó "
                                 "trước."),
        "no_offline_copy": gettext("Máy này chưa có dữ liệu ngoại tuyến: hãy mở trang này một lần khi có mạng."),
        "offline_expired": gettext("Đã quá {days} ngày kể từ lần đăng nhập trực tuyến cuối: hãy kết nối mạng và mở "
                                   "lại trang."),
        "unlocking": gettext("Đang mở khoá…"),
        "opened": gettext("Đã mở dữ liệu của {commune}."),
        "wrong_password": gettext("Mật khẩu không đúng."),
        "online": gettext("Đang có mạng"),
        "offline": gettext("Không có mạng – làm việc ngoại tuyến"),
        "saved_on_device": gettext("✓ Đã lưu trên máy (chờ đồng bộ)"),
        "lying": gettext("Nằm"),
        "standing": gettext("Đứng"),
        "unknown_position": gettext("Không rõ"),
        "weight_of": gettext("Cân nặng (kg) của {name}"),
        "length_of": gettext("Chiều dài/cao (cm) của {name}"),
        "oedema_label": gettext("Phù hai chân"),
        "save_on_device": gettext("Lưu trên máy"),
        "none_yet": gettext("(chưa có)"),
        "yes": gettext("có"),
        "no": gettext("không"),
        "lying_lower": gettext("nằm"),
        "standing_lower": gettext("đứng"),
        "unknown_lower": gettext("không rõ"),
        "empty": gettext("(trống)"),
        "kept_mine": gettext("Giữ giá trị trên máy, gửi lại."),
        "kept_server": gettext("Giữ giá trị trên máy chủ."),
        "column_field": gettext("Trường dữ liệu"),
        "column_server": gettext("Trên máy chủ"),
        "column_device": gettext("Trên máy này"),
        "keep_mine": gettext("Giữ giá trị trên máy này"),
        "keep_server": gettext("Giữ giá trị trên máy chủ"),
        "syncing": gettext("Đang đồng bộ {count} bản ghi…"),
        "synced_all": gettext("Đồng bộ xong."),
        "connection_lost": gettext("Mất kết nối: các bản ghi vẫn chờ trên máy và sẽ được gửi lại."),
        "wipe_refused": gettext("Còn bản ghi chờ đồng bộ: hãy đồng bộ trước khi xoá dữ liệu trên máy."),
        "wipe_confirm": gettext("Xoá mọi dữ liệu thực địa trên máy này?"),
        "no_worker": gettext("Không cài được chế độ ngoại tuyến trên trình duyệt này."),
    }

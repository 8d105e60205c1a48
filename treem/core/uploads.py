"""What every upload does when the server's disk is full: a clear message, nothing half-saved."""

from __future__ import annotations

import errno

from django.utils.translation import gettext_lazy as _

DISK_FULL_MESSAGE = _("Máy chủ đã hết chỗ lưu tệp nên tệp chưa được lưu (không có dữ liệu nào thay đổi). "
                      "Hãy báo quản trị hệ thống giải phóng dung lượng rồi gửi lại.")


def is_disk_full(error: OSError) -> bool:
    """Whether a write failed because the disk (or the user's quota) is full."""
    return error.errno in {errno.ENOSPC, errno.EDQUOT}

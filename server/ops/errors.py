"""Error codes of the operations endpoints, joined to the one error table (server.errors.ERRORS).

They are added here, at import, so this package stays in its own files; the app imports it.
"""

from __future__ import annotations

from server.errors import ERRORS, ErrorSpec

OPS_ERRORS: dict[str, ErrorSpec] = {
    "kiosk_version_unsupported": ErrorSpec(
        426,
        "この端末のソフトウェアは古いため使用できません。係員にお声がけください。",
        "This kiosk's software is too old for the server. Please ask a member of staff.",
    ),
    "enroll_code_invalid": ErrorSpec(
        401,
        "登録コードが正しくないか、有効期限が切れています。",
        "The enrollment code is wrong, used or expired.",
    ),
    "enroll_rate_limited": ErrorSpec(
        429,
        "登録の試行回数が多すぎます。しばらくしてからお試しください。",
        "Too many enrollment attempts. Please wait and try again.",
    ),
}

for _code, _spec in OPS_ERRORS.items():
    ERRORS.setdefault(_code, _spec)

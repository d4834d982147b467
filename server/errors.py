"""Every error the API can answer: a stable code, an HTTP status, and a Japanese and English message.

The kiosk shows `message_ja` / `message_en` as they are, so they are written for patrons.
Clients must branch on `code`, never on the messages.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ErrorSpec:
    """One row of the error table."""

    status: int
    message_ja: str
    message_en: str


ERRORS: dict[str, ErrorSpec] = {
    # Request shape
    "invalid_request": ErrorSpec(422, "入力内容に誤りがあります。", "The request is not valid."),
    "body_too_large": ErrorSpec(413, "送信データが大きすぎます。", "The request body is too large."),
    "unsupported_media_type": ErrorSpec(
        415, "送信データの形式が正しくありません。", "The request body must be application/json."
    ),
    "not_found": ErrorSpec(404, "見つかりません。", "Not found."),
    "method_not_allowed": ErrorSpec(405, "この操作はできません。", "Method not allowed."),
    "idempotency_key_required": ErrorSpec(
        400, "再送防止キーがありません。", "An Idempotency-Key header is required for this request."
    ),
    "idempotency_key_reused": ErrorSpec(
        422,
        "同じ再送防止キーで別の内容が送られました。",
        "This Idempotency-Key was already used for a different request.",
    ),
    "conflict": ErrorSpec(
        409, "同時に別の操作が行われました。もう一度お試しください。", "A concurrent change happened. Please retry."
    ),
    "internal_error": ErrorSpec(
        500, "システムエラーが発生しました。係員にお声がけください。", "Internal error. Please ask a member of staff."
    ),
    # The database is locked longer than the busy timeout, or its connection dropped: nothing was changed,
    # and the same request (same Idempotency-Key) may be sent again.
    "database_unavailable": ErrorSpec(
        503, "ただいま混み合っています。しばらくしてからお試しください。", "The database is busy. Please try again."
    ),
    # Kiosk and staff authentication
    "unauthenticated": ErrorSpec(401, "認証に失敗しました。", "Authentication failed."),
    "stale_request": ErrorSpec(401, "端末の時刻がずれています。", "The request timestamp is outside the window."),
    "replayed_request": ErrorSpec(401, "この要求は既に処理されています。", "This request was already received."),
    "unknown_kiosk": ErrorSpec(401, "登録されていない端末です。", "Unknown or revoked kiosk."),
    "bad_credentials": ErrorSpec(401, "職員IDまたは暗証番号が違います。", "Wrong staff ID or PIN."),
    "staff_locked": ErrorSpec(
        429,
        "暗証番号の誤りが続いたため、ログインを一時的に停止しています。しばらくしてからお試しください。",
        "Too many wrong PINs: signing in is paused for a while. Please try again later.",
    ),
    "forbidden": ErrorSpec(403, "この操作の権限がありません。", "Your role does not allow this action."),
    # Cards and patrons
    "malformed_card_number": ErrorSpec(
        422,
        "利用者カード番号が正しくありません。10桁の番号をご確認ください。",
        "The library card number is not valid. Please check the 10 digits.",
    ),
    "unknown_patron": ErrorSpec(
        404,
        "この利用者カードは登録されていません。2階総合カウンターへお越しください。",
        "This library card is not registered. Please come to the 2nd-floor counter.",
    ),
    "patron_inactive": ErrorSpec(
        409,
        "この利用者カードは現在ご利用いただけません。2階総合カウンターへお越しください。",
        "This library card cannot be used now. Please come to the 2nd-floor counter.",
    ),
    "not_yet_renewable": ErrorSpec(
        409,
        "更新はお誕生日の1ヶ月前から受け付けています。",
        "Renewal opens one month before the expiry birthday.",
    ),
    "not_linked": ErrorSpec(
        404,
        "このマイナンバーカードは利用者カードと連携されていません。",
        "This My Number card is not linked to a library card.",
    ),
    # The ILS over SIP2 (settings.patron_source = "sip2"): no answer in time, connection refused, or an answer
    # garbled on the way. Nothing is known about the card, so it is never told as expired.
    "ils_unreachable": ErrorSpec(
        503,
        "図書館のシステムに接続できません。しばらくしてからお試しください。",
        "The library system cannot be reached right now. Please try again later.",
    ),
    # The ILS knows the card but sends no expiry date (docs/operations.md: its expiry field).
    "expiry_unknown": ErrorSpec(
        409,
        "この利用者カードの有効期限は、2階総合カウンターでお確かめください。",
        "Please ask at the 2nd-floor counter for this library card's expiry date.",
    ),
    # Migration
    "challenge_unknown": ErrorSpec(
        422, "手続きの有効期限が切れました。最初からやり直してください。", "Unknown challenge. Please start again."
    ),
    "challenge_expired": ErrorSpec(
        422, "手続きの有効期限が切れました。最初からやり直してください。", "The challenge expired. Please start again."
    ),
    "challenge_used": ErrorSpec(
        422, "この手続きは既に使われました。最初からやり直してください。", "The challenge was already used."
    ),
    "malformed_certificate": ErrorSpec(
        422, "マイナンバーカードの証明書を読み取れませんでした。", "The certificate could not be read."
    ),
    "unknown_ca": ErrorSpec(
        422,
        "マイナンバーカードの証明書を確認できませんでした。",
        "The certificate was not issued by a known J-LIS authority.",
    ),
    "certificate_expired": ErrorSpec(
        422,
        "マイナンバーカードの電子証明書の有効期限が切れています。市区町村の窓口で更新してください。",
        "The card's certificate has expired. Please renew it at your municipal office.",
    ),
    "certificate_not_yet_valid": ErrorSpec(
        422, "マイナンバーカードの電子証明書がまだ有効ではありません。", "The card's certificate is not valid yet."
    ),
    "certificate_revoked": ErrorSpec(
        422,
        "マイナンバーカードの電子証明書が失効しています。市区町村の窓口でご確認ください。",
        "The card's certificate has been revoked. Please ask your municipal office.",
    ),
    "revocation_unavailable": ErrorSpec(
        503,
        "電子証明書の失効確認ができません。しばらくしてからお試しください。",
        "The certificate revocation list cannot be fetched. Please try again later.",
    ),
    "bad_signature": ErrorSpec(
        422, "マイナンバーカードの署名を確認できませんでした。", "The card's signature could not be verified."
    ),
    "no_old_link": ErrorSpec(
        409,
        "このマイナンバーカードは旧方式で連携されていません。2階総合カウンターへお越しください。",
        "This My Number card has no old-scheme link to this library card. "
        "Please come to the 2nd-floor counter.",
    ),
    "already_migrated": ErrorSpec(
        409,
        "この利用者カードは既に新方式で連携されています。",
        "This library card is already linked with the new MyKey scheme.",
    ),
    "mykey_linked_elsewhere": ErrorSpec(
        409,
        "このマイナンバーカードは別の利用者カードと連携されています。2階総合カウンターへお越しください。",
        "This My Number card is already linked to another library card. Please come to the 2nd-floor counter.",
    ),
    "migration_pending": ErrorSpec(
        409,
        "連携の切り替えは受付済みです。2階総合カウンターで確認をお受けください。",
        "A migration is already waiting for staff confirmation at the 2nd-floor counter.",
    ),
    "mykey_unavailable": ErrorSpec(
        503,
        "マイキープラットフォームに接続できません。しばらくしてからお試しください。",
        "The MyKey platform cannot be reached. Please try again later.",
    ),
    "migration_not_pending": ErrorSpec(409, "この申請は処理済みです。", "This request was already decided."),
    "unknown_migration": ErrorSpec(404, "この受付番号は見つかりません。", "Unknown reference code."),
    # Renewal requests from the kiosk (server/renewals/service.py)
    "renewal_unmatched": ErrorSpec(
        409,
        "カードの記載と図書館の登録内容を照合できませんでした。2階総合カウンターへお越しください。",
        "The card's details could not be matched with the library's record. Please come to the 2nd-floor counter.",
    ),
    "renewal_proof_required": ErrorSpec(
        403,
        "マイナンバーカードと利用者証明用のパスワードで本人確認をしてからお試しください。",
        "Please confirm with your My Number card and its user-authentication PIN first.",
    ),
    "renewal_proof_invalid": ErrorSpec(
        403,
        "本人確認の有効期限が切れました。最初からやり直してください。",
        "The card confirmation is no longer valid for this request. Please start again.",
    ),
    "renewal_card_mismatch": ErrorSpec(
        409,
        "このマイナンバーカードは別の利用者カードと連携されています。2階総合カウンターへお越しください。",
        "This My Number card is linked to another library card. Please come to the 2nd-floor counter.",
    ),
    "renewal_compare_limit": ErrorSpec(
        429,
        "この利用者カードの照合は回数の上限に達しました。2階総合カウンターへお越しください。",
        "Too many checks for this library card. Please come to the 2nd-floor counter.",
    ),
    "renewal_pending": ErrorSpec(
        409,
        "更新の申し込みは受付済みで、カウンターでお待ちしています。2階総合カウンターへお越しください。",
        "A renewal request is already waiting at the counter. Please come to the 2nd-floor counter.",
    ),
    "unknown_renewal": ErrorSpec(404, "この受付番号は見つかりません。", "Unknown reference code."),
    "renewal_not_pending": ErrorSpec(409, "この申請は処理済みです。", "This request was already decided."),
    "linkage_changed": ErrorSpec(
        409,
        "受付後に連携が変更されたため、確定できません。",
        "The patron's linkage changed after the request; it cannot be confirmed.",
    ),
    # Registration applications from the kiosk (server/applications)
    "registration_contact_required": ErrorSpec(
        422,
        "電話番号かメールアドレスのどちらかを入力してください。",
        "Please enter a phone number or an e-mail address.",
    ),
    "invalid_phone": ErrorSpec(
        422,
        "電話番号が正しくありません。市外局番から数字で入力してください（例 0952-24-2900）。",
        "The phone number is not valid. Please enter it with its area code (e.g. 0952-24-2900).",
    ),
    "invalid_email": ErrorSpec(
        422,
        "メールアドレスが正しくありません。",
        "The e-mail address is not valid.",
    ),
    "registration_already_patron": ErrorSpec(
        409,
        "このマイナンバーカードは利用者カードと連携されています。2階総合カウンターへお越しください。",
        "This My Number card is already linked to a library card. Please come to the 2nd-floor counter.",
    ),
    "registration_pending": ErrorSpec(
        409,
        "登録の申請は受付済みで、カウンターでお待ちしています。2階総合カウンターへお越しください。",
        "A registration application is already waiting at the counter. Please come to the 2nd-floor counter.",
    ),
    "unknown_application": ErrorSpec(404, "この受付番号は見つかりません。", "Unknown reference code."),
    "application_not_waiting": ErrorSpec(409, "この申請は処理済みです。", "This application was already decided."),
    # Queue tickets. counter_closed is a 503 so a retry with the same key is tried again once
    # the counter opens (5xx answers are not stored by the idempotency layer); details.opens_at.
    "counter_closed": ErrorSpec(
        503,
        "ただいま窓口の受付時間外です。",
        "The counter is closed now.",
    ),
    "unknown_service": ErrorSpec(
        422, "この窓口の整理券は発行できません。", "There is no counter service with this name."
    ),
    "unknown_ticket": ErrorSpec(404, "この整理券は見つかりません。", "Unknown ticket."),
    "unknown_counter": ErrorSpec(422, "この窓口は登録されていません。", "Unknown counter."),
    "queue_empty": ErrorSpec(409, "お待ちの方はいません。", "Nobody is waiting for this service."),
    "ticket_not_active": ErrorSpec(
        409, "この整理券は既に処理済みです。", "This ticket was already served, cancelled or marked absent."
    ),
    "ticket_not_called": ErrorSpec(409, "この整理券はまだ呼び出されていません。", "This ticket has not been called."),
    "unknown_alert": ErrorSpec(404, "この呼び出しは見つかりません。", "Unknown alert."),
    # Operations (server/ops): the kiosk version gate and enrollment.
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


class ApiError(Exception):
    """An error answered as JSON with a stable code; raised by services and routes alike."""

    def __init__(self, code: str, *, detail: str | None = None, details: dict | None = None) -> None:
        super().__init__(code if detail is None else f"{code}: {detail}")
        self.code = code
        self.spec = ERRORS[code]
        self.detail = detail
        # Machine-readable facts for the client (e.g. counter_closed's opens_at), sent as error.details.
        self.details = details

    @property
    def status(self) -> int:
        """HTTP status of this error."""
        return self.spec.status

    def body(self) -> dict:
        """The JSON body: {"error": {"code", "message_ja", "message_en"}} (and "details" when set)."""
        return error_body(self.code, details=self.details)


def error_body(code: str, *, details: dict | None = None) -> dict:
    """The JSON error body for one code."""
    spec = ERRORS[code]
    error: dict[str, object] = {"code": code, "message_ja": spec.message_ja, "message_en": spec.message_en}
    if details:
        error["details"] = details
    return {"error": error}

"""The numbered choices of each patron screen, for operation without sight (kiosk/a11y/keypad.py).

One place for what a screen offers a patron on the tactile keypad: its buttons, in the order they are
numbered and spoken (「1 番、有効期限の確認。2 番、…」), each by its kv id and the catalogue key it is spoken
with (the button's own label, so the ear hears what the eye reads). The screen layer numbers only the buttons
a patron could tap now (shown and enabled: a result offers a retry only when one can help), so the numbers
are always 1, 2, 3… without gaps. Only fixed catalogue texts are listed: nothing a patron typed, nothing a
card holds.

The footer's 職員を呼ぶ is not numbered: like もどる (the Back key) it is a fixed key, Staff ("*"), so it is the
same key on every step and works on a pad, where the digits are the PIN. Every spoken menu of a screen that
shows the button ends with it (STAFF_KEYS: 「職員を呼ぶときは、アスタリスクのキーです。」), after the screen's
note, if it has one (NOTES: what the keypad cannot do there).

The attract screen's last choice switches the session between Japanese and English (OTHER_LANGUAGE): it has
no button of its own (the touch screen's language button opens a list a keypad cannot point into).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Choice:
    """One numbered choice: the button it presses and the catalogue key it is spoken with."""

    widget: str  # a kv id on the screen (or OTHER_LANGUAGE)
    label: str  # a catalogue key


#: The attract screen's choice that switches the session's language (ja <-> en); spoken as voice.keypad.language.
OTHER_LANGUAGE = "~other_language"

# A result's choices.
RETRY = Choice("retry", "common.retry")
COUNTER = Choice("counter_ticket", "action.counter_ticket")
RENEW = Choice("request_renewal", "action.request_renewal")
SENT = Choice("what_was_sent", "action.what_was_sent")  # the 送信した情報 view
DONE = Choice("done", "common.done")
#: The footer's call-staff button, pressed by the Staff key (kiosk/a11y/keypad.py), not by a number.
STAFF = Choice("call_staff", "action.call_staff")
#: How a spoken menu ends where the screen has the button: which key calls staff.
STAFF_KEYS = ("voice.keypad.staff",)

MENUS: dict[str, tuple[Choice, ...]] = {
    # Every screen's in the order it shows them (its kv file's).
    "attract": (Choice("btn_checkup", "service.checkup.title"), Choice("btn_migrate", "service.migrate.title"),
                Choice("btn_expiry", "service.expiry.title"), Choice("btn_registration", "service.registration.title"),
                Choice("btn_ticket", "service.ticket.title"), Choice(OTHER_LANGUAGE, "voice.keypad.language")),
    "expiry_method": (Choice("by_number", "expiry.method.by_number"), Choice("by_card", "expiry.method.by_card")),
    "ticket_service": (Choice("svc_registration", "ticket.service.registration"),
                       Choice("svc_mynumber", "ticket.service.mynumber"), Choice("svc_other", "ticket.service.other")),
    "migrate_intro": (Choice("next", "common.next"),),
    "migrate_consent": (Choice("agree", "common.agree"),),
    "migrate_same_pin": (Choice("same", "migrate.samepin.same"), Choice("different", "migrate.samepin.different")),
    "last_try": (Choice("confirm", "lasttry.confirm"),),
    "expiry_result": (RETRY, COUNTER, RENEW, SENT, DONE),
    "ticket_result": (RETRY, SENT, DONE),
    "migrate_result": (RETRY, COUNTER, Choice("receipt", "action.receipt"), SENT, DONE),
    "checkup_intro": (Choice("start", "checkup.intro.start"),),
    "checkup_result": (RETRY, COUNTER, Choice("migrate", "checkup.action.migrate"), RENEW, SENT, DONE),
    "renewal_way": (Choice("with_card", "renewal.way.with_card"), Choice("without_card", "renewal.way.without_card")),
    "renewal_bring": (COUNTER, DONE),
    "renewal_review": (Choice("send", "renewal.review.send"),),
    "renewal_result": (RETRY, COUNTER, DONE),
    "registration_intro": (Choice("with_card", "registration.intro.with_card"),
                           Choice("without_card", "registration.intro.without_card")),
    "registration_ids": (COUNTER, DONE),
    "registration_review": (Choice("edit_phone", "registration.review.edit_phone"),
                            Choice("send", "registration.review.send")),
    "registration_result": (RETRY, COUNTER, DONE),
    # Dialogs over the screen, by the name their prompt is spoken under.
    "idle": (Choice("idle_continue", "idle.continue"),),
    "privacy_slip": (Choice("print_slip", "privacy.print"), Choice("close", "common.back")),
}

#: What a screen's spoken choices add after the numbers: what the keypad cannot do there.
NOTES: dict[str, tuple[str, ...]] = {
    # The e-mail address needs letters, which a numeric keypad has not: by touch only (the phone by keypad).
    "registration_review": ("voice.keypad.email_by_touch",),
}

#: "1 番、" … "9 番、": the spoken number before each choice (a keypad has nine keys to choose with).
MAX_CHOICES = 9


def number_key(n: int) -> str:
    """The catalogue key that says choice number ``n`` (1-9)."""
    if not 1 <= n <= MAX_CHOICES:
        raise ValueError(f"choice {n} is not on a keypad")
    return f"voice.keypad.choice_{n}"


def other_language(language: str) -> str:
    """The language the attract screen's language choice switches to: English, or Japanese from English."""
    return "ja" if language == "en" else "en"


def spoken(labels: list[str]) -> list[str]:
    """The prompt keys that speak these choices, numbered from 1: [number 1, label 1, number 2, label 2, …]."""
    return [key for n, label in enumerate(labels[:MAX_CHOICES], start=1) for key in (number_key(n), label)]


def spoken_labels() -> frozenset[str]:
    """Every catalogue key a numbered choice is spoken with (synthesised ahead with the prompts)."""
    return frozenset(choice.label for choices in MENUS.values() for choice in choices)


def first_menu() -> list[str]:
    """The prompt keys of the attract screen's choices: the first a keypad patron hears (synthesised first)."""
    return spoken([choice.label for choice in MENUS["attract"]])

"""The ILS as patron source, over SIP2: a card's expiry and block read live from the library's system.

SIP2 2.00 has no expiry field: the ILS sends it in a field of its own choosing (Evergreen and
invenio-sip2: PA; Koha: a configured one such as DE), in its own date format; both are settings. Without
that field the answer falls back to the patron status flags: a card whose charge privileges are denied is
told to ask at the counter (patron_inactive), any other card has no date to tell (expiry_unknown).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, datetime
from typing import Literal

from sqlalchemy.orm import Session

from server.clock import LIBRARY_TZ, Clock
from server.errors import ApiError
from server.ils.base import SourceStatus, Standing, StatusTracker
from server.ils.sip2 import messages
from server.ils.sip2.client import IlsUnavailableError, Sip2Client
from server.ils.sip2.messages import Message
from server.patrons.card_numbers import parse_card_number
from server.patrons.expiry import expiry_on

log = logging.getLogger(__name__)


def standing_from_answer(answer: Message, *, card_number: str, today: date, expiry_field: str,
                         expiry_format: str, expiry_is_birthday: bool = True) -> Standing:
    """What a 24 / 64 answer says about the card (unknown_patron, patron_inactive, expiry_unknown otherwise)."""
    if answer.get("BL") == "N":  # valid patron: N (an ILS that sends no BL knows the card)
        raise ApiError("unknown_patron")
    flags = messages.patron_flags(answer)
    if "card reported lost" in flags:
        raise ApiError("patron_inactive")  # whoever holds it is not the patron: the counter sorts it out
    denied = "charge privileges denied" in flags
    valid_until = _expiry_date(answer, expiry_field, expiry_format)
    if valid_until is None:
        raise ApiError("patron_inactive" if denied else "expiry_unknown")
    return Standing(card_number=card_number, expiry=expiry_on(valid_until=valid_until, today=today), blocked=denied,
                    day_is_birthday=expiry_is_birthday)


def _expiry_date(answer: Message, field: str, fmt: str) -> date | None:
    raw = answer.get(field) if field else None
    if not raw or not raw.strip():
        return None
    try:
        return datetime.strptime(raw.strip(), fmt.strip()).date()
    except ValueError:
        log.warning("ILS expiry field %s=%r does not match sip2_expiry_format %r", field, raw, fmt)
        return None


class Sip2PatronSource:
    """Card lookups in the ILS: 63 Patron Information (or 23 Patron Status), read only."""

    kind: Literal["database", "sip2"] = "sip2"

    def __init__(self, client: Sip2Client, *, clock: Clock, institution: str, terminal_password: str,
                 message: Literal["patron_information", "patron_status"], expiry_field: str,
                 expiry_format: str, expiry_is_birthday: bool = True) -> None:
        self.client = client
        self.clock = clock
        self.institution = institution
        self.terminal_password = terminal_password
        self.message = message
        self.expiry_field = expiry_field
        self.expiry_format = expiry_format
        self.expiry_is_birthday = expiry_is_birthday
        self.tracker = StatusTracker("sip2")

    def standing(self, *, session: Session, card_number: str, today: date) -> Standing:
        number = parse_card_number(card_number)
        return standing_from_answer(self.answer_for(number), card_number=number, today=today,
                                    expiry_field=self.expiry_field, expiry_format=self.expiry_format,
                                    expiry_is_birthday=self.expiry_is_birthday)

    def answer_for(self, number: str) -> Message:
        """The ILS's raw answer about a (well-formed) card number; ils_unreachable when there is none."""
        build, expect = self._request(number)
        try:
            answer = self.client.ask(build, expect=expect)
        except IlsUnavailableError as exc:
            log.warning("ILS not reachable over SIP2: %s", exc.reason)
            self.tracker.failed(self.clock.now(), exc.reason)
            raise ApiError("ils_unreachable", detail=exc.reason) from None
        if answer.get("AA") != number:
            # An answer about another card (or none named) must not decide this patron's standing: the
            # ILS or something between answered out of turn. Treated as no answer, never as a card's state.
            reason = "answer about another card"
            log.warning("ILS over SIP2: %s", reason)
            self.tracker.failed(self.clock.now(), reason)
            raise ApiError("ils_unreachable", detail=reason)
        self.tracker.succeeded(self.clock.now())
        return answer

    def _request(self, number: str) -> tuple[Callable[[], tuple[str, str, list[tuple[str, str]]]], str]:
        def build() -> tuple[str, str, list[tuple[str, str]]]:
            now = self.clock.now().astimezone(LIBRARY_TZ)  # the ILS's wall clock: the library's
            make = messages.patron_information if self.message == "patron_information" else messages.patron_status
            return make(institution=self.institution, patron=number, terminal_password=self.terminal_password,
                        now=now)

        return build, "64" if self.message == "patron_information" else "24"

    def status(self) -> SourceStatus:
        return self.tracker.snapshot()

    def close(self) -> None:
        self.client.close()

"""Ask the ILS about one card as the connector would, and print its raw answer: for setting the connector up.

    python -m server.ils.probe 2000000121

Reads the server's settings (config/server.toml, SERVER_* variables) whatever patron_source says, prints
every field of the ILS's answer (so the field and date format holding the expiry can be found), then what
the server would answer the kiosk. It prints the patron's data to this terminal only; nothing is kept.
"""

from __future__ import annotations

import sys

from server.clock import Clock
from server.config import SettingError, load_settings
from server.errors import ApiError
from server.ils.factory import make_patron_source
from server.ils.source import Sip2PatronSource, standing_from_answer
from server.patrons.card_numbers import parse_card_number


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    try:
        settings = load_settings(patron_source="sip2")
    except SettingError as exc:
        print(f"setting: {exc}", file=sys.stderr)
        return 2
    clock = Clock(pinned_today=settings.today)
    source = make_patron_source(settings=settings, clock=clock)
    assert isinstance(source, Sip2PatronSource)
    shown: list[str] = []
    try:
        number = parse_card_number(argv[0])
        answer = source.answer_for(number)
        shown.append(f"{answer.command} fixed part {answer.fixed!r} (patron status {answer.fixed[:14]!r})")
        shown.extend(f"  {code} {value!r}" for code, value in answer.fields)
        standing = standing_from_answer(answer, card_number=number, today=clock.today(),
                                        expiry_field=settings.sip2_expiry_field,
                                        expiry_format=settings.sip2_expiry_format)
        verdict = (f"{standing.expiry.status.value}: valid until {standing.expiry.valid_until}, renewable from "
                   f"{standing.expiry.renewable_from}, blocked {standing.blocked}")
    except ApiError as exc:
        verdict = f"error {exc.code}" + (f" ({exc.detail})" if exc.detail else "")
    finally:
        source.close()
    print("\n".join(shown))
    print(f"expiry field {settings.sip2_expiry_field or '(none)'}, format {settings.sip2_expiry_format!r}")
    print(f"the server would answer: {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

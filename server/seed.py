"""Demo data set (`python -m server admin seed-demo`, `serve --demo`): idempotent, safe to re-run.

- a patron per virtual-card persona that has a library card, with an old-scheme link
  (serial + issuer of its certificate) where the persona has one; the simulator learns
  which person each persona certificate belongs to (so "renewed" keeps "normal"'s マイキーID);
- expiry demo patrons 2000000105 (valid), 2000000113 (renewable now), 2000000121 (expired),
  2000000139 (born on 29 February), dated relative to the library's today;
- addresses on record: each persona's card address, except `different_pins` (2000000071), who has moved since
  registering and whose card has expired, so a renewal request at the kiosk shows a changed address;
- the demo kiosk, the demo staff account and its maintenance PIN at the demo kiosk, from settings.
"""

from __future__ import annotations

import logging
from datetime import date, timedelta

from server.auth.kiosk import create_kiosk
from server.auth.models import Kiosk, StaffMember
from server.auth.staff import create_staff
from server.fleet.maintenance import set_pin
from server.fleet.models import KioskMaintenancePin
from server.jpki import identity_of
from server.patrons.linkage import add_old_link
from server.patrons.service import create_patron, find_patron
from server.state import AppState
from server.testpki import load_test_pki

log = logging.getLogger("server.seed")


def _birthday_date(day: date, year: int) -> date:
    """`day`'s month and day in `year`, stepping off 29 February (demo patrons avoid the leap day)."""
    if day.month == 2 and day.day == 29:
        day = day - timedelta(days=1)
    return day.replace(year=year)


DEMO_ADDRESS = "佐賀県佐賀市城内一丁目1番1号"


def expiry_demo_patrons(today: date) -> list[tuple[str, str, date, date]]:
    """(card number, name, birth date, registered on) for the four expiry demo cards (at 佐賀市城内, DEMO_ADDRESS)."""
    renewable_until = today + timedelta(days=14)
    expired_on = today - timedelta(days=30)
    valid_until = today + timedelta(days=400)
    return [
        ("2000000105", "有効 太郎", _birthday_date(valid_until, 1980), date(valid_until.year - 3, 1, 1)),
        ("2000000113", "更新 花子", _birthday_date(renewable_until, 1975), date(renewable_until.year - 3, 1, 1)),
        ("2000000121", "期限切 次郎", _birthday_date(expired_on, 1990), date(expired_on.year - 3, 1, 1)),
        ("2000000139", "閏年 うるう", date(1988, 2, 29), date(2024, 4, 1)),
    ]


# The renewal demo: this persona's card has expired and the library still holds the address before the move.
MOVED_PERSONA = "different_pins"
MOVED_FROM = "佐賀県佐賀市兵庫町大字渕1500番地"


def seed_demo(*, state: AppState) -> None:
    """Create whatever part of the demo data set is missing."""
    settings = state.settings
    now, today = state.clock.now(), state.clock.today()
    test_pki = load_test_pki(settings.test_pki_dir)
    with state.sessions() as session, session.begin():
        if session.get(Kiosk, settings.demo_kiosk_id) is None:
            if settings.demo_kiosk_secret is None:
                raise ValueError("demo_kiosk_secret is not set")
            create_kiosk(session=session, kiosk_id=settings.demo_kiosk_id, name="Demo kiosk (lobby)", now=now,
                         secret=settings.demo_kiosk_secret.get_secret_value())
        if session.get(StaffMember, settings.demo_staff_id) is None and settings.demo_staff_pin is not None:
            create_staff(session=session, staff_id=settings.demo_staff_id, name="デモ 管理者", role="admin",
                         pin=settings.demo_staff_pin.get_secret_value(), now=now)
        if (settings.demo_maintenance_pin is not None and session.get(StaffMember, settings.demo_staff_id) is not None
                and session.get(KioskMaintenancePin, (settings.demo_kiosk_id, settings.demo_staff_id)) is None):
            set_pin(session=session, kiosk_id=settings.demo_kiosk_id, staff_id=settings.demo_staff_id,
                    pin=settings.demo_maintenance_pin.get_secret_value(), now=now)
        for persona in test_pki.personas.values():
            if not persona.library_card or persona.key == "renewed":
                continue  # "renewed" is "normal"'s new certificate: same person, same library card
            if find_patron(session=session, card_number=persona.library_card) is not None:
                continue
            moved = persona.key == MOVED_PERSONA
            registered_on = date(today.year - 4, 1, 1) if moved else today - timedelta(days=200)
            patron = create_patron(session=session, card_number=persona.library_card, name=persona.name,
                                   birth_date=persona.birth_date, registered_on=registered_on, now=now,
                                   address=MOVED_FROM if moved else persona.address)
            if persona.has_old_link:
                identity = identity_of(persona.cert)
                add_old_link(session=session, patron=patron, cert_serial=identity.serial,
                             cert_issuer=identity.issuer, now=now)
        for number, name, birth_date, registered_on in expiry_demo_patrons(today):
            existing = find_patron(session=session, card_number=number)
            if existing is None:
                create_patron(session=session, card_number=number, name=name, birth_date=birth_date,
                              registered_on=registered_on, now=now, address=DEMO_ADDRESS)
            else:
                # Re-dated on every start, so "renewable now" and "expired" stay true on later days.
                existing.birth_date, existing.registered_on = birth_date, registered_on
    register = getattr(state.mykey, "register_certificate", None)
    if register is not None:
        for persona in test_pki.personas.values():
            register(certificate_der=persona.cert_der, person_key=str(persona.person_id))
    log.info("demo data set is in place")

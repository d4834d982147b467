"""One server process's state built from its settings: the engine, the trust store, the MyKey connector,
the group-commit writer and the patron source (the app factory, the admin CLI and the benchmarks use it).

Apart from server/state.py so that the state the routes import does not import every domain's factory.
"""

from __future__ import annotations

from server.auth.kiosk_keys import KioskKeys
from server.clock import Clock
from server.config import Settings
from server.db import make_engine, make_session_factory, make_write_gate
from server.ils.factory import make_patron_source
from server.jpki import TrustStore, load_trust_store
from server.mykey.factory import make_connector
from server.state import AppState
from server.testpki import test_pki_paths
from server.tickets.writer import TicketWriter


def load_trust(settings: Settings) -> TrustStore:
    """The J-LIS roots and CRLs these settings name (and the test PKI's when it is trusted).

    :raises SettingError: a file that cannot be read or is not a certificate / CRL, naming the setting.
    """
    root_paths, crl_paths = list(settings.jlis_root_paths), list(settings.crl_paths)
    if settings.use_test_pki:
        extra_roots, extra_crls = test_pki_paths(settings.test_pki_dir)
        root_paths += extra_roots
        crl_paths += extra_crls
    return load_trust_store(root_paths=root_paths, crl_paths=crl_paths)


def build_state(settings: Settings, *, clock: Clock | None = None) -> AppState:
    """Create the engine, the trust store and the connector for these settings."""
    engine = make_engine(settings.database_url)
    clock = clock or Clock(pinned_today=settings.today)
    sessions = make_session_factory(engine)
    write_gate = make_write_gate(engine)
    return AppState(
        settings=settings,
        engine=engine,
        sessions=sessions,
        clock=clock,
        trust=load_trust(settings),
        mykey=make_connector(settings=settings, clock=clock),
        kiosk_keys=KioskKeys(sessions),
        write_gate=write_gate,
        ticket_writer=TicketWriter(sessions=sessions, write_gate=write_gate, settings=settings, clock=clock),
        patrons=make_patron_source(settings=settings, clock=clock),
    )

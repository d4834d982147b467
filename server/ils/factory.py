"""Which patron source the server uses (settings.patron_source)."""

from __future__ import annotations

from pydantic import SecretStr

from server.clock import Clock
from server.config import Settings
from server.ils.base import PatronSource
from server.ils.database import DatabasePatronSource


def make_patron_source(*, settings: Settings, clock: Clock) -> PatronSource:
    """The database (default), or the ILS over SIP2 with the sip2_* settings."""
    if settings.patron_source == "database":
        return DatabasePatronSource()
    from server.ils.sip2.client import Sip2Client, Sip2Options
    from server.ils.source import Sip2PatronSource

    def secret(value: SecretStr | None) -> str:
        return value.get_secret_value() if value is not None else ""

    client = Sip2Client(Sip2Options(
        host=settings.sip2_host, port=settings.sip2_port, timeout_s=settings.sip2_timeout_seconds,
        pool_size=settings.sip2_pool_size, tls=settings.sip2_tls, tls_ca_file=settings.sip2_tls_ca_file,
        tls_server_name=settings.sip2_tls_server_name, login_user=settings.sip2_login_user,
        login_password=secret(settings.sip2_login_password), location_code=settings.sip2_location_code,
        encoding=settings.sip2_encoding, checksums=settings.sip2_checksums,
    ))
    return Sip2PatronSource(
        client, clock=clock, institution=settings.sip2_institution_id,
        terminal_password=secret(settings.sip2_terminal_password), message=settings.sip2_message,
        expiry_field=settings.sip2_expiry_field, expiry_format=settings.sip2_expiry_format,
        expiry_is_birthday=settings.sip2_expiry_is_birthday,
    )

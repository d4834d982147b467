"""Command line: `python -m server serve|migrate|admin ...` (see --help)."""

from __future__ import annotations

import argparse
import logging
import sys

from pydantic import ValidationError

from server import cli
from server.bootstrap import load_trust
from server.config import SettingError, Settings, check_readable_file, describe, load_settings
from server.db import check_database
from server.seed import seed_demo


def _serve(settings: Settings, args: argparse.Namespace) -> int:
    if args.demo or settings.demo:
        # The demo personas' certificates come from the test PKI, so the demo trusts it.
        settings = settings.model_copy(update={"demo": True, "use_test_pki": True})
    # The files settings name are read before anything is written or logged (importing Alembic logs),
    # so a bad one is the only line printed.
    tls = _tls(settings)
    load_trust(settings)
    # Imported here, after the settings are checked: importing Alembic logs; uvicorn and the app serve only.
    import uvicorn

    from server.app import create_app
    from server.db import upgrade

    # A fresh database is created and migrated on first start.
    upgrade(database_url=settings.database_url)
    app = create_app(settings)
    if settings.demo:
        seed_demo(state=app.state.server)
    if settings.listen_fd is not None:
        import socket  # only for a socket passed by systemd

        # socket(fileno=...) detects the family; uvicorn's own fd= option assumes AF_UNIX, so
        # asyncio would leave Nagle on and every kept-alive response would wait ~40 ms.
        try:
            sock = socket.socket(fileno=settings.listen_fd)
        except OSError as error:
            raise SettingError(f"listen_fd: {settings.listen_fd} is not an open socket ({error.strerror})") from None
        config = uvicorn.Config(app, log_level=settings.log_level, ssl_certfile=tls[0], ssl_keyfile=tls[1])
        uvicorn.Server(config).run(sockets=[sock])
    else:
        uvicorn.run(app, host=settings.host, port=settings.port, log_level=settings.log_level,
                    ssl_certfile=tls[0], ssl_keyfile=tls[1])
    return 0


def _tls(settings: Settings) -> tuple[str | None, str | None]:
    """uvicorn's certificate and key files when configured (config.py checks both or neither)."""
    if not settings.ssl_certfile:
        return None, None
    import ssl  # only with TLS configured

    check_readable_file("ssl_certfile", settings.ssl_certfile)
    check_readable_file("ssl_keyfile", str(settings.ssl_keyfile))
    # Load them once here: uvicorn would fail on a bad file only after start-up, with a traceback.
    try:
        ssl.create_default_context(ssl.Purpose.CLIENT_AUTH).load_cert_chain(settings.ssl_certfile,
                                                                             settings.ssl_keyfile)
    except (ssl.SSLError, OSError) as error:
        reason = getattr(error, "reason", None) or error.strerror or str(error)
        raise SettingError(f"ssl_certfile and ssl_keyfile: {settings.ssl_certfile} and {settings.ssl_keyfile} "
                           f"are not a PEM certificate and its key ({reason})") from None
    return settings.ssl_certfile, str(settings.ssl_keyfile)


def _migrate(settings: Settings, _args: argparse.Namespace) -> int:
    from server.db import upgrade  # imported here: importing Alembic logs

    upgrade(database_url=settings.database_url)
    print("database schema is up to date")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, load settings (a bad setting is named, not a traceback), run the command."""
    parser = argparse.ArgumentParser(prog="python -m server", description="Saga Library central registration API")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="run the API (migrates the database first)")
    serve.add_argument("--demo", action="store_true", help="seed the demo data set and trust the test PKI")
    serve.set_defaults(run=_serve)
    commands.add_parser("migrate", help="create or upgrade the database schema").set_defaults(run=_migrate)
    cli.add_parser(commands)
    args = parser.parse_args(argv)
    try:
        settings = load_settings()
    except ValidationError as error:
        for line in describe(error):
            print(f"server: bad setting {line}", file=sys.stderr)
        return 2
    except SettingError as error:
        print(f"server: bad setting {error}", file=sys.stderr)
        return 2
    logging.basicConfig(level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        _check_databases(settings)
        return args.run(settings, args)
    except SettingError as error:  # found while starting: a database, a certificate or key file
        print(f"server: bad setting {error}", file=sys.stderr)
        return 2


def _check_databases(settings: Settings) -> None:
    """Every command uses the database: an unusable one is named before any of them starts."""
    check_database(settings.database_url)
    if settings.mykey_database_url:
        check_database(settings.mykey_database_url, setting="mykey_database_url")


if __name__ == "__main__":
    sys.exit(main())

"""Command line: `python -m server serve|migrate|admin ...` (see --help)."""

from __future__ import annotations

import argparse
import logging
import sys

from pydantic import ValidationError

from server.config import Settings, load_settings


def _serve(settings: Settings, args: argparse.Namespace) -> int:
    import uvicorn

    from server.app import create_app
    from server.schema import upgrade

    if args.demo or settings.demo:
        # The demo personas' certificates come from the test PKI, so the demo trusts it.
        settings = settings.model_copy(update={"demo": True, "use_test_pki": True})
    # A fresh database is created and migrated on first start.
    upgrade(database_url=settings.database_url)
    app = create_app(settings)
    if settings.demo:
        from server.seed import seed_demo

        seed_demo(state=app.state.server)
    if settings.listen_fd is not None:
        import socket

        # socket(fileno=...) detects the family; uvicorn's own fd= option assumes AF_UNIX, so
        # asyncio would leave Nagle on and every kept-alive response would wait ~40 ms.
        sock = socket.socket(fileno=settings.listen_fd)
        uvicorn.Server(uvicorn.Config(app, log_level=settings.log_level, **_tls(settings))).run(sockets=[sock])
    else:
        uvicorn.run(app, host=settings.host, port=settings.port, log_level=settings.log_level, **_tls(settings))
    return 0


def _tls(settings: Settings) -> dict[str, str]:
    """uvicorn's TLS options when a certificate is configured (both files, or neither)."""
    if bool(settings.ssl_certfile) != bool(settings.ssl_keyfile):
        raise SystemExit("server: set both ssl_certfile and ssl_keyfile, or neither")
    if not settings.ssl_certfile:
        return {}
    return {"ssl_certfile": settings.ssl_certfile, "ssl_keyfile": str(settings.ssl_keyfile)}


def _migrate(settings: Settings, _args: argparse.Namespace) -> int:
    from server.schema import upgrade

    upgrade(database_url=settings.database_url)
    print("database schema is up to date")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, load settings (a bad setting is named, not a traceback), run the command."""
    from server import admin_cli

    parser = argparse.ArgumentParser(prog="python -m server", description="Saga Library central registration API")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="run the API (migrates the database first)")
    serve.add_argument("--demo", action="store_true", help="seed the demo data set and trust the test PKI")
    serve.set_defaults(run=_serve)
    commands.add_parser("migrate", help="create or upgrade the database schema").set_defaults(run=_migrate)
    admin_cli.add_parser(commands)
    args = parser.parse_args(argv)
    try:
        settings = load_settings()
    except ValidationError as error:
        for problem in error.errors():
            setting = ".".join(str(p) for p in problem["loc"])
            print(f"server: bad setting {setting!r}: {problem['msg']} (config/server.toml or SERVER_{setting.upper()})",
                  file=sys.stderr)
        return 2
    logging.basicConfig(level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    return args.run(settings, args)


if __name__ == "__main__":
    sys.exit(main())

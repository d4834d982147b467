"""Diagnostics as lines a member of staff reads on the kiosk, in the session's language: true states,
never a guess (a probe that failed says so, with its error)."""

from __future__ import annotations

from kiosk import i18n
from kiosk.clock import LIBRARY_TZ
from kiosk.maintenance.diagnostics import Diagnostics

REFUSED_SHOWN = 5


def _yes_no(ok: bool, lang: str) -> str:
    return i18n.translate("diag.ok" if ok else "diag.ng", lang)


def describe(d: Diagnostics, lang: str) -> list[str]:
    """One line per probe, then the version and the settings in effect (secrets masked)."""
    t = lambda key, **v: i18n.translate(key, lang, **v)  # noqa: E731 - a local shorthand
    reader = d.reader
    readers = ", ".join(reader.readers) or t("diag.none")
    card = "-" if reader.card_present is None else _yes_no(reader.card_present, lang)
    lines = [t("diag.reader", ok=_yes_no(reader.ok, lang), readers=readers, card=card)]
    if reader.error:
        lines.append(t("diag.error", error=reader.error))
    server = d.server
    rtt = f"{server.rtt_ms:.0f} ms" if server.rtt_ms is not None else "-"
    lines.append(t("diag.server", ok=_yes_no(server.reachable, lang), url=server.url, rtt=rtt))
    if server.error:
        lines.append(t("diag.error", error=server.error))
    printer = d.printer
    lines.append(t("diag.printer", backend=printer.backend, ok=_yes_no(printer.online, lang), paper=printer.paper,
                   cover=_yes_no(not printer.cover_open, lang)))
    if printer.error:
        lines.append(t("diag.error", error=printer.error))
    if d.clock is not None:
        lines.append(t("diag.clock", ok=_yes_no(d.clock.within_window, lang), skew=f"{d.clock.skew_s:+.0f}",
                       window=d.clock.window_s))
    elif d.clock_error:
        lines.append(t("diag.clock", ok="-", skew="?", window="?"))
        lines.append(t("diag.error", error=d.clock_error))
    if d.clock_warning:
        lines.append(t("diag.error", error=d.clock_warning))
    disk = d.disk
    free = f"{disk.free_bytes / 2**30:.1f} GiB" if disk.free_bytes is not None else "-"
    lines.append(t("diag.disk", free=free, path=disk.path))
    outbox = "-" if d.outbox_length is None else str(d.outbox_length)
    lines.append(t("diag.outbox", count=outbox))
    if d.outbox_error:
        lines.append(t("diag.error", error=d.outbox_error))
    if d.outbox_refused:
        lines.append(t("diag.outbox_refused", count=len(d.outbox_refused)))
        for item in d.outbox_refused[-REFUSED_SHOWN:]:  # the latest; the rest are in the outbox file
            lines.append(f"  {item.created_at.astimezone(LIBRARY_TZ):%Y-%m-%d %H:%M} {item.kind}: {item.error}")
    lines.append(t("diag.version", version=d.version, kiosk=d.kiosk_id))
    for section, values in d.config.items():
        shown = ", ".join(f"{k}={v}" for k, v in values.items() if k != "options")
        lines.append(f"[{section}] {shown}")
    return lines

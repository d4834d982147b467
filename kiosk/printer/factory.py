"""Build the configured printer from the `[printer]` settings table (a plain dict)."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

from kiosk.printer.base import TicketPrinter
from kiosk.printer.errors import PrinterConfigError
from kiosk.printer.file_backend import DEFAULT_DIRECTORY, FilePrinter

# Keys read by the renderer or by some backend; a key outside this set is a typo and is refused.
# Keys of another backend are ignored, so switching `backend` does not mean deleting the others.
KNOWN_KEYS = frozenset({
    "backend", "width_dots", "font",  # common
    "directory",  # file
    "profile", "impl", "cut", "check_status", "timeout",  # every ESC/POS backend
    "vendor_id", "product_id", "in_ep", "out_ep",  # usb
    "host", "port",  # network
    "device", "baudrate",  # serial
})


def printer_from_config(settings: Mapping[str, Any]) -> TicketPrinter:
    """The printer for `backend = "file" | "usb" | "network" | "serial"` (default "file").

    Accepts the flat table or a dict with the extra keys nested under `options`
    (as `dataclasses.asdict(kiosk.config.PrinterSettings)` gives).
    :raises PrinterConfigError: naming the missing or bad key.
    """
    values = _flatten(settings)
    unknown = sorted(set(values) - KNOWN_KEYS)
    if unknown:
        raise PrinterConfigError(f"printer.{unknown[0]}: unknown setting")
    backend = _get(values, "backend", str, "file")
    build = _BUILDERS.get(backend)
    if build is None:
        raise PrinterConfigError(f"printer.backend: must be one of {', '.join(_BUILDERS)}, not {backend!r}")
    return build(values)


def _flatten(settings: Mapping[str, Any]) -> dict[str, Any]:
    options = settings.get("options") or {}
    return {**options, **{k: v for k, v in settings.items() if k != "options"}}


def _file(v: dict[str, Any]) -> TicketPrinter:
    return FilePrinter(_get(v, "directory", str, DEFAULT_DIRECTORY), width_dots=_width(v))


# The ESC/POS backends are imported when chosen: python-escpos parses its printer-profile database at
# import (about 0.2 s), which a kiosk printing to a file, or starting up, should not pay.
def _network(v: dict[str, Any]) -> TicketPrinter:
    from kiosk.printer.escpos_backend import NetworkTicketPrinter

    return NetworkTicketPrinter(_required(v, "host", str), _get(v, "port", int, 9100),
                                _get(v, "timeout", float, 5.0), **_escpos_common(v))


def _usb(v: dict[str, Any]) -> TicketPrinter:
    from kiosk.printer.escpos_backend import UsbTicketPrinter

    return UsbTicketPrinter(_required(v, "vendor_id", int), _required(v, "product_id", int),
                            in_ep=_get(v, "in_ep", int, None), out_ep=_get(v, "out_ep", int, None),
                            timeout=_get(v, "timeout", float, 5.0), **_escpos_common(v))


def _serial(v: dict[str, Any]) -> TicketPrinter:
    from kiosk.printer.escpos_backend import SerialTicketPrinter

    return SerialTicketPrinter(_required(v, "device", str), _get(v, "baudrate", int, 9600),
                               _get(v, "timeout", float, 1.0), **_escpos_common(v))


_BUILDERS: dict[str, Callable[[dict[str, Any]], TicketPrinter]] = {
    "file": _file, "usb": _usb, "network": _network, "serial": _serial,
}


def _escpos_common(v: dict[str, Any]) -> dict[str, Any]:
    impl = _get(v, "impl", str, "bitImageRaster")
    if impl not in ("bitImageRaster", "graphics", "bitImageColumn"):
        raise PrinterConfigError("printer.impl: must be bitImageRaster, graphics or bitImageColumn")
    cut = _get(v, "cut", str, "full")
    if cut not in ("full", "partial"):
        raise PrinterConfigError("printer.cut: must be full or partial")
    return {"width_dots": _width(v), "profile": _get(v, "profile", str, None), "impl": impl, "cut": cut,
            "check_status": _get(v, "check_status", bool, True)}


# Paper widths in dots a backend accepts: whole bytes, from 58 mm heads (384) up to 104 mm (832).
WIDTHS = range(256, 833, 8)


def _width(v: dict[str, Any]) -> int:
    width = _get(v, "width_dots", int, 576)
    if width not in WIDTHS:
        raise PrinterConfigError("printer.width_dots: must be a multiple of 8 from 256 to 832 (576 = 80 mm)")
    return width


def _required(v: dict[str, Any], key: str, kind: type) -> Any:
    if v.get(key) in (None, ""):
        raise PrinterConfigError(f"printer.{key}: required for backend {v.get('backend')!r}")
    return _get(v, key, kind, None)


def _get(v: dict[str, Any], key: str, kind: type, default: Any) -> Any:
    raw = v.get(key)
    if raw is None:
        return default
    try:
        if kind is bool:
            if isinstance(raw, bool):
                return raw
            if str(raw).lower() in ("true", "1", "yes", "false", "0", "no"):
                return str(raw).lower() in ("true", "1", "yes")
            raise ValueError(raw)
        if kind is int and isinstance(raw, str):
            return int(raw, 0)  # USB ids are written in hex, e.g. "0x04b8"
        if kind in (int, float) and isinstance(raw, bool):
            raise ValueError(raw)
        value = kind(raw)
        # The only float is a timeout in seconds: NaN, infinite, zero or less would fail or hang every print.
        if kind is float and not (math.isfinite(value) and value > 0):
            raise ValueError(raw)
        return value
    except ValueError:
        expected = "a positive number of seconds" if kind is float else kind.__name__
        raise PrinterConfigError(f"printer.{key}: expected {expected}, got {raw!r}") from None

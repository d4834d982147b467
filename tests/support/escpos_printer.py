"""A fake raw-TCP (port 9100 style) ESC/POS printer on loopback, for tests without hardware.

It records every byte it receives, decodes the few commands the kiosk sends (ESC @, images in each of
the backend's modes: GS v 0 raster, GS ( L graphics stored then printed, ESC * columns; ESC d feeds,
GS V cuts, DLE EOT status queries), answers status queries from a settable state (or raw bytes), and
can be stopped to play a printer that is switched off. `decode` reads a byte string the same way.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from PIL import Image

DLE_EOT = b"\x10\x04"
GS_V0 = b"\x1dv0"
GS_CUT = b"\x1dV"
ESC_INIT = b"\x1b@"
ESC_FEED = b"\x1bd"
GS_L = b"\x1d(L"  # GS ( L pL pH m fn ...: the length pL + 256 pH counts m, fn and the data (at most 65,535)
ESC_COLUMNS = b"\x1b*"
ESC_LINE_SPACING = b"\x1b3"
ESC_DEFAULT_SPACING = b"\x1b2"
LF = b"\n"
GRAPHICS_STORE, GRAPHICS_PRINT = 0x70, 0x32  # GS ( L fn 112: store raster graphics; fn 50: print it


@dataclass
class PrinterState:
    """What the fake printer reports; change it while the printer runs."""

    cover_open: bool = False
    paper: str = "ok"  # "ok" | "near_end" | "out"
    offline: bool = False
    silent: bool = False  # accept connections but never answer a status query

    def reply(self, n: int) -> bytes:
        """The one-byte answer a real printer gives to DLE EOT n (fixed bits 0x12 always set)."""
        paper_out = self.paper == "out"
        if n == 1:
            return bytes([0x12 | (0x08 if self.offline or self.cover_open or paper_out else 0)])
        if n == 2:
            return bytes([0x12 | (0x04 if self.cover_open else 0) | (0x20 if paper_out else 0)])
        if n == 3:
            return b"\x12"
        if n == 4:
            near = self.paper in ("near_end", "out")
            return bytes([0x12 | (0x0C if near else 0) | (0x60 if paper_out else 0)])
        return b""


@dataclass
class Job:
    """What one connection sent, decoded."""

    raw: bytearray = field(default_factory=bytearray)
    commands: list[str] = field(default_factory=list)
    images: list[Image.Image] = field(default_factory=list)
    stored: Image.Image | None = None  # GS ( L graphics stored, not yet printed
    closed: bool = False  # the connection has ended: everything it sent is in raw, commands and images

    def printed_image(self) -> Image.Image | None:
        """The raster bands of this job stacked into one image, as the paper would show them."""
        if not self.images:
            return None
        width = max(i.width for i in self.images)
        out = Image.new("1", (width, sum(i.height for i in self.images)), 1)
        y = 0
        for band in self.images:
            out.paste(band, (0, y))
            y += band.height
        return out


class FakeEscposPrinter:
    """Listens on 127.0.0.1 on a free port; use as a context manager or call start() and stop()."""

    def __init__(self, state: PrinterState | None = None, replies: dict[int, bytes] | None = None) -> None:
        self.state = state or PrinterState()
        # Raw answers by DLE EOT n override the state, to send malformed or unusual bytes.
        self.replies = replies or {}
        self.jobs: list[Job] = []
        self._lock = threading.Lock()
        self._listener: socket.socket | None = None
        self._conns: list[socket.socket] = []
        self._threads: list[threading.Thread] = []
        self.host = "127.0.0.1"
        self.port = 0

    def start(self) -> FakeEscposPrinter:
        """Start listening; the port is chosen by the OS."""
        self._listener = socket.create_server((self.host, 0))
        self.port = self._listener.getsockname()[1]
        self._spawn(self._accept_loop)
        return self

    def stop(self) -> None:
        """Close the listener and every connection: from now on connecting is refused, like a printer off."""
        if self._listener:
            # shutdown() wakes the thread blocked in accept(); close() alone would leave it accepting.
            try:
                self._listener.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            self._listener.close()
            self._listener = None
        with self._lock:
            conns, self._conns = self._conns, []
        for conn in conns:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            conn.close()
        for t in self._threads:
            t.join(timeout=2)

    def __enter__(self) -> FakeEscposPrinter:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def received(self) -> bytes:
        """Every byte received so far, over all connections."""
        with self._lock:
            return b"".join(bytes(j.raw) for j in self.jobs)

    def idle(self) -> bool:
        """Every connection so far has ended, so what it sent is all decoded (poll this, never sleep)."""
        with self._lock:
            return all(j.closed for j in self.jobs)

    @property
    def images(self) -> list[Image.Image]:
        """Every raster image band received so far."""
        with self._lock:
            return [img for j in self.jobs for img in j.images]

    def _spawn(self, target: Callable[..., None], *args: object) -> None:
        t = threading.Thread(target=target, args=args, daemon=True)
        self._threads.append(t)
        t.start()

    def _accept_loop(self) -> None:
        listener = self._listener
        while listener is not None:
            try:
                conn, _ = listener.accept()
            except OSError:
                return  # listener closed by stop()
            with self._lock:
                self._conns.append(conn)
                job = Job()
                self.jobs.append(job)
            self._spawn(self._serve, conn, job)

    def _serve(self, conn: socket.socket, job: Job) -> None:
        try:
            self._receive(conn, job)
        finally:
            with self._lock:
                job.closed = True

    def _receive(self, conn: socket.socket, job: Job) -> None:
        buf = bytearray()
        with conn:
            while True:
                try:
                    chunk = conn.recv(65536)
                except OSError:
                    return
                if not chunk:
                    return
                with self._lock:
                    job.raw.extend(chunk)
                buf.extend(chunk)
                try:
                    self._decode(buf, job, conn)
                except OSError:
                    return

    def _decode(self, buf: bytearray, job: Job, conn: socket.socket) -> None:
        """Consume every complete command at the front of buf; leave a partial one for the next chunk."""
        for n in decode_into(buf, job, self._lock):
            if not self.state.silent:
                conn.sendall(self.replies.get(n, self.state.reply(n)))


def decode(raw: bytes) -> Job:
    """The commands and printed image bands of a whole job's bytes (what a printer would make of them)."""
    job = Job(raw=bytearray(raw))
    buf = bytearray(raw)
    list(decode_into(buf, job, threading.Lock()))
    if buf:
        job.commands.append("truncated")
    return job


def _band(width: int, height: int, data: bytes) -> Image.Image:
    # Raster bits are 1 = black, rows padded to whole bytes; Pillow's "1;I" raw mode reads exactly that.
    return Image.frombytes("1", (width, height), data, "raw", "1;I")


def decode_into(buf: bytearray, job: Job, lock: threading.Lock) -> Iterator[int]:
    """Consume complete commands at the front of buf into job; yields n for each DLE EOT n to answer."""
    while buf:
        if buf.startswith(DLE_EOT):
            if len(buf) < 3:
                return
            n = buf[2]
            job.commands.append(f"status{n}")
            del buf[:3]
            yield n
        elif buf.startswith(GS_V0):
            if len(buf) < 8:
                return
            width_bytes = buf[4] | buf[5] << 8
            height = buf[6] | buf[7] << 8
            end = 8 + width_bytes * height
            if len(buf) < end:
                return
            band = _band(width_bytes * 8, height, bytes(buf[8:end]))
            with lock:
                job.images.append(band)
            job.commands.append("image")
            del buf[:end]
        elif buf.startswith(GS_L):
            if len(buf) < 7:
                return
            end = 5 + (buf[3] | buf[4] << 8)
            if len(buf) < end:
                return
            fn, data = buf[6], bytes(buf[7:end])
            del buf[:end]
            if fn == GRAPHICS_PRINT:
                if job.stored is not None:
                    with lock:
                        job.images.append(job.stored)
                job.stored = None
                job.commands.append("graphics-print")
                continue
            width, height = (data[4] | data[5] << 8, data[6] | data[7] << 8) if len(data) >= 8 else (0, 0)
            if fn != GRAPHICS_STORE or len(data) != 8 + -(-width // 8) * height:
                # What a printer reads when the length field and the image disagree: not an image.
                job.commands.append("graphics-garbled")
                continue
            job.stored = _band(width, height, data[8:])
            job.commands.append("graphics-store")
        elif buf.startswith(ESC_COLUMNS):
            if len(buf) < 5:
                return
            m, columns = buf[2], buf[3] | buf[4] << 8
            rows = 24 if m in (32, 33) else 8  # 24-dot or 8-dot columns, MSB the top dot
            end = 5 + columns * rows // 8
            if len(buf) < end:
                return
            column_major = _band(rows, columns, bytes(buf[5:end]))
            band = column_major.transpose(Image.Transpose.TRANSPOSE)
            with lock:
                job.images.append(band)
            job.commands.append("columns")
            del buf[:end]
        elif buf.startswith(ESC_LINE_SPACING):
            if len(buf) < 3:
                return
            job.commands.append("line-spacing")
            del buf[:3]
        elif buf.startswith(ESC_DEFAULT_SPACING):
            job.commands.append("default-spacing")
            del buf[:2]
        elif buf.startswith(LF):
            job.commands.append("lf")
            del buf[:1]
        elif buf.startswith(GS_CUT):
            if len(buf) < 3:
                return
            size = 4 if buf[2] in (65, 66) else 3  # GS V 65/66 n carry a feed amount
            if len(buf) < size:
                return
            job.commands.append("cut")
            del buf[:size]
        elif buf.startswith(ESC_INIT):
            job.commands.append("init")
            del buf[:2]
        elif buf.startswith(ESC_FEED):
            if len(buf) < 3:
                return
            job.commands.append("feed")
            del buf[:3]
        elif len(buf) < 4 and bytes(buf) in (b"\x10", b"\x1d", b"\x1b", b"\x1dv", b"\x1dV", b"\x1d(", b"\x1d(L"):
            return  # the start of a command split across two chunks
        else:
            job.commands.append(f"byte{buf[0]:02x}")
            del buf[:1]

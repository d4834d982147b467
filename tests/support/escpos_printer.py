"""A fake raw-TCP (port 9100 style) ESC/POS printer on loopback, for tests without hardware.

It records every byte it receives, decodes the few commands the kiosk sends (ESC @, GS v 0 raster
images, ESC d feeds, GS V cuts, DLE EOT status queries), answers status queries from a settable
state (or raw bytes), and can be stopped to play a printer that is switched off.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from PIL import Image

DLE_EOT = b"\x10\x04"
GS_V0 = b"\x1dv0"
GS_CUT = b"\x1dV"
ESC_INIT = b"\x1b@"
ESC_FEED = b"\x1bd"


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
        while buf:
            if buf.startswith(DLE_EOT):
                if len(buf) < 3:
                    return
                n = buf[2]
                job.commands.append(f"status{n}")
                del buf[:3]
                if not self.state.silent:
                    conn.sendall(self.replies.get(n, self.state.reply(n)))
            elif buf.startswith(GS_V0):
                if len(buf) < 8:
                    return
                width_bytes = buf[4] | buf[5] << 8
                height = buf[6] | buf[7] << 8
                end = 8 + width_bytes * height
                if len(buf) < end:
                    return
                # Raster bits are 1 = black; Pillow's "1;I" raw mode reads exactly that.
                band = Image.frombytes("1", (width_bytes * 8, height), bytes(buf[8:end]), "raw", "1;I")
                with self._lock:
                    job.images.append(band)
                job.commands.append("image")
                del buf[:end]
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
            elif len(buf) < 3 and bytes(buf) in (b"\x10", b"\x1d", b"\x1b", b"\x1dv", b"\x1dV"):
                return  # the start of a command split across two chunks
            else:
                job.commands.append(f"byte{buf[0]:02x}")
                del buf[:1]

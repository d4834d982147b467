"""The virtual card on vsmartcard-vpcd's wire: a client socket to the vpcd driver inside pcscd.

Wire format: 2-byte big-endian length, then the payload. A 1-byte payload is a
control code (0 power off, 1 power on, 2 reset, 4 get ATR; only ATR is
answered); anything else is a command APDU answered with a response APDU.
Inserting the card is connecting the socket; removing it is closing it.
"""

from __future__ import annotations

import logging
import socket
import threading
import time

from virtualcard.card import CardPulledOut, CardWentMute, VirtualCard

log = logging.getLogger(__name__)

CTRL_OFF, CTRL_ON, CTRL_RESET, CTRL_ATR = 0, 1, 2, 4
# pcscd misses a removal when the card comes back within ~0.4 s of leaving.
REINSERT_GAP = 0.6


def _recv_exact(sock: socket.socket, n: int) -> bytes | None:
    buf = bytearray()
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            return None
        buf += chunk
    # Without QUICKACK each APDU waits ~40 ms for a delayed ACK; Linux resets it after every read.
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_QUICKACK, 1)
    return bytes(buf)


def _send(sock: socket.socket, payload: bytes) -> None:
    sock.sendall(len(payload).to_bytes(2, "big") + payload)


class CardServer:
    """Holds at most one VirtualCard in the vpcd reader at `host:port`; insert() and remove() it."""

    def __init__(self, port: int, host: str = "127.0.0.1") -> None:
        self.host, self.port = host, port
        self.card: VirtualCard | None = None
        self._sock: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._removed_at = 0.0
        self.pulled_out = threading.Event()  # set when a persona pulled its card out by itself
        self.went_mute = threading.Event()  # set when the card stopped answering (VirtualCard.stall_on_ins)

    @property
    def inserted(self) -> bool:
        """True while a card sits in the reader."""
        return self._sock is not None

    def insert(self, card: VirtualCard, timeout: float = 5.0) -> None:
        """Put `card` in the reader (removing any other first); waits for vpcd to accept."""
        self.remove()
        wait = REINSERT_GAP - (time.monotonic() - self._removed_at)
        if wait > 0:
            time.sleep(wait)
        deadline = time.monotonic() + timeout
        while True:
            try:
                sock = socket.create_connection((self.host, self.port), timeout=1.0)
                break
            except OSError:
                # pcscd may still be loading the vpcd driver.
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.02)
        sock.settimeout(None)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        with self._lock:
            self.card, self._sock = card, sock
            self.pulled_out.clear()
            self.went_mute.clear()
            self._thread = threading.Thread(target=self._serve, args=(sock,), daemon=True, name="vpcd-card")
            self._thread.start()
        log.info("card %s inserted into vpcd port %d", card.persona.key, self.port)

    def swap(self, card: VirtualCard) -> None:
        """Replace the card behind a live connection, without a removal pcscd would have to notice.

        For tests that exercise commands rather than insertion: it saves the ~0.4 s
        pcscd's presence polling takes per insert and per remove. pcscd keeps the
        previous card's ATR, so swap only between cards with the same ATR.
        """
        with self._lock:
            if self._sock is None:
                raise RuntimeError("no card inserted to swap")
            if self.card is not None and self.card.atr != card.atr:
                raise ValueError("swap needs cards with the same ATR; insert() instead")
            card.power_on()
            self.card = card

    def remove(self) -> None:
        """Take the card out (close the socket); no-op when the reader is empty."""
        with self._lock:
            sock, thread = self._sock, self._thread
            self._sock = self._thread = None
        if sock is None:
            return
        _close(sock)
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=5)
        self._removed_at = time.monotonic()
        if self.card is not None:
            self.card.power_off()
        log.info("card removed from vpcd port %d", self.port)

    def _serve(self, sock: socket.socket) -> None:
        try:
            while True:
                header = _recv_exact(sock, 2)
                if header is None:
                    return
                payload = _recv_exact(sock, int.from_bytes(header, "big"))
                if payload is None:
                    return
                card = self.card
                assert card is not None
                if len(payload) == 1:
                    code = payload[0]
                    if code == CTRL_ATR:
                        _send(sock, card.atr)
                    elif code in (CTRL_OFF, CTRL_RESET):
                        card.power_off()
                    elif code == CTRL_ON:
                        card.power_on()
                    continue
                try:
                    response = card.process(payload)
                except CardPulledOut:
                    log.info("persona %s pulls the card out mid-command", card.persona.key)
                    self._pull_out(sock)
                    return
                except CardWentMute:
                    log.info("card %s goes mute: no answer until it is taken out", card.persona.key)
                    self.went_mute.set()
                    _wait_closed(sock)
                    return
                _send(sock, response)
        except OSError:
            return  # closed by remove() or by pcscd going away

    def _pull_out(self, sock: socket.socket) -> None:
        with self._lock:
            if self._sock is sock:
                self._sock = self._thread = None
        _close(sock)
        self._removed_at = time.monotonic()
        if self.card is not None:
            self.card.power_off()
        self.pulled_out.set()

    def close(self) -> None:
        """Remove the card and release everything."""
        self.remove()


def _wait_closed(sock: socket.socket) -> None:
    """Read and drop whatever vpcd sends, answering nothing, until the line is closed (the card taken out)."""
    while sock.recv(4096):
        pass


def _close(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    sock.close()

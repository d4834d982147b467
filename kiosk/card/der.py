"""The DER header of a certificate: enough to know how many bytes to READ BINARY."""

from __future__ import annotations

from kiosk.card.errors import MalformedDataError
from kiosk.card.tlv import read_length

TAG_SEQUENCE = 0x30
HEADER_MAX = 5  # 30 83 LL LL LL
MAX_CERTIFICATE_SIZE = 8 * 1024  # a JPKI auth certificate is about 1.3 KB; 8 KB is ample


def certificate_size(header: bytes, max_size: int = MAX_CERTIFICATE_SIZE) -> int:
    """Total DER size of the SEQUENCE whose first bytes are `header`.

    Strict DER: the tag must be SEQUENCE, the length definite and minimally
    encoded, and the total at most `max_size`.
    """
    if len(header) < 2:
        raise MalformedDataError("truncated certificate header")
    if header[0] != TAG_SEQUENCE:
        raise MalformedDataError(f"certificate does not start with a SEQUENCE (tag {header[0]:02X})")
    length, offset = read_length(header, 1, max_length=max_size)
    count = header[1] & 0x7F if header[1] & 0x80 else 0
    if count and (length < 0x80 or length < 1 << (8 * (count - 1))):
        raise MalformedDataError("length is not minimally encoded (not DER)")
    total = offset + length
    if total > max_size:
        raise MalformedDataError(f"certificate of {total} bytes exceeds the limit of {max_size}")
    return total

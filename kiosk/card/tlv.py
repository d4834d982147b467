"""Strict, bounded BER-TLV parsing (ISO 7816-4 SIMPLE/BER tags as the My Number card uses them).

Every length is checked against the bytes actually present before anything is
sliced, tags are at most 3 bytes, lengths at most 3 length bytes and
`max_length`, and the number of items is capped: garbage, truncated or oversized
input raises MalformedDataError, it can never loop or over-read.
"""

from __future__ import annotations

from dataclasses import dataclass

from kiosk.card.errors import MalformedDataError

MAX_TAG_BYTES = 3
DEFAULT_MAX_LENGTH = 16 * 1024
DEFAULT_MAX_ITEMS = 64


@dataclass(frozen=True)
class Tlv:
    """One tag-length-value item; `tag` is the tag bytes as an integer (e.g. 0xDF22)."""

    tag: int
    value: bytes
    size: int  # header + value, the bytes this item occupies


def read_tag(data: bytes, offset: int) -> tuple[int, int]:
    """Read a BER tag at offset; return (tag, offset after it)."""
    if offset >= len(data):
        raise MalformedDataError("truncated: tag expected")
    first = data[offset]
    tag = first
    offset += 1
    if first & 0x1F == 0x1F:
        # Multi-byte tag: continuation bytes have bit 8 set; the last one has it clear.
        count = 1
        while True:
            if offset >= len(data):
                raise MalformedDataError("truncated inside a multi-byte tag")
            byte = data[offset]
            offset += 1
            count += 1
            if count > MAX_TAG_BYTES:
                raise MalformedDataError("tag longer than 3 bytes")
            tag = (tag << 8) | byte
            if not byte & 0x80:
                break
    return tag, offset


def read_length(data: bytes, offset: int, max_length: int = DEFAULT_MAX_LENGTH) -> tuple[int, int]:
    """Read a definite BER length at offset; return (length, offset after it)."""
    if offset >= len(data):
        raise MalformedDataError("truncated: length expected")
    first = data[offset]
    offset += 1
    if first < 0x80:
        length = first
    elif first == 0x80:
        raise MalformedDataError("indefinite length is not allowed")
    else:
        count = first & 0x7F
        if count > 3:
            raise MalformedDataError(f"length uses {count} bytes; at most 3 allowed")
        if offset + count > len(data):
            raise MalformedDataError("truncated inside a length")
        length = int.from_bytes(data[offset : offset + count], "big")
        offset += count
    if length > max_length:
        raise MalformedDataError(f"length {length} exceeds the limit of {max_length}")
    return length, offset


def read_tlv(data: bytes, offset: int = 0, max_length: int = DEFAULT_MAX_LENGTH) -> Tlv:
    """Read one TLV starting at offset; the value must lie entirely inside `data`."""
    start = offset
    tag, offset = read_tag(data, offset)
    length, offset = read_length(data, offset, max_length)
    end = offset + length
    if end > len(data):
        raise MalformedDataError(f"truncated: tag {tag:X} declares {length} bytes, {len(data) - offset} present")
    return Tlv(tag, bytes(data[offset:end]), end - start)


def parse_all(
    data: bytes, max_items: int = DEFAULT_MAX_ITEMS, max_length: int = DEFAULT_MAX_LENGTH
) -> list[Tlv]:
    """Parse a concatenation of TLVs that must fill `data` exactly."""
    items: list[Tlv] = []
    offset = 0
    while offset < len(data):
        if len(items) >= max_items:
            raise MalformedDataError(f"more than {max_items} TLV items")
        item = read_tlv(data, offset, max_length)
        items.append(item)
        offset += item.size
    return items


def total_size(header: bytes, max_length: int = DEFAULT_MAX_LENGTH) -> int:
    """From the first bytes of a TLV, the size of the whole item (header + value)."""
    _, offset = read_tag(header, 0)
    length, offset = read_length(header, offset, max_length)
    return offset + length

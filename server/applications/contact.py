"""The contact details a patron adds at the kiosk: a Japanese phone number and an e-mail address.

Both are checked for syntax only (nobody is called or mailed), after NFKC so that full-width digits, hyphens
and ＠ typed on a Japanese keyboard read as their ASCII forms; the normalised text is what is stored.
A refusal is a typed error (invalid_phone, invalid_email), so the kiosk can point at the field.
"""

from __future__ import annotations

import re
import unicodedata

from server.errors import ApiError

# Digits and at most two hyphens between groups: 0952-24-2900, 090-1234-5678, 0120-123-456, 09012345678.
_PHONE = re.compile(r"[0-9]+(-[0-9]+){0,2}")
# Mobile, IP and M2M numbers (0X0) have 11 digits; so has the toll-free 0800. Every other number has 10.
_ELEVEN_DIGITS = re.compile(r"^(0[2-9]0|0800)")
PHONE_MAX = 13  # 11 digits and two hyphens
EMAIL_MAX = 254  # RFC 5321's path limit less the angle brackets
_LOCAL = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*")
_LABEL = re.compile(r"[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?")
_TOP_LABEL = re.compile(r"[A-Za-z]{2,63}|xn--[A-Za-z0-9-]{1,59}")


def phone_number(text: str) -> str:
    """A Japanese phone number as stored (NFKC, hyphens kept), else ApiError("invalid_phone")."""
    phone = unicodedata.normalize("NFKC", text).strip()
    digits = phone.replace("-", "")
    if len(phone) > PHONE_MAX or not _PHONE.fullmatch(phone) or not digits.startswith("0") or digits.startswith("00"):
        raise ApiError("invalid_phone")
    if len(digits) != (11 if _ELEVEN_DIGITS.match(digits) else 10):
        raise ApiError("invalid_phone")
    return phone


def email_address(text: str) -> str:
    """An e-mail address as stored (NFKC, the domain in lower case), else ApiError("invalid_email").

    Dot-atom local part of up to 64 characters, a domain of at least two labels with an alphabetic (or
    punycode) top label: what a patron can type, not every form RFC 5322 allows (quoted local parts, IP
    literals), which no mail the library sends needs.
    """
    email = unicodedata.normalize("NFKC", text).strip()
    if len(email) > EMAIL_MAX or not email.isascii() or email.count("@") != 1:
        raise ApiError("invalid_email")
    local, domain = email.split("@")
    labels = domain.split(".")
    if not (0 < len(local) <= 64 and _LOCAL.fullmatch(local) and len(labels) >= 2
            and all(_LABEL.fullmatch(label) for label in labels) and _TOP_LABEL.fullmatch(labels[-1])):
        raise ApiError("invalid_email")
    return f"{local}@{domain.lower()}"

"""Card bodies: the single-use challenge, and the card's answer to it (its certificate and signature)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

_STRICT = ConfigDict(extra="forbid")


# Base64 text of a DER certificate (a JPKI certificate is about 1.5 kB) and of an RSA-2048 signature.
Base64Certificate = Field(min_length=4, max_length=8192, pattern=r"^[A-Za-z0-9+/=\s]+$")


Base64Signature = Field(min_length=4, max_length=1024, pattern=r"^[A-Za-z0-9+/=\s]+$")


class ChallengeCreate(BaseModel):
    """Ask for a one-time challenge (no fields today; the body is `{}`)."""

    model_config = _STRICT


class ChallengePublic(BaseModel):
    """A single-use challenge for the card to sign with its 利用者証明用 key."""

    challenge_id: str
    challenge: str = Field(description="Base64 bytes to sign (SHA-256 DigestInfo, RSA PKCS#1 v1.5)")
    expires_at: datetime


class CardResponse(BaseModel):
    """What the card produced for a challenge."""

    model_config = _STRICT

    challenge_id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")
    certificate: str = Base64Certificate
    signature: str = Base64Signature

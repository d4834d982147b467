"""The My Number card's proof, one check for every flow that asks for one (migration, check-up, expiry by
card, renewal proofs).

The kiosk asks for a single-use challenge from the MyKey platform; the card signs it with its 利用者証明用
key (the patron has the card and its PIN). The server checks the certificate (chain, dates, revocation),
then the signature over the challenge, which consumes it whatever the outcome. What a flow does with a
proven card (switch a link, tell an expiry, issue a renewal proof) is that flow's own module.
"""

from __future__ import annotations

from datetime import datetime

from cryptography import x509
from sqlalchemy.orm import Session

from server.jpki import CertificateIdentity, TrustStore, parse_certificate
from server.mykey.connector import Challenge, MyKeyConnector
from server.patrons.linkage import find_active_by_certificate, find_active_by_mykey
from server.patrons.models import Linkage


def issue_challenge(connector: MyKeyConnector) -> Challenge:
    """A fresh single-use challenge for the card to sign."""
    return connector.issue_challenge()


def verify_card_response(
    *,
    trust: TrustStore,
    connector: MyKeyConnector,
    challenge_id: str,
    certificate_der: bytes,
    signature: bytes,
    now: datetime,
) -> tuple[x509.Certificate, CertificateIdentity]:
    """Certificate chain, dates and revocation, then the signature over the single-use challenge."""
    cert = parse_certificate(certificate_der)
    identity = trust.verify(cert, at=now)
    connector.verify_response(challenge_id=challenge_id, certificate_der=certificate_der, signature=signature)
    return cert, identity


def proven_card_link(*, session: Session, connector: MyKeyConnector, certificate_der: bytes,
                     identity: CertificateIdentity) -> Linkage | None:
    """The active link of a card that proved itself: its MyKey link if the platform knows the person,
    else its old-scheme link by certificate, else None."""
    mykey_id = connector.lookup_mykey_id(certificate_der=certificate_der)
    if mykey_id is not None:
        link = find_active_by_mykey(session=session, mykey_id=mykey_id)
        if link is not None:
            return link
    return find_active_by_certificate(session=session, cert_serial=identity.serial, cert_issuer=identity.issuer)

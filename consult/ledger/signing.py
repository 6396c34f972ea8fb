"""The Ed25519 key that signs results bundles, from ``CONSULT["SIGNING_KEY"]``.

The setting holds the 32-byte private key, base64-encoded, as
``manage.py consult_signing_key`` prints it. Only the public key is ever
served (``keys/``, and in every manifest).
"""

from __future__ import annotations

import base64
import binascii

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from consult import conf
from consult.exceptions import SigningKeyMissing


def new_key_text() -> str:
    """A fresh private key as ``SIGNING_KEY`` takes it."""
    raw = Ed25519PrivateKey.generate().private_bytes_raw()
    return base64.b64encode(raw).decode("ascii")


def private_key() -> Ed25519PrivateKey:
    text = conf.get("SIGNING_KEY")
    if not text:
        raise SigningKeyMissing()
    try:
        raw = base64.b64decode(text, validate=True)
        return Ed25519PrivateKey.from_private_bytes(raw)
    except (binascii.Error, ValueError) as error:
        raise SigningKeyMissing() from error


def public_key_text() -> str:
    """The public key, base64 of its 32 raw bytes."""
    raw = private_key().public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return base64.b64encode(raw).decode("ascii")


def sign(message: bytes) -> str:
    return base64.b64encode(private_key().sign(message)).decode("ascii")

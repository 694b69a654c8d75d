"""Encryption at rest for the most sensitive personal fields (ID numbers), and a keyed hash to find
and de-duplicate them without decrypting.

The key comes from the environment (``LIFECIRCLE_FIELD_KEY``, a Fernet key: 32 random bytes in
URL-safe base64). Without one, tests and the demo derive a key from ``SECRET_KEY``; the deploy
check (``manage.py check --deploy``) refuses a production server that has none, because a key
derived from the secret key changes when that key is rotated and would make the stored values
unreadable.

Fernet (AES-128-CBC with HMAC-SHA256, from ``cryptography``) gives each value a fresh IV, so equal
ID numbers encrypt differently; look-ups therefore go through :func:`lookup_hash`, an
HMAC-SHA256 of the normalised value under a key derived from the field key.
"""
import base64
import hashlib
import hmac
import logging

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

log = logging.getLogger(__name__)
_warned = False


def configured_key():
    """The key from the environment, or "" when none is set."""
    return getattr(settings, "FIELD_ENCRYPTION_KEY", "") or ""


def field_key():
    """The Fernet key in use: the configured one, else one derived from SECRET_KEY (tests, demo)."""
    global _warned
    key = configured_key()
    if key:
        return key.encode()
    if getattr(settings, "PRODUCTION", False) and not _warned:
        log.warning("LIFECIRCLE_FIELD_KEY is not set: ID numbers are encrypted with a key derived from SECRET_KEY")
        _warned = True
    digest = hashlib.sha256(b"lifecircle field key\0" + settings.SECRET_KEY.encode()).digest()
    return base64.urlsafe_b64encode(digest)


def _fernet():
    try:
        return Fernet(field_key())
    except ValueError as exc:
        raise ImproperlyConfigured(
            "LIFECIRCLE_FIELD_KEY must be a Fernet key: 32 bytes in URL-safe base64 (44 characters)"
        ) from exc


def encrypt(text):
    """The token for ``text``; the empty string stays empty so "no value" needs no key to read."""
    if not text:
        return ""
    return _fernet().encrypt(text.encode()).decode("ascii")


def decrypt(token):
    if not token:
        return ""
    try:
        return _fernet().decrypt(token.encode("ascii")).decode()
    except (InvalidToken, UnicodeEncodeError) as exc:
        raise ImproperlyConfigured(
            "An encrypted field cannot be read with the current LIFECIRCLE_FIELD_KEY (wrong or changed key)"
        ) from exc


def normalise_id_number(value):
    """Spaces dropped and the check letter upper-cased, so 3101...123x and 3101 ... 123X hash alike."""
    return "".join((value or "").split()).upper()


def lookup_hash(value):
    """HMAC-SHA256 (hex) of the normalised value; "" for no value."""
    value = normalise_id_number(value)
    if not value:
        return ""
    hash_key = hmac.new(base64.urlsafe_b64decode(field_key()), b"lifecircle lookup hash", hashlib.sha256).digest()
    return hmac.new(hash_key, value.encode(), hashlib.sha256).hexdigest()

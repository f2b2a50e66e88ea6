"""How a person's ID number is kept: hash for lookups, ciphertext for reveals, mask for display.

The clear number exists only in memory, between the input and these three values.
"""

import hashlib
import hmac
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from . import idnumbers


@dataclass(frozen=True, slots=True)
class StoredId:
    hash: str
    encrypted: str
    masked: str
    number: str  # canonical, for deriving sex and birth date; never persisted

    def fields(self) -> dict:
        """The model fields of ``Person`` that hold the number."""
        return {"id_hash": self.hash, "id_encrypted": self.encrypted, "id_masked": self.masked}


def protect(value: str) -> StoredId:
    """Validate ``value`` (raises ``IdNumberError``) and compute what ``Person`` stores."""
    number = idnumbers.normalize(value)
    return StoredId(
        hash=idnumbers.hash_id(number),
        encrypted=idnumbers.encrypt(number),
        masked=idnumbers.mask(number),
        number=number,
    )


def lookup_hash(value: str) -> str | None:
    """The hash to look ``value`` up by, or None when it is not a valid ID number."""
    try:
        return idnumbers.hash_id(value)
    except idnumbers.IdNumberError:
        return None


def protect_canonical(number: str) -> StoredId:
    """``protect`` for a number that is already canonical (from ``normalize`` or ``generate``).

    Skips the three re-validations that ``hash_id``/``encrypt``/``mask`` each do: seeding and
    importing protect hundreds of thousands of numbers. Tests pin that the results match
    ``protect``.
    """
    return StoredId(
        hash=hash_canonical(number),
        encrypted=encrypt_canonical(number),
        masked=number[:6] + "*" * 8 + number[14:],
        number=number,
    )


def hash_canonical(number: str) -> str:
    """``idnumbers.hash_id`` of a canonical number, without validating it again."""
    key = settings.ID_HASH_KEY
    if not key:
        raise ImproperlyConfigured("settings.ID_HASH_KEY must be a non-empty string")
    return hmac.new(key.encode("utf-8"), number.encode("ascii"), hashlib.sha256).hexdigest()


def encrypt_canonical(number: str) -> str:
    """``idnumbers.encrypt`` of a canonical number, without validating it again."""
    return idnumbers._current_fernet().encrypt(number.encode("ascii")).decode("ascii")

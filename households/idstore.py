"""How a person's ID number is kept: hash for lookups, ciphertext for reveals, mask for display.

The clear number exists only in memory, between the input and these three values.
"""

from dataclasses import dataclass

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

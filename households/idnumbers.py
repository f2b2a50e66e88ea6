"""Chinese resident ID numbers (居民身份证号码, GB 11643-1999).

Everything here works on the canonical form: 18 ASCII characters, 17 digits followed by a digit
or an upper-case ``X``. ``normalize`` turns user input (full-width characters, lower-case ``x``,
stray spaces, 15-digit legacy numbers) into that form or raises ``IdNumberError``.

The raw number is personal data: it is stored only encrypted (``encrypt``), looked up through a
keyed hash (``hash_id``) and shown masked (``mask``). Error messages therefore never contain the
whole number, because they end up in logs and import reports.
"""

import datetime
import functools
import hashlib
import hmac
import random
import re
from typing import Literal

from cryptography.fernet import Fernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _

__all__ = [
    "FEMALE",
    "MALE",
    "IdNumberError",
    "birth_date",
    "check_char",
    "decrypt",
    "encrypt",
    "generate",
    "hash_id",
    "mask",
    "normalize",
    "region_valid",
    "sex",
]

MALE = "male"
FEMALE = "female"

# ISO 7064 MOD 11-2 as specified in GB 11643-1999: weight i is 2**(17 - i) mod 11.
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"

# Province-level codes of GB/T 2260: 31 mainland provinces plus Taiwan (71), Hong Kong (81) and
# Macau (82). Only the province part is checked, because county codes change every year
# (mergers, renames) and people keep the number they were issued under the old code.
_PROVINCES = frozenset(
    {11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46}
    | {50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82}
)

# Earlier dates are typing errors in practice (the person would be over 125); the floor also
# matches the 15-to-18 conversion, which can only produce 19xx years.
_MIN_BIRTH = datetime.date(1900, 1, 1)

# Spreadsheets and Chinese input methods produce full-width digits and X/x; map them (and only
# them: NFKC would also turn superscripts and the like into digits) to ASCII before validating.
_FULLWIDTH = str.maketrans(
    {**{chr(0xFF10 + d): str(d) for d in range(10)}, "\uff38": "X", "\uff58": "X"}
)

# str.isdigit() also accepts Arabic-Indic and other Unicode digits, so match ASCII explicitly.
_CANONICAL_RE = re.compile(r"[0-9]{17}[0-9X]")
_ASCII_DIGITS = frozenset("0123456789")

_ERROR_CODES = frozenset(
    ["empty", "excel_number", "length", "chars", "region", "birth_date", "check_digit"]
)


class IdNumberError(ValueError):
    """An ID number failed validation.

    ``code`` is a stable machine-readable reason (``empty``, ``excel_number`` — a number Excel
    turned into 5.32932E+17 —, ``length``, ``chars``, ``region``, ``birth_date`` or
    ``check_digit``) for callers that map errors to form fields or report
    columns; ``message`` (also ``str(error)``) is the translated text for people. The message
    never contains the whole ID number.
    """

    def __init__(self, code: str, message: str) -> None:
        if code not in _ERROR_CODES:
            raise ValueError(f"unknown IdNumberError code: {code!r}")
        super().__init__(message)
        self.code = code
        self.message = message


def check_char(first17: str) -> str:
    """Return the ISO 7064 MOD 11-2 check character ("0" to "9" or "X") for 17 ASCII digits."""
    if len(first17) != 17 or not set(first17) <= _ASCII_DIGITS:
        # A programming error, not bad user input: callers validate before computing.
        raise ValueError("check_char() needs exactly 17 ASCII digits")
    total = sum(int(digit) * weight for digit, weight in zip(first17, _WEIGHTS, strict=True))
    return _CHECK_CHARS[total % 11]


def _clean(value: str) -> str:
    """Drop all whitespace, map full-width digits and X to ASCII and upper-case ``x``."""
    # str.split() without arguments splits on every Unicode whitespace, including U+3000
    # (ideographic space) and the non-breaking spaces pasted from web pages and Excel.
    return "".join(str(value).split()).translate(_FULLWIDTH).upper()


def _check_chars(number: str) -> None:
    """Raise ``chars`` for the first character that is not allowed at its position."""
    last = len(number) - 1
    for index, char in enumerate(number):
        if char in _ASCII_DIGITS or (char == "X" and index == last == 17):
            continue
        if len(number) == 15:
            message = _("身份证号第 {pos} 位“{char}”无效：15 位旧号只能包含数字").format(
                pos=index + 1, char=char
            )
        else:
            message = _(
                "身份证号第 {pos} 位“{char}”无效：前 17 位只能是数字，末位只能是数字或 X"
            ).format(pos=index + 1, char=char)
        raise IdNumberError("chars", message)


def _parse_birth(number: str, today: datetime.date) -> datetime.date:
    """Return the birth date in an 18-character number, or raise ``birth_date``."""
    digits = number[6:14]
    try:
        born = datetime.date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        raise IdNumberError(
            "birth_date",
            _("身份证号出生日期 {date} 无效（不存在这一天），请核对出生日期部分").format(
                date=digits
            ),
        ) from None
    if born < _MIN_BIRTH:
        raise IdNumberError(
            "birth_date",
            _("身份证号出生日期 {date} 早于 1900 年 1 月 1 日，请核对出生日期部分").format(
                date=digits
            ),
        )
    if born > today:
        raise IdNumberError(
            "birth_date",
            _("身份证号出生日期 {date} 晚于今天，请核对出生日期部分").format(date=digits),
        )
    return born


_EXCEL_NUMBER = re.compile(r"\d+(\.\d+)?E\+?\d+|\d+\.\d+", re.IGNORECASE)


def normalize(value: str, *, today: datetime.date | None = None) -> str:
    """Return the canonical 18-character form of ``value`` or raise ``IdNumberError``.

    Whitespace anywhere (including full-width spaces) is removed, full-width digits and X become
    ASCII, ``x`` becomes ``X``, and a 15-digit legacy number is converted to 18 digits ("19" is
    inserted before its yymmdd birth date and the check character appended). The result must
    have a valid province code, a real birth date between 1900-01-01 and ``today`` (default:
    ``datetime.date.today()``; tests inject a fixed day) and a correct check character.
    """
    if isinstance(value, float):
        value = repr(value)
    number = _clean(value) if value is not None else ""
    if not number:
        raise IdNumberError("empty", _("身份证号为空，请填写 18 位身份证号"))
    if _EXCEL_NUMBER.fullmatch(number):
        # 5.32932E+17: Excel stored the column as a number and kept 15 significant digits.
        raise IdNumberError(
            "excel_number",
            _(
                "身份证号“{value}”是 Excel 把该列存成数字后的科学计数法，末几位已丢失；"
                "请把该列设为“文本”格式，重新填入完整的 18 位号码"
            ).format(value=number),
        )
    if len(number) not in (15, 18):
        raise IdNumberError(
            "length",
            _("身份证号应为 18 位（或 15 位旧号），当前为 {count} 位，请检查是否漏输或多输").format(
                count=len(number)
            ),
        )
    _check_chars(number)

    # The region prefix is the same in 15- and 18-digit numbers, so it is checked before the
    # conversion. A valid province already rules out "000000"; county codes are deliberately not
    # checked (see _PROVINCES).
    if int(number[:2]) not in _PROVINCES:
        raise IdNumberError(
            "region",
            _("身份证号前 2 位“{code}”不是有效的省级行政区划代码，请核对前 6 位地区码").format(
                code=number[:2]
            ),
        )

    if len(number) == 15:
        # The 18-digit format replaced the 15-digit one in 1999, so a legacy yymmdd always means
        # 19yymmdd.
        first17 = number[:6] + "19" + number[6:]
        number = first17 + check_char(first17)

    _parse_birth(number, today or datetime.date.today())

    expected = check_char(number[:17])
    if number[17] != expected:
        raise IdNumberError(
            "check_digit",
            _("身份证号校验位错误：末位应为 {expected}，实为 {actual}，请核对号码是否抄错").format(
                expected=expected, actual=number[17]
            ),
        )
    return number


def birth_date(id18: str) -> datetime.date:
    """Return the birth date encoded in an ID number (normalized first, so 15 digits work)."""
    number = normalize(id18)
    return datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))


def sex(id18: str) -> Literal["male", "female"]:
    """Return ``"male"`` or ``"female"``: the 17th digit is odd for men, even for women."""
    number = normalize(id18)
    return MALE if int(number[16]) % 2 else FEMALE


def mask(id18: str) -> str:
    """Return the number for display: first 6, eight ``*``, last 4 (``533423********123X``).

    Anything that does not look like an 18-character ID (short, long, letters, ``None``) comes
    back as ``*`` repeated to the input's length, so a typo never leaks into a page or a report.
    Legacy 15-digit numbers are masked completely too: 6 + 4 visible characters would reveal
    two thirds of them.
    """
    if id18 is None:
        return ""
    # str() because spreadsheet imports hand over ints; whitespace and full-width forms are
    # tolerated so that masking raw input from an import works like masking the stored value.
    text = str(id18)
    number = _clean(text)
    if _CANONICAL_RE.fullmatch(number):
        return number[:6] + "*" * 8 + number[14:]
    return "*" * len(text)


def hash_id(id18: str) -> str:
    """Return the HMAC-SHA256 hex digest of the canonical number, keyed by ``ID_HASH_KEY``.

    The input is normalized first, so ``x``/``X``, full-width and 15-digit forms of the same
    person hash identically; this digest is what exact lookups and cross-table matching use.
    Raises ``IdNumberError`` for invalid numbers.
    """
    key = getattr(settings, "ID_HASH_KEY", "")
    if not key:
        # An empty key would still "work" and silently produce guessable digests: the whole
        # ID space is small enough to enumerate, which is why the hash must be keyed.
        raise ImproperlyConfigured("settings.ID_HASH_KEY must be a non-empty string")
    number = normalize(id18)
    return hmac.new(key.encode("utf-8"), number.encode("ascii"), hashlib.sha256).hexdigest()


@functools.lru_cache(maxsize=8)
def _fernet(key: str) -> Fernet:
    """Build (once per key string) the Fernet object; keyed by the string so that settings
    overridden in tests or during key rotation get their own instance."""
    try:
        return Fernet(key)
    except (ValueError, TypeError) as exc:
        raise ImproperlyConfigured(
            "settings.ID_ENCRYPTION_KEY must be a url-safe base64 encoded 32-byte Fernet key"
        ) from exc


def _current_fernet() -> Fernet:
    """Return the Fernet object for the current ``settings.ID_ENCRYPTION_KEY``."""
    key = getattr(settings, "ID_ENCRYPTION_KEY", "")
    if not key:
        raise ImproperlyConfigured("settings.ID_ENCRYPTION_KEY must be set")
    return _fernet(key)


def encrypt(id18: str) -> str:
    """Return a Fernet token (str) for the canonical form of ``id18``.

    The number is normalized first so that what is stored is always canonical; tokens differ
    on every call (random IV, timestamp), so use ``hash_id`` for lookups, never the token.
    """
    number = normalize(id18)
    return _current_fernet().encrypt(number.encode("ascii")).decode("ascii")


def decrypt(token: str) -> str:
    """Return the ID number stored in a token made by ``encrypt``.

    Raises ``cryptography.fernet.InvalidToken`` if the token was altered or made with another
    key.
    """
    return _current_fernet().decrypt(token).decode("ascii")


def region_valid(region: str) -> bool:
    """Whether a 6-digit region code starts with a valid province (the check ``normalize``
    applies to the first two digits of every number)."""
    return len(region) == 6 and region.isdigit() and int(region[:2]) in _PROVINCES


def generate(
    rng: random.Random,
    *,
    region: str = "533423",
    birth: datetime.date,
    sex: str,
) -> str:
    """Return a synthetic, check-digit-valid 18-character ID number for demo data.

    The 3-digit sequence code comes from ``rng`` (so a seeded ``random.Random`` gives
    reproducible data) and its last digit is odd for ``"male"`` and even for ``"female"``.
    Raises ``ValueError`` for an unknown sex or a malformed region and ``IdNumberError`` if the
    region or birth date would not pass ``normalize``.
    """
    if sex not in (MALE, FEMALE):
        raise ValueError(f"sex must be {MALE!r} or {FEMALE!r}, not {sex!r}")
    if len(region) != 6 or not set(region) <= _ASCII_DIGITS:
        raise ValueError(f"region must be 6 ASCII digits, not {region!r}")
    # Sequence codes start at 001: 000 is not issued. Stepping by 2 from 1 or 2 fixes the parity
    # of the last digit, which is the sex digit.
    sequence = rng.randrange(1 if sex == MALE else 2, 1000, 2)
    # Explicit padding: strftime("%Y") does not zero-pad years below 1000 on every platform.
    first17 = f"{region}{birth.year:04d}{birth.month:02d}{birth.day:02d}{sequence:03d}"
    # Run the result through the real validator so demo data can never contain a number the
    # application itself would reject (bad province, birth date in the future or before 1900).
    return normalize(first17 + check_char(first17))


# -- ID numbers inside free text (URLs, log lines) ------------------------------------------------

_IN_TEXT = re.compile(r"(?<![0-9])([0-9]{17}[0-9Xx])(?![0-9A-Za-z])")


def _checks_out(candidate: str) -> bool:
    return check_char(candidate[:17]) == candidate[17].upper()


def find_in_text(text: str) -> list[str]:
    """The 18-character numbers in ``text`` whose check character is right (cheap: no
    birth-date or region check — a number that merely looks valid is treated as one)."""
    return [m.group(1) for m in _IN_TEXT.finditer(text or "") if _checks_out(m.group(1))]


def ids_in_text(text: str) -> list[str]:
    """Like ``find_in_text``, but only numbers that pass every check (region, birth date,
    check character): what a request is refused for, so an administrative code of 18 digits
    is not mistaken for a person's number."""
    found = []
    for candidate in find_in_text(text):
        try:
            found.append(normalize(candidate))
        except IdNumberError:
            continue
    return found


def mask_in_text(text: str) -> str:
    """``text`` with every ID number in it masked (``533423********123X``)."""
    if not text:
        return text
    return _IN_TEXT.sub(
        lambda m: mask(m.group(1).upper()) if _checks_out(m.group(1)) else m.group(1), text
    )

"""Tests for households.idnumbers (GB 11643-1999 resident ID numbers)."""

import datetime
import random

import pytest
from cryptography.fernet import Fernet, InvalidToken
from django.core.exceptions import ImproperlyConfigured
from django.utils import translation

from households import idnumbers
from households.idnumbers import (
    IdNumberError,
    birth_date,
    check_char,
    decrypt,
    encrypt,
    generate,
    hash_id,
    mask,
    normalize,
    sex,
)

# The example in GB 11643-1999 itself. Weighted sum of the first 17 digits:
#   1*7 + 1*9 + 0*10 + 1*5 + 0*8 + 5*4 + 1*2 + 9*1 + 4*6 + 9*3 + 1*7 + 2*9 + 3*10 + 1*5
#   + 0*8 + 0*4 + 2*2 = 167; 167 % 11 = 2; "10X98765432"[2] = "X".
STANDARD_EXAMPLE = "11010519491231002X"

# 5*7 + 3*9 + 3*10 + 4*5 + 2*8 + 3*4 + 1*2 + 9*1 + 9*6 + 0*3 + 0*7 + 1*9 + 0*10 + 1*5
# + 1*8 + 2*4 + 3*2 = 241; 241 % 11 = 10; "10X98765432"[10] = "2". 17th digit 3 -> male.
LOCAL_MALE = "533423199001011232"

# 5*7 + 3*9 + 3*10 + 4*5 + 2*8 + 3*4 + 1*2 + 9*1 + 8*6 + 5*3 + 0*7 + 6*9 + 1*10 + 5*5
# + 0*8 + 0*4 + 9*2 = 321; 321 % 11 = 2; "10X98765432"[2] = "X". 17th digit 9 -> male.
LOCAL_X = "53342319850615009X"

TODAY = datetime.date(2025, 6, 1)


@pytest.fixture(autouse=True)
def _chinese():
    """Pin the language so message assertions hold whatever the project default becomes."""
    with translation.override("zh-hans"):
        yield


@pytest.fixture
def keys(settings):
    """Give every test its own hash and encryption keys."""
    settings.ID_HASH_KEY = "test-hash-key"
    settings.ID_ENCRYPTION_KEY = Fernet.generate_key().decode()
    return settings


def with_check(first17: str) -> str:
    """Append the correct check character, so only the property under test is wrong."""
    return first17 + check_char(first17)


def error_of(value: str, **kwargs) -> IdNumberError:
    """Return the IdNumberError that normalize() raises for ``value``."""
    with pytest.raises(IdNumberError) as info:
        normalize(value, **kwargs)
    return info.value


# --- check_char ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("first17", "expected"),
    [
        ("11010519491231002", "X"),
        ("53342319900101123", "2"),
        ("53342319850615009", "X"),
        # The standard's second example, 440524188001010014: sum 195, 195 % 11 = 8 -> "4".
        ("44052418800101001", "4"),
    ],
)
def test_check_char_known_values(first17, expected):
    assert check_char(first17) == expected


@pytest.mark.parametrize("bad", ["", "1101051949123100", "110105194912310021", "1101051949123100X"])
def test_check_char_rejects_non_17_digits(bad):
    with pytest.raises(ValueError, match="17 ASCII digits"):
        check_char(bad)


# --- normalize: accepted input --------------------------------------------------------------------


@pytest.mark.parametrize("number", [STANDARD_EXAMPLE, LOCAL_MALE, LOCAL_X])
def test_valid_numbers_are_returned_unchanged(number):
    assert normalize(number, today=TODAY) == number


def test_lowercase_x_is_stored_as_upper_case():
    assert normalize("11010519491231002x", today=TODAY) == STANDARD_EXAMPLE


def test_whitespace_and_full_width_characters_are_cleaned():
    # Full-width digits (U+FF10..) and x (U+FF58) from Chinese input methods, ideographic spaces
    # (U+3000), a tab and a non-breaking space pasted from a spreadsheet.
    raw = "\u3000\uff11\uff11\uff10\uff11\uff10\uff15 19491231\t002\uff58\u00a0"
    assert normalize(raw, today=TODAY) == STANDARD_EXAMPLE


def test_fifteen_digit_legacy_number_is_converted():
    # 110105 491231 002 -> 110105 19491231 002 + check "X" (the standard example above).
    assert normalize("110105491231002", today=TODAY) == STANDARD_EXAMPLE


def test_legacy_and_modern_forms_are_equal_after_normalize():
    assert normalize("533423900101123", today=TODAY) == LOCAL_MALE


def test_idempotent():
    once = normalize(" 11010519491231002x ", today=TODAY)
    assert normalize(once, today=TODAY) == once


def test_non_ascii_unicode_digits_are_rejected():
    # Arabic-Indic digits pass str.isdigit() but are not ID digits.
    error = error_of("\u0661" + STANDARD_EXAMPLE[1:], today=TODAY)
    assert error.code == "chars"


# --- normalize: each error code -------------------------------------------------------------------


@pytest.mark.parametrize("value", ["", "   ", "\u3000\u3000", None])
def test_empty(value):
    error = error_of(value)
    assert error.code == "empty"
    assert "身份证号为空" in error.message


@pytest.mark.parametrize(("value", "count"), [("1101051949123100", 16), ("1" * 19, 19), ("1", 1)])
def test_length(value, count):
    error = error_of(value)
    assert error.code == "length"
    assert str(error) == error.message
    assert f"身份证号应为 18 位（或 15 位旧号），当前为 {count} 位" in error.message


def test_chars_in_body():
    error = error_of("1101051949A231002X")
    assert error.code == "chars"
    assert "第 11 位“A”" in error.message


def test_x_only_allowed_last():
    error = error_of("11010519491231X021")
    assert error.code == "chars"
    assert "第 15 位“X”" in error.message


def test_chars_in_legacy_number():
    error = error_of("11010549123100X")
    assert error.code == "chars"
    assert "15 位旧号只能包含数字" in error.message


@pytest.mark.parametrize("province", ["00", "10", "16", "20", "47", "55", "66", "72", "83", "99"])
def test_region_unknown_province(province):
    error = error_of(with_check(province + "010519491231002"), today=TODAY)
    assert error.code == "region"
    assert f"前 2 位“{province}”" in error.message


def test_region_all_zero():
    error = error_of(with_check("00000019491231002"), today=TODAY)
    assert error.code == "region"


@pytest.mark.parametrize(
    "province", ["11", "15", "21", "23", "31", "37", "41", "46", "50", "54", "61", "65"]
)
def test_region_province_boundaries_accepted(province):
    number = with_check(province + "010519491231002")
    assert normalize(number, today=TODAY) == number


@pytest.mark.parametrize("province", ["71", "81", "82"])
def test_region_taiwan_hong_kong_macau_accepted(province):
    # Residence permits for these residents use the 810000/820000 style codes.
    number = with_check(province + "000019491231002")
    assert normalize(number, today=TODAY) == number


def test_region_bad_legacy_number_reports_region_not_check_digit():
    error = error_of("990105491231002", today=TODAY)
    assert error.code == "region"


def test_birth_date_impossible():
    error = error_of(with_check("53342319990231123"), today=TODAY)
    assert error.code == "birth_date"
    assert "身份证号出生日期 19990231 无效" in error.message


@pytest.mark.parametrize("date", ["19901301", "19900001", "19900100", "19900431"])
def test_birth_date_bad_month_or_day(date):
    assert error_of(with_check("533423" + date + "123"), today=TODAY).code == "birth_date"


@pytest.mark.parametrize("leap_day", ["20000229", "19960229", "20240229"])
def test_feb_29_on_leap_years_accepted(leap_day):
    number = with_check("533423" + leap_day + "123")
    assert normalize(number, today=TODAY) == number
    assert birth_date(number).strftime("%Y%m%d") == leap_day


@pytest.mark.parametrize("not_leap_day", ["19000229", "19990229", "20230229"])
def test_feb_29_on_non_leap_years_refused(not_leap_day):
    # 1900 is divisible by 100 but not by 400, so it was not a leap year.
    error = error_of(with_check("533423" + not_leap_day + "123"), today=TODAY)
    assert error.code == "birth_date"
    assert f"身份证号出生日期 {not_leap_day} 无效" in error.message


def test_future_birth_date_refused():
    number = with_check("53342320250602123")
    error = error_of(number, today=TODAY)
    assert error.code == "birth_date"
    assert "晚于今天" in error.message


def test_born_today_accepted():
    number = with_check("53342320250601123")
    assert normalize(number, today=TODAY) == number


def test_today_defaults_to_the_real_date():
    tomorrow = datetime.date.today() + datetime.timedelta(days=1)
    number = with_check("533423" + tomorrow.strftime("%Y%m%d") + "123")
    assert error_of(number).code == "birth_date"


def test_birth_before_1900_refused():
    # The second example printed in GB 11643-1999 (born 1880) is refused by the 1900 floor.
    error = error_of("440524188001010014", today=TODAY)
    assert error.code == "birth_date"
    assert "早于 1900 年" in error.message


def test_birth_on_1900_01_01_accepted():
    number = with_check("53342319000101123")
    assert normalize(number, today=TODAY) == number


def test_check_digit():
    error = error_of("110105194912310025", today=TODAY)
    assert error.code == "check_digit"
    assert "身份证号校验位错误：末位应为 X，实为 5" in error.message


def test_check_digit_catches_swapped_digits():
    # MOD 11-2 detects every transposition of two adjacent digits; swap the "12" of "123".
    swapped = LOCAL_MALE[:14] + LOCAL_MALE[15] + LOCAL_MALE[14] + LOCAL_MALE[16:]
    assert swapped != LOCAL_MALE
    assert error_of(swapped, today=TODAY).code == "check_digit"


@pytest.mark.parametrize(
    "value",
    [
        "110105194912310025",
        "11010519491231002Y",
        with_check("53342319990231123"),
        with_check("99342319900101123"),
        "1101051949123",
    ],
)
def test_messages_never_contain_the_number(value):
    error = error_of(value, today=TODAY)
    assert value not in error.message
    assert value[:17] not in error.message


def test_error_is_a_value_error():
    with pytest.raises(ValueError, match="当前为 3 位"):
        normalize("123")


# --- birth_date and sex -----------------------------------------------------------------------


def test_birth_date():
    assert birth_date(STANDARD_EXAMPLE) == datetime.date(1949, 12, 31)
    assert birth_date("110105491231002") == datetime.date(1949, 12, 31)


def test_sex():
    # 17th digit: 2 -> female, 3 -> male, 9 -> male.
    assert sex(STANDARD_EXAMPLE) == "female"
    assert sex(LOCAL_MALE) == "male"
    assert sex(LOCAL_X) == "male"
    assert sex("11010519491231002x") == "female"


def test_birth_date_and_sex_reject_invalid_numbers():
    with pytest.raises(IdNumberError):
        birth_date("110105194912310025")
    with pytest.raises(IdNumberError):
        sex("110105194912310025")


# --- mask -------------------------------------------------------------------------------------


def test_mask_format():
    assert mask(LOCAL_X) == "533423********009X"
    assert mask(STANDARD_EXAMPLE) == "110105********002X"
    assert mask("11010519491231002x") == "110105********002X"


def test_mask_never_reveals_middle_digits():
    rng = random.Random(20250601)
    for _ in range(200):
        born = datetime.date(1900, 1, 1) + datetime.timedelta(days=rng.randrange(45000))
        number = generate(rng, birth=born, sex=rng.choice(["male", "female"]))
        masked = mask(number)
        assert len(masked) == 18
        assert masked[6:14] == "********"
        assert masked[:6] == number[:6]
        assert masked[14:] == number[14:]
        assert number[6:14] not in masked


@pytest.mark.parametrize(
    "value",
    [
        "",
        "1",
        "5334231990",
        "110105491231002",  # legacy 15 digits: fully masked
        "5334231990010112345",  # 19 digits
        "53342319900101A232",
        "张三 533423199001011232",
        "phone 13800138000",
    ],
)
def test_mask_invalid_input_is_all_stars(value):
    assert mask(value) == "*" * len(value)


def test_mask_none_and_int():
    assert mask(None) == ""
    assert mask(533423199001011232) == "533423********1232"


# --- hash_id ----------------------------------------------------------------------------------


def test_hash_is_stable_and_hex(keys):
    digest = hash_id(STANDARD_EXAMPLE)
    assert digest == hash_id(STANDARD_EXAMPLE)
    assert len(digest) == 64
    assert int(digest, 16) >= 0
    assert STANDARD_EXAMPLE not in digest


def test_hash_known_value(keys):
    import hashlib
    import hmac

    expected = hmac.new(b"test-hash-key", STANDARD_EXAMPLE.encode(), hashlib.sha256).hexdigest()
    assert hash_id(STANDARD_EXAMPLE) == expected


def test_hash_uses_canonical_form(keys):
    digest = hash_id(STANDARD_EXAMPLE)
    assert hash_id("11010519491231002x") == digest
    assert hash_id("110105491231002") == digest
    assert hash_id(" \uff11\uff11\uff10\uff11\uff10\uff15 19491231002\uff38 ") == digest


def test_hash_depends_on_key(keys):
    first = hash_id(STANDARD_EXAMPLE)
    keys.ID_HASH_KEY = "another-key"
    assert hash_id(STANDARD_EXAMPLE) != first


def test_hash_differs_between_numbers(keys):
    assert hash_id(STANDARD_EXAMPLE) != hash_id(LOCAL_MALE)


def test_hash_rejects_invalid_number(keys):
    with pytest.raises(IdNumberError):
        hash_id("110105194912310025")


def test_hash_requires_key(settings):
    settings.ID_HASH_KEY = ""
    with pytest.raises(ImproperlyConfigured):
        hash_id(STANDARD_EXAMPLE)


# --- encrypt / decrypt ------------------------------------------------------------------------


def test_encrypt_roundtrip(keys):
    token = encrypt(LOCAL_X)
    assert isinstance(token, str)
    assert decrypt(token) == LOCAL_X


def test_ciphertext_does_not_contain_the_number(keys):
    token = encrypt(LOCAL_MALE)
    assert LOCAL_MALE not in token
    assert LOCAL_MALE[6:14] not in token


def test_encrypt_stores_canonical_form(keys):
    assert decrypt(encrypt("110105491231002")) == STANDARD_EXAMPLE
    assert decrypt(encrypt("11010519491231002x")) == STANDARD_EXAMPLE


def test_encrypt_is_randomised(keys):
    # Fernet uses a fresh IV each time, which is why lookups go through hash_id().
    assert encrypt(LOCAL_MALE) != encrypt(LOCAL_MALE)


def test_encrypt_rejects_invalid_number(keys):
    with pytest.raises(IdNumberError):
        encrypt("110105194912310025")


def test_key_change_is_picked_up(keys):
    # The Fernet cache is keyed by the key string, so overriding the setting takes effect.
    token = encrypt(LOCAL_MALE)
    keys.ID_ENCRYPTION_KEY = Fernet.generate_key().decode()
    with pytest.raises(InvalidToken):
        decrypt(token)
    assert decrypt(encrypt(LOCAL_MALE)) == LOCAL_MALE


def test_tampered_token_refused(keys):
    token = encrypt(LOCAL_MALE)
    tampered = token[:-5] + ("A" if token[-5] != "A" else "B") + token[-4:]
    with pytest.raises(InvalidToken):
        decrypt(tampered)


def test_bad_encryption_key(settings):
    settings.ID_ENCRYPTION_KEY = "not-a-fernet-key"
    with pytest.raises(ImproperlyConfigured):
        encrypt(LOCAL_MALE)


# --- generate ---------------------------------------------------------------------------------


def test_generate_always_valid():
    rng = random.Random(11643)
    today = datetime.date.today()
    span = (today - datetime.date(1900, 1, 1)).days
    for _ in range(1000):
        born = datetime.date(1900, 1, 1) + datetime.timedelta(days=rng.randrange(span + 1))
        wanted = rng.choice(["male", "female"])
        number = generate(rng, birth=born, sex=wanted)
        assert normalize(number) == number
        assert birth_date(number) == born
        assert sex(number) == wanted
        assert number.startswith("533423")
        assert number[14:17] != "000"


def test_generate_is_reproducible():
    born = datetime.date(1980, 5, 17)
    first = [generate(random.Random(7), birth=born, sex="female") for _ in range(3)]
    assert len(set(first)) == 1


def test_generate_other_region():
    number = generate(
        random.Random(1), region="110105", birth=datetime.date(1990, 1, 1), sex="male"
    )
    assert number.startswith("11010519900101")


def test_generate_rejects_bad_arguments():
    rng = random.Random(1)
    born = datetime.date(1990, 1, 1)
    with pytest.raises(ValueError, match="sex must be"):
        generate(rng, birth=born, sex="unknown")
    with pytest.raises(ValueError, match="region must be"):
        generate(rng, region="5334", birth=born, sex="male")
    with pytest.raises(IdNumberError):
        generate(rng, region="993423", birth=born, sex="male")
    with pytest.raises(IdNumberError):
        generate(rng, birth=datetime.date.today() + datetime.timedelta(days=1), sex="male")


def test_module_exports():
    assert set(idnumbers.__all__) >= {
        "IdNumberError",
        "normalize",
        "check_char",
        "birth_date",
        "sex",
        "mask",
        "hash_id",
        "encrypt",
        "decrypt",
        "generate",
    }


def test_seeded_counties_draw_their_numbers_from_their_own_region():
    from households.demo import region_for

    assert region_for("533423") == "533423"  # the demo county's own code
    assert region_for("990003") == "530003"  # a benchmark county: a valid, different region
    assert idnumbers.region_valid(region_for("990004"))
    assert not idnumbers.region_valid("990004")


def test_ids_in_free_text_are_found_and_masked():
    from households.idnumbers import find_in_text, mask_in_text

    number = with_check("533423" + "19800101" + "123")
    wrong = number[:17] + ("0" if number[17] != "0" else "1")
    text = f"GET /api/v1/persons/?id_number={number}&x={wrong} 户 {number}1"
    assert find_in_text(text) == [number]
    masked = mask_in_text(text)
    assert masked.startswith("GET /api/v1/persons/?id_number=533423********")
    assert f"x={wrong}" in masked and f"{number}1" in masked  # not ID numbers: kept


def test_every_log_handler_masks_id_numbers(settings):
    import logging

    from households.logging import MaskIdNumbers

    number = with_check("533423" + "19800101" + "123")
    for name, handler in settings.LOGGING["handlers"].items():
        assert "mask_id_numbers" in handler.get("filters", []), name
    record = logging.LogRecord("weixi", logging.WARNING, __file__, 1, "号码 %s", (number,), None)
    assert MaskIdNumbers().filter(record) and number not in record.getMessage()
    try:
        raise ValueError(f"bad {number}")
    except ValueError:
        import sys

        record = logging.LogRecord("w", logging.ERROR, __file__, 1, "x", (), sys.exc_info())
    MaskIdNumbers().filter(record)
    assert number not in record.exc_text

"""The encoding of an uploaded text (csv) file, decided on the whole file.

Accepted: UTF-8 (with or without BOM), UTF-16 (with its BOM, as Excel's "Unicode text" saves),
and GB18030 — which covers GBK and GB2312, what Excel in Chinese saves as "CSV" — also behind a
UTF-8 BOM that an editor added to a GBK file. The file is checked through incremental decoders
in chunks, so a character split across a chunk boundary never counts as an error, and memory stays
one chunk whatever the file's size. Anything else gets a Chinese error saying what to do.
"""

import codecs

from django.utils.translation import gettext as _

CHUNK = 1 << 16


class EncodingError(ValueError):
    """The text cannot be read in any accepted encoding; the message says what to do."""


def _decodes(raw, encoding: str, skip: int) -> bool:
    raw.seek(skip)
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    try:
        while chunk := raw.read(CHUNK):
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    finally:
        raw.seek(0)
    return True


def detect(raw) -> tuple[str, int]:
    """``(encoding, bytes to skip)`` for the seekable binary stream ``raw``."""
    raw.seek(0)
    head = raw.read(4)
    raw.seek(0)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) and not head.startswith(
        codecs.BOM_UTF32_LE
    ):
        if _decodes(raw, "utf-16", 0):
            return "utf-16", 0
        raise EncodingError(
            _("文件标明为 UTF-16 编码，但内容无法按 UTF-16 读取；请另存为 UTF-8 编码的 CSV。")
        )
    skip = len(codecs.BOM_UTF8) if head.startswith(codecs.BOM_UTF8) else 0
    if _decodes(raw, "utf-8", skip):
        return "utf-8", skip
    if _decodes(raw, "gb18030", skip):
        return "gb18030", skip
    raise EncodingError(
        _(
            "无法识别文件的文字编码（支持 UTF-8、GBK/GB18030 和 UTF-16）；"
            "请在 Excel 中“另存为”“CSV UTF-8（逗号分隔）”后重新上传。"
        )
    )


def open_text(raw):
    """A text stream over ``raw`` in its detected encoding (the caller detaches it)."""
    import io

    encoding, skip = detect(raw)
    raw.seek(skip)
    return io.TextIOWrapper(raw, encoding=encoding, newline="")

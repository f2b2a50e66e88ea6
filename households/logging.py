"""A logging filter that masks every resident ID number in a log line.

Attached to every handler in ``settings.LOGGING``: whatever a line carries — a request path
with a query string, an exception message, a value echoed by a library — no whole ID number
reaches the log.
"""

import logging

from .idnumbers import mask_in_text


class MaskIdNumbers(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_in_text(message)
        if masked != message:
            record.msg, record.args = masked, ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_in_text(record.exc_text)
        return True

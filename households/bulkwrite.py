"""Insert many rows fast: PostgreSQL ``COPY``, ``bulk_create`` on other databases.

The import writes ~140,000 persons. Through ``bulk_create`` most of the write time went to
Django building a model instance per row and preparing every field value for a multi-row
INSERT (see ``docs/households.md``). ``COPY ... FROM STDIN`` takes plain tuples; PostgreSQL
checks the same constraints (unique, check, foreign keys) as for an INSERT, and a violation
raises Django's ``IntegrityError`` as an INSERT would. Other databases (SQLite for the
embedded default and quick tests) keep ``bulk_create``, which fills defaults the same way.

Rows are tuples of Python values for the given field names (``attname``: ``grid_id``).
Fields left out get their model default, ``auto_now``/``auto_now_add`` fields the current
time, as with ``bulk_create``.
"""

import datetime
import io

from django.db import connection
from django.utils import timezone

BATCH_SIZE = 2000  # bulk_create batch (other databases)

_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_text(value) -> str:
    """One value in COPY's text format."""
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, str):
        return value.translate(_ESCAPES)
    if isinstance(value, int | datetime.date):  # datetime is a date
        return value.isoformat() if isinstance(value, datetime.date) else str(value)
    raise TypeError(f"COPY cannot write a {type(value).__name__}")


def _completion(model, fields):
    """The fields the caller leaves out, with the value each row gets."""
    given = set(fields)
    now = timezone.now()
    extra = []
    for field in model._meta.concrete_fields:
        if field.primary_key or field.attname in given:
            continue
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            extra.append((field, now))
        else:
            extra.append((field, field.get_default()))
    return extra


def insert(model, fields: list[str], rows: list[tuple], *, return_pks: bool = False):
    """Insert ``rows`` (tuples in ``fields`` order) into ``model``'s table.

    Returns the new primary keys in row order when ``return_pks``, else None.
    """
    if not rows:
        return [] if return_pks else None
    if connection.vendor != "postgresql":
        objs = [model(**dict(zip(fields, row, strict=True))) for row in rows]
        model.objects.bulk_create(objs, batch_size=BATCH_SIZE)
        return [obj.pk for obj in objs] if return_pks else None

    meta = model._meta
    quote = connection.ops.quote_name
    extra = _completion(model, fields)
    columns = [meta.get_field(name).column for name in fields] + [f.column for f, _v in extra]
    tail = "".join("\t" + _copy_text(v) for _f, v in extra) + "\n"
    pks = None
    with connection.cursor() as cursor:
        if return_pks:
            # Reserve the keys first (one query), then COPY them in with the rows.
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [meta.db_table, meta.pk.column, len(rows)],
            )
            pks = [pk for (pk,) in cursor.fetchall()]
            columns.insert(0, meta.pk.column)
            lines = (
                str(pk) + "\t" + "\t".join(map(_copy_text, row)) + tail
                for pk, row in zip(pks, rows, strict=True)
            )
        else:
            lines = ("\t".join(map(_copy_text, row)) + tail for row in rows)
        buffer = io.StringIO("".join(lines))
        sql = "COPY {} ({}) FROM STDIN".format(
            quote(meta.db_table), ", ".join(quote(c) for c in columns)
        )
        # Django logs COPY like a query (DEBUG, query counts); it does not translate errors.
        with connection.wrap_database_errors:  # psycopg2's errors as Django's (IntegrityError)
            cursor.copy_expert(sql, buffer)
    return pks


def insert_objects(model, objs: list, *, return_pks: bool = False):
    """Insert unsaved model instances: ``insert`` with their field values on PostgreSQL,
    ``bulk_create`` of the instances themselves elsewhere (no second instance per row). Sets
    each instance's primary key when ``return_pks``."""
    if connection.vendor != "postgresql":
        model.objects.bulk_create(objs, batch_size=BATCH_SIZE)
        return
    fields = [
        f.attname
        for f in model._meta.concrete_fields
        if not f.primary_key
        and not getattr(f, "auto_now", False)
        and not getattr(f, "auto_now_add", False)
    ]
    rows = [tuple(getattr(obj, name) for name in fields) for obj in objs]
    pks = insert(model, fields, rows, return_pks=return_pks)
    if return_pks:
        for obj, pk in zip(objs, pks, strict=True):
            obj.pk = pk

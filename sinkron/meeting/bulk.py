"""Inserting many rows without SQLAlchemy's work per row, for a burst's votes,
events and op_ids.

An executemany through SQLAlchemy builds every row's parameters from the
compiled statement and runs each value through its type's processor: for the
events of a 500-vote burst, three quarters of the insert's time, the JSON
of each event encoded once more after the engine had encoded it for the wire.
Here the statement is compiled once per dialect and the rows go to the driver
as given. The caller passes JSON columns already encoded (json_text()); the
other columns get their type's processor, where the dialect has one (SQLite's
datetimes are stored as text), so the rows read back exactly as the ORM's."""
from __future__ import annotations

import json
from typing import Any

from sqlalchemy import JSON, Table, bindparam, insert
from sqlalchemy.engine import Connection


def json_text(value: Any) -> str:
    """A value as a JSON column stores it (None as JSON null, as SQLAlchemy's
    JSON type does by default)."""
    return json.dumps(value, default=str)


class BulkInsert:
    def __init__(self, table: Table, columns: tuple[str, ...]):
        self.table, self.columns = table, columns
        self._prepared: dict[Any, tuple] = {}

    def _prepare(self, dialect) -> tuple:
        prepared = self._prepared.get(dialect)
        if prepared is None:
            statement = insert(self.table).values({c: bindparam(c) for c in self.columns})
            compiled = statement.compile(dialect=dialect)
            # JSON columns arrive encoded; PostgreSQL's statement casts them.
            processors = [None if isinstance(self.table.c[c].type, JSON)
                          else self.table.c[c].type.dialect_impl(dialect).bind_processor(dialect)
                          for c in self.columns]
            order, positional = None, False
            if dialect.positional:
                order = [self.columns.index(name) for name in compiled.positiontup]
                if order == list(range(len(self.columns))):
                    order = None
                    positional = True
            prepared = self._prepared[dialect] = (compiled.string, processors, order, positional)
        return prepared

    def run(self, conn: Connection, rows: list[tuple]) -> None:
        """Insert `rows`, each a tuple of values in `columns` order."""
        if not rows:
            return
        sql, processors, order, positional = self._prepare(conn.dialect)
        if any(processors):
            rows = [tuple(v if f is None else f(v) for f, v in zip(processors, row)) for row in rows]
        if order is not None:
            params = [tuple(row[i] for i in order) for row in rows]
        elif positional:
            params = rows
        else:
            params = [dict(zip(self.columns, row)) for row in rows]
        conn.exec_driver_sql(sql, params)

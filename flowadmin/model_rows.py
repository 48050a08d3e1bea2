"""Model instances from hand-written SQL, for the reads every console page makes before its own
work (the user's orgs, the session): building even a one-table SELECT costs the ORM ~0.6 ms of
Python a query, a SELECT with a joined table ~1.3 ms (README "Results"), which a fixed SQL
string skips. The values are converted as the ORM converts them (e.g. SQLite's text timestamps
and 0/1 booleans) and the instances are made by the model's own `from_db`, so they are what
the ORM would have returned: loaded from `connection.alias`, `post_init` sent (the activity
log's snapshot), any `from_db` override applied."""

from weakref import WeakKeyDictionary


class ModelRows:
    """Reads every concrete field of `model`, in the model's field order, from a row.

    `columns(connection, alias)` is the SELECT list (`alias."column", …`) and
    `instance(connection, row, start)` the model instance of `row[start:start + width]`."""

    def __init__(self, model):
        self.model = model
        self.fields = tuple(model._meta.concrete_fields)
        self.width = len(self.fields)
        # per database connection (they are per thread): {table alias: SELECT list}, converters
        self._columns: WeakKeyDictionary = WeakKeyDictionary()
        self._converters: WeakKeyDictionary = WeakKeyDictionary()

    def columns(self, connection, alias: str) -> str:
        by_alias = self._columns.setdefault(connection, {})
        if alias not in by_alias:
            quote = connection.ops.quote_name
            by_alias[alias] = ", ".join(f"{alias}.{quote(field.column)}" for field in self.fields)
        return by_alias[alias]

    def _converters_for(self, connection) -> list[tuple[int, list, object]]:
        """[(field position, converters, column expression)] as the SQL compiler collects
        them (`SQLCompiler.get_converters`): the backend's, then the field's."""
        converters = self._converters.get(connection)
        if converters is None:
            converters = []
            table = self.model._meta.db_table
            for position, field in enumerate(self.fields):
                column = field.get_col(table)
                found = connection.ops.get_db_converters(column) + column.get_db_converters(
                    connection
                )
                if found:
                    converters.append((position, found, column))
            self._converters[connection] = converters
        return converters

    def instance(self, connection, row, start: int = 0):
        """The instance of the fields at row[start:start + width], loaded from the connection's
        database."""
        values = list(row[start : start + self.width])
        for position, converters, column in self._converters_for(connection):
            value = values[position]
            for convert in converters:
                value = convert(value, column, connection)
            values[position] = value
        return self.model.from_db(connection.alias, None, values)

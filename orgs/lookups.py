"""`field__fold_contains=text`: a substring search that compares the way people read
(orgs.names.fold: NFKC + case folding) on SQLite as on PostgreSQL — `?q=ångström` finds
`Ångström` on SQLite too, whose LIKE folds ASCII letters only.

SQLite gets the Python `fold` as a deterministic SQL function on every new connection;
PostgreSQL uses `lower(normalize(…, NFKC))` (its lower() folds what casefold folds for names,
except a few such as ß → ss), normalising only text that is not in NFKC already (`IS NFKC
NORMALIZED` is a quick check: 3× less time over 10,000 names and emails, the same result).
The user's email and full name have trigram indexes on that expression (migration orgs.0011
writes it out): a changed EXPRESSION needs a migration that indexes the new one."""

from django.db.backends.signals import connection_created
from django.db.models import CharField, Lookup, TextField

from .names import fold

SQLITE_FUNCTION = "flowadmin_fold"
# PostgreSQL's folded text of a column (both functions are IMMUTABLE, so it can be indexed).
EXPRESSION = "lower(CASE WHEN {0} IS NFKC NORMALIZED THEN {0} ELSE normalize({0}, NFKC) END)"


def register_sqlite_fold(sender, connection, **kwargs):
    if connection.vendor == "sqlite":
        connection.connection.create_function(SQLITE_FUNCTION, 1, fold, deterministic=True)


def fold_contains_sql(connection, column: str, *, placeholder: str = "%s") -> str:
    """The SQL condition "`column` contains the folded text" for `connection`'s database, with
    one `placeholder` (e.g. "%(q)s" for named parameters) for fold_pattern()'s parameter (raw
    SQL that must match as the lookup does). `column` is put in as it is, placeholders too."""
    if connection.vendor == "sqlite":
        return f"{SQLITE_FUNCTION}({column}) LIKE {placeholder} ESCAPE '\\'"
    return f"{EXPRESSION.format(column)} LIKE {placeholder}"


def fold_pattern(connection, text: str) -> str:
    """The LIKE pattern of fold_contains_sql for `text`: folded, its wildcards escaped."""
    return "%" + connection.ops.prep_for_like_query(fold(str(text))) + "%"


class FoldContains(Lookup):
    lookup_name = "fold_contains"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        pattern = fold_pattern(connection, self.rhs)
        lhs_params = lhs_params if connection.vendor == "sqlite" else [*lhs_params * 3]
        return fold_contains_sql(connection, lhs), [*lhs_params, pattern]


def register() -> None:
    CharField.register_lookup(FoldContains)
    TextField.register_lookup(FoldContains)
    connection_created.connect(register_sqlite_fold, dispatch_uid="orgs.lookups.sqlite_fold")

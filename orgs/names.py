"""Names compared the way people read them: Unicode NFKC normalisation and
case folding, so `ÜBER TEAM` and `über team`, `Café` precomposed and with a combining accent,
full-width `Ｆｉｅｌｄ Ｓａｌｅｓ` and `Field Sales` are one name — on SQLite as on PostgreSQL,
because the folded key is computed here and stored (`name_key` columns), not left to the
database's collation."""

import unicodedata


def fold(text: str) -> str:
    """The comparison key of `text`: NFKC, case-folded (then NFKC again, as Unicode's
    NFKC_Casefold does), with runs of whitespace made one space and the ends trimmed."""
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text or "").casefold())
    return " ".join(folded.split())


def backfill_keys(model) -> None:
    """For the migrations that add `name_key`: fill it for every row of `model` (a historical
    model with org_id, name, name_key); a name that folds to one already taken in its org gets
    " (2)", " (3)"… appended, so the unique constraint can follow."""
    taken = set()
    for row in model.objects.order_by("org_id", "pk").only("org_id", "name"):
        name, n = row.name, 2
        while (row.org_id, fold(name)) in taken:
            name, n = f"{row.name} ({n})", n + 1
        taken.add((row.org_id, fold(name)))
        model.objects.filter(pk=row.pk).update(name=name, name_key=fold(name))


def display_name(full_name: str, email: str) -> str:
    """How the pages name a person: their full name, else their email."""
    return full_name or email


def initials(name: str) -> str:
    """Default avatar text: up to two initials ("Kim Smith" → "KS", "ada@acme.test" → "AA")."""
    words = [w for w in str(name).replace("@", " ").replace(".", " ").split() if w]
    return "".join(w[0] for w in words[:2]).upper() or "?"

"""The activity log's filters (SPEC §5), shared by the page, the CSV export and the
export_activity command: the form that validates them, the queryset they select, the keyset
cursor of "older" links and `activity_url()` for links from other pages.

Substring filters are resolved to exact values first so the entries are read through an index:
`email` through the org's known actor emails (ActivityActor; when more than
MAX_RESOLVED_EMAILS match, the log is read newest first and filtered instead), `workspace`
through the names of the org's workspaces and the names they had in the log (ActivityWorkspaceName:
renamed or deleted ones), never by reading the log itself.
"""

from __future__ import annotations

import datetime
from urllib.parse import urlencode

from django import forms
from django.db import connections, router
from django.db.models import F, Lookup, Q
from django.utils import timezone
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

from flowadmin import params as query_params
from flowadmin.escaping import escape
from flowadmin.forms import (
    JINJA2_RENDERER,
    ReusedWidgetField,
    keep_rendered,
    recall_rendered,
    shared_fields,
)
from flowadmin.nav_urls import nav_url
from workspaces.models import Workspace

from .models import ENTITY_TYPES, Action, ActivityActor, ActivityEntry, ActivityWorkspaceName

# One visible filter of the form (ActivityFilterForm.filter_inputs), and its errors: their id
# is the one Django's widget names in aria-describedby when the field has errors.
FILTER_INPUT = (
    '<div class="filter-{name}">\n'
    '      <label for="{id}">{label}</label>\n'
    "      {input}\n"
    "      {errors}\n"
    "    </div>\n"
)
FILTER_ERRORS = '<span class="errorlist" id="{id}_error">{errors}</span>'
FILTER_NAMES = ("email", "workspace", "action", "entity", "id", "since", "until")
# Beyond this many matching actor emails the email filter falls back to a substring scan.
MAX_RESOLVED_EMAILS = 500
EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)
ONE_MICROSECOND = datetime.timedelta(microseconds=1)


class SearchInput(forms.TextInput):
    input_type = "search"


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


def encode_cursor(entry) -> str:
    return f"{(entry.created_at - EPOCH) // ONE_MICROSECOND}_{entry.pk}"


def decode_cursor(value: str) -> tuple[datetime.datetime, int]:
    micros, _, pk = value.partition("_")
    try:
        return EPOCH + datetime.timedelta(microseconds=int(micros)), int(pk)
    except (ValueError, OverflowError):
        raise forms.ValidationError(
            "This page link is broken: start again from the newest."
        ) from None


@shared_fields
class ActivityFilterForm(forms.Form):
    # drawn on every full activity page: through the Django template engine its inputs and 35
    # <option>s were about a third of what the page still renders
    default_renderer = JINJA2_RENDERER
    bound_field_class = ReusedWidgetField

    email = forms.CharField(
        label="Actor email",
        required=False,
        max_length=254,
        widget=SearchInput(attrs={"placeholder": "contains…", "autocomplete": "off"}),
    )
    WORKSPACE_MAX = 120
    workspace = forms.CharField(
        required=False,
        max_length=WORKSPACE_MAX,
        widget=SearchInput(
            attrs={
                "placeholder": "name contains…",
                "list": "activity-workspaces",
                "autocomplete": "off",
            }
        ),
    )
    action = forms.ChoiceField(required=False, choices=[("", "Any action"), *Action.choices])
    entity = forms.ChoiceField(required=False, choices=[("", "Any entity"), *ENTITY_TYPES.items()])
    id = forms.CharField(label="Entity id", required=False, max_length=64)
    since = query_params.DateField(required=False, widget=DateInput)
    until = query_params.DateField(required=False, widget=DateInput)
    before = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()

    def clean_workspace(self):
        return self.cleaned_data["workspace"].strip()

    def clean_id(self):
        return self.cleaned_data["id"].strip()

    def clean_before(self):
        value = self.cleaned_data["before"].strip()
        return decode_cursor(value) if value else None

    def clean(self):
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", "“Until” must be on or after “since”.")
        return data

    @property
    def active_filters(self) -> dict:
        """The filters in use, as query parameters (no cursor)."""
        if not self.is_bound or not self.is_valid():
            return {}
        return {
            name: value.isoformat() if hasattr(value, "isoformat") else value
            for name in FILTER_NAMES
            if (value := self.cleaned_data.get(name)) not in (None, "")
        }

    def filter_inputs(self) -> SafeString:
        """The visible filters as the page shows them: each in a <div class="filter-NAME"> with
        its <label>, its input (ReusedWidgetField) and its errors, escaped. Formatted here, not
        by a template loop (~1,300 Python calls a page through the Django template engine), and
        without errors kept for reuse by the submitted values, which are all it depends on then
        with the form's prefix and ids (the bound fields' labels, ids and inputs were ~700 more
        calls a page)."""
        key = None
        if not self.errors:
            visible = [name for name, field in self.fields.items() if not field.widget.is_hidden]
            values = tuple(self.data.get(self.add_prefix(name)) for name in visible)
            key = (type(self), "filter_inputs", self.prefix, self.auto_id, self.is_bound)
            key += (tuple(visible), repr(values))
            html = recall_rendered(key)
            if html is not None:
                return html
        html = mark_safe(
            "".join(
                [
                    FILTER_INPUT.format(
                        name=escape(field.name),
                        id=escape(field.id_for_label),
                        label=conditional_escape(field.label),
                        input=field,
                        errors=FILTER_ERRORS.format(
                            id=escape(field.auto_id), errors=escape(" ".join(field.errors))
                        )
                        if field.errors
                        else "",
                    )
                    for field in self.visible_fields()
                ]
            )
        )
        if key is not None:
            keep_rendered(key, html)
        return html

    @property
    def filter_chips(self) -> list[tuple[str, str]]:
        """The filters in use as (field label, readable value): choice labels, not slugs."""
        chips = []
        for name, value in self.active_filters.items():
            field = self.fields[name]
            shown = dict(getattr(field, "choices", ())).get(value, value)
            chips.append((field.label or name.capitalize(), str(shown)))
        return chips

    def error_lines(self) -> list[str]:
        lines = []
        for name, errors in self.errors.items():
            label = self.fields[name].label or name.capitalize() if name in self.fields else ""
            for error in errors:
                lines.append(f"{label}: {error}" if label else error)
        return lines


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def like_sql(connection, column: str, lookup: str = "icontains") -> str:
    """The SQL condition `column__<lookup>=…` ("contains" or "icontains") as the ORM writes it
    for `connection`'s database, e.g. `UPPER(column::text) LIKE UPPER(%s)` for icontains on
    PostgreSQL. `column` is put in as it is; the one %s is like_pattern(connection, text). For
    the filters' reads on every page they filter: built as querysets, each cost ~1 ms of
    Python, more than the query."""
    lhs = connection.ops.lookup_cast(lookup, "CharField") % column
    return f"{lhs} {connection.operators[lookup] % '%s'}"


def like_pattern(connection, text: str) -> str:
    """like_sql's parameter for `text`: its LIKE wildcards escaped, between two %."""
    return f"%{connection.ops.prep_for_like_query(text)}%"


def workspace_ids_named(org, text: str) -> set[int]:
    """Ids of the org's workspaces whose name contains `text` (any case, as `icontains`), now or
    as the log recorded it (so renamed and deleted workspaces are found too). One query, from
    the database the ORM reads workspaces from."""
    connection = connections[router.db_for_read(Workspace)]
    quote = connection.ops.quote_name
    contains, pattern = like_sql(connection, "name"), like_pattern(connection, text)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id FROM {quote(Workspace._meta.db_table)} WHERE org_id = %s AND {contains} "
            f"UNION SELECT workspace_id FROM {quote(ActivityWorkspaceName._meta.db_table)} "
            f"WHERE org_id = %s AND {contains}",
            [org.pk, pattern, org.pk, pattern],
        )
        return {pk for (pk,) in cursor.fetchall()}


def actor_emails(org, text: str, limit: int = MAX_RESOLVED_EMAILS) -> list[str] | None:
    """The org's actor emails containing `text` (lower case), or None when more than `limit`
    do: one query on the actor table (through its email's trigram index on PostgreSQL)."""
    connection = connections[router.db_for_read(ActivityActor)]
    table = connection.ops.quote_name(ActivityActor._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT email FROM {table} WHERE org_id = %s AND "
            f"{like_sql(connection, 'email', 'contains')} LIMIT %s",
            [org.pk, like_pattern(connection, text), limit + 1],
        )
        emails = [email for (email,) in cursor.fetchall()]
    return None if len(emails) > limit else emails


class AnyOf(Lookup):
    """`AnyOf(F("column"), […])`, a filter: `column = ANY(%s)` with the list as ONE array
    parameter on PostgreSQL (`__in` binds, converts and quotes each value: at 99 workspace
    ids that was ~4,000 Python calls, a tenth of the activity page's); `IN (…)` elsewhere.
    The values are used as given (no conversion)."""

    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, params = self.process_lhs(compiler, connection)
        values = list(self.rhs)
        if connection.vendor == "postgresql":
            return f"{lhs} = ANY(%s)", [*params, values]
        return f"{lhs} IN ({', '.join(['%s'] * len(values))})", [*params, *values]


# filter_entries(emails=…) when the caller has not resolved the email filter.
UNRESOLVED = object()


def filter_entries(org, data: dict, *, emails=UNRESOLVED):
    """The org's entries matching validated filters (ActivityFilterForm.cleaned_data), newest
    first. `emails`: actor_emails() of data["email"] when the caller resolved them already."""
    entries = ActivityEntry.objects.filter(org=org)
    if email := data.get("email"):
        if emails is UNRESOLVED:
            emails = actor_emails(org, email)
        if emails is None or len(emails) > MAX_RESOLVED_EMAILS:
            # So many actors match that their entries are everywhere in the log: read it
            # newest first and keep the matches. A plain LIKE on the column (actor emails are
            # stored in lower case, as the search text is) lets PostgreSQL estimate how common
            # the match is from the column's statistics; UPPER(...) LIKE has none, so the
            # planner guessed the match rare and sorted the whole log (SPEC §8 benchmark).
            # The page reads the actors whose newest entries are newest instead, when no
            # filter but dates and the cursor comes with it (newest_entries).
            entries = entries.filter(actor_email__contains=email)
        else:
            entries = entries.filter(actor_email__in=emails)
    if workspace := data.get("workspace"):
        ids = sorted(workspace_ids_named(org, workspace))
        if len(ids) <= 1:
            # an equality: the org + workspace + time index reads it in time order
            entries = entries.filter(workspace_id__in=ids)
        else:
            entries = entries.filter(AnyOf(F("workspace_id"), ids))
    if action := data.get("action"):
        entries = entries.filter(action=action)
    if entity := data.get("entity"):
        entries = entries.filter(entity_type=entity)
    if entity_id := data.get("id"):
        entries = entries.filter(entity_id=entity_id)
    if since := data.get("since"):
        entries = entries.filter(created_at__gte=_day_start(since))
    if until := data.get("until"):
        entries = entries.filter(created_at__lt=_day_start(until + datetime.timedelta(days=1)))
    if before := data.get("before"):
        moment, pk = before
        # The plain bound lets the index scan start at the cursor; the OR breaks ties by id.
        entries = entries.filter(created_at__lte=moment).filter(
            Q(created_at__lt=moment) | Q(created_at=moment, pk__lt=pk)
        )
    return entries.order_by("-created_at", "-id")


# Filters that an actor's index does not hold: with one of them, an actor's newest match may be
# far down its entries (at 1M entries, "member01" with a workspace took 95 ms actor by actor,
# 8 ms through the other filter's index), so the log is read through the other filter's index.
ACTOR_UNBOUNDED_FILTERS = ("workspace", "action", "entity", "id")
# An email filter alone (or with dates and the cursor) reads the actors whose newest entries are
# newest. Only actors with entries past the page's upper bound (`until`, the cursor) need a look
# at their own entries (an index probe each) to find their newest one within it; beyond this
# many such actors, matches are common enough that the log read newest first finds a page soon.
MAX_ACTORS_READ = 2_000


def newest_entries(org, data: dict, fields, limit: int) -> list[ActivityEntry]:
    """The first `limit` entries of filter_entries(org, data) with `fields` loaded (one page).

    An email filter alone, or with dates and the cursor (which the actor index holds), is read
    on PostgreSQL in one query, however many actors match (`_newest_of_actors`); otherwise the
    email resolves to at most MAX_RESOLVED_EMAILS actor emails first (one query)."""
    email = data.get("email")
    if (
        email
        and not any(data.get(name) for name in ACTOR_UNBOUNDED_FILTERS)
        and connections[router.db_for_read(ActivityEntry)].vendor == "postgresql"
    ):
        return _newest_of_actors(org, data, fields, limit)
    emails = actor_emails(org, email) if email else []
    return list(filter_entries(org, data, emails=emails).only(*fields)[:limit])


def _upper_bound(data: dict) -> datetime.datetime | None:
    """The time before which every entry is within the page's `until` and cursor, if any."""
    bounds = []
    if until := data.get("until"):
        bounds.append(_day_start(until + datetime.timedelta(days=1)))
    if before := data.get("before"):
        bounds.append(before[0])
    return min(bounds) if bounds else None


def _newest_of_actors(org, data: dict, fields, limit: int) -> list[ActivityEntry]:
    """newest_entries() for an email filter with no filter but dates and the cursor, on
    PostgreSQL: one query whose work does not grow with the log or, on the first page, with the
    number of matching actors.

    Each matching actor's newest entry within the page's bounds is its `ActivityActor.newest_at`
    when that is older than the upper bound (`until`, the cursor), else the newest entry of its
    own before the bound (an index probe). The page is then read from the actors whose newest
    entries are among the `limit` newest (ties included), at most `limit` entries of each
    through the org + actor email + time index (index only, no older than the `limit`-th of
    those newest times), and the `limit` newest of those fetched by id. Correct because an
    entry older than the `limit`-th actor's newest has `limit` newer matches before it. When
    more than MAX_ACTORS_READ actors need a probe, the log is read newest first instead."""
    # The other filters (the org, dates, cursor) as one WHERE clause, compiled once: Django's
    # compiler took about 1.5 ms a page for the four queries below built as querysets.
    others = filter_entries(org, {**data, "email": ""})
    db = others.db
    connection = connections[db]
    where, where_params = others.query.get_compiler(connection=connection).compile(
        others.query.where
    )
    meta, quote = ActivityEntry._meta, connection.ops.quote_name
    entries = quote(meta.db_table)
    columns = ", ".join(
        f"{entries}.{quote(meta.get_field(name).column)}" for name in dict.fromkeys(["id", *fields])
    )
    newest_first = f"ORDER BY {entries}.created_at DESC, {entries}.id DESC"
    pattern = f"%{connection.ops.prep_for_like_query(data['email'])}%"
    upper = _upper_bound(data) or "infinity"
    since = _day_start(data["since"]) if data.get("since") else "-infinity"
    sql = f"""
        WITH actor AS (
            SELECT email, newest_at FROM {quote(ActivityActor._meta.db_table)}
            WHERE org_id = %s AND email LIKE %s
              AND (newest_at IS NULL OR newest_at >= %s::timestamptz)
        ), probed AS (
            SELECT count(*) AS actors FROM actor
            WHERE newest_at IS NULL OR newest_at >= %s::timestamptz
        ), newest AS (
            SELECT actor.email, CASE WHEN actor.newest_at < %s::timestamptz
                THEN actor.newest_at
                ELSE (
                    SELECT {entries}.created_at FROM {entries}
                    WHERE {where} AND {entries}.actor_email = actor.email {newest_first} LIMIT 1
                ) END AS newest_at
            FROM actor
        ), bound AS (
            SELECT coalesce((
                SELECT newest_at FROM newest WHERE newest_at IS NOT NULL
                ORDER BY newest_at DESC OFFSET %s LIMIT 1
            ), '-infinity'::timestamptz) AS at
        ), page_key AS (
            SELECT page_rows.id FROM newest CROSS JOIN LATERAL (
                SELECT {entries}.id, {entries}.created_at FROM {entries}
                WHERE {where} AND {entries}.actor_email = newest.email
                  AND {entries}.created_at >= (SELECT at FROM bound)
                {newest_first} LIMIT %s
            ) AS page_rows
            WHERE newest.newest_at >= (SELECT at FROM bound)
            ORDER BY page_rows.created_at DESC, page_rows.id DESC LIMIT %s
        )
        SELECT {columns} FROM {entries}
        WHERE {entries}.id IN (SELECT id FROM page_key) AND (SELECT actors FROM probed) <= %s
        UNION ALL
        -- The condition outside the subquery: a plan that would start parallel workers for
        -- the scan does not start them when it is false.
        SELECT * FROM (
            SELECT {columns} FROM {entries}
            WHERE {where} AND {entries}.actor_email LIKE %s {newest_first} LIMIT %s
        ) AS scanned WHERE (SELECT actors FROM probed) > %s
        ORDER BY created_at DESC, id DESC
    """
    params = (
        org.pk,
        pattern,
        since,
        upper,
        upper,
        *where_params,
        limit - 1,
        *where_params,
        limit,
        limit,
        MAX_ACTORS_READ,
        *where_params,
        pattern,
        limit,
        MAX_ACTORS_READ,
    )
    return list(ActivityEntry.objects.using(db).raw(sql, params))


def _url(view_name: str, org, params: dict) -> str:
    unknown = set(params) - set(FILTER_NAMES) - {"before"}
    if unknown:
        raise TypeError(f"Unknown activity filter {sorted(unknown)[0]!r}: use {FILTER_NAMES}.")
    query = {
        name: value.isoformat() if hasattr(value, "isoformat") else str(value)
        for name, value in params.items()
        if value not in (None, "")
    }
    url = nav_url(view_name, org.slug)
    return f"{url}?{urlencode(query)}" if query else url


def activity_url(org, **filters) -> str:
    """The org's activity log filtered, e.g. `activity_url(org, entity="flow", id=flow.pk)`
    or `activity_url(org, email=user.email, since=date(2025, 1, 1))`. Filters: email,
    workspace, action, entity, id, since, until."""
    return _url("audit:activity", org, filters)


def export_url(org, **filters) -> str:
    """The CSV export of the org's log with the same filters as activity_url()."""
    return _url("audit:export_csv", org, filters)

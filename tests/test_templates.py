"""Static checks over templates/ (no database, no rendering): the console's links come from
{% url %}, lists page through the one pagination template, and every destructive
confirmation is the one confirmation component. Each check is a function of a template's name
and text, shown to fail on a bad sample."""

import re
from pathlib import Path

import pytest
from django.conf import settings

TEMPLATES = Path(settings.BASE_DIR) / "templates"

PAGINATION = "components/pagination.html"
CONFIRMATION = "components/confirm.html"
# Django's admin picks this name for the activity log's changelist (ModelAdmin has no setting
# for it): Django's own admin markup, saying "more than N" where the count is capped
# (audit.admin.CappedCountPaginator). It is the admin site's control, not the console's.
ADMIN_PAGINATION = "admin/audit/activityentry/pagination.html"


def templates() -> dict[str, str]:
    """Every template under templates/ (name relative to it → text)."""
    return {
        path.relative_to(TEMPLATES).as_posix(): path.read_text()
        for path in sorted(TEMPLATES.rglob("*"))
        if path.is_file() and path.suffix in (".html", ".txt")
    }


# An attribute that takes a URL, its value starting with "/" (a path written out), or a URL
# assembled from string pieces ("/orgs/"|add:org.slug).
HARD_CODED_PATH = re.compile(
    r"""\b(?:href|action|src|hx-(?:get|post|put|patch|delete))\s*=\s*["']/"""
    r"""|["']/[a-z][\w-]*/["']\s*\|\s*add:"""
)
# {% static %} is the one way to a file of static/; "/" alone is no app path either way.


def hard_coded_paths(text: str) -> list[str]:
    """The lines of `text` that write an app path out instead of {% url %}."""
    return [line.strip() for line in text.splitlines() if HARD_CODED_PATH.search(line)]


PAGINATION_MARKS = re.compile(
    r"has_next|has_previous|next_page_number|previous_page_number|paginator\.num_pages"
    r"|class=\"(?:[^\"]* )?(?:pagination|pager)\b|rel=\"(?:next|prev)\""
)


def paginates(name: str, text: str) -> bool:
    """Whether template `name` draws its own pagination control (links from page to page)."""
    return "paginat" in name.rsplit("/", 1)[-1] or bool(PAGINATION_MARKS.search(text))


DESTRUCTIVE_SUBMIT = re.compile(
    r"<button\b(?=[^>]*\btype=\"submit\")(?=[^>]*\bclass=\"[^\"]*\bdanger\b)[^>]*>"
)


def confirms_by_hand(text: str) -> bool:
    """Whether a template has its own destructive submit button (a form asking "really
    delete?") instead of including the confirmation component."""
    return bool(DESTRUCTIVE_SUBMIT.search(text))


# --- the rules, over the real templates ----------------------------------------------------


def test_no_template_writes_an_app_path_out():
    found = {name: lines for name, text in templates().items() if (lines := hard_coded_paths(text))}
    assert not found, f"use {{% url %}} instead: {found}"


def test_one_pagination_template():
    drawn = {name for name, text in templates().items() if paginates(name, text)}
    assert drawn == {PAGINATION, ADMIN_PAGINATION}


def test_lists_page_through_the_component():
    using = [name for name, text in templates().items() if PAGINATION in text]
    assert len(using) >= 10  # every paginated list of the console, the activity log too
    assert "audit/activity.html" in using


def test_every_destructive_confirmation_is_the_component():
    by_hand = [name for name, text in templates().items() if confirms_by_hand(text)]
    assert by_hand == [CONFIRMATION]


def test_confirmation_pages_only_wrap_the_component():
    """The layout wrappers add their layout and the component, nothing of their own."""
    wrappers = [
        name
        for name, text in templates().items()
        if f'{{% include "{CONFIRMATION}"' in text and name.endswith("confirm.html")
    ]
    assert sorted(wrappers) == [
        "orgs/confirm.html",
        "workspaces/confirm.html",
        "workspaces/manage/confirm.html",
    ]
    for name in wrappers:
        text = templates()[name]
        assert "<form" not in text and "<button" not in text and "<p" not in text, name


# --- each check fails on a bad sample ------------------------------------------------------


@pytest.mark.parametrize(
    "line",
    [
        '<a href="/orgs/{{ org.slug }}/">Console</a>',
        "<form method='post' action=\"/orgs/acme/teams/\">",
        '<button hx-post="/orgs/{{ org.slug }}/undo/">Undo</button>',
        '<img src="/orgs/{{ org.slug }}/avatar.png" alt="">',
        '{% with href="/orgs/"|add:org.slug|add:"/" %}',
    ],
)
def test_a_written_out_path_is_found(line):
    assert hard_coded_paths(f"<p>before</p>\n{line}\n") == [line]


@pytest.mark.parametrize(
    "line",
    [
        "<a href=\"{% url 'orgs:dashboard' org.slug %}\">Console</a>",
        '<a href="{{ export_url }}">Export</a>',
        '<a href="?page=2">Next</a>',
        '<a href="#content">Skip</a>',
        '<link rel="stylesheet" href="{% static \'css/app.css\' %}">',
    ],
)
def test_a_reversed_url_passes(line):
    assert hard_coded_paths(line) == []


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("orgs/_pagination.html", "{% if page.has_other_pages %}…{% endif %}"),
        ("workspaces/flow_list.html", '<a href="{% querystring page=page.next_page_number %}">'),
        ("audit/activity.html", '<nav class="pager"><a rel="next" href="{{ older_url }}">'),
        ("orgs/teams.html", '<nav class="pagination" aria-label="Pages">'),
    ],
)
def test_a_second_pagination_is_found(name, text):
    assert paginates(name, text)


def test_including_the_pagination_component_passes():
    text = '{% include "components/pagination.html" with page=page label="Team pages" %}'
    assert not paginates("orgs/teams.html", text)


@pytest.mark.parametrize(
    "button",
    [
        '<button type="submit" class="btn danger">Delete {{ team.name }}</button>',
        '<button class="btn danger small" type="submit">Revoke</button>',
    ],
)
def test_a_confirmation_by_hand_is_found(button):
    page = f'<form method="post">{{% csrf_token %}}\n  {button}\n</form>'
    assert confirms_by_hand(page)


@pytest.mark.parametrize(
    "text",
    [
        '{% include "components/confirm.html" %}',
        # a link to the confirmation page, and a disabled button explaining why not
        '<a class="btn danger" href="{{ delete_url }}">Delete…</a>',
        '<button type="button" class="btn danger" disabled>Remove</button>',
    ],
)
def test_the_component_and_links_to_it_pass(text):
    assert not confirms_by_hand(text)


def test_sidebar_links_are_the_reversed_urls():
    """The sidebar and the Manage pages' tabs build their links from URL names
    (flowadmin.nav_urls.nav_url, reversed once per name): the same URLs as
    reverse(), for any slugs."""
    from django.urls import reverse

    from flowadmin.nav_urls import (
        CONSOLE_SECTIONS,
        MANAGE_PAGES,
        WORKSPACE_SECTIONS,
        nav_url,
    )

    for name, _label in [*CONSOLE_SECTIONS, ("orgs:dashboard", "")]:
        for org in ("acme", "org-slug-placeholder-2", "a_b"):
            assert nav_url(name, org) == reverse(name, args=[org])
    for name, *_ in [*WORKSPACE_SECTIONS, ("workspaces:home",), *zip(MANAGE_PAGES)]:
        assert nav_url(name, "acme", "ws-slug-placeholder") == reverse(
            name, args=["acme", "ws-slug-placeholder"]
        )

import csv
import io

import pytest
from django.http import StreamingHttpResponse
from django.utils import timezone

from orgs.errors import ServiceError
from tests.factories import AudienceContactFactory
from workspaces.models import AudienceContact
from workspaces.selectors.content import AudienceFilters
from workspaces.services import content as content_services

from .conftest import ws_path

pytestmark = pytest.mark.django_db


@pytest.fixture
def audience_client(client, demo):
    client.force_login(demo["audience@acme.test"])
    return client


@pytest.fixture
def people(marketing):
    AudienceContact.objects.filter(workspace=marketing).delete()
    return {
        "ann": AudienceContactFactory(
            workspace=marketing, email="ann@example.test", name="Ann Lee", tags=["vip"]
        ),
        "bob": AudienceContactFactory(
            workspace=marketing, email="bob@example.test", name="Bob Annan", tags=["news"]
        ),
        "cy": AudienceContactFactory(
            workspace=marketing, email="cy@other.test", name="Cy", tags=["vip", "news"]
        ),
    }


def listed(response):
    return {c.email for c in response.context["page"].object_list}


def export_rows(response):
    assert isinstance(response, StreamingHttpResponse)
    text = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(text)))


# --- list ----------------------------------------------------------------------------------


def test_list_shows_the_workspaces_contacts_only(audience_client, marketing, people, sales):
    AudienceContactFactory(workspace=sales, email="sales@example.test")
    response = audience_client.get(ws_path(marketing, "audience/"))
    assert listed(response) == {"ann@example.test", "bob@example.test", "cy@other.test"}


@pytest.mark.parametrize(
    "query,expected",
    [
        ({"q": "ann"}, {"ann@example.test", "bob@example.test"}),  # email or name
        ({"q": "OTHER.test"}, {"cy@other.test"}),
        ({"tag": "vip"}, {"ann@example.test", "cy@other.test"}),
        ({"tag": "VIP"}, {"ann@example.test", "cy@other.test"}),
        ({"q": "ann", "tag": "news"}, {"bob@example.test"}),
        ({"tag": "vi"}, set()),
    ],
)
def test_list_filters(audience_client, marketing, people, query, expected):
    assert listed(audience_client.get(ws_path(marketing, "audience/"), query)) == expected


def test_list_paginates_keeping_the_filters(audience_client, marketing, people):
    AudienceContactFactory.create_batch(60, workspace=marketing, tags=["bulk"])
    response = audience_client.get(ws_path(marketing, "audience/"), {"tag": "bulk", "page": 2})
    assert len(response.context["page"].object_list) == 10
    assert "?tag=bulk&amp;page=1" in response.content.decode()


def test_list_for_htmx_is_the_results_partial(audience_client, marketing, people):
    response = audience_client.get(
        ws_path(marketing, "audience/"), {"q": "cy"}, headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="results"')
    assert "cy@other.test" in html
    assert "ann@example.test" not in html
    assert response["Vary"].count("HX-Request") == 1


def test_list_for_an_htmx_history_restore_is_the_whole_page(audience_client, marketing, people):
    response = audience_client.get(
        ws_path(marketing, "audience/"),
        headers={"HX-Request": "true", "HX-History-Restore-Request": "true"},
    )
    assert "<html" in response.content.decode()


def test_export_link_carries_the_filters(audience_client, marketing, people):
    html = audience_client.get(ws_path(marketing, "audience/"), {"q": "ann", "page": 1}).content
    assert f'href="{ws_path(marketing, "audience/export.csv")}?q=ann"'.encode() in html


def test_list_empty_states(audience_client, marketing):
    AudienceContact.objects.filter(workspace=marketing).delete()
    html = audience_client.get(ws_path(marketing, "audience/")).content.decode()
    assert "No audience contacts in Marketing yet." in html
    html = audience_client.get(ws_path(marketing, "audience/"), {"q": "zz"}).content.decode()
    assert "No contacts match these filters." in html


# --- tags ----------------------------------------------------------------------------------


def test_tag_add_with_htmx_rerenders_the_tags_in_place(audience_client, marketing, people):
    ann = people["ann"]
    response = audience_client.post(
        ws_path(marketing, f"audience/{ann.pk}/tags/"),
        {"tag": "  Trade Show "},
        headers={"HX-Request": "true"},
    )
    ann.refresh_from_db()
    assert ann.tags == ["trade-show", "vip"]
    html = response.content.decode()
    assert html.lstrip().startswith(f'<div class="contact-tags" id="contact-{ann.pk}-tags"')
    assert "trade-show" in html


def test_tag_add_twice_keeps_one(audience_client, marketing, people):
    url = ws_path(marketing, f"audience/{people['ann'].pk}/tags/")
    audience_client.post(url, {"tag": "vip"})
    people["ann"].refresh_from_db()
    assert people["ann"].tags == ["vip"]


def test_tag_add_refuses_a_bad_tag_in_place(audience_client, marketing, people):
    response = audience_client.post(
        ws_path(marketing, f"audience/{people['ann'].pk}/tags/"),
        {"tag": "<b>!"},
        headers={"HX-Request": "true"},
    )
    people["ann"].refresh_from_db()
    assert people["ann"].tags == ["vip"]
    assert 'role="alert"' in response.content.decode()


def test_tag_add_refuses_more_than_the_maximum(marketing, people):
    ann = people["ann"]
    ann.tags = [f"t{i}" for i in range(content_services.MAX_TAGS)]
    ann.save()
    with pytest.raises(ServiceError):
        content_services.contact_tag_add(actor=None, contact=ann, tag="one-more")


def test_tag_remove(audience_client, marketing, people):
    cy = people["cy"]
    audience_client.post(
        ws_path(marketing, f"audience/{cy.pk}/tags/"),
        {"remove": "vip"},
        headers={"HX-Request": "true"},
    )
    cy.refresh_from_db()
    assert cy.tags == ["news"]


def test_tag_without_javascript_goes_back_to_the_filtered_list(audience_client, marketing, people):
    back = ws_path(marketing, "audience/?tag=vip&page=1")
    response = audience_client.post(
        ws_path(marketing, f"audience/{people['ann'].pk}/tags/"), {"tag": "x1", "next": back}
    )
    assert response["Location"] == back


def test_tag_refuses_an_outside_next(audience_client, marketing, people):
    response = audience_client.post(
        ws_path(marketing, f"audience/{people['ann'].pk}/tags/"),
        {"tag": "x1", "next": "https://evil.test/"},
    )
    assert response["Location"] == ws_path(marketing, "audience/")


def test_tag_error_without_javascript_is_a_message(audience_client, marketing, people):
    response = audience_client.post(
        ws_path(marketing, f"audience/{people['ann'].pk}/tags/"), {"tag": "!!"}, follow=True
    )
    assert "ann@example.test: A tag is 1 to 40" in response.content.decode()


def test_tag_get_is_not_allowed(audience_client, marketing, people):
    response = audience_client.get(ws_path(marketing, f"audience/{people['ann'].pk}/tags/"))
    assert response.status_code == 405


# --- delete --------------------------------------------------------------------------------


def test_delete_asks_for_confirmation(audience_client, marketing, people):
    response = audience_client.get(ws_path(marketing, f"audience/{people['bob'].pk}/delete/"))
    assert "Delete this contact?" in response.content.decode()
    assert AudienceContact.objects.filter(pk=people["bob"].pk).exists()


def test_delete_removes_the_contact_and_returns_to_the_list(audience_client, marketing, people):
    back = ws_path(marketing, "audience/?q=b")
    response = audience_client.post(
        ws_path(marketing, f"audience/{people['bob'].pk}/delete/"), {"next": back}
    )
    assert response["Location"] == back
    assert not AudienceContact.objects.filter(pk=people["bob"].pk).exists()


# --- export --------------------------------------------------------------------------------


def test_export_streams_every_contact_with_a_header(audience_client, marketing, people):
    response = audience_client.get(ws_path(marketing, "audience/export.csv"))
    rows = export_rows(response)
    assert rows[0] == ["email", "name", "source_flow", "collected_at", "consent", "tags"]
    assert {row[0] for row in rows[1:]} == {
        "ann@example.test",
        "bob@example.test",
        "cy@other.test",
    }
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    date = timezone.localdate().isoformat()
    assert response["Content-Disposition"] == (
        f'attachment; filename="marketing-audience-{date}.csv"'
    )


def test_export_honours_the_filters(audience_client, marketing, people):
    response = audience_client.get(
        ws_path(marketing, "audience/export.csv"), {"q": "ann", "tag": "news"}
    )
    assert [row[0] for row in export_rows(response)[1:]] == ["bob@example.test"]


def test_export_writes_the_row_fields(audience_client, marketing, content):
    response = audience_client.get(ws_path(marketing, "audience/export.csv"), {"q": "mkt-ann"})
    email, name, flow, collected_at, consent, tags = export_rows(response)[1]
    assert (email, name, flow, consent, tags) == (
        "mkt-ann@example.test",
        "Ann Example",
        "Spring promo",
        "no",
        "vip",
    )
    assert collected_at.startswith(str(content.contact.collected_at.year))


def test_export_neutralises_spreadsheet_formulas(audience_client, marketing, people):
    AudienceContactFactory(workspace=marketing, email="f@example.test", name="=HYPERLINK(1)")
    response = audience_client.get(ws_path(marketing, "audience/export.csv"), {"q": "f@"})
    assert export_rows(response)[1][1] == "'=HYPERLINK(1)"


def test_export_leaves_other_workspaces_out(audience_client, marketing, people, sales):
    AudienceContactFactory(workspace=sales, email="sales@example.test")
    rows = export_rows(audience_client.get(ws_path(marketing, "audience/export.csv")))
    assert "sales@example.test" not in {row[0] for row in rows}


def test_export_queries_do_not_grow_with_rows(
    audience_client, marketing, people, django_assert_max_num_queries
):
    url = ws_path(marketing, "audience/export.csv")
    # Reading and streaming, then the activity entry that records the export (chain head,
    # entry, chain update, and the actor and workspace-name lookup rows, inside the service's
    # savepoint), and the COUNT that chooses between streaming and a background job
    for _ in range(2):
        with django_assert_max_num_queries(13):
            export_rows(audience_client.get(url))
        AudienceContactFactory.create_batch(50, workspace=marketing)


def test_export_reads_with_an_iterator(marketing, people, monkeypatch):
    """The export never loads the whole result: it iterates the queryset in chunks."""
    from django.db.models.query import QuerySet

    calls = []
    original = QuerySet.iterator

    def spy(self, chunk_size=None):
        calls.append(chunk_size)
        return original(self, chunk_size=chunk_size)

    monkeypatch.setattr(QuerySet, "iterator", spy)
    rows = content_services.audience_export(
        actor=None, workspace=marketing, filters=AudienceFilters()
    )
    assert len(list(rows)) == 4
    assert calls == [2000]


def test_filters_from_query_normalise():
    filters = AudienceFilters.from_query({"q": "  ann   lee ", "tag": " VIP "})
    assert filters.as_dict() == {"q": "ann lee", "tag": "vip"}


# --- large exports run in the background (the activity export's job machinery) ---------------


def export_job_rows(client, marketing, job) -> list[list[str]]:
    from django.http import FileResponse

    response = client.get(ws_path(marketing, f"audience/exports/{job.pk}/download"))
    assert isinstance(response, FileResponse)
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_a_large_export_is_a_background_job_with_a_download(
    audience_client, marketing, people, settings, django_capture_on_commit_callbacks
):
    from audit.models import ActivityEntry, ExportJob

    settings.EXPORT_INLINE_MAX_ROWS = 2
    AudienceContactFactory(workspace=marketing, email="eve@example.test", name="=cmd|'/C calc'!A0")
    with django_capture_on_commit_callbacks(execute=True):
        started = audience_client.get(ws_path(marketing, "audience/export.csv"))
    job = ExportJob.objects.get()
    assert started.status_code == 302
    assert started["Location"] == ws_path(marketing, f"audience/exports/{job.pk}/")
    assert (job.kind, job.workspace, job.status) == ("audience", marketing, "done")
    assert job.rows_total == job.rows_done == 4
    assert job.file.name.startswith("exports/audience/marketing-audience-")
    page = audience_client.get(started["Location"]).content.decode()
    assert "Download the CSV" in page
    assert "4 contacts" in page
    rows = export_job_rows(audience_client, marketing, job)
    assert rows[0] == ["email", "name", "source_flow", "collected_at", "consent", "tags"]
    assert {row[0] for row in rows[1:]} == {
        "ann@example.test",
        "bob@example.test",
        "cy@other.test",
        "eve@example.test",
    }
    # the shared writer's formula escaping
    assert [row[1] for row in rows if row[0] == "eve@example.test"] == ["'=cmd|'/C calc'!A0"]
    entry = ActivityEntry.objects.filter(entity_type="audience_export").latest("pk")
    assert entry.actor_email == "audience@acme.test"
    assert entry.changes["delivery"] == [None, "background"]


def test_a_background_export_honours_the_filters(
    audience_client, marketing, people, settings, django_capture_on_commit_callbacks
):
    from audit.models import ExportJob

    settings.EXPORT_INLINE_MAX_ROWS = 0
    with django_capture_on_commit_callbacks(execute=True):
        audience_client.get(ws_path(marketing, "audience/export.csv"), {"q": "ann", "tag": "news"})
    job = ExportJob.objects.get()
    assert job.query == "q=ann&tag=news"
    assert [row[0] for row in export_job_rows(audience_client, marketing, job)[1:]] == [
        "bob@example.test"
    ]


def test_the_job_page_polls_until_the_file_is_ready(audience_client, marketing, people):
    from audit.models import ExportJob

    job = ExportJob.objects.create(
        kind="audience", org=marketing.org, workspace=marketing, rows_total=10, rows_done=4
    )
    partial = audience_client.get(
        ws_path(marketing, f"audience/exports/{job.pk}/"), headers={"HX-Request": "true"}
    )
    html = partial.content.decode()
    assert html.lstrip().startswith('<section class="card" id="export-progress"')
    assert 'hx-trigger="every 2s"' in html
    assert "4 of 10 contacts written (40%)" in html
    download = ws_path(marketing, f"audience/exports/{job.pk}/download")
    assert audience_client.get(download).status_code == 404


def test_export_jobs_stay_in_their_workspace_and_need_the_audience_flag(
    client, demo, marketing, sales
):
    from audit.models import ExportJob

    job = ExportJob.objects.create(kind="audience", org=sales.org, workspace=sales, status="done")
    activity_job = ExportJob.objects.create(org=marketing.org, status="done")
    client.force_login(demo["admin@acme.test"])
    assert client.get(ws_path(marketing, f"audience/exports/{job.pk}/")).status_code == 404
    assert client.get(ws_path(sales, f"audience/exports/{job.pk}/")).status_code == 200
    assert client.get(ws_path(sales, f"audience/exports/{activity_job.pk}/")).status_code == 404
    assert client.get(f"/orgs/acme/activity/exports/{job.pk}/").status_code == 404
    client.force_login(demo["viewer@acme.test"])
    assert client.get(ws_path(marketing, "audience/export.csv")).status_code == 403

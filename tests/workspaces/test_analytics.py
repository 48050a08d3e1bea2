import datetime

import pytest
from django.template.defaultfilters import date as date_filter
from django.utils import timezone, translation

from tests.factories import FlowFactory, ScanFactory, WorkspaceFactory
from workspaces import charts, selectors
from workspaces.models import Scan

pytestmark = pytest.mark.django_db

BASE = "/orgs/acme/w/marketing/"
NOW = datetime.datetime(2025, 3, 20, 15, 0, tzinfo=datetime.UTC)


def at(days_ago, hour=12):
    day = NOW.date() - datetime.timedelta(days=days_ago)
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=datetime.UTC)


@pytest.fixture
def workspace():
    return WorkspaceFactory()


@pytest.fixture
def period():
    return selectors.Period.last(7, now=NOW)


def scans(workspace):
    return Scan.objects.filter(workspace=workspace)


# --- selectors -----------------------------------------------------------------------------


def test_period_covers_the_last_n_days_with_today(period):
    assert period.first_day == datetime.date(2025, 3, 14)
    assert period.last_day == datetime.date(2025, 3, 20)
    assert len(period.dates) == 7
    assert period.start == datetime.datetime(2025, 3, 14, tzinfo=datetime.UTC)


def test_period_of_thirty_days_ends_today():
    period = selectors.Period.last(30, now=datetime.datetime(2025, 3, 31, 12, tzinfo=datetime.UTC))
    assert period.first_day == datetime.date(2025, 3, 2)
    assert len(period.dates) == 30
    assert period.end - period.start == datetime.timedelta(days=30)


def test_daily_counts_fill_empty_days_and_skip_older_scans(workspace, period):
    flow = FlowFactory(workspace=workspace)
    ScanFactory.create_batch(3, flow=flow, scanned_at=at(0))
    ScanFactory(flow=flow, scanned_at=at(6, hour=0))
    ScanFactory(flow=flow, scanned_at=at(7, hour=23))  # the day before the period
    daily = selectors.daily_scan_counts(scans(workspace), period)
    assert daily[0] == (datetime.date(2025, 3, 14), 1)
    assert daily[-1] == (datetime.date(2025, 3, 20), 3)
    assert [n for _day, n in daily[1:-1]] == [0] * 5


def test_daily_counts_only_count_the_given_scans(workspace, period):
    ScanFactory(flow=FlowFactory(workspace=workspace), scanned_at=at(1))
    ScanFactory(flow=FlowFactory(), scanned_at=at(1))  # another workspace
    assert sum(n for _d, n in selectors.daily_scan_counts(scans(workspace), period)) == 1


def test_daily_counts_follow_the_current_time_zone(workspace, period, settings):
    settings.TIME_ZONE = "America/New_York"
    flow = FlowFactory(workspace=workspace)
    # 02:00 UTC on the 19th is still the 18th in New York.
    ScanFactory(flow=flow, scanned_at=at(1, hour=2))
    with timezone.override("America/New_York"):
        ny_period = selectors.Period.last(7, now=NOW)
        daily = dict(selectors.daily_scan_counts(scans(workspace), ny_period))
    assert daily[datetime.date(2025, 3, 18)] == 1


def test_by_flow_most_scanned_first_with_shares(workspace, period):
    busy = FlowFactory(workspace=workspace, name="Busy")
    quiet = FlowFactory(workspace=workspace, name="Quiet")
    ScanFactory.create_batch(3, flow=busy, scanned_at=at(1))
    ScanFactory(flow=quiet, scanned_at=at(1))
    shares = selectors.scans_by_flow(scans(workspace), period, total=4)
    assert [(s.key, s.label, s.count, s.percent) for s in shares] == [
        (busy.pk, "Busy", 3, 75.0),
        (quiet.pk, "Quiet", 1, 25.0),
    ]


def test_by_flow_keeps_the_top_ones(workspace, period):
    for n in range(4):
        ScanFactory.create_batch(n + 1, flow=FlowFactory(workspace=workspace), scanned_at=at(0))
    shares = selectors.scans_by_flow(scans(workspace), period, total=10, limit=2)
    assert [s.count for s in shares] == [4, 3]


def test_by_country_groups_the_rest_and_the_unknown(workspace, period):
    flow = FlowFactory(workspace=workspace)
    for country, n in [("US", 3), ("DE", 2), ("FR", 1), ("JP", 1), ("", 2)]:
        ScanFactory.create_batch(n, flow=flow, country=country, scanned_at=at(0))
    shares = selectors.scans_by_country(scans(workspace), period, total=9, limit=2)
    assert [(s.label, s.count) for s in shares] == [
        ("US", 3),
        ("DE", 2),
        ("Other countries", 2),
        ("Unknown", 2),
    ]


def test_by_device_uses_labels(workspace, period):
    flow = FlowFactory(workspace=workspace)
    ScanFactory.create_batch(2, flow=flow, device="tablet", scanned_at=at(0))
    ScanFactory(flow=flow, device="desktop", scanned_at=at(0))
    shares = selectors.scans_by_device(scans(workspace), period, total=3)
    assert [(s.label, s.count, s.percent) for s in shares] == [
        ("Tablet", 2, 66.7),
        ("Desktop", 1, 33.3),
    ]


def test_scan_analytics_totals_and_busiest_day(workspace, period):
    flow = FlowFactory(workspace=workspace)
    ScanFactory.create_batch(5, flow=flow, scanned_at=at(2))
    ScanFactory.create_batch(2, flow=flow, scanned_at=at(0))
    report = selectors.scan_analytics(scans(workspace), period)
    assert report.total == 7
    assert report.busiest_day == (datetime.date(2025, 3, 18), 5)
    assert report.daily_average == 1.0


def test_scan_analytics_without_scans(workspace, period):
    report = selectors.scan_analytics(scans(workspace), period)
    assert (report.total, report.busiest_day, report.by_flow) == (0, None, [])


@pytest.mark.parametrize("rows", [3, 120])
def test_scan_analytics_costs_four_queries(workspace, period, django_assert_num_queries, rows):
    flows = FlowFactory.create_batch(3, workspace=workspace)
    Scan.objects.bulk_create(
        Scan(flow=flows[n % 3], workspace=workspace, scanned_at=at(n % 7), country="US")
        for n in range(rows)
    )
    with django_assert_num_queries(4):
        selectors.scan_analytics(scans(workspace), period)


def test_flow_listing_counts_scans_per_flow(workspace):
    flow = FlowFactory(workspace=workspace)
    ScanFactory.create_batch(2, flow=flow)
    FlowFactory(workspace=workspace)
    counts = {f.pk: f.scan_count for f in selectors.flow_listing(workspace)}
    assert counts[flow.pk] == 2
    assert sorted(counts.values(), key=lambda n: n or 0) == [None, 2]


# --- chart ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value,top,step",
    [
        (0, 2, 1),
        (1, 2, 1),
        (3, 3, 1),
        (5, 5, 1),
        (7, 8, 2),
        (9, 10, 2),
        (11, 15, 5),
        (23, 25, 5),
        (41, 50, 10),
        (120, 150, 50),
        (950, 1000, 200),
    ],
)
def test_y_axis_is_labelled_at_round_steps(value, top, step):
    assert charts.y_axis(value) == (top, step)


def test_y_ticks_are_evenly_spaced_whole_numbers():
    day = datetime.date(2025, 3, 1)
    chart = charts.bar_chart([(day, 7)])
    assert [tick.value for tick in chart.ticks] == [0, 2, 4, 6, 8]
    gaps = {round(a.y - b.y, 2) for a, b in zip(chart.ticks, chart.ticks[1:], strict=False)}
    assert len(gaps) == 1


def test_bar_heights_are_proportional():
    day = datetime.date(2025, 3, 1)
    chart = charts.bar_chart([(day, 10), (day, 5), (day, 0)])
    heights = [bar.height for bar in chart.bars]
    assert heights[0] == 2 * heights[1]
    assert heights[2] == 0
    assert chart.bars[0].y + chart.bars[0].height == chart.baseline
    assert [tick.value for tick in chart.ticks] == [0, 2, 4, 6, 8, 10]


def test_bar_chart_geometry():
    days = [datetime.date(2025, 1, d) for d in range(1, 5)]
    chart = charts.bar_chart(list(zip(days, [0, 5, 10, 2], strict=True)))
    plot_height = chart.height - charts.PAD_TOP - charts.PAD_BOTTOM
    assert chart.ticks[-1].value == 10
    assert [bar.height for bar in chart.bars] == [0, plot_height / 2, plot_height, plot_height / 5]
    assert all(bar.y + bar.height == chart.baseline for bar in chart.bars)
    assert chart.bars[1].x > chart.bars[0].x + chart.bars[0].width
    assert chart.labels[-1].day == days[-1]


@pytest.mark.parametrize("language", ["en", "de"])
def test_chart_days_say_what_the_date_filter_says(language):
    """The per-day markup is built once in Python (workspaces.charts: a template loop with a
    `date` filter per day was most of the dashboard's rendering) with the day names
    of the active language, as the filter prints them."""
    days = [datetime.date(2025, 2, 26) + datetime.timedelta(days=n) for n in range(9)]
    with translation.override(language):
        chart = charts.bar_chart([(day, n % 3) for n, day in enumerate(days)])
        bars, table = str(chart.days_html()), str(chart.table_html())
        for n, day in enumerate(days):
            scans = "1 scan" if n % 3 == 1 else f"{n % 3} scans"
            assert f"<title>{date_filter(day, 'D j M')}: {scans}</title>" in bars
            assert f"<tr><td>{date_filter(day, 'D j M Y')}</td>" in table
        assert [label.text for label in chart.labels] == [
            date_filter(label.day, "j M") for label in chart.labels
        ]
    # one tab stop, the last day; arrow keys move between the others (static/js/app.js)
    assert bars.count('role="listitem" tabindex="-1"') == len(days) - 1
    assert bars.rindex('tabindex="0"') > bars.rindex('tabindex="-1"')


# --- the page ------------------------------------------------------------------------------


@pytest.fixture
def viewer(client, demo):
    client.force_login(demo["viewer@acme.test"])
    return client


def test_page_shows_chart_table_and_breakdowns(viewer, marketing):
    response = viewer.get(BASE + "analytics/")
    html = response.content.decode()
    assert response.context["analytics"].period.days == 30
    assert response.context["analytics"].total > 0
    assert 'role="list" aria-label="Scans per day"' in html
    assert "Scans per day as a table" in html
    for heading in ["Top flows", "Countries", "Devices"]:
        assert heading in html


def test_page_total_matches_the_database(viewer, marketing):
    report = viewer.get(BASE + "analytics/", {"days": 90}).context["analytics"]
    assert report.total == Scan.objects.filter(workspace=marketing).count()  # seeded ≤ 60 days


def test_page_period_choice(viewer):
    response = viewer.get(BASE + "analytics/", {"days": "7"})
    assert len(response.context["analytics"].daily) == 7


@pytest.mark.parametrize("days", ["13", "abc", "-7", "3650"])
def test_page_refuses_other_periods_and_shows_30_days(viewer, days):
    response = viewer.get(BASE + "analytics/", {"days": days})
    assert response.status_code == 200
    assert response.context["analytics"].period.days == 30
    assert "Choose a period of 7, 30 or 90 days" in response.content.decode()


def test_page_htmx_renders_the_report_only(viewer):
    response = viewer.get(BASE + "analytics/", {"days": 7}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="analytics-report"')
    assert "<html" not in html


def test_page_empty_state(viewer, marketing):
    Scan.objects.filter(workspace=marketing).delete()
    html = viewer.get(BASE + "analytics/").content.decode()
    assert html.count("No scans in this period.") == 3


def test_page_links_flows_to_their_detail(viewer, marketing):
    report = viewer.get(BASE + "analytics/").context["analytics"]
    html = viewer.get(BASE + "analytics/").content.decode()
    assert f'href="{BASE}flows/{report.by_flow[0].key}/"' in html


@pytest.mark.parametrize("extra", [0, 400])
def test_page_query_count_is_constant(viewer, marketing, django_assert_max_num_queries, extra):
    flows = FlowFactory.create_batch(5, workspace=marketing)
    Scan.objects.bulk_create(
        Scan(flow=flows[n % 5], workspace=marketing, country=["US", "DE", ""][n % 3])
        for n in range(extra)
    )
    with django_assert_max_num_queries(10):
        viewer.get(BASE + "analytics/")


@pytest.mark.parametrize("days", [1, 7, 30, 90])
@pytest.mark.parametrize("largest", [0, 3, 1_000, 123_457])
def test_chart_markup_is_the_format_html_markup_it_replaced(days, largest):
    """days_html/table_html format their numbers directly and escape only the text: the same
    markup as format_html_join gave (kept here as the oracle)."""
    import random

    from django.utils.html import format_html_join

    start = datetime.date(2026, 1, 1)
    points = [(start + datetime.timedelta(days=n), random.randint(0, largest)) for n in range(days)]
    chart = charts.bar_chart(points)
    last = len(chart.bars) - 1
    days_oracle = format_html_join(
        "\n",
        '<g class="day" role="listitem" tabindex="{}"><title>{}</title>'
        '<rect class="slot" x="{}" y="{}" width="{}" height="{}"/>'
        '<rect class="bar" x="{}" y="{}" width="{}" height="{}"/></g>',
        (
            (0 if i == last else -1, bar.title, bar.slot_x, chart.top, bar.slot_width)
            + (chart.plot_height, bar.x, bar.y, bar.width, bar.height)
            for i, bar in enumerate(chart.bars)
        ),
    )
    table_oracle = format_html_join(
        "\n",
        '<tr><td>{}</td><td class="num">{}</td></tr>',
        ((bar.long_day, bar.count) for bar in chart.bars),
    )
    assert chart.days_html() == days_oracle
    assert chart.table_html() == table_oracle

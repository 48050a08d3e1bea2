"""The activity filter form's inputs are rendered once per field and value and then reused
(flowadmin.forms.ReusedWidgetField): the markup is what Django's widgets render, for every
value, and a field with errors is rendered anew (aria-invalid)."""

import pytest
from django.forms.boundfield import BoundField

from audit.filters import ActivityFilterForm
from flowadmin import forms as shared_forms

VALUES = [
    {},
    {"email": "ada@", "workspace": 'R&D "<Lab>"', "action": "updated"},
    {"entity": "flow", "id": "12", "since": "2026-01-01", "until": "2026-01-31"},
    {"action": "deleted", "entity": "team"},
]


def inputs(form) -> list[str]:
    return [str(field) for field in form.visible_fields()]


def fresh_inputs(data) -> list[str]:
    form = ActivityFilterForm(data)
    form.is_valid()
    return [
        BoundField(form, field, name).as_widget()
        for name, field in form.fields.items()
        if not field.widget.is_hidden
    ]


@pytest.fixture(autouse=True)
def empty_store():
    shared_forms._reused_widgets.clear()


@pytest.mark.parametrize("data", VALUES)
def test_reused_inputs_are_the_widgets_markup(data):
    first = ActivityFilterForm(data)
    first.is_valid()
    assert inputs(first) == fresh_inputs(data)
    again = ActivityFilterForm(data)
    again.is_valid()
    assert inputs(again) == fresh_inputs(data)


def test_another_value_is_rendered_with_its_own_value():
    for data in VALUES:
        inputs(ActivityFilterForm(data))
    selected = inputs(ActivityFilterForm({"action": "created"}))
    assert 'value="created" selected' in "".join(selected)
    assert 'value="updated" selected' not in "".join(selected)


def test_a_field_with_errors_is_rendered_anew():
    form = ActivityFilterForm({"since": "2026-02-01", "until": "2026-01-01"})
    assert not form.is_valid()
    assert 'aria-invalid="true"' in str(form["until"])
    assert 'aria-invalid="true"' not in str(ActivityFilterForm({"until": "2026-01-01"})["until"])


def test_the_store_is_bounded(monkeypatch):
    monkeypatch.setattr(shared_forms, "MAX_REUSED_WIDGETS", 5)
    for n in range(20):
        inputs(ActivityFilterForm({"email": f"person{n}@"}))
    assert len(shared_forms._reused_widgets) <= 5


def test_a_flood_of_values_does_not_push_out_the_inputs_in_use(monkeypatch):
    """The least recently used input goes first: the action <select> every page shows is
    rendered once, however many one-off emails come between its uses."""
    monkeypatch.setattr(shared_forms, "MAX_REUSED_WIDGETS", 5)
    rendered = []
    render = BoundField.as_widget

    def counting(field, *args, **kwargs):
        rendered.append(field.name)
        return render(field, *args, **kwargs)

    monkeypatch.setattr(BoundField, "as_widget", counting)
    for n in range(20):
        str(ActivityFilterForm({})["action"])
        str(ActivityFilterForm({"email": f"person{n}@"})["email"])
    assert rendered.count("action") == 1
    assert rendered.count("email") == 20
    assert len(shared_forms._reused_widgets) <= 5


# The filters as the page's template drew them, one loop over the visible fields.
TEMPLATE_LOOP = """{% for field in form.visible_fields %}
<div class="filter-{{ field.name }}">
<label for="{{ field.id_for_label }}">{{ field.label }}</label>
{{ field }}
{% if field.errors %}<span class="errorlist" id="{{ field.auto_id }}_error">\
{{ field.errors|join:" " }}</span>{% endif %}
</div>
{% endfor %}"""


def same_markup(html: str) -> str:
    return "".join(line.strip() for line in html.splitlines())


@pytest.mark.parametrize(
    "data",
    [
        *VALUES,
        {"email": "<b>&'\"", "since": "yesterday", "entity": "<spaceship>"},
        {"since": "2026-02-01", "until": "2026-01-01", "id": "x" * 65},
    ],
)
def test_filter_inputs_are_the_template_loops_markup(data):
    from django.template import engines

    loop = engines["django"].from_string(TEMPLATE_LOOP)
    form = ActivityFilterForm(data)
    form.is_valid()
    expected = same_markup(loop.render({"form": form}))
    assert same_markup(form.filter_inputs()) == expected
    again = ActivityFilterForm(data)  # kept for reuse unless it has errors
    again.is_valid()
    assert same_markup(again.filter_inputs()) == expected


def test_an_invalid_filter_is_described_by_its_error():
    # aria-describedby names the error's element
    form = ActivityFilterForm({"since": "yesterday"})
    assert not form.is_valid()
    html = form.filter_inputs()
    assert 'aria-describedby="id_since_error"' in html
    assert '<span class="errorlist" id="id_since_error">Enter a valid date.</span>' in html


def test_instances_share_the_fields_and_stay_apart():
    first, second = ActivityFilterForm({"action": "created"}), ActivityFilterForm({})
    assert first.fields["entity"] is second.fields["entity"]
    first.is_valid(), second.is_valid()
    assert 'value="created" selected' in str(first["action"])
    assert 'value="" selected' in str(second["action"])


def test_the_filters_block_is_kept_by_values_and_errors_render_anew():
    ActivityFilterForm({"action": "created", "email": "ann"}).filter_inputs()
    other = ActivityFilterForm({"action": "deleted", "email": "ann"}).filter_inputs()
    assert 'value="deleted" selected' in other and 'value="created" selected' not in other
    ActivityFilterForm({"since": "2026-01-01"}).filter_inputs()
    invalid = ActivityFilterForm({"since": "2026-01-01", "until": "2025-01-01"})
    assert 'id="id_until_error"' in invalid.filter_inputs()
    unbound = ActivityFilterForm().filter_inputs()
    assert unbound == ActivityFilterForm({}).filter_inputs() and "selected" in unbound


def test_the_filters_block_of_a_prefixed_form_has_its_own_names_and_ids():
    data = {"email": "ada@", "p-email": "ada@"}
    plain = str(ActivityFilterForm(data).filter_inputs())
    prefixed = str(ActivityFilterForm(data, prefix="p", auto_id="x-%s").filter_inputs())
    assert 'name="email"' in plain
    assert 'name="p-email"' in prefixed and 'id="x-p-email"' in prefixed

"""Manage → Members' search forms reuse their rendered inputs (flowadmin.forms
.ReusedWidgetField): the markup is what Django's widgets render for every value and id, and a
field with errors is rendered anew (aria-invalid)."""

import pytest
from django.forms.boundfield import BoundField

from flowadmin import forms as shared_forms
from workspaces.forms.manage import MemberSearchForm

VALUES = [{}, {"q": "ada"}, {"q": 'R&D "<Lab>"', "expiring": "30"}, {"expiring": "30"}]


def fresh(form) -> list[str]:
    return [BoundField(form, field, name).as_widget() for name, field in form.fields.items()]


@pytest.fixture(autouse=True)
def empty_store():
    shared_forms._reused_widgets.clear()


@pytest.mark.parametrize("auto_id", ["id_%s", "add-%s"])
def test_reused_inputs_are_the_widgets_markup(auto_id):
    for _ in range(2):
        for data in VALUES:
            form = MemberSearchForm(data, auto_id=auto_id)
            assert form.is_valid()
            assert [str(form[name]) for name in form.fields] == fresh(form)


def test_a_field_with_errors_is_rendered_anew():
    str(MemberSearchForm({"expiring": "30"})["expiring"])
    form = MemberSearchForm({"expiring": "7"})
    assert not form.is_valid()
    assert 'aria-invalid="true"' in str(form["expiring"])
    assert 'aria-invalid="true"' not in str(MemberSearchForm({"expiring": "30"})["expiring"])

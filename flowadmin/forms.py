"""The forms' shared rendering: `JINJA2_RENDERER`, Django's own Jinja2 form renderer (its widget
templates give the same markup as the Django template engine's, at about half the Python
calls), and `ReusedWidgetField`, a bound field whose input is rendered once per value. Forms
drawn on every request of a busy page set `default_renderer = JINJA2_RENDERER` and
`bound_field_class = ReusedWidgetField`: the activity log's filter form (audit.filters) and
Manage → Members' search forms (workspaces.forms.manage). One renderer for the process: its
Jinja2 environment is built once. `shared_fields`: a form class whose instances share its Field
objects instead of deep copies."""

import threading
from collections import OrderedDict

from django.forms.boundfield import BoundField
from django.forms.renderers import Jinja2

JINJA2_RENDERER = Jinja2()

# Rendered inputs (and blocks of them, audit.filters.ActivityFilterForm.filter_inputs) kept for
# reuse, at most this many: the least recently used goes first, so a flood of one-off values
# does not push out the handful every page shows.
MAX_REUSED_WIDGETS = 1_000
_reused_widgets: OrderedDict[tuple, str] = OrderedDict()
_reused_widgets_lock = threading.Lock()


def recall_rendered(key: tuple) -> str | None:
    """The HTML kept under `key` by keep_rendered, or None."""
    with _reused_widgets_lock:
        html = _reused_widgets.get(key)
        if html is not None:
            _reused_widgets.move_to_end(key)
        return html


def keep_rendered(key: tuple, html: str) -> None:
    """Keep `html` for recall_rendered(key) (the least recently used out past the limit)."""
    with _reused_widgets_lock:
        _reused_widgets[key] = html
        while len(_reused_widgets) > MAX_REUSED_WIDGETS:
            _reused_widgets.popitem(last=False)


class ReusedWidgetField(BoundField):
    """A bound field whose input is rendered once per form class, field, id and value, then
    reused: a filter or search form drawn on every request with the same handful of values
    (the activity page's filters, a <select> of 35 options among them, were ~3 ms of every
    page). A field with errors (aria-invalid), or rendered with another widget or attributes,
    is rendered anew. Only for forms whose widgets' attributes are fixed on the class: the key
    does not see attributes an instance sets on its own widgets (a per-request URL or id there
    would be served to the next request)."""

    def as_widget(self, widget=None, attrs=None, only_initial=False):
        if widget is not None or attrs or only_initial or self.errors:
            return super().as_widget(widget, attrs, only_initial)
        key = (type(self.form), self.html_name, self.auto_id, repr(self.value()))
        html = recall_rendered(key)
        if html is None:
            html = super().as_widget()
            keep_rendered(key, html)
        return html


class _SharedFields(dict):
    """A form class's fields that its instances share: copying them gives the same Field
    objects (see shared_fields)."""

    def __deepcopy__(self, memo):
        return _SharedFields(self)


def shared_fields(form_class):
    """Class decorator for a form whose instances never change their fields (no per-instance
    choices, widgets or attributes): each instance uses the class's Field objects instead of
    Django's deep copy of them (8 fields with 35 choices among them: ~1,300 Python calls a
    request on the activity page)."""
    form_class.base_fields = _SharedFields(form_class.base_fields)
    return form_class

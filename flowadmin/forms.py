"""The forms' shared renderer: `JINJA2_RENDERER`, Django's own Jinja2 form renderer (its widget
templates give the same markup as the Django template engine's, at about half the Python
calls). Forms drawn on every request of a busy page set `default_renderer = JINJA2_RENDERER`:
the activity log's filter form (audit.filters) and Manage → Members' search forms
(workspaces.forms.manage). One instance for the process: its Jinja2 environment is built once."""

from django.forms.renderers import Jinja2

JINJA2_RENDERER = Jinja2()


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

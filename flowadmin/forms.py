"""The forms' shared renderer: `JINJA2_RENDERER`, Django's own Jinja2 form renderer (its widget
templates give the same markup as the Django template engine's, at about half the Python
calls). Forms drawn on every request of a busy page set `default_renderer = JINJA2_RENDERER`:
the activity log's filter form (audit.filters) and Manage → Members' search forms
(workspaces.forms.manage). One instance for the process: its Jinja2 environment is built once."""

from django.forms.renderers import Jinja2

JINJA2_RENDERER = Jinja2()

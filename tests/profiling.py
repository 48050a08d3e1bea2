"""Counting the Python work of a request: how many times chosen functions ran (cProfile), for
tests that keep a list page's rendering from growing with its rows."""

import cProfile
import pstats

# The per-row work the list pages avoid: a Django form, a widget rendered through its
# templates, a reverse() or {% url %}, a |date filter.
ROW_WORK = [
    ("django/forms/forms.py", "__init__"),
    ("django/forms/widgets.py", "render"),
    ("django/urls/base.py", "reverse"),
    ("django/template/defaultfilters.py", "date"),
]


def python_calls(client, url, functions=ROW_WORK, **kwargs) -> dict[tuple[str, str], int]:
    """(file suffix, function name) → how many times it ran during `client.get(url)`, asked
    twice: the first, not counted, does the once-per-worker and once-per-session work (the
    navigation's URL formats, the session's first request) that would make a test's first
    size differ from its second by the order tests run in."""
    client.get(url, **kwargs)
    profile = cProfile.Profile()
    profile.enable()
    response = client.get(url, **kwargs)
    profile.disable()
    assert response.status_code == 200, url
    stats = pstats.Stats(profile).stats
    return {
        (suffix, name): sum(
            calls
            for (file, _line, function), (_prim, calls, *_rest) in stats.items()
            if file.endswith(suffix) and function == name
        )
        for suffix, name in functions
    }

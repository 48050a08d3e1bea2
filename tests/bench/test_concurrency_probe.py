"""The SQLite default under concurrent use: `python -m bench --concurrency` on a
file-based SQLite database — gunicorn with 4 worker processes, 8 admins at once sending writes
and audience CSV exports — answers no request with a 5xx ("database is locked")."""

import os
import subprocess
import sys

import pytest
from django.conf import settings


@pytest.mark.slow
def test_sqlite_serves_concurrent_writes_and_exports(tmp_path):
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "MEDIA_ROOT": str(tmp_path / "media"),
        "STATIC_ROOT": str(tmp_path / "static"),
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    command = [sys.executable, "-m", "bench", "--concurrency"]
    command += ["--writes", "40", "--exports", "20", "--threads", "8"]
    result = subprocess.run(
        command, cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=300
    )
    assert "Concurrency probe on sqlite3" in result.stdout, result.stderr[-2000:]
    assert "  5xx: 0;" in result.stdout, result.stdout
    assert "chain intact: True" in result.stdout
    assert result.returncode == 0

"""`python -m bench [--small] [--entries N --members N --workspaces N] [--runs N]
[--seed-only | --measure-only] [--verify]`: seed the bench org, then measure (see bench/)."""

import os
import sys


def setup_django() -> None:
    """Django with bench.settings (unless DJANGO_SETTINGS_MODULE says otherwise)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()


def main(argv=None) -> int:
    setup_django()
    from bench.cli import run

    return run(argv)


if __name__ == "__main__":
    sys.exit(main())

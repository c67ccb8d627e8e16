"""``python -m dedup``, and the ``dedup`` command's entry point: Ctrl-C at
any moment, while the modules load too, says ``dedup: interrupted`` and
exits with 130."""

import sys


def main() -> int:
    try:
        from .cli import main as run
    except KeyboardInterrupt:
        print("dedup: interrupted", file=sys.stderr)
        return 130
    return run()


if __name__ == "__main__":
    sys.exit(main())

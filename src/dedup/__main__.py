"""``python -m dedup``, and the ``dedup`` command's entry point: Ctrl-C at
any moment, while the modules load too, says ``dedup: interrupted`` and
exits with 130."""

import os
import signal
import sys


def main() -> int:
    # Until the command installs its own handling (it has made nothing yet),
    # Ctrl-C ends the process at once: a KeyboardInterrupt raised inside the
    # import machinery can be swallowed ("Exception ignored in ...").
    signal.signal(signal.SIGINT, _interrupted)
    from .cli import main as run

    return run()


def _interrupted(signum: int, frame: object) -> None:
    os.write(2, b"dedup: interrupted\n")
    os._exit(130)


if __name__ == "__main__":
    sys.exit(main())

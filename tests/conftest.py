import os
import sys
from typing import NamedTuple

import pytest
from hypothesis import HealthCheck, settings

sys.path.insert(0, os.path.dirname(__file__))

settings.register_profile(
    "default", deadline=None, max_examples=60, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("ci", parent=settings.get_profile("default"), max_examples=100)
# without numba (NUMBA_DISABLE_JIT=1, for a coverage figure of the kernels) each example is
# orders of magnitude slower: a few examples each
settings.register_profile("nojit", parent=settings.get_profile("default"), max_examples=5)
settings.load_profile(
    "nojit" if os.environ.get("NUMBA_DISABLE_JIT") == "1" else "ci" if os.environ.get("CI") else "default"
)


class Ran(NamedTuple):
    """What a run of the command gave (the fields of subprocess.CompletedProcess the tests read)."""

    returncode: int
    stdout: str
    stderr: str


@pytest.fixture()
def run_dedup(capsys):
    """Run the command in this process, ``dedup.cli.main(args)``: its exit
    code (argparse's usage errors included) and what it printed."""
    from dedup import cli

    def run(*args) -> Ran:
        capsys.readouterr()  # what was printed before is not this run's
        try:
            code = cli.main([str(a) for a in args])
        except SystemExit as e:
            code = e.code
        out, err = capsys.readouterr()
        return Ran(code, out, err)

    return run

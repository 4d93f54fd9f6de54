"""A `kgraphs` command run as a user runs it (`python -m kgraphs ...`), and its own peak memory.

The peak is the process's VmHWM (the most resident memory it ever had), which Linux keeps per
address space, so it starts afresh at `exec`. `ru_maxrss` does not: a child's counts the pages
of the parent it was forked from (a test worker or a benchmark holding TensorFlow and models,
gigabytes), whatever the command itself used. Graphviz's `dot`, which `plot` runs, is not
counted: it is another process, of a few megabytes.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

# Runs `python -m kgraphs ARGS` and, at exit, writes VmHWM (kB) where KGRAPHS_PEAK_FILE says.
_MEASURED = """
import atexit, os, runpy, sys

def _peak():
    with open("/proc/self/status") as status:
        line = next(line for line in status if line.startswith("VmHWM:"))
    with open(os.environ["KGRAPHS_PEAK_FILE"], "w") as out:
        out.write(line.split()[1])

atexit.register(_peak)
sys.argv = ["kgraphs", *sys.argv[1:]]
runpy.run_module("kgraphs", run_name="__main__", alter_sys=True)
"""


def run_measured(
    arguments: list[str], *, cwd: Path, env: dict[str, str], timeout: float = 180
) -> tuple[subprocess.CompletedProcess, int]:
    """The finished command, and its peak resident memory in bytes."""
    with tempfile.TemporaryDirectory() as folder:
        peak_file = Path(folder) / "peak"
        result = subprocess.run(
            [sys.executable, "-c", _MEASURED, *arguments],
            capture_output=True,
            text=True,
            timeout=timeout,
            cwd=cwd,
            env={**env, "KGRAPHS_PEAK_FILE": str(peak_file)},
        )
        peak = int(peak_file.read_text()) * 1024 if peak_file.exists() else 0
    return result, peak


if __name__ == "__main__":  # python tests/peak_memory.py plot decoder_7b -o /tmp/pictures
    finished, used = run_measured(sys.argv[1:], cwd=Path.cwd(), env=dict(os.environ))
    print(f"exit {finished.returncode}, peak {used / 1e6:.0f} MB")

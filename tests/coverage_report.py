"""Line coverage of kgraphs/ by package, from the .coverage file `make coverage` leaves.

    python tests/coverage_report.py [DATA_FILE]

One row a package (the modules directly in kgraphs/ under "kgraphs"), then the total, as
coverage.py counts statements; `coverage report` gives the same per file.
"""

from __future__ import annotations

import sys
from collections import defaultdict
from pathlib import Path

import coverage

ROOT = Path(__file__).resolve().parent.parent


def by_package(data_file: str = ".coverage") -> dict[str, tuple[int, int]]:
    """package -> (statements, statements run)."""
    measured = coverage.Coverage(data_file=data_file)
    measured.load()
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for filename in measured.get_data().measured_files():
        path = Path(filename).resolve()
        try:
            parts = path.relative_to(ROOT / "kgraphs").parts
        except ValueError:
            continue
        package = "kgraphs" if len(parts) == 1 else f"kgraphs.{parts[0]}"
        _, statements, _, missing, _ = measured.analysis2(filename)
        totals[package][0] += len(statements)
        totals[package][1] += len(statements) - len(missing)
    return {package: (total, run) for package, (total, run) in sorted(totals.items())}


def main(data_file: str) -> None:
    rows = by_package(data_file)
    print(f"{'package':28} {'statements':>10} {'missed':>7} {'cover':>7}")
    for package, (total, run) in rows.items():
        print(f"{package:28} {total:10} {total - run:7} {run / total:7.1%}")
    total = sum(t for t, _ in rows.values())
    run = sum(r for _, r in rows.values())
    print(f"{'TOTAL':28} {total:10} {total - run:7} {run / total:7.1%}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else ".coverage")

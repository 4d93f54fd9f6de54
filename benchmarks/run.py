"""`make bench`: kgraphs against the hand-written chapter code, measured side by side.

Each figure is a ratio, kgraphs time / hand-written time, from repetitions interleaved in one
process (A, B, A, B, ...) so that both sides see the same machine load; minimum and median are
reported because this machine is shared and noisy. Results go to build/bench.json too.

Usage: python benchmarks/run.py [--repeats N]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def interleaved(candidate, baseline, repeats: int) -> dict:
    """Time `candidate` and `baseline` alternately; ratios of their minima and medians."""
    times: dict[str, list[float]] = {"kgraphs": [], "baseline": []}
    for _ in range(repeats):
        for label, function in (("kgraphs", candidate), ("baseline", baseline)):
            start = time.perf_counter()
            function()
            times[label].append(time.perf_counter() - start)
    mins = {label: min(values) for label, values in times.items()}
    medians = {label: statistics.median(values) for label, values in times.items()}
    return {
        "kgraphs_min_s": mins["kgraphs"],
        "baseline_min_s": mins["baseline"],
        "ratio_min": mins["kgraphs"] / mins["baseline"],
        "ratio_median": medians["kgraphs"] / medians["baseline"],
    }


def build_ratios(repeats: int) -> dict:
    from chapter_models import CHAPTER

    import kgraphs

    results = {}
    for name, (chapter_builder, _, _) in sorted(CHAPTER.items()):
        factory = getattr(kgraphs, name)
        factory(), chapter_builder()  # warm up: first builds pay one-off tracing costs
        results[f"build {name}"] = interleaved(factory, chapter_builder, repeats)
    return results


def validate_vs_import_tensorflow(repeats: int) -> dict:
    def run(code: str):
        command = [sys.executable, "-c", code]
        return lambda: subprocess.run(command, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)

    validate = run("from kgraphs.cli import main; main(['validate', 'recipes'])")
    import_tf = run("import tensorflow")
    return {
        "kgraphs validate recipes/ vs import tensorflow": interleaved(
            validate, import_tf, max(3, repeats // 3)
        )
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--repeats", type=int, default=15)
    arguments = parser.parse_args()
    results = build_ratios(arguments.repeats) | validate_vs_import_tensorflow(arguments.repeats)
    report = {
        "date": date.today().isoformat(),
        "machine": (
            f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
        ),
        "repeats": arguments.repeats,
        "results": results,
    }
    output = ROOT / "build" / "bench.json"
    from kgraphs.atomic import write_text

    write_text(output, json.dumps(report, indent=2) + "\n")
    print(f"{report['date']}, {report['machine']}, {arguments.repeats} interleaved repeats\n")
    print(f"| {'measurement':52} | ratio (min) | ratio (median) | kgraphs min | baseline min |")
    print(f"| {'-' * 52} | ----------- | -------------- | ----------- | ------------ |")
    for name, row in results.items():
        print(
            f"| {name:52} | {row['ratio_min']:11.3f} | {row['ratio_median']:14.3f} "
            f"| {row['kgraphs_min_s'] * 1000:9.1f}ms | {row['baseline_min_s'] * 1000:10.1f}ms |"
        )
    print(f"\nwrote {output.relative_to(ROOT)}")


if __name__ == "__main__":
    main()

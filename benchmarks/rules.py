#!/usr/bin/env python
"""Benchmark: every active validation rule of the reference set over the whole store.

    .venv/bin/python benchmarks/rules.py [--size 52] [--start 2012-01-01]               # SQLite
    .venv/bin/python benchmarks/rules.py [--size 52] [--start 2012-01-01] --postgres URL


Loads the reference structure, catalog and rules, then the demo data set
(``load_demo --size --start``: from 2016, size 1 is 336,000 values and sizes above 50 give
4.4 million, where the commune level is full; from 2012, about 5.5 million), and runs
``quality.rules.run`` over everything as the nightly task does: the first (cold) run and
three more, each storing its violations. Prints the values read, unit-periods checked,
rule evaluations, violations and the time of each run, and the time of the reading alone
(the values streamed without any rule).
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.orgunits import start_django, timed

RUNS = 3


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", default="52", help="the demo data set's size (load_demo)")
    parser.add_argument(
        "--start", default="2012-01-01", help="the demo's first day (more years, more values)"
    )
    parser.add_argument("--keep", action="store_true", help="reuse demo values already loaded")
    args = start_django(parser)
    from django.core.management import call_command

    from dieuhanh.catalog.loader import load_reference_catalog
    from dieuhanh.datavalues.models import DataValue
    from dieuhanh.orgunits.loader import load_reference_orgunits
    from dieuhanh.quality import rules
    from dieuhanh.quality.models import RuleViolation, ValidationRule

    load_reference_orgunits()
    load_reference_catalog()
    rules.load_reference_rules()
    if not (args.keep and DataValue.objects.exists()):
        _, (seconds,) = timed(
            lambda: call_command(
                "load_demo", "--size", args.size, "--start", args.start, stdout=io.StringIO()
            )
        )
        print(f"demo data set (size {args.size}, from {args.start}) loaded in {seconds:.0f} s")
    print(f"store: {DataValue.objects.count():,} values")
    compiled = rules.compile_rules(ValidationRule.objects.filter(active=True))
    wanted = {code for rule in compiled for code in rule.codes}
    print(f"rules: {len(compiled)} active, naming {len(wanted)} indicators")

    began = time.perf_counter()
    result = rules.RunResult()
    for _finding in rules.findings(compiled, result=result):
        pass
    print(
        f"reading and judging without storing: {result.values:,} values, "
        f"{result.reports:,} unit-periods, {result.checks:,} evaluations in "
        f"{time.perf_counter() - began:.1f} s"
    )
    durations = []
    for index in range(RUNS + 1):
        result = rules.run(None)
        durations.append(result.seconds)
        label = "cold" if index == 0 else f"run {index}"
        print(
            f"{label}: {result.values:,} values, {result.reports:,} unit-periods, "
            f"{result.checks:,} evaluations, {result.violations:,} violations "
            f"in {result.seconds:.1f} s ({result.values / result.seconds:,.0f} values/s)"
        )
    print(
        f"whole run over {result.values:,} values: median {statistics.median(durations[1:]):.1f} s"
        f" (cold {durations[0]:.1f} s); violations stored: {RuleViolation.objects.count():,}"
    )
    top = sorted(result.by_rule.items(), key=lambda item: -item[1])[:8]
    print("violations by rule: " + ", ".join(f"{code} {count:,}" for code, count in top))


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Checks a vdk-validate JSON report (docs/validate.md): that it is well-formed
JSON, that every documented field is there with its type, that the summary
agrees with the rows and the backends, and that every PASS row is within its
bound. Exits non-zero with the first problem found.

    check_report.py REPORT [--failed N] [--required-unavailable NAME]
"""
import argparse
import json
import numbers
import sys


def fail(path, what):
    sys.exit(f"{path}: {what}")


def need(path, obj, key, kind, where):
    if key not in obj:
        fail(path, f"{where}: no '{key}'")
    value = obj[key]
    ok = (
        isinstance(value, kind)
        if kind is not numbers.Real
        else value is None or (isinstance(value, numbers.Real) and not isinstance(value, bool))
    )
    if not ok:
        fail(path, f"{where}: '{key}' is {value!r}, not {kind}")
    return value


def check(path, args):
    with open(path) as f:
        r = json.load(f)
    for key, kind in [("tool", str), ("vdk_version", str), ("date", str), ("host", dict),
                      ("build", dict), ("set", str), ("seed", int), ("dtypes", list),
                      ("ops", list), ("cases", int), ("backends", list), ("summary", dict),
                      ("rows", list)]:
        need(path, r, key, kind, "report")
    for key in ("name", "os", "machine"):
        need(path, r["host"], key, str, "host")

    not_run_failed = not_run_skipped = available = 0
    backends = {}
    for b in r["backends"]:
        name = need(path, b, "name", str, "backend")
        status = need(path, b, "status", str, name)
        reason = need(path, b, "reason", str, name)
        required = need(path, b, "required", bool, name)
        rows = need(path, b, "rows_not_run", int, name)
        backends[name] = b
        if status == "available":
            available += 1
            if rows:
                fail(path, f"backend {name} is available but has {rows} rows not run")
        elif status == "unavailable":
            if not reason:
                fail(path, f"backend {name} is unavailable without a reason")
            if rows != r["cases"] * len(r["dtypes"]):
                fail(path, f"backend {name}: {rows} rows not run, expected cases x dtypes")
            if required:
                not_run_failed += rows
            else:
                not_run_skipped += rows
        else:
            fail(path, f"backend {name}: status {status!r}")

    passed = failed = 0
    for i, row in enumerate(r["rows"]):
        where = f"row {i}"
        for key in ("op", "backend", "kernel", "dtype", "shape", "params", "call_status",
                    "status", "message"):
            need(path, row, key, str, where)
        for key in ("norm_err", "max_abs", "bound"):
            need(path, row, key, numbers.Real, where)
        need(path, row, "reduction", int, where)
        need(path, row, "roundings", int, where)
        if row["op"] not in r["ops"] or row["dtype"] not in r["dtypes"]:
            fail(path, f"{where}: op or dtype outside the run's lists")
        if backends.get(row["backend"], {}).get("status") != "available":
            fail(path, f"{where}: a row of backend {row['backend']}, which did not run")
        if row["status"] == "PASS":
            passed += 1
            if row["norm_err"] is None or row["bound"] is None or row["norm_err"] > row["bound"]:
                fail(path, f"{where}: PASS with norm_err {row['norm_err']} > bound {row['bound']}")
            if row["message"]:
                fail(path, f"{where}: PASS with a message")
        elif row["status"] == "FAIL":
            failed += 1
            if not row["message"]:
                fail(path, f"{where}: FAIL without a message")
        else:
            fail(path, f"{where}: status {row['status']!r}")
    if len(r["rows"]) != r["cases"] * len(r["dtypes"]) * available:
        fail(path, f"{len(r['rows'])} rows, expected cases x dtypes x available backends")

    s = r["summary"]
    want = {"passed": passed, "failed": failed + not_run_failed, "skipped": not_run_skipped}
    for key, value in want.items():
        if need(path, s, key, int, "summary") != value:
            fail(path, f"summary {key} is {s[key]}, the rows and backends say {value}")

    if args.failed is not None and s["failed"] != args.failed:
        fail(path, f"{s['failed']} failed, expected {args.failed}")
    if args.required_unavailable:
        b = backends.get(args.required_unavailable)
        if not b or b["status"] != "unavailable" or not b["required"]:
            fail(path, f"backend {args.required_unavailable} is not listed as required and "
                       "unavailable")
        if s["failed"] == 0:
            fail(path, "a required backend is unavailable but nothing failed")


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("report")
    p.add_argument("--failed", type=int, help="the summary's failed count must be this")
    p.add_argument("--required-unavailable", metavar="NAME",
                   help="this backend must be listed as required and unavailable")
    args = p.parse_args()
    check(args.report, args)
    print(f"{args.report}: well-formed, consistent")


if __name__ == "__main__":
    main()

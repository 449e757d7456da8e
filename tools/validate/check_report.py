#!/usr/bin/env python3
"""Checks a vdk-validate JSON report (docs/validate.md): that it is well-formed
JSON, that every documented field is there with its type, that the summary
agrees with the rows and the backends, that the cpu backend's rows name their
CPU tier, and that every PASS row is within its bound. Exits non-zero with the
first problem found.

    check_report.py REPORT [--failed N] [--required-unavailable NAME]
                    [--unavailable NAME] [--backends NAME,NAME...]
"""
import argparse
import json
import numbers
import sys


def fail(path, what):
    sys.exit(f"{path}: {what}")


OPTIONAL_STR = "a string or null"


def need(path, obj, key, kind, where):
    if key not in obj:
        fail(path, f"{where}: no '{key}'")
    value = obj[key]
    if kind is OPTIONAL_STR:
        ok = value is None or isinstance(value, str)
    elif kind is numbers.Real:
        ok = value is None or (isinstance(value, numbers.Real) and not isinstance(value, bool))
    else:
        ok = isinstance(value, kind)
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
        if name in backends:
            fail(path, f"backend {name} is listed twice")
        status = need(path, b, "status", str, name)
        reason = need(path, b, "reason", str, name)
        required = need(path, b, "required", bool, name)
        required_by = need(path, b, "required_by", OPTIONAL_STR, name)
        if required != (required_by is not None):
            fail(path, f"backend {name}: required {required} but required_by {required_by!r}")
        rows = need(path, b, "rows_not_run", int, name)
        isa = need(path, b, "cpu_isa", OPTIONAL_STR, name)
        # "cpu" runs the default tier, "cpu/TIER" the tier of --isa; the other
        # backends have none.
        base, _, tier = name.partition("/")
        if base != "cpu" and (isa is not None or tier):
            fail(path, f"backend {name}: cpu_isa {isa!r} off the cpu backend")
        if tier and isa != tier:
            fail(path, f"backend {name}: cpu_isa {isa!r}, expected {tier!r}")
        if base == "cpu" and status == "available" and isa is None:
            fail(path, f"backend {name}: available but no cpu_isa")
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
        need(path, row, "cpu_isa", OPTIONAL_STR, where)
        need(path, row, "reduction", int, where)
        need(path, row, "roundings", int, where)
        if row["op"] not in r["ops"] or row["dtype"] not in r["dtypes"]:
            fail(path, f"{where}: op or dtype outside the run's lists")
        if backends.get(row["backend"], {}).get("status") != "available":
            fail(path, f"{where}: a row of backend {row['backend']}, which did not run")
        if row["cpu_isa"] != backends[row["backend"]]["cpu_isa"]:
            fail(path, f"{where}: cpu_isa {row['cpu_isa']!r}, its backend's is "
                       f"{backends[row['backend']]['cpu_isa']!r}")
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
    if args.unavailable:
        b = backends.get(args.unavailable)
        if not b or b["status"] != "unavailable" or b["required"]:
            fail(path, f"backend {args.unavailable} is not listed as unavailable and not "
                       "required")
    if args.backends is not None and [b["name"] for b in r["backends"]] != args.backends.split(","):
        fail(path, f"backends {[b['name'] for b in r['backends']]}, expected {args.backends}")


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("report")
    p.add_argument("--failed", type=int, help="the summary's failed count must be this")
    p.add_argument("--required-unavailable", metavar="NAME",
                   help="this backend must be listed as required and unavailable")
    p.add_argument("--unavailable", metavar="NAME",
                   help="this backend must be listed as unavailable and not required")
    p.add_argument("--backends", metavar="LIST",
                   help="the backends listed, in order, must be these (comma-separated)")
    args = p.parse_args()
    check(args.report, args)
    print(f"{args.report}: well-formed, consistent")


if __name__ == "__main__":
    main()

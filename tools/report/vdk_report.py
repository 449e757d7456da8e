#!/usr/bin/env python3
"""vdk_report.py: turns vdk result sets (docs/results.md, format vdk-results/1)
into a Markdown report with plots (docs/report.md).

    vdk_report.py SET.json [SET.json ...] --out results/<slug>/report.md
                  [--peak vdk-peak.json] [--bandwidth copy] [--format svg,png]
                  [--title TEXT] [--no-plots]

Sets from vdk ("producer": "vdk") and from the peer runner ("producer":
"torch") may be mixed, for any number of devices and backends. The plots are
written next to the report, named after it (report-roofline-<device>.svg ...).
Plots need matplotlib (Debian: python3-matplotlib); without it the Markdown is
still written and says why the plots are missing.

Only the standard library is needed for the Markdown. Missing or null values in
a set print as an em dash; a malformed row is skipped with a warning in the
report, never a crash. The exit status is 0 on success, 2 when an input cannot
be read at all (not JSON, not a result set) or an option is wrong.
"""
import argparse
import datetime
import json
import math
import os
import re
import shlex
import statistics
import subprocess
import sys

DASH = "—"
PEAK_FIELDS = ("fp32_gflops", "f16_gflops", "bf16_gflops", "bandwidth_gbs")
PEAK_NAMES = {"fp32_gflops": "fp32", "f16_gflops": "f16", "bf16_gflops": "bf16",
              "bandwidth_gbs": "bandwidth"}
DTYPE_PEAK = {"f32": "fp32_gflops", "f16": "f16_gflops", "bf16": "bf16_gflops"}
# The operators of vdk.h in the order the report lists them; colours follow it
# so an operator keeps its colour across every figure of one report.
OP_ORDER = ("group_norm", "conv3d", "attention", "linear", "layer_norm", "rms_norm", "softmax",
            "unary", "binary", "blend", "upsample", "timestep_embedding", "concat")
# Relative difference above which a row's own fraction_of_peak is reported as
# disagreeing with the one recomputed from the report's peaks (rounding in the
# set is far below this).
FRACTION_TOLERANCE = 0.02
# A pipeline row (vdk-run's, op "pipeline.<model>.<stage>") is named after its
# model only ("svd-xt/sampler_step"); its clip is in params, and a peer row
# pairs with it only when these agree too (docs/results.md).
PIPELINE_PAIR_PARAMS = ("batch", "frames", "height", "width", "guided")


# ---------------------------------------------------------------- values

def num(value):
    """A finite float, or None for anything else (null, strings, NaN, bools)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def pos(value):
    value = num(value)
    return value if value is not None and value > 0 else None


def text(value):
    return value if isinstance(value, str) and value.strip() else None


def sig(value, digits=3):
    """A number rounded to `digits` significant digits, no exponent, thousands grouped."""
    value = num(value)
    if value is None:
        return DASH
    if value == 0:
        return "0"
    rounded = float(f"{value:.{digits}g}")
    decimals = max(0, digits - 1 - int(math.floor(math.log10(abs(rounded)))))
    return f"{rounded:,.{decimals}f}"


def peak_text(value):
    """A peak as measured: whole units from 100 up (2,856 GB/s, not 2,860)."""
    value = num(value)
    if value is None:
        return DASH
    return f"{round(value):,}" if abs(value) >= 100 else sig(value)


def percent(fraction):
    fraction = num(fraction)
    return DASH if fraction is None else sig(100.0 * fraction, 2 if fraction < 0.1 else 3) + " %"


def ratio_text(ratio):
    ratio = num(ratio)
    return DASH if ratio is None else sig(ratio, 3) + "×"


def md_cell(value):
    """Table cell text: '|' and newlines would break the row."""
    if value is None:
        return DASH
    value = str(value).replace("|", "\\|").replace("\n", " ").strip()
    return value if value else DASH


def code(value):
    value = text(value)
    if value is None:
        return DASH
    ticks = "``" if "`" in value else "`"
    return f"{ticks}{value}{ticks}"


def slug(value):
    value = re.sub(r"[^a-z0-9]+", "-", value.lower()).strip("-")
    return value[:48].strip("-") or "device"


def geomean(values):
    values = [v for v in values if v is not None and v > 0]
    if not values:
        return None
    return math.exp(sum(math.log(v) for v in values) / len(values))


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


# ---------------------------------------------------------------- inputs

class InputError(Exception):
    pass


class Report:
    """Everything read and derived; warnings collect what the reader must know."""

    def __init__(self):
        self.sets = []
        self.devices = []
        self.warnings = []

    def warn(self, message):
        self.warnings.append(message)


class Row:
    __slots__ = ("set", "name", "op", "dtype", "backend", "kernel", "params", "inputs", "time_ms",
                 "time_ms_min", "repetitions", "flops", "bytes", "gflops", "gbs", "bound",
                 "set_fraction", "fraction", "roof_bound", "peer", "ratio")

    def __init__(self, result_set, raw):
        self.set = result_set
        self.name = text(raw.get("name"))
        self.op = text(raw.get("op")) or (self.name.split("/")[-1].split(".")[0] if self.name else None)
        self.dtype = text(raw.get("dtype"))
        self.backend = text(raw.get("backend"))
        self.kernel = text(raw.get("kernel"))
        self.params = raw.get("params") if isinstance(raw.get("params"), dict) else {}
        self.inputs = raw.get("inputs") if isinstance(raw.get("inputs"), dict) else {}
        self.time_ms = pos(raw.get("time_ms"))
        self.time_ms_min = pos(raw.get("time_ms_min"))
        self.repetitions = num(raw.get("repetitions"))
        self.flops = num(raw.get("flops"))
        self.bytes = num(raw.get("bytes"))
        self.gflops = num(raw.get("gflops"))
        self.gbs = num(raw.get("gbs"))
        # Rates follow from the counts and the time when a set leaves them out.
        if self.gflops is None and self.flops is not None and self.time_ms:
            self.gflops = self.flops / (self.time_ms * 1e6)
        if self.gbs is None and self.bytes is not None and self.time_ms:
            self.gbs = self.bytes / (self.time_ms * 1e6)
        bound = text(raw.get("bound"))
        self.bound = bound if bound in ("compute", "memory") else None
        self.set_fraction = num(raw.get("fraction_of_peak"))
        self.fraction = None
        self.roof_bound = None
        self.peer = None
        self.ratio = None

    @property
    def is_pipeline(self):
        return bool(self.op and self.op.startswith("pipeline."))

    @property
    def pair_key(self):
        """What a peer row must share with this one: name and dtype, and for a
        pipeline row its clip."""
        key = (self.name, self.dtype)
        if self.is_pipeline:
            key += tuple(self.params.get(k) for k in PIPELINE_PAIR_PARAMS)
        return key

    @property
    def intensity(self):
        if self.flops and self.bytes:
            return self.flops / self.bytes
        return None


class ResultSet:
    def __init__(self, path, doc, index):
        self.path = path
        self.index = index
        self.doc = doc
        self.producer = text(doc.get("producer")) or "vdk"
        device = doc.get("device") if isinstance(doc.get("device"), dict) else {}
        self.device_info = device
        self.host = text(doc.get("host"))
        peak = doc.get("peak") if isinstance(doc.get("peak"), dict) else {}
        self.peak = {k: pos(peak.get(k)) for k in PEAK_FIELDS}
        self.peak_source = text(peak.get("source"))
        self.rows = []
        self.device = None

    @property
    def is_peer(self):
        return self.producer != "vdk"

    @property
    def label(self):
        return os.path.basename(self.path)


def read_json(path):
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except OSError as e:
        raise InputError(f"{path}: cannot read it: {e.strerror}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise InputError(f"{path}: not JSON: {e}") from None


def load_set(report, path, index):
    doc = read_json(path)
    if not isinstance(doc, dict):
        raise InputError(f"{path}: not a result set (the top level is not an object)")
    fmt = text(doc.get("format"))
    if fmt is None or not fmt.startswith("vdk-results/"):
        raise InputError(f"{path}: not a result set: format is {doc.get('format')!r}, "
                         "expected 'vdk-results/1' (docs/results.md)")
    if fmt != "vdk-results/1":
        report.warn(f"{path}: format {fmt!r} is newer than this generator knows "
                    "(vdk-results/1); read as vdk-results/1")
    rs = ResultSet(path, doc, index)
    raw_rows = doc.get("rows")
    if not isinstance(raw_rows, list):
        report.warn(f"{rs.label}: no 'rows' list; the set contributes no rows")
        raw_rows = []
    for i, raw in enumerate(raw_rows):
        if not isinstance(raw, dict):
            report.warn(f"{rs.label}: row {i} is not an object; skipped")
            continue
        row = Row(rs, raw)
        if row.name is None:
            report.warn(f"{rs.label}: row {i} has no name; skipped")
            continue
        rs.rows.append(row)
    return rs


# ---------------------------------------------------------------- devices

class Device:
    def __init__(self, key, info, index):
        self.key = key
        self.index = index
        self.info = info
        self.sets = []
        self.peak = {k: None for k in PEAK_FIELDS}
        self.peak_source = {k: None for k in PEAK_FIELDS}
        self.peak_from_file = False  # --peak replaced the sets' figures

    @property
    def name(self):
        return text(self.info.get("name")) or text(self.info.get("model")) or "device"

    @property
    def kind(self):
        return text(self.info.get("kind"))

    @property
    def slug(self):
        return slug(self.name)

    def rows(self, peers=None):
        out = []
        for rs in self.sets:
            if peers is None or rs.is_peer == peers:
                out.extend(rs.rows)
        return out

    def ridge(self, dtype="f32"):
        peak = self.compute_peak(dtype)
        bw = self.peak["bandwidth_gbs"]
        return peak / bw if peak and bw else None

    def compute_peak(self, dtype):
        """The ceiling for arithmetic in `dtype`: its own peak where measured and
        faster than fp32's, else the fp32 one (a device without f16/bf16
        arithmetic computes in fp32; one that emulates f16, as lavapipe does,
        is slower at it than at fp32, and vdk's kernels there compute in fp32)."""
        field = DTYPE_PEAK.get(dtype, "fp32_gflops")
        own, fp32 = self.peak[field], self.peak["fp32_gflops"]
        return max(own, fp32) if own and fp32 else own or fp32


def device_name(rs):
    info = rs.device_info
    name = text(info.get("name")) or text(info.get("model"))
    if name:
        return " ".join(name.split())
    return f"{rs.host or 'unknown host'} {text(info.get('kind')) or 'device'}"


def device_key(rs):
    """Sets are on one device when the device's name (and, for a CPU, the thread
    count, which sets its peaks) agree."""
    threads = num(rs.device_info.get("threads"))
    return (device_name(rs).lower(), int(threads) if threads else None)


def group_devices(report):
    by_key = {}
    for rs in report.sets:
        key = device_key(rs)
        if key not in by_key:
            by_key[key] = Device(key, dict(rs.device_info, name=device_name(rs)), len(by_key))
            report.devices.append(by_key[key])
        rs.device = by_key[key]
        by_key[key].sets.append(rs)
    # A peer set whose device matches no vdk set (the peer runner may name the
    # device its own way) joins the vdk device on the same host and of the same
    # class (CPU or not), when there is one such device, or one with its name.
    for dev in list(report.devices):
        if any(not rs.is_peer for rs in dev.sets):
            continue
        hosts = {rs.host for rs in dev.sets} - {None}
        cpu = dev.kind == "cpu"
        candidates = [d for d in report.devices if d is not dev
                      and any(not rs.is_peer for rs in d.sets)
                      and hosts & {rs.host for rs in d.sets}
                      and (d.kind == "cpu") == cpu]
        if len(candidates) > 1:
            candidates = [d for d in candidates if d.key[0] == dev.key[0]]
        if len(candidates) == 1:
            target = candidates[0]
            for rs in dev.sets:
                rs.device = target
                target.sets.append(rs)
                report.warn(f"{rs.label}: its device ('{dev.name}', {dev.key[1] or '?'} threads) "
                            f"matches no vdk set; compared with '{target.name}' "
                            f"({target.key[1] or '?'} threads) on the same host")
            report.devices.remove(dev)
    for i, dev in enumerate(report.devices):
        dev.index = i
    # One name on several thread counts: the count tells them apart.
    names = [d.key[0] for d in report.devices]
    for dev in report.devices:
        if names.count(dev.key[0]) > 1:
            t = dev.key[1]
            dev.info["name"] = f"{dev.name} ({t or '?'} thread{'' if t == 1 else 's'})"
    seen = set()
    for dev in report.devices:
        while dev.slug in seen:
            dev.info["name"] = dev.name + " (again)"
        seen.add(dev.slug)


def merge_peaks(report):
    """A device's peaks: the first vdk set's, fields missing there taken from the
    other sets in order; a set that disagrees with the figure in use is named."""
    for dev in report.devices:
        ordered = [rs for rs in dev.sets if not rs.is_peer] + [rs for rs in dev.sets if rs.is_peer]
        for rs in ordered:
            for field in PEAK_FIELDS:
                value = rs.peak[field]
                if value is None:
                    continue
                if dev.peak[field] is None:
                    dev.peak[field] = value
                    dev.peak_source[field] = (f"the peak block of {rs.label}"
                                              + (f" (its source: {rs.peak_source})" if rs.peak_source else ""))
                elif abs(value - dev.peak[field]) > 1e-6 * dev.peak[field]:
                    report.warn(f"{rs.label}: peak {field} = {peak_text(value)} differs from "
                                f"{peak_text(dev.peak[field])} in {dev.peak_source[field]}; the report uses the latter")


def peak_file_figures(pdev, threads, bandwidth_name):
    """fp32/f16/bf16/bandwidth medians of one vdk-peak device entry, at the
    thread count nearest below `threads` (all threads when unknown)."""
    results = [r for r in pdev.get("results", []) if isinstance(r, dict)]
    if not results and isinstance(pdev.get("measurements"), list):
        results = [{"measurements": pdev["measurements"]}]  # a Vulkan entry: one set of figures
    if not results:
        return {}, None
    counted = [r for r in results if isinstance(r.get("threads"), int)]
    chosen = None
    if counted:
        if threads:
            below = [r for r in counted if r["threads"] <= threads]
            chosen = max(below or counted, key=lambda r: r["threads"])
        else:
            chosen = max(counted, key=lambda r: r["threads"])
    else:
        chosen = results[0]
    figures = {}
    used = []
    for m in chosen.get("measurements", []):
        if not isinstance(m, dict) or not m.get("available"):
            continue
        name, value = text(m.get("name")) or "", pos(m.get("median"))
        if value is None:
            continue
        unit = m.get("unit")
        field = None
        if unit == "GFLOP/s":
            for prefix, f in (("fp32", "fp32_gflops"), ("f16", "f16_gflops"), ("bf16", "bf16_gflops")):
                if name.startswith(prefix + "_"):
                    field = f
        elif unit == "GB/s" and name == bandwidth_name:
            field = "bandwidth_gbs"
        if field and (figures.get(field) is None or value > figures[field]):
            figures[field] = value
            used = [u for u in used if u[0] != field] + [(field, name)]
    return figures, (chosen.get("threads"), dict(used))


def apply_peak_file(report, path, bandwidth_name):
    doc = read_json(path)
    if not isinstance(doc, dict) or text(doc.get("format")) is None or not doc["format"].startswith("vdk-peak/"):
        raise InputError(f"{path}: not a vdk-peak file (format {doc.get('format') if isinstance(doc, dict) else None!r})")
    pdevs = [d for d in doc.get("devices", []) if isinstance(d, dict)]
    for dev in report.devices:
        kind = dev.kind
        same_kind = [d for d in pdevs if (d.get("kind") == "cpu") == (kind == "cpu")]
        # The CPU entry names its device "model", a Vulkan entry "name".
        def pname(d):
            return (text(d.get("model")) or text(d.get("name")) or "").lower()
        named = [d for d in same_kind
                 if pname(d) and (pname(d) in dev.name.lower()
                                  or pname(d) == (text(dev.info.get("model")) or "").lower())]
        candidates = named or (same_kind if len(same_kind) == 1 else [])
        if not candidates:
            report.warn(f"--peak {path}: no entry for device '{dev.name}'; its peaks come from the sets")
            continue
        threads = num(dev.info.get("threads"))
        figures, (t, used) = peak_file_figures(candidates[0], int(threads) if threads else None, bandwidth_name)
        if "bandwidth_gbs" not in figures:
            report.warn(f"--peak {path}: no available '{bandwidth_name}' measurement for '{dev.name}'")
        dev.peak_from_file = bool(figures)
        for field, value in figures.items():
            dev.peak[field] = value
            where = f"{t} threads, " if t else ""
            dev.peak_source[field] = f"{os.path.basename(path)} ({where}{used.get(field)} median)"


# ---------------------------------------------------------------- derived figures

def derive(report):
    for dev in report.devices:
        for row in dev.rows():
            compute_peak = dev.compute_peak(row.dtype)
            bw = dev.peak["bandwidth_gbs"]
            if row.bound == "compute" and row.gflops is not None and compute_peak:
                row.fraction = row.gflops / compute_peak
            elif row.bound == "memory" and row.gbs is not None and bw:
                row.fraction = row.gbs / bw
            elif row.bound is None:
                row.fraction = row.set_fraction
            if row.fraction is None and row.set_fraction is not None:
                row.fraction = row.set_fraction
            elif (row.fraction is not None and row.set_fraction is not None and not dev.peak_from_file
                  and abs(row.fraction - row.set_fraction) > FRACTION_TOLERANCE * max(row.fraction, 1e-12)):
                report.warn(f"{row.set.label}: {row.name} {row.dtype}: the set says fraction of peak "
                            f"{percent(row.set_fraction)}, the report's peaks give {percent(row.fraction)} "
                            "(the report prints the latter)")
            ai = row.intensity
            if ai is not None and compute_peak and bw:
                row.roof_bound = "memory" if ai * bw < compute_peak else "compute"
            if row.time_ms is None:
                report.warn(f"{row.set.label}: {(row.name + ' ' + (row.dtype or '')).strip()}: no time; "
                            f"its figures print as {DASH}")


def match_peers(report):
    """Each vdk row's peer: the fastest peer row of the same device, name and
    dtype (and clip, for pipeline rows)."""
    for dev in report.devices:
        best = {}
        for row in dev.rows(peers=True):
            key = row.pair_key
            if row.time_ms is not None and (key not in best or row.time_ms < best[key].time_ms):
                best[key] = row
        vdk_keys = set()
        for row in dev.rows(peers=False):
            key = row.pair_key
            vdk_keys.add(key)
            row.peer = best.get(key)
            if row.peer is not None and row.time_ms is not None:
                row.ratio = row.peer.time_ms / row.time_ms
        unmatched = sorted({f"{r.name} {r.dtype}" + (f" ({clip_text(r)})" if r.is_pipeline else "")
                            for r in dev.rows(peers=True) if r.pair_key not in vdk_keys})
        if unmatched and dev.rows(peers=False):
            report.warn(f"{dev.name}: peer rows with no vdk row of the same name and dtype"
                        " (and clip, for pipelines): " + ", ".join(unmatched))


# ---------------------------------------------------------------- ordering and labels

def op_rank(op):
    return (OP_ORDER.index(op), op) if op in OP_ORDER else (len(OP_ORDER), op or "")


DTYPE_ORDER = {"f32": 0, "bf16": 1, "f16": 2}


def row_order(row):
    return (op_rank(row.op), row.name, DTYPE_ORDER.get(row.dtype, 9), row.dtype or "",
            row.set.is_peer, row.backend or "", row.set.index)


def case_label(name, strip_set):
    """A case name without its set prefix when every row shares one set."""
    if strip_set and "/" in name:
        return name.split("/", 1)[1]
    return name


def op_case_label(name, op, strip_set):
    """A case name inside its operator's figure: 'small/L1/group_norm.frame.silu'
    becomes 'L1 · frame.silu' (the title names the set and the operator)."""
    parts = case_label(name, strip_set).split("/")
    last = parts[-1]
    if op and last.startswith(op + "."):
        parts[-1] = last[len(op) + 1:]
    elif op and last == op:
        parts = parts[:-1] or [last]
    return " · ".join(parts)


def clip_text(row):
    """A pipeline row's clip: 'batch 1 × 4 frames 128×128, CFG'."""
    p = row.params
    text = f"batch {p.get('batch', '?')} × {p.get('frames', '?')} frames {p.get('height', '?')}×{p.get('width', '?')}"
    if "guided" in p:
        text += ", CFG" if p["guided"] else ", no CFG"
    return text


def shape_summary(row):
    if row.is_pipeline:
        return clip_text(row)
    groups = {}
    for arg, shape in row.inputs.items():
        if not isinstance(shape, list) or len(shape) < 2:
            continue  # per-channel vectors (gamma, bias) and scalars say nothing new
        dims = "×".join(str(d) for d in shape)
        groups.setdefault(dims, []).append(str(arg))
    if not groups:
        return DASH
    return ", ".join(f"{'='.join(args)} {dims}" for dims, args in groups.items())


def series_label(row, with_device):
    """'vdk cpu', 'vdk reference', 'PyTorch cuda' (from backend 'torch-cuda')."""
    backend = row.backend or ""
    if row.set.producer == "torch":
        rest = backend[len("torch"):].lstrip("-_ ") if backend.startswith("torch") else backend
        who = f"PyTorch {rest}".strip()
    else:
        who = f"{row.set.producer} {backend}".strip()
    if with_device:
        return f"{row.set.device.name}: {who}"
    return who


# ---------------------------------------------------------------- plots

class Plotter:
    """All matplotlib use; created only when matplotlib imports."""

    def __init__(self, plt, mpl, out_dir, stem, formats):
        self.plt = plt
        self.mpl = mpl
        self.out_dir = out_dir
        self.stem = stem
        self.formats = formats
        mpl.rcParams.update({
            "svg.hashsalt": "vdk-report",  # stable ids: the same input gives the same SVG
            "font.size": 9,
            "axes.titlesize": 10,
            "axes.titleweight": "bold",
            "legend.fontsize": 8,
            "axes.grid": True,
            "grid.alpha": 0.3,
            "grid.linewidth": 0.6,
        })

    def save(self, fig, name):
        files = []
        for fmt in self.formats:
            fname = f"{self.stem}-{name}.{fmt}"
            meta = {"Date": None} if fmt == "svg" else {}
            fig.savefig(os.path.join(self.out_dir, fname), format=fmt, dpi=150,
                        bbox_inches="tight", metadata=meta)
            files.append(fname)
        self.plt.close(fig)
        return files

    def op_colors(self, ops):
        cmap = self.plt.get_cmap("tab10")
        extra = self.plt.get_cmap("Dark2")
        ordered = sorted(ops, key=op_rank)
        return {op: (cmap(i) if i < 10 else extra(i - 10)) for i, op in enumerate(ordered)}

    # --- roofline

    def roofline(self, dev, colors):
        plt = self.plt
        from matplotlib.lines import Line2D
        rows = [r for r in dev.rows() if r.intensity and r.gflops]
        fp32, bw = dev.peak["fp32_gflops"], dev.peak["bandwidth_gbs"]
        if not rows and not (fp32 and bw):
            return None
        fig, ax = plt.subplots(figsize=(9.5, 5.6))
        ax.set_xscale("log")
        ax.set_yscale("log")

        xs = [r.intensity for r in rows]
        ys = [r.gflops for r in rows]
        ceilings = [(f, dev.peak[f]) for f in ("fp32_gflops", "bf16_gflops", "f16_gflops") if dev.peak[f]]
        top = max([c for _, c in ceilings] + ys + [1.0])
        ridge = fp32 / bw if fp32 and bw else None
        x_lo = min(xs + ([ridge / 20] if ridge else [])) / 3
        x_hi = max(xs + ([max(c for _, c in ceilings) / bw * 5] if ceilings and bw else [])) * 3
        y_lo = min(ys + ([bw * x_lo] if bw else [])) / 3
        y_lo = max(y_lo, top * 1e-6)
        ax.set_xlim(x_lo, x_hi)
        ax.set_ylim(y_lo, top * 3)

        handles = [Line2D([], [], linestyle="none", label="Ceilings (measured peaks)")]
        styles = {"fp32_gflops": ("-", "fp32 FMA"), "bf16_gflops": ("--", "bf16"), "f16_gflops": (":", "f16")}
        if bw:
            for field, peak in ceilings:
                ls, what = styles[field]
                knee = peak / bw
                ax.plot([x_lo, knee, x_hi], [bw * x_lo, peak, peak], color="0.25", linestyle=ls, linewidth=1.4)
                handles.append(Line2D([], [], color="0.25", linestyle=ls,
                                      label=f"{what}: {peak_text(peak)} GFLOP/s, ridge {sig(knee, 2)} FLOP/B"))
            if not ceilings:
                ax.plot([x_lo, x_hi], [bw * x_lo, bw * x_hi], color="0.25", linewidth=1.4)
            handles.append(Line2D([], [], color="0.25", linewidth=1.4,
                                  label=f"memory: {peak_text(bw)} GB/s (slope)"))
        else:
            for field, peak in ceilings:
                ls, what = styles[field]
                ax.axhline(peak, color="0.25", linestyle=ls, linewidth=1.4)
                handles.append(Line2D([], [], color="0.25", linestyle=ls, label=f"{what}: {peak_text(peak)} GFLOP/s"))

        # Series: vdk backends first, then peers; within each, by dtype.
        def series_key(r):
            return (r.set.is_peer, r.backend or "", DTYPE_ORDER.get(r.dtype, 9), r.dtype or "")
        series = []
        for r in sorted(rows, key=series_key):
            label = series_label(r, False) + f", {r.dtype or '?'}"
            if label not in series:
                series.append(label)
        vdk_markers = ["o", "s", "D", "^", "v", "P", "X", "<", ">"]
        peer_markers = ["o", "s", "D", "^", "v"]
        marker_of, nv, np_ = {}, 0, 0
        for r in sorted(rows, key=series_key):
            label = series_label(r, False) + f", {r.dtype or '?'}"
            if label in marker_of:
                continue
            if r.set.is_peer:
                marker_of[label] = (peer_markers[np_ % len(peer_markers)], True)
                np_ += 1
            else:
                marker_of[label] = (vdk_markers[nv % len(vdk_markers)], False)
                nv += 1
        for r in rows:
            label = series_label(r, False) + f", {r.dtype or '?'}"
            marker, hollow = marker_of[label]
            color = colors.get(r.op, "0.5")
            ax.scatter([r.intensity], [r.gflops], marker=marker, s=46, zorder=3,
                       facecolors="white" if hollow else color, edgecolors=color,
                       linewidths=1.6 if hollow else 0.6)

        ops = sorted({r.op for r in rows}, key=op_rank)
        if ops:
            handles.append(Line2D([], [], linestyle="none", label=" "))
            handles.append(Line2D([], [], linestyle="none", label="Operator (colour)"))
            for op in ops:
                handles.append(Line2D([], [], linestyle="none", marker="s", markersize=8,
                                      markerfacecolor=colors.get(op, "0.5"), markeredgecolor="none", label=op))
            handles.append(Line2D([], [], linestyle="none", label=" "))
            handles.append(Line2D([], [], linestyle="none", label="Series (marker; hollow = PyTorch)"))
            for label in series:
                marker, hollow = marker_of[label]
                handles.append(Line2D([], [], linestyle="none", marker=marker, markersize=7,
                                      markerfacecolor="white" if hollow else "0.35", markeredgecolor="0.35",
                                      markeredgewidth=1.4 if hollow else 0.6, label=label))
        leg = ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.02, 1.0), frameon=False,
                        handlelength=2.4, borderaxespad=0.0)
        for t in leg.get_texts():
            if t.get_text() in ("Ceilings (measured peaks)", "Operator (colour)",
                                "Series (marker; hollow = PyTorch)"):
                t.set_fontweight("bold")
        # The ceilings are also named on the plot, so a printed copy reads without the legend.
        for field, peak in ceilings:
            ax.text(x_hi / 1.2, peak * 1.12, f"{styles[field][1]} {peak_text(peak)} GFLOP/s", ha="right",
                    va="bottom", fontsize=8, color="0.2")
        if bw:
            # Along the memory line: its angle on screen follows from the limits and the
            # axes' size, which bbox_inches="tight" leaves alone.
            x0 = x_lo * 2.0
            (px0, py0), (px1, py1) = ax.transData.transform([(x0, bw * x0), (x0 * 10, bw * x0 * 10)])
            angle = math.degrees(math.atan2(py1 - py0, px1 - px0))
            ax.text(x0, bw * x0 * 1.35, f"memory {peak_text(bw)} GB/s", rotation=angle, rotation_mode="anchor",
                    ha="left", va="bottom", fontsize=8, color="0.2")
        ax.set_xlabel("arithmetic intensity (FLOP per byte moved, minimum bytes)")
        ax.set_ylabel("achieved GFLOP/s")
        ax.set_title(f"Roofline: {dev.name}")
        ax.grid(True, which="major")
        ax.grid(True, which="minor", alpha=0.1)
        return self.save(fig, f"roofline-{dev.slug}")

    # --- per-operator bars

    def series_colors(self, devices):
        """Per device one colour family; vdk backends dark to light, peers hatched."""
        families = ["Blues", "Oranges", "Greens", "Purples", "Reds", "Greys"]
        colors = {}
        for dev in devices:
            cmap = self.plt.get_cmap(families[dev.index % len(families)])
            labels = []
            for r in sorted(dev.rows(), key=lambda r: (r.set.is_peer, r.backend or "", r.set.index)):
                key = (dev.index, r.set.is_peer, series_label(r, False))
                if key not in labels:
                    labels.append(key)
            n = len(labels)
            for i, key in enumerate(labels):
                shade = 0.85 - 0.45 * (i / max(1, n - 1)) if n > 1 else 0.7
                colors[key] = (cmap(shade), key[1])
        return colors

    def op_bars(self, op, rows, devices, strip_set, name_devices):
        plt = self.plt
        import numpy as np
        from matplotlib.patches import Patch
        groups = []
        for r in sorted(rows, key=row_order):
            g = (r.name, r.dtype)
            if g not in groups:
                groups.append(g)
        series = []
        for dev in devices:
            for r in sorted([r for r in rows if r.set.device is dev],
                            key=lambda r: (r.set.is_peer, r.backend or "", r.set.index)):
                key = (dev.index, r.set.is_peer, series_label(r, False))
                if key not in series:
                    series.append(key)
        if not groups or not series:
            return None
        scolors = self.series_colors(devices)
        value = {}
        for r in rows:
            key = (r.set.device.index, r.set.is_peer, series_label(r, False))
            # One bar per series and case: a series with two rows for one case
            # (two peer kernels) shows the faster.
            old = value.get((key, (r.name, r.dtype)))
            if old is None or (r.time_ms or math.inf) < (old.time_ms or math.inf):
                value[(key, (r.name, r.dtype))] = r

        width = min(0.8 / len(series), 0.3)
        fig_w = min(16.0, max(6.0, 2.0 + len(groups) * (len(series) * width + 0.4) * 1.4))
        fig, (ax_t, ax_f) = plt.subplots(2, 1, figsize=(fig_w, 7.4), sharex=True)
        x = np.arange(len(groups))
        for si, key in enumerate(series):
            color, peer = scolors.get(key, ("0.5", key[1]))
            offs = x + (si - (len(series) - 1) / 2) * width
            times = [value[(key, g)].time_ms if (key, g) in value else None for g in groups]
            fracs = [value[(key, g)].fraction if (key, g) in value else None for g in groups]
            for ax, vals, scale in ((ax_t, times, 1.0), (ax_f, fracs, 100.0)):
                pts = [(o, v * scale) for o, v in zip(offs, vals) if v is not None]
                if pts:
                    ax.bar([p[0] for p in pts], [p[1] for p in pts], width=width * 0.92, color=color,
                           edgecolor="0.2", linewidth=0.5, hatch="////" if peer else None)
                for o, v in zip(offs, vals):
                    if v is None:
                        ax.text(o, 0.02, "n/a", transform=ax.get_xaxis_transform(), ha="center",
                                va="bottom", fontsize=6, color="0.45", rotation=90)
                    elif ax is ax_f:
                        # Small fractions (a reference backend's 1 %) are invisible as bars.
                        ax.text(o, v * scale + 1.5, percent(v).replace(" %", ""), ha="center",
                                va="bottom", fontsize=6.5, rotation=90, color="0.15",
                                bbox=dict(facecolor="white", edgecolor="none", pad=0.4, alpha=0.85))
                    else:
                        ax.text(o, v * 1.15, sig(v), ha="center", va="bottom", fontsize=6.5,
                                rotation=90, color="0.15")
        ax_t.set_yscale("log")
        all_t = [r.time_ms for r in value.values() if r.time_ms]
        if all_t:
            # Room above the tallest bar for its label, below the shortest for "n/a".
            ax_t.set_ylim(min(all_t) / 4, max(all_t) * 12)
        ax_t.set_ylabel("time per call (ms, log scale)\nlower is better")
        ax_f.set_ylabel("fraction of device peak (%)\nhigher is better")
        ax_f.set_ylim(0, 118)
        ax_f.set_yticks([0, 20, 40, 60, 80, 100])
        ax_f.axhline(100, color="0.3", linewidth=0.8, linestyle="--")
        ax_t.set_title(f"{op}: time and fraction of peak per case" + (f" (set {strip_set})" if strip_set else ""))
        labels = [f"{op_case_label(n, op, strip_set)}\n{d or '?'}" for n, d in groups]
        ax_f.set_xticks(x)
        ax_f.set_xlim(-0.6, len(groups) - 0.4)  # a lone bar keeps its width
        long = max(len(lbl.split("\n")[0]) for lbl in labels) * len(groups) > fig_w * 11
        ax_f.set_xticklabels(labels, rotation=25 if long else 0, ha="right" if long else "center")
        handles = []
        multi = name_devices
        for key in series:
            color, peer = scolors.get(key, ("0.5", key[1]))
            dev = devices[[d.index for d in devices].index(key[0])]
            label = f"{dev.name}: {key[2]}" if multi else key[2]
            handles.append(Patch(facecolor=color, edgecolor="0.2", linewidth=0.5,
                                 hatch="////" if peer else None, label=label))
        fig.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, 0.0),
                   ncol=min(len(handles), 2 if multi else 4), frameon=False)
        fig.tight_layout()
        return self.save(fig, f"bars-{slug(op)}")

    # --- speed-up over the peer

    def speedup(self, dev, strip_set):
        plt = self.plt
        import numpy as np
        from matplotlib.ticker import FixedLocator, FuncFormatter, NullFormatter
        from matplotlib.transforms import offset_copy
        rows = [r for r in dev.rows(peers=False) if r.ratio]
        if not rows:
            return None
        groups = []
        for r in sorted(rows, key=row_order):
            if (r.name, r.dtype) not in groups:
                groups.append((r.name, r.dtype))
        backends = []
        for r in sorted(rows, key=lambda r: (r.backend or "", r.set.index)):
            if series_label(r, False) not in backends:
                backends.append(series_label(r, False))
        scolors = self.series_colors([dev])
        height = min(0.8 / len(backends), 0.6)
        fig, ax = plt.subplots(figsize=(9.0, 1.2 + 0.32 * len(groups) * len(backends) + 0.15 * len(groups)))
        y = np.arange(len(groups))
        ratios = [r.ratio for r in rows]
        lo, hi = min(ratios + [1.0]), max(ratios + [1.0])
        x_lo, x_hi = lo / 2.5, hi * 2.5
        ax.set_xscale("log")
        ax.set_xlim(x_lo, x_hi)
        ax.axvspan(1.0, x_hi, color="#2ca02c", alpha=0.07, zorder=0)
        ax.axvspan(x_lo, 1.0, color="#d62728", alpha=0.07, zorder=0)
        ax.axvline(1.0, color="0.2", linewidth=1.0)
        for bi, b in enumerate(backends):
            color, _ = scolors.get((dev.index, False, b), ("0.4", False))
            # The y axis is inverted below, so the first backend is the top bar of a case.
            offs = y + (bi - (len(backends) - 1) / 2) * height
            first = True
            for g, o in zip(groups, offs):
                r = next((r for r in rows if (r.name, r.dtype) == g and series_label(r, False) == b), None)
                if r is None:
                    continue
                # Bars grow from 1 (parity) to the ratio, left when PyTorch is faster.
                ax.barh(o, r.ratio - 1.0, left=1.0, height=height * 0.9, color=color,
                        edgecolor="0.2", linewidth=0.5, label=b if first else None)
                first = False
                ax.text(r.ratio * (1.06 if r.ratio >= 1 else 1 / 1.06), o, ratio_text(r.ratio),
                        va="center", ha="left" if r.ratio >= 1 else "right", fontsize=8)
        ax.set_yticks(y)
        ax.set_yticklabels([f"{case_label(n, strip_set)}  {d or '?'}" for n, d in groups])
        ax.invert_yaxis()
        ax.set_xlabel("speed-up = PyTorch time / vdk time (log scale)")
        ax.text(0.99, 1.01, "vdk faster →", transform=ax.transAxes, ha="right", va="bottom",
                color="#2ca02c", fontweight="bold")
        ax.text(0.01, 1.01, "← PyTorch faster", transform=ax.transAxes, ha="left", va="bottom",
                color="#d62728", fontweight="bold")
        ax.set_title(f"Speed-up over PyTorch: {dev.name}", pad=18)
        # Ticks at 1-2-5 steps, or decades only where those would crowd the axis.
        ticks = [k * 10.0 ** e for e in range(-6, 7) for k in (1, 2, 5) if x_lo <= k * 10.0 ** e <= x_hi]
        if len(ticks) > 9:
            ticks = [t for t in ticks if abs(math.log10(t) - round(math.log10(t))) < 1e-9]
        ax.xaxis.set_major_locator(FixedLocator(ticks))
        ax.xaxis.set_minor_formatter(NullFormatter())
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}×"))
        ax.grid(True, axis="x", which="major")
        ax.grid(False, axis="y")
        # Below the x label whatever the figure's height: offset in points, not axes units.
        below = offset_copy(ax.transAxes, fig=fig, y=-34, units="points")
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, 0.0), bbox_transform=below,
                  ncol=min(4, len(backends)), frameon=False, title="vdk backend")
        fig.tight_layout()
        return self.save(fig, f"speedup-{dev.slug}")


def make_plotter(args, out_dir, stem):
    """The plotter, or (None, why) when plots cannot be drawn."""
    if args.no_plots:
        return None, "plots were not asked for (--no-plots)"
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError as e:
        return None, (f"matplotlib is not available to {sys.executable} ({e}); on Debian "
                      "install python3-matplotlib and run the generator with /usr/bin/python3")
    return Plotter(plt, matplotlib, out_dir, stem, args.formats), None


# ---------------------------------------------------------------- Markdown

def md_table(header, rows, align=None):
    align = align or ["l"] * len(header)
    out = ["| " + " | ".join(header) + " |",
           "|" + "|".join("---:" if a == "r" else "---" for a in align) + "|"]
    for r in rows:
        out.append("| " + " | ".join(md_cell(c) for c in r) + " |")
    return out


def image_md(files, alt):
    if not files:
        return []
    first = files[0]
    line = f"![{alt}]({first})"
    if len(files) > 1:
        line += "  \n" + " · ".join(f"[{os.path.splitext(f)[1][1:].upper()}]({f})" for f in files)
    return [line, ""]


def device_desc(info):
    bits = []
    for key in ("kind", "vendor", "model", "driver", "api_version", "threads"):
        v = info.get(key)
        if v not in (None, "", []):
            bits.append(f"{key.replace('_', ' ')} {v}")
    isa = info.get("isa")
    if isinstance(isa, list) and isa:
        bits.append("ISA " + " ".join(str(i) for i in isa))
    return ", ".join(bits) if bits else DASH


def build_desc(build):
    if not isinstance(build, dict):
        return DASH
    bits = [f"{k} {code(str(v)) if k == 'flags' else v}" for k, v in build.items() if v not in (None, "", [])]
    return "; ".join(bits) if bits else DASH


def write_markdown(report, args, out_path, plots, plot_note, strip_set):
    L = []
    title = args.title
    L += [f"# {title}", ""]
    notes = sorted({(rs.label, text(rs.doc.get("note"))) for rs in report.sets if text(rs.doc.get("note"))})
    if notes:
        L.append("> **Read this first.** Some inputs carry a note:")
        for label, note in notes:
            L.append(f"> - `{label}`: {note}")
        L.append("")
    vdk_sets = [rs for rs in report.sets if not rs.is_peer]
    peer_sets = [rs for rs in report.sets if rs.is_peer]
    L.append(f"{len(report.sets)} result sets ({len(vdk_sets)} from vdk, {len(peer_sets)} from peers) "
             f"on {len(report.devices)} device{'s' if len(report.devices) != 1 else ''}. "
             "Times are medians per call. *Fraction of peak* divides the achieved rate by the "
             "device's measured peak: GFLOP/s for compute-bound operators, GB/s for memory-bound "
             "ones. *Speed-up* is the peer's time divided by vdk's on the same case and dtype: "
             "above 1 vdk is faster. How to read every figure: `docs/report.md`; "
             "where each number comes from: [Provenance](#provenance).")
    L.append("")
    if plot_note:
        L += [f"*Plots skipped: {plot_note}.*", ""]
    if report.warnings:
        L += [f"**{len(report.warnings)} warning{'s' if len(report.warnings) != 1 else ''}** about "
              "the inputs: see [Warnings](#warnings).", ""]

    # Summary: per device one line per operator, one column pair per vdk backend
    # and one column per peer.
    L += ["## Summary", ""]
    for dev in report.devices:
        rows = dev.rows()
        if not rows:
            continue
        series = []
        for r in sorted(rows, key=lambda r: (r.set.is_peer, r.backend or "", r.set.index)):
            key = (r.set.is_peer, series_label(r, False))
            if key not in series:
                series.append(key)
        header, align = ["operator", "cases"], ["l", "r"]
        for peer, label in series:
            header.append(f"{label}: of peak")
            align.append("r")
            if not peer:
                header.append(f"{label}: speed-up")
                align.append("r")
        body = []
        for op in sorted({r.op for r in rows}, key=op_rank):
            ops_rows = [r for r in rows if r.op == op]
            line = [op, str(len({(r.name, r.dtype) for r in ops_rows}))]
            for peer, label in series:
                rs = [r for r in ops_rows if (r.set.is_peer, series_label(r, False)) == (peer, label)]
                line.append(percent(median([r.fraction for r in rs])))
                if not peer:
                    ratios = [r.ratio for r in rs if r.ratio]
                    line.append(f"{ratio_text(geomean(ratios))} ({len(ratios)})" if ratios else DASH)
            body.append(line)
        L += [f"### {dev.name}", ""] + md_table(header, body, align) + [""]
    L += ["*of peak*: the median over the operator's rows (cases × dtypes) of the fraction of the "
          "device's peak reached. *speed-up*: the geometric mean over the rows that have a PyTorch "
          "row of the same case and dtype (how many in brackets) of PyTorch time / vdk time; above 1× "
          "vdk is faster.", ""]

    # Devices and peaks
    L += ["## Devices and peaks", ""]
    body = []
    for dev in report.devices:
        ridge = dev.ridge("f32")
        body.append([dev.name, dev.kind, f"{num(dev.info.get('threads')):g}" if num(dev.info.get("threads")) else DASH,
                      peak_text(dev.peak["fp32_gflops"]), peak_text(dev.peak["f16_gflops"]),
                      peak_text(dev.peak["bf16_gflops"]), peak_text(dev.peak["bandwidth_gbs"]), sig(ridge, 2) if ridge else DASH])
    L += md_table(["device", "kind", "threads", "fp32 GFLOP/s", "f16 GFLOP/s", "bf16 GFLOP/s",
                   "bandwidth GB/s", "fp32 ridge (FLOP/byte)"], body, ["l", "l", "r", "r", "r", "r", "r", "r"])
    L.append("")
    for dev in report.devices:
        by_source = {}
        for field in PEAK_FIELDS:
            if dev.peak_source[field]:
                by_source.setdefault(dev.peak_source[field], []).append(PEAK_NAMES[field])
        src = [f"{', '.join(fields)} from {source}" for source, fields in by_source.items()]
        missing = [PEAK_NAMES[field] for field in PEAK_FIELDS if dev.peak[field] is None]
        line = f"- {dev.name}: " + ("; ".join(src) if src else "no peaks in any set")
        if missing:
            line += f"; not measured: {', '.join(missing)}"
        L.append(line + ".")
    L += ["", "A dtype without its own peak is measured against the fp32 one (the device "
          "computes it in fp32). The ridge point is where the memory line meets the fp32 "
          "ceiling: a case whose arithmetic intensity is below it cannot be compute-bound.", ""]

    # Rooflines
    if not plot_note:
        L += ["## Rooflines", "",
              "Each point is one row (case, dtype, backend) at its arithmetic intensity (FLOPs over "
              "the minimum bytes the operator must move) and its achieved GFLOP/s. The lines are the "
              "device's measured ceilings: the memory slope (bandwidth × intensity) and the "
              "compute roof of each measured dtype. Colour is the operator, marker the series; "
              "hollow markers are PyTorch. A point's distance below the line above it is what is "
              "left on the table.", ""]
    for dev in report.devices if not plot_note else []:
        L += [f"### {dev.name}", ""]
        files = plots.get(("roofline", dev.key))
        if not files:
            L += ["No roofline: no row has FLOPs, bytes and a time, and no set gives peaks.", ""]
            continue
        L += image_md(files, f"roofline of {dev.name}")
        L.append("Sets: " + ", ".join(f"`{rs.label}`" for rs in dev.sets) + ".")
        no_flops = sorted({r.op for r in dev.rows() if r.time_ms and r.flops == 0}, key=op_rank)
        no_counts = sorted({f"{r.name} {r.dtype or ''}".strip() for r in dev.rows()
                            if not (r.intensity and r.gflops) and r.flops != 0})
        if no_flops:
            L.append(f"Not on the plot, as they do no arithmetic: {', '.join(no_flops)} "
                     "(their GB/s are in the tables).")
        if no_counts:
            L.append(f"Not on the plot, for want of FLOPs, bytes or a time: {', '.join(no_counts)}.")
        L.append("")

    # Speed-up over the peer
    if any(plots.get(("speedup", dev.key)) for dev in report.devices):
        L += ["## Speed-up over PyTorch", "",
              "One bar per case, dtype and vdk backend, growing from parity (1×): to the right vdk "
              "is faster, to the left PyTorch is; the label is PyTorch time / vdk time. The "
              "PyTorch time is the fastest PyTorch row for the same case and dtype on the same "
              "device. Cases without a PyTorch row are left out (see the tables).", ""]
        for dev in report.devices:
            files = plots.get(("speedup", dev.key))
            if files:
                L += [f"### {dev.name}", ""] + image_md(files, f"speed-up over PyTorch on {dev.name}")

    # Per-operator bars
    ops = sorted({r.op for dev in report.devices for r in dev.rows()}, key=op_rank)
    if any(plots.get(("bars", op)) for op in ops):
        L += ["## Per operator", "",
              "One figure per operator, one group of bars per case and dtype, one bar per device "
              "and backend (one colour family per device; hatched bars are PyTorch). Top: time "
              "per call, log scale, lower is better. Bottom: fraction of the device's peak "
              "(its value printed above the bar), higher is better; the dashed line is the "
              "peak. \"n/a\": that backend has no row for the case.", ""]
        for op in ops:
            files = plots.get(("bars", op))
            if files:
                L += [f"### {op}", ""] + image_md(files, f"{op}: time and fraction of peak")

    # Case tables
    L += ["## Cases", ""]
    for dev in report.devices:
        L += [f"### {dev.name}", ""]
        vrows = sorted(dev.rows(peers=False), key=row_order)
        flagged = False
        if vrows:
            body = []
            for r in vrows:
                bound = r.bound or DASH
                if r.bound and r.roof_bound and r.roof_bound != r.bound:
                    bound += " †"
                    flagged = True
                body.append([f"`{case_label(r.name, strip_set)}`", r.op, shape_summary(r), r.dtype, r.backend,
                             code(r.kernel), sig(r.time_ms), sig(r.gflops), sig(r.gbs), bound,
                             percent(r.fraction), sig(r.peer.time_ms) if r.peer else DASH,
                             ratio_text(r.ratio)])
            L += md_table(["case", "op", "shapes", "dtype", "backend", "kernel", "time ms", "GFLOP/s",
                           "GB/s", "bound", "of peak", "peer ms", "speed-up"], body,
                          ["l", "l", "l", "l", "l", "l", "r", "r", "r", "l", "r", "r", "r"])
            L.append("")
        prows = sorted(dev.rows(peers=True), key=row_order)
        if prows:
            if vrows:
                L += ["Peer rows:", ""]
            body = []
            for r in prows:
                bound = r.bound or DASH
                if r.bound and r.roof_bound and r.roof_bound != r.bound:
                    bound += " †"
                    flagged = True
                body.append([f"`{case_label(r.name, strip_set)}`", r.op, shape_summary(r), r.dtype, r.backend,
                             code(r.kernel), sig(r.time_ms), sig(r.gflops), sig(r.gbs), bound,
                             percent(r.fraction)])
            L += md_table(["case", "op", "shapes", "dtype", "peer", "call", "time ms", "GFLOP/s", "GB/s",
                           "bound", "of peak"], body, ["l", "l", "l", "l", "l", "l", "r", "r", "r", "l", "r"])
            L.append("")
        if not vrows and not prows:
            L += [f"No rows. {DASH}", ""]
        if flagged:
            L += ["† The operator's class (the bound its fraction of peak is taken against) and "
                  "the roofline disagree: its arithmetic intensity puts it on the other side of "
                  "this device's ridge point.", ""]
        if strip_set:
            L += [f"Case names are shown without their set prefix (`{strip_set}/`).", ""]

    # Provenance
    L += ["## Provenance", ""]
    L.append("Every figure above comes from one of these sets; rerun its command at its commit "
             "to reproduce it.")
    L.append("")
    for rs in report.sets:
        d = rs.doc
        L.append(f"### `{rs.label}`")
        L.append("")
        L.append(f"- producer: {md_cell(rs.producer)}; rows: {len(rs.rows)}; device: {rs.device.name}")
        L.append(f"- command: {code(text(d.get('command')))}")
        L.append(f"- commit: {code(text(d.get('commit')))}; created: {md_cell(text(d.get('created')))}; "
                 f"host: {md_cell(rs.host)}")
        L.append(f"- build: {build_desc(d.get('build'))}")
        L.append(f"- device: {device_desc(rs.device_info)}")
        peak = ", ".join(f"{k} {peak_text(v)}" for k, v in rs.peak.items() if v is not None)
        L.append(f"- peak block: {peak or DASH}" + (f" (source {rs.peak_source})" if rs.peak_source else ""))
        if text(d.get("note")):
            L.append(f"- note: **{text(d['note'])}**")
        L.append(f"- file: `{rs.path}`")
        L.append("")
    gen = [os.path.relpath(__file__, os.getcwd()) if not os.path.isabs(args.argv0) else __file__] + args.argv
    L.append(f"This report: {code(' '.join(shlex.quote(a) for a in gen))}, "
             f"generator commit {code(generator_commit())}, "
             f"{datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ')}.")
    L.append("")

    if report.warnings:
        L += ["## Warnings", ""]
        L += [f"- {md_cell(w)}" for w in report.warnings]
        L.append("")
    with open(out_path, "w", encoding="utf-8") as f:
        f.write("\n".join(L))


def generator_commit():
    try:
        out = subprocess.run(["git", "-C", os.path.dirname(os.path.abspath(__file__)), "describe",
                              "--always", "--dirty"], capture_output=True, text=True, timeout=10)
        return out.stdout.strip() if out.returncode == 0 and out.stdout.strip() else None
    except (OSError, subprocess.SubprocessError):
        return None


# ---------------------------------------------------------------- main

def parse_args(argv):
    p = argparse.ArgumentParser(
        prog="vdk_report.py",
        description="Markdown report with roofline and comparison plots from vdk result sets "
                    "(docs/report.md).")
    p.add_argument("sets", nargs="+", metavar="SET.json", help="result sets (vdk-results/1), vdk and peers")
    p.add_argument("--out", required=True, metavar="PATH.md",
                   help="the report; plots are written next to it, named after it")
    p.add_argument("--peak", metavar="vdk-peak.json",
                   help="take the peaks from this vdk-peak file instead of the sets' peak blocks")
    p.add_argument("--bandwidth", default="copy", metavar="NAME",
                   help="with --peak: the vdk-peak bandwidth measurement to use (default copy)")
    p.add_argument("--format", default="svg", metavar="svg|png|svg,png",
                   help="image format(s), comma-separated; the report links the first (default svg)")
    p.add_argument("--title", default="vdk performance report")
    p.add_argument("--no-plots", action="store_true", help="write the Markdown only")
    args = p.parse_args(argv)
    formats = [f.strip().lower() for f in args.format.split(",") if f.strip()]
    bad = [f for f in formats if f not in ("svg", "png")]
    if not formats or bad:
        p.error(f"--format: expected svg, png or svg,png, got {args.format!r}")
    args.formats = list(dict.fromkeys(formats))
    args.argv = argv
    return args


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    args = parse_args(argv)
    args.argv0 = sys.argv[0]
    report = Report()
    try:
        for i, path in enumerate(args.sets):
            report.sets.append(load_set(report, path, i))
        group_devices(report)
        merge_peaks(report)
        if args.peak:
            apply_peak_file(report, args.peak, args.bandwidth)
    except InputError as e:
        print(f"vdk_report.py: {e}", file=sys.stderr)
        return 2
    derive(report)
    match_peers(report)

    out_path = args.out
    out_dir = os.path.dirname(os.path.abspath(out_path))
    os.makedirs(out_dir, exist_ok=True)
    stem = os.path.splitext(os.path.basename(out_path))[0]
    set_names = {r.name.split("/", 1)[0] for dev in report.devices for r in dev.rows() if "/" in r.name}
    all_prefixed = all("/" in r.name for dev in report.devices for r in dev.rows())
    strip_set = next(iter(set_names)) if len(set_names) == 1 and all_prefixed else None

    plotter, plot_note = make_plotter(args, out_dir, stem)
    plots = {}
    if plotter:
        ops = sorted({r.op for dev in report.devices for r in dev.rows()}, key=op_rank)
        colors = plotter.op_colors(ops)
        for dev in report.devices:
            plots[("roofline", dev.key)] = plotter.roofline(dev, colors)
        for op in ops:
            rows = [r for dev in report.devices for r in dev.rows() if r.op == op and r.time_ms]
            devices = [d for d in report.devices if any(r.set.device is d for r in rows)]
            plots[("bars", op)] = plotter.op_bars(op, rows, devices, strip_set, len(report.devices) > 1) if rows else None
        for dev in report.devices:
            plots[("speedup", dev.key)] = plotter.speedup(dev, strip_set)
    write_markdown(report, args, out_path, plots, plot_note, strip_set)
    n_files = sum(len(f) for f in plots.values() if f)
    print(f"vdk_report.py: wrote {out_path}" + (f" and {n_files} plot files" if n_files else
                                                   f" (no plots: {plot_note})" if plot_note else ""))
    for w in report.warnings:
        print(f"vdk_report.py: warning: {w}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

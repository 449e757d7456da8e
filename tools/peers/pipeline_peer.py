#!/usr/bin/env python3
"""pipeline_peer.py: vdk-run's sampler loop in PyTorch on the CPU, timed per
step, written as a result set (docs/results.md, "producer": "torch") whose
`<model>/sampler_step` row pairs with vdk-run's in the report.

    pipeline_peer.py --model svd-xt [--set small] [--vdk VDK_RUN.json] [--out FILE]
    pipeline_peer.py --vdk-run-args MODEL [--set small]    # vdk-run's options
    pipeline_peer.py --list [--set small]                  # the set's models

The configurations (model, clip, batch, guidance, steps, seed) are
tools/pipeline_configs.json's; vdk-run gets the same ones from
`--vdk-run-args`, so the two sides cannot drift apart. What runs is the
same graph vdk-run times (docs/pipelines.md, "Small configurations"):

- svd, svd-xt, tiny: diffusers' UNetSpatioTemporalConditionModel built from
  vdk's preset (tools/golden_svd.py), under diffusers' EDM Euler sampler as
  vdk_svd_sample runs it: per step c_in x into both halves beside the image
  latents, the UNet on batch 2N (CFG), uncond + g (cond - uncond) with the
  per-frame guidance ramp, the Euler update. Needs diffusers 0.27.2 (the venv
  of tools/setup-diffusers.sh).
- lumiere-a, lumiere-b, lumiere-tiny: the STUNet of tools/lumiere_torch.py
  (channels-last convolution weights) under vdk_lumiere_sample's DDIM: both
  halves see x, the STUNet on batch 2N, g cond + (1 - g) uncond, x = A x + B eps.
- lumiere-ssr, lumiere-ssr-tiny: the same loop around lumiere_torch's SSR,
  each call its MultiDiffusion over the windows (lumiere_torch.multidiffusion)
  on the noisy video beside vdk-run's seeded base video, up-sampled (nearest).

Weights are vdk's seeded generator's (tools/vdk_generator.py, the seed of the
set), and the initial noise, image latents and embeddings are vdk-run's seeded
inputs (vr_seeded in tools/run/run.c: the same generator, Box-Muller), so the
final sample is the one vdk-run computes: its rms is written
(`sample_rms`) and, with --vdk, compared with vdk-run's.

Timing: one untimed denoiser call first (warm-up: PyTorch's first call
allocates and picks its kernels), then every sampler step timed with
time.perf_counter; time_ms is the median over the steps, vdk-run's statistic.
The guidance and the update are inside the step (as in vdk-run), a few
element-wise passes over the latents: negligible beside the network.
"""
import argparse
import datetime
import json
import math
import os
import shlex
import socket
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOOLS = os.path.dirname(HERE)
sys.path.insert(0, TOOLS)  # golden_svd, lumiere_torch, vdk_generator

import torch_peer  # noqa: E402  (beside this file; imports no torch at load)

CONFIGS = os.path.join(TOOLS, "pipeline_configs.json")
CONFIGS_FORMAT = "vdk-pipeline-configs/1"
# Rows whose sample rms differs from vdk-run's by more than this (relative) are
# flagged: f32 on both sides, same weights and inputs, differing only in the
# order of their sums.
AGREEMENT = 1e-3
# SVD: pixels per latent (the VAE's 2^(levels-1); vdk_svd_decoder_config).
SVD_VAE_FACTOR = {"svd": 8, "svd-xt": 8, "tiny": 2}
LUMIERE_PRESET = {"lumiere-a": "lumiere-a", "lumiere-b": "lumiere-b", "lumiere-tiny": "tiny",
                  "lumiere-ssr": "lumiere-ssr", "lumiere-ssr-tiny": "lumiere-ssr-tiny"}


class UsageError(Exception):
    pass


# ---------------------------------------------------------------- configurations

def load_set(path, set_name):
    try:
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
    except (OSError, json.JSONDecodeError) as e:
        raise UsageError(f"{path}: {e}") from None
    if doc.get("format") != CONFIGS_FORMAT:
        raise UsageError(f"{path}: format {doc.get('format')!r}, expected {CONFIGS_FORMAT!r}")
    sets = doc.get("sets", {})
    if set_name not in sets:
        raise UsageError(f"{path}: no set {set_name!r} (has {', '.join(sorted(sets))})")
    return sets[set_name]


def find_config(cset, model, set_name):
    for c in cset["configs"]:
        if c["model"] == model:
            return c
    raise UsageError(f"set {set_name!r} has no model {model!r} "
                     f"(has {', '.join(c['model'] for c in cset['configs'])})")


def vdk_run_args(cset, c):
    """vdk-run's options for configuration c (after the model name)."""
    g = c["guidance"]
    args = ["--backend", cset["backend"], "--dtype", cset["dtype"], "--steps", str(cset["steps"]),
            "--seed", str(cset["seed"]), "--batch", str(c["batch"]), "--frames", str(c["frames"]),
            "--size", f"{c['height']}x{c['width']}", "--guidance", f"{g[0]:g},{g[1]:g}"]
    if c.get("context_order"):
        args += ["--context-order", c["context_order"]]
    return args


# ---------------------------------------------------------------- vdk-run's inputs

def seeded(name, seed, shape, gauss):
    """vr_seeded (tools/run/run.c): the generator's n + 1 values under `name`,
    Box-Muller on pairs when gauss, as float32 in vdk's layout."""
    import numpy as np
    import vdk_generator
    n = int(np.prod(shape))
    v = vdk_generator.uniform(name, seed, n + 1)
    if gauss:
        even = np.arange(0, n, 2)
        u1 = 0.5 * (1.0 + v[even].astype(np.float64)) + 1e-12
        u2 = 0.5 * (1.0 + v[even + 1].astype(np.float64))
        r, a = np.sqrt(-2.0 * np.log(u1)), 6.283185307179586 * u2
        out = np.empty(n + 1, dtype=np.float32)
        out[even] = (r * np.cos(a)).astype(np.float32)
        out[even + 1] = (r * np.sin(a)).astype(np.float32)
        v = out
    return v[:n].reshape(shape)


def tensor(torch, a):
    return torch.from_numpy(a.copy())


# ---------------------------------------------------------------- SVD

class SvdLoop:
    """vdk_svd_sample (pipelines/svd/sampler.c) around diffusers' UNet."""

    kernel = "diffusers UNetSpatioTemporalConditionModel"

    def __init__(self, torch, model, c, steps, seed, log):
        import golden_svd
        import diffusers
        self.torch = torch
        if c.get("context_order", "diffusers") != "diffusers":
            raise UsageError(f"{model}: diffusers computes the diffusers context order only")
        config = dict(golden_svd.TINY_UNET if model == "tiny" else golden_svd.SVD_XT_UNET)
        if model == "svd":
            config["num_frames"] = 14
        t0 = time.perf_counter()
        unet = golden_svd.build_unet(config).eval()
        log(f"built the UNet in {time.perf_counter() - t0:.1f} s")
        t0 = time.perf_counter()
        names = set(unet.state_dict())
        golden_svd.set_weights(unet, names, seed, keep=False)
        log(f"seeded {sum(p.numel() for p in unet.parameters()):,} weights in "
            f"{time.perf_counter() - t0:.1f} s")
        self.unet = unet
        self.versions = {"diffusers": diffusers.__version__}
        f = SVD_VAE_FACTOR[model]
        n, T, h, w = c["batch"], c["frames"], c["height"] // f, c["width"] // f
        C, D = config["out_channels"], config["cross_attention_dim"]
        Ci = config["in_channels"] - C
        self.guided = c["guidance"][1] > 1.0
        # vdk-run's seeded inputs, in diffusers' [N, T, C, h, w].
        lat = seeded("run.noise", seed, (n, T, h, w, C), True)
        image = seeded("run.image_latent", seed, (n, 1, h, w, Ci), True)
        emb = seeded("run.image_embedding", seed, (n, 1, D), True)
        self.x = tensor(torch, lat).permute(0, 1, 4, 2, 3).contiguous()
        image = tensor(torch, image).permute(0, 1, 4, 2, 3).expand(n, T, Ci, h, w)
        emb = tensor(torch, emb)
        if self.guided:
            self.image = torch.cat([torch.zeros_like(image), image])
            self.context = torch.cat([torch.zeros_like(emb), emb])
        else:
            self.image, self.context = image.contiguous(), emb
        B = self.context.shape[0]
        # fps - 1, motion bucket, noise augmentation: vdk-run's (diffusers' defaults).
        self.ids = torch.tensor([[6.0, 127.0, 0.02]] * B)
        lo, hi = c["guidance"]
        self.ramp = self.linspace_f32(lo, hi, T).reshape(1, T, 1, 1, 1)
        self.sigmas, self.timesteps, init = self.schedule(steps)
        self.x = self.x * init
        self.batch = B

    def linspace_f32(self, lo, hi, n):
        return self.torch.linspace(lo, hi, n, dtype=self.torch.float32)

    @staticmethod
    def schedule(steps):
        """vdk_svd_schedule: Karras sigmas (float32), c_noise = 0.25 ln sigma,
        init_noise_sigma sqrt(sigma_0^2 + 1) ("leading")."""
        import numpy as np
        smin, smax, rho = 0.002, 700.0, 7.0
        lo, hi = smin ** (1 / rho), smax ** (1 / rho)
        sig = []
        for i in range(steps):
            ramp = 1.0 if steps > 1 and i == steps - 1 else (i / (steps - 1) if steps > 1 else 0.0)
            sig.append(float(np.float32((hi + ramp * (lo - hi)) ** rho)))
        ts = [float(np.float32(0.25 * math.log(s))) for s in sig]
        init = float(np.float32(math.sqrt(sig[0] ** 2 + 1.0)))
        return sig + [0.0], ts, init

    def denoise(self, x, i):
        torch = self.torch
        c_in = 1.0 / math.sqrt(self.sigmas[i] ** 2 + 1.0)
        noisy = x * c_in
        if self.guided:
            noisy = torch.cat([noisy, noisy])
        model_in = torch.cat([noisy, self.image], dim=2)
        t = torch.full((self.batch,), self.timesteps[i], dtype=torch.float32)
        v = self.unet(model_in, t, self.context, self.ids).sample
        if self.guided:
            uncond, cond = v.chunk(2)
            v = uncond + self.ramp * (cond - uncond)
        return v

    def step(self, i):
        sigma, nxt = self.sigmas[i], self.sigmas[i + 1]
        v = self.denoise(self.x, i)
        # v-prediction Euler step, gamma 0: x' = a x + b v (sampler.c).
        c_in = 1.0 / math.sqrt(sigma * sigma + 1.0)
        dt = nxt - sigma
        a, b = 1.0 + (1.0 - c_in * c_in) * dt / sigma, c_in * dt
        self.x = a * self.x + b * v

    def warmup(self):
        self.denoise(self.x, 0)


# ---------------------------------------------------------------- Lumiere

class LumiereLoop:
    """vdk_lumiere_sample (pipelines/lumiere/sampler.c) around lumiere_torch's STUNet."""

    kernel = "lumiere_torch.STUNet"

    def __init__(self, torch, model, c, steps, seed, log):
        import lumiere_torch
        self.torch = torch
        preset = LUMIERE_PRESET[model]
        cfg = lumiere_torch.preset(preset)
        t0 = time.perf_counter()
        net = lumiere_torch.STUNet(cfg).eval()
        log(f"built the STUNet in {time.perf_counter() - t0:.1f} s")
        t0 = time.perf_counter()
        lumiere_torch.load_seeded(net, seed)
        lumiere_torch.channels_last(net)
        log(f"seeded {sum(p.numel() for p in net.parameters()):,} weights in "
            f"{time.perf_counter() - t0:.1f} s")
        self.net = net
        self.versions = {}
        n, T, H, W = c["batch"], c["frames"], c["height"], c["width"]
        self.guided = c["guidance"][1] > 1.0
        self.scale = c["guidance"][1]
        # The SSR's noisy video has the output's channels; the up-sampled base
        # video (vdk-run's seeded one) fills the rest of the input.
        self.ssr = preset in lumiere_torch.SSR_PRESETS
        xc = cfg["in_channels"] - (cfg["lowres_channels"] if self.ssr else 0)
        self.x = tensor(torch, seeded("run.noise", seed, (n, T, H, W, xc), True))
        if self.ssr:
            f = cfg["lowres_factor"]
            base = tensor(torch, seeded("run.base_video", seed,
                                        (n, T, H // f, W // f, cfg["lowres_channels"]), False))
            up = lumiere_torch.upsample_lowres(base, f)
            self.lowres = torch.cat([up, up]) if self.guided else up
            self.window = cfg["window_frames"]
            self.starts = lumiere_torch.window_starts(T, self.window, cfg["window_overlap"],
                                                      cfg["num_windows"])
        text = tensor(torch, seeded("run.text", seed, (n, cfg["text_length"],
                                                        cfg["cross_attention_dim"]), True))
        self.context = torch.cat([torch.zeros_like(text), text]) if self.guided else text
        self.batch = self.context.shape[0]
        self.timesteps, self.alpha_bar, self.alpha_prev = self.schedule(steps)

    @staticmethod
    def schedule(steps, train=1000, s=0.008, max_beta=0.999, offset=1):
        """vdk_lumiere_schedule with its defaults: cosine alpha_bar, leading
        timesteps with steps_offset 1, the last step to alpha_bar 1."""
        def abar(x):
            return math.cos((x + s) / (1.0 + s) * math.pi / 2) ** 2
        ac, prod = [], 1.0
        for j in range(train):
            prod *= 1.0 - min(1.0 - abar((j + 1) / train) / abar(j / train), max_beta)
            ac.append(prod)
        k = train // steps
        ts = [(steps - 1 - i) * k + offset for i in range(steps)]
        return ts, [ac[t] for t in ts], [ac[t - k] if t - k >= 0 else 1.0 for t in ts]

    def denoise(self, x, i):
        torch = self.torch
        x_in = torch.cat([x, x]) if self.guided else x
        t = torch.full((self.batch,), float(self.timesteps[i]), dtype=torch.float32)
        if self.ssr:
            import lumiere_torch
            eps = lumiere_torch.multidiffusion(self.net, x_in, self.lowres, t, self.context,
                                               self.starts, self.window)
        else:
            eps = self.net(x_in, t, self.context)
        if self.guided:
            uncond, cond = eps.chunk(2)
            eps = self.scale * cond + (1.0 - self.scale) * uncond
        return eps

    def step(self, i):
        eps = self.denoise(self.x, i)
        at, ap = self.alpha_bar[i], self.alpha_prev[i]
        a = math.sqrt(ap / at)
        b = math.sqrt(1.0 - ap) - math.sqrt(ap * (1.0 - at) / at)
        # (A + B) blend(A / (A + B); x, eps), as sampler.c forms A x + B eps.
        mix = a / (a + b)
        self.x = (a + b) * (mix * self.x + (1.0 - mix) * eps)

    def warmup(self):
        self.denoise(self.x, 0)


# ---------------------------------------------------------------- the run

def read_vdk(path, model):
    """vdk-run's step row for `model` and the set's file."""
    try:
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
    except (OSError, json.JSONDecodeError) as e:
        raise UsageError(f"--vdk {path}: {e}") from None
    for r in doc.get("rows", []):
        if r.get("name") == f"{model}/sampler_step":
            return r
    raise UsageError(f"--vdk {path}: no row '{model}/sampler_step'")


def parse_args(argv):
    ap = argparse.ArgumentParser(prog="pipeline_peer.py", description=__doc__.split("\n\n")[0])
    mode = ap.add_mutually_exclusive_group(required=True)
    mode.add_argument("--model", help="time this model's configuration in the set")
    mode.add_argument("--vdk-run-args", metavar="MODEL",
                      help="print vdk-run's options for MODEL's configuration and exit")
    mode.add_argument("--list", action="store_true", help="print the set's models and exit")
    ap.add_argument("--set", default="small", help="the set of tools/pipeline_configs.json")
    ap.add_argument("--configs", default=CONFIGS, help=argparse.SUPPRESS)
    ap.add_argument("--vdk", metavar="FILE",
                    help="vdk-run's result set for the same configuration: its FLOPs are copied, "
                         "its clip checked, its sample rms compared")
    ap.add_argument("--out", help="result set to write (vdk-results/1)")
    ap.add_argument("--threads", type=int, default=0,
                    help="torch.set_num_threads (default: the physical cores)")
    ap.add_argument("--steps", type=int, default=0,
                    help="sampler steps (default: the set's; a different count compares no sample)")
    ap.add_argument("--peak", help="vdk-peak JSON for fraction_of_peak")
    ap.add_argument("--malloc", choices=("tuned", "default"), default="tuned",
                    help="the allocator policy of torch_peer.py (default tuned)")
    return ap.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    try:
        cset = load_set(args.configs, args.set)
        if args.list:
            print(" ".join(c["model"] for c in cset["configs"]))
            return 0
        if args.vdk_run_args:
            print(" ".join(shlex.quote(a) for a in
                           vdk_run_args(cset, find_config(cset, args.vdk_run_args, args.set))))
            return 0
        c = find_config(cset, args.model, args.set)
        if cset["backend"] != "cpu" or cset["dtype"] != "f32":
            raise UsageError(f"set {args.set!r}: the peer runs the CPU in f32 only")
        steps = args.steps or cset["steps"]
        vdk_row = read_vdk(args.vdk, args.model) if args.vdk else None
        params = {"batch": c["batch"], "frames": c["frames"], "height": c["height"],
                  "width": c["width"], "steps": steps, "guided": c["guidance"][1] > 1.0}
        if vdk_row is not None:
            theirs = vdk_row.get("params", {})
            differ = [f"{k} {theirs.get(k)} != {params[k]}"
                      for k in ("batch", "frames", "height", "width", "guided")
                      if theirs.get(k) != params[k]]
            if vdk_row.get("dtype") != cset["dtype"]:
                differ.append(f"dtype {vdk_row.get('dtype')} != {cset['dtype']}")
            if differ:
                raise UsageError(f"--vdk {args.vdk}: another configuration ({', '.join(differ)})")
    except UsageError as e:
        sys.stderr.write(f"pipeline_peer.py: {e}\n")
        return 2

    allocator = torch_peer.tune_malloc(args.malloc)
    import torch
    threads = args.threads or torch_peer.physical_cores()
    torch.set_num_threads(threads)
    torch.set_grad_enabled(False)

    def log(msg):
        sys.stderr.write(f"pipeline_peer.py: {args.model}: {msg}\n")
        sys.stderr.flush()

    loop_class = SvdLoop if c["pipeline"] == "svd" else LumiereLoop
    seed = cset["seed"]
    loop = loop_class(torch, args.model, c, steps, seed, log)
    with torch.inference_mode():
        t0 = time.perf_counter()
        loop.warmup()
        log(f"warm-up call {1e3 * (time.perf_counter() - t0):.1f} ms")
        times = []
        for i in range(steps):
            t0 = time.perf_counter()
            loop.step(i)
            times.append(1e3 * (time.perf_counter() - t0))
            log(f"step {i + 1}/{steps} {times[-1]:.1f} ms")
        x = loop.x.double()
        rms = float(x.pow(2).mean().sqrt())
        finite = bool(torch.isfinite(x).all())

    config = torch_peer.torch_config(torch)
    blas = torch_peer.loaded_blas(torch, config)
    device = torch_peer.describe_device(torch, argparse.Namespace(device="cpu", threads=threads),
                                        config, blas)
    notes = []
    if args.peak:
        try:
            peak, peak_notes = torch_peer.read_peak(args.peak, device, "copy")
        except torch_peer.UsageError as e:
            sys.stderr.write(f"pipeline_peer.py: {e}\n")
            return 2
        notes += peak_notes
    else:
        peak = {"source": None, "fp32_gflops": None, "f16_gflops": None, "bf16_gflops": None,
                "bandwidth_gbs": None}
    med = statistics.median(times)
    flops = vdk_row.get("flops") if vdk_row else None
    gflops = flops / (med * 1e6) if isinstance(flops, (int, float)) else None
    row = {"name": f"{args.model}/sampler_step", "op": f"pipeline.{c['pipeline']}.step",
           "set": args.model, "dtype": cset["dtype"], "backend": "torch-cpu",
           "kernel": loop.kernel, "params": params,
           "time_ms": med, "time_ms_min": min(times), "repetitions": steps,
           "flops": flops, "bytes": None, "gflops": gflops, "gbs": None, "bound": "compute",
           "fraction_of_peak": torch_peer.fraction_of_peak(peak, "compute", cset["dtype"], gflops,
                                                           None),
           "step_ms": times, "sample_rms": rms if finite else None}
    agree = None
    if vdk_row is not None:
        theirs = vdk_row.get("sample_rms")
        if steps != vdk_row.get("params", {}).get("steps"):
            notes.append(f"vdk-run ran {vdk_row.get('params', {}).get('steps')} steps, this run "
                         f"{steps}: no sample to compare")
        elif not isinstance(theirs, (int, float)) or not finite:
            notes.append(f"no sample rms to compare (vdk-run: {theirs!r}, finite here: {finite})")
        else:
            diff = abs(rms - theirs) / max(abs(theirs), 1e-30)
            agree = diff <= AGREEMENT
            row["vdk_sample_rms"] = theirs
            row["sample_rms_rel_diff"] = diff
            notes.append(f"final sample rms {rms:.9g}, vdk-run's {theirs:.9g}: relative difference "
                         f"{diff:.2g} ({'agree' if agree else 'DIFFER'}: bound {AGREEMENT:g})")
    if flops is None:
        notes.append("no --vdk result set: flops (vdk's count of the network's) unknown")
    notes.append(
        "pipeline step: " + ("the UNet on batch 2N (CFG) with the per-frame guidance ramp and the "
                             "EDM Euler update" if c["pipeline"] == "svd" else
                             "the STUNet on batch 2N (CFG), guidance and the DDIM update"
                             if c["pipeline"] == "lumiere" else
                             "the SSR on batch 2N (CFG) over every MultiDiffusion window, "
                             "guidance and the DDIM update")
        + f"; one untimed warm-up call, then the median of the {steps} sampler steps; weights "
        f"and inputs vdk-run's seeded ones (seed {seed})")
    result = {
        "format": torch_peer.RESULTS_FORMAT,
        "created": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "command": " ".join(shlex.quote(a) for a in [sys.executable] + sys.argv),
        "commit": torch_peer.git_commit(),
        "build": {"compiler": None, "flags": None, "build_type": None,
                  "torch": torch.__version__, "blas": blas["library"], **loop.versions},
        "host": socket.gethostname(),
        "device": device,
        "peak": peak,
        "producer": "torch",
        "set": args.model,
        "configs": {"file": os.path.relpath(args.configs, os.getcwd()), "set": args.set},
        "timing": {"warmup": 1, "repetitions": steps, "statistic": "median over sampler steps",
                   "clock": "time.perf_counter", "allocator": allocator,
                   "inference_mode": True, "threads": threads},
        "notes": notes,
        "rows": [row],
    }
    if args.out:
        os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
        with open(args.out, "w", encoding="utf-8") as f:
            f.write(json.dumps(result, indent=1) + "\n")
    print(f"{args.model} ({args.set}): {c['batch']} x {c['frames']} frames at "
          f"{c['height']}x{c['width']}, {'guided' if params['guided'] else 'unguided'}, "
          f"{threads} threads: median step {med:.1f} ms (min {min(times):.1f}) over {steps}"
          + (f", {gflops:.1f} GFLOP/s" if gflops else "") + f"; sample rms {rms:.6g}"
          + ("" if finite else " NOT FINITE"))
    for n in notes:
        print(f"  {n}")
    if args.out:
        print(f"result: {args.out}")
    return 0 if agree is not False else 1


if __name__ == "__main__":
    sys.exit(main())

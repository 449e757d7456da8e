#!/usr/bin/env python3
"""Writes tests/golden/svd_sampler.vgold: SVD's sampler as diffusers runs it.

Run with the diffusers venv (Debian's python3 has no diffusers):

    /work/venv-diffusers/bin/python tools/golden_edm.py

Every number comes from diffusers' own code (0.27.2): EulerDiscreteScheduler built
from SVD's scheduler_config.json (SVD_SCHEDULER below), its set_timesteps,
init_noise_sigma, scale_model_input and step, and the guidance lines of
StableVideoDiffusionPipeline.__call__, copied here. The file is in the VDKGOLD
format of tools/gen_golden.py (its writer is reused). Cases:

  schedule_<n>  sigmas [n+1] (the trailing 0 included), timesteps [n] (c_noise =
                0.25 ln sigma, what the UNet is given), init_noise_sigma [1]: read
                from the scheduler after set_timesteps(n). Held by diffusers as
                float32; written here exactly (float32 -> float64 is exact).
  loop_<name>   the denoising loop with a toy analytic denoiser in place of the
                UNet (toy_denoiser below; tests/test_svd_sampler.c implements the
                same map with vdk_linear). Inputs: noise [N, T, h, w, C] (unit
                normal, before init_noise_sigma), image [N, 1, h, w, Ci] (the
                conditioning image's latent), W [C, C + Ci], bias [C], u [C].
                Outputs: model_in0 [B, T, h, w, C + Ci] (the first UNet input,
                B = 2N under guidance), latents [N, T, h, w, C] (the result).
                Tensors are float64 in vdk's channels-last layout; the loop itself
                runs in diffusers' [B, T, C, h, w].

float64 caveat: diffusers' step() casts the sample to float32 on entry
("Upcast to avoid precision issues"), and sigma is a float32 scalar, so the
scheduler's coefficients and the sample carry float32 roundings even in a float64
run. The golden loop is therefore exact to float32 level, not float64; this script
also runs the same loop in plain float64 arithmetic (exact_loop: the formulas of
docs/pipelines.md, "Sampler") and asserts that the two agree to float32 level,
which checks those formulas against diffusers.
"""
import os
import sys

import numpy as np
import torch
from diffusers import EulerDiscreteScheduler

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from gen_golden import write_file  # noqa: E402

# stabilityai/stable-video-diffusion-img2vid-xt, scheduler/scheduler_config.json
# (533 bytes, commit 9689bb5 "Add diffusers weights (#22)"; the same file in
# stable-video-diffusion-img2vid). docs/pipelines.md says which fields matter.
SVD_SCHEDULER = {
    "beta_end": 0.012,
    "beta_schedule": "scaled_linear",
    "beta_start": 0.00085,
    "interpolation_type": "linear",
    "num_train_timesteps": 1000,
    "prediction_type": "v_prediction",
    "sigma_max": 700.0,
    "sigma_min": 0.002,
    "steps_offset": 1,
    "timestep_spacing": "leading",
    "timestep_type": "continuous",
    "trained_betas": None,
    "use_karras_sigmas": True,
}

SCHEDULE_STEPS = (25, 7, 2, 1, 50)


def scheduler():
    return EulerDiscreteScheduler(**SVD_SCHEDULER)


def schedule_case(n):
    s = scheduler()
    s.set_timesteps(n)
    assert s.sigmas.dtype == torch.float32 and s.timesteps.dtype == torch.float32
    return {
        "name": "schedule_%d" % n,
        "params": {"steps": n},
        "tensors": {
            "sigmas": s.sigmas.clone(),
            "timesteps": s.timesteps.clone(),
            "init_noise_sigma": torch.as_tensor(s.init_noise_sigma).reshape(1),
        },
    }


def toy_denoiser(model_in, t, W, bias, u):
    """The stand-in for the UNet, on diffusers' layout [B, T, C + Ci, h, w]:
    out = silu(model_in W^T + bias + t u) over the channel axis, so it depends on
    the noisy channels, the image channels and the timestep."""
    x = model_in.permute(0, 1, 3, 4, 2)
    y = torch.nn.functional.silu(x @ W.T + bias + float(t) * u)
    return y.permute(0, 1, 4, 2, 3)


def guidance_ramp(min_g, max_g, num_frames, batch, ndim, dtype):
    # pipeline_stable_video_diffusion.py, "8. Prepare guidance scale"
    g = torch.linspace(min_g, max_g, num_frames).unsqueeze(0)
    g = g.to(dtype)
    g = g.repeat(batch, 1)
    return g[(...,) + (None,) * (ndim - g.ndim)]


def diffusers_loop(steps, min_g, max_g, noise, image, W, bias, u):
    """pipeline_stable_video_diffusion.py's steps 6 to 9 with the toy in place of
    the UNet. noise [N, T, C, h, w], image [N, Ci, h, w] (diffusers' layouts)."""
    N, T = noise.shape[:2]
    do_cfg = max_g > 1  # self._guidance_scale = max_guidance_scale; "> 1"
    image_latents = image
    if do_cfg:
        image_latents = torch.cat([torch.zeros_like(image_latents), image_latents])
    image_latents = image_latents.unsqueeze(1).repeat(1, T, 1, 1, 1)

    sched = scheduler()
    sched.set_timesteps(steps)
    latents = noise * sched.init_noise_sigma
    g = guidance_ramp(min_g, max_g, T, N, latents.ndim, latents.dtype)
    first_in = None
    for t in sched.timesteps:
        lmi = torch.cat([latents] * 2) if do_cfg else latents
        lmi = sched.scale_model_input(lmi, t)
        lmi = torch.cat([lmi, image_latents], dim=2)
        if first_in is None:
            first_in = lmi.clone()
        noise_pred = toy_denoiser(lmi, t, W, bias, u)
        if do_cfg:
            noise_pred_uncond, noise_pred_cond = noise_pred.chunk(2)
            noise_pred = noise_pred_uncond + g * (noise_pred_cond - noise_pred_uncond)
        latents = sched.step(noise_pred, t, latents).prev_sample
    return first_in, latents


def exact_loop(steps, min_g, max_g, noise, image, W, bias, u):
    """The same loop from the formulas alone, all float64 (the schedule's float32
    values aside, which are the schedule)."""
    N, T = noise.shape[:2]
    s = scheduler()
    s.set_timesteps(steps)
    sigmas = s.sigmas.double().tolist()
    timesteps = s.timesteps.double().tolist()
    x = noise * float(s.init_noise_sigma)
    cfg = max_g > 1
    ramp = torch.tensor(np.linspace(min_g, max_g, T), dtype=torch.float64).reshape(1, T, 1, 1, 1)
    img = image.unsqueeze(1).expand(N, T, *image.shape[1:])
    if cfg:
        img = torch.cat([torch.zeros_like(img), img])
    for i in range(steps):
        sigma, sigma_next = sigmas[i], sigmas[i + 1]
        c_in = 1 / (sigma * sigma + 1) ** 0.5
        xin = torch.cat([x, x]) if cfg else x
        v = toy_denoiser(torch.cat([xin * c_in, img], dim=2), timesteps[i], W, bias, u)
        if cfg:
            v = v[:N] + ramp * (v[N:] - v[:N])
        denoised = v * (-sigma * c_in) + x / (sigma * sigma + 1)
        x = x + (x - denoised) / sigma * (sigma_next - sigma)
    return x


def loop_case(name, seed, steps, N, T, h, w, min_g, max_g, C=4, Ci=4):
    g = torch.Generator().manual_seed(seed)
    noise = torch.randn(N, T, C, h, w, generator=g, dtype=torch.float64)
    image = torch.randn(N, Ci, h, w, generator=g, dtype=torch.float64)
    W = torch.randn(C, C + Ci, generator=g, dtype=torch.float64) * 0.5
    bias = torch.randn(C, generator=g, dtype=torch.float64) * 0.5
    u = torch.randn(C, generator=g, dtype=torch.float64) * 0.5

    first_in, latents = diffusers_loop(steps, min_g, max_g, noise, image, W, bias, u)
    exact = exact_loop(steps, min_g, max_g, noise, image, W, bias, u)
    rel = ((latents - exact).norm() / exact.norm()).item()
    assert rel < 1e-5, "%s: diffusers and the formulas differ by %g" % (name, rel)
    print("%-24s diffusers vs float64 formulas: relative error %.2e" % (name, rel))

    def cl(x):  # [B, T, C, h, w] -> [B, T, h, w, C]
        return x.permute(0, 1, 3, 4, 2).contiguous()

    return {
        "name": name,
        "params": {"steps": steps, "min_guidance_scale": min_g, "max_guidance_scale": max_g},
        "tensors": {
            "noise": cl(noise),
            "image": image.permute(0, 2, 3, 1).unsqueeze(1).contiguous(),
            "W": W,
            "bias": bias,
            "u": u,
            "model_in0": cl(first_in),
            "latents": cl(latents),
        },
    }


def cases():
    for n in SCHEDULE_STEPS:
        yield schedule_case(n)
    # SVD's defaults (guidance 1 -> 3 over the frames), a batch of two, guidance off
    # (max <= 1: one pass per step), and a ramp that falls.
    yield loop_case("loop_cfg", 1, 7, 1, 5, 3, 4, 1.0, 3.0)
    yield loop_case("loop_cfg_batch2", 2, 4, 2, 3, 2, 3, 1.5, 2.5)
    yield loop_case("loop_nocfg", 3, 5, 1, 3, 3, 2, 1.0, 1.0)
    yield loop_case("loop_cfg_falling", 4, 3, 1, 4, 2, 2, 3.0, 1.2, C=4, Ci=3)


if __name__ == "__main__":
    torch.set_grad_enabled(False)
    write_file("svd_sampler", list(cases()))

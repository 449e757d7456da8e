#!/usr/bin/env python3
"""Golden vectors that pin vdk's SVD pipeline to diffusers' own modules.

Run with the diffusers venv (tools/setup-diffusers.sh makes one; torch 1.13 CPU,
diffusers 0.27.2):

    /work/venv-diffusers/bin/python tools/golden_svd.py

It builds diffusers' UNetSpatioTemporalConditionModel and AutoencoderKLTemporalDecoder
with vdk's tiny presets (pipelines/svd/config.c, VDK_SVD_PRESET_TINY), gives every
parameter the value of vdk's seeded generator (pipelines/common/weights.h, seed 1,
re-implemented below in NumPy), runs them in float64 and writes, in tests/golden/:

  svd_unet_tiny.names, svd_decoder_tiny.names
      one line per state_dict tensor, "name d0 d1 ...", torch shapes, in
      state_dict order (the decoder's: only the "decoder." tensors).
  svd_unet_tiny.vgold, svd_decoder_tiny.vgold (VDKGOLD, see tools/gen_golden.py)
      forward cases, tensors in vdk's layout (channels last), float64.
      UNet: sample [N, T, H, W, 8], timestep [N], encoder_hidden_states [N, 1, 32],
      added_time_ids [N, 3] -> out [N, T, H, W, 4], i.e.
      unet(sample, timestep, encoder_hidden_states, added_time_ids).sample.
      Decoder: z [N, T, h, w, 4] (latents already divided by the scaling factor,
      what TemporalDecoder receives) -> out [N, T, 2h, 2w, 3], i.e.
      vae.decode(z, num_frames=T).sample, which is
      vae.decoder(z, image_only_indicator=zeros(N, T), num_frames=T).
  svd_tiny_checks.vgold
      what tests/test_svd_golden.c compares with vdk without running a network:
      the configurations diffusers was built with and the values (eps, groups,
      multipliers, heads, blend direction) read back from the built modules; a
      32-bit hash of every generated tensor (in .names order) and a few raw
      generator values, which vdk_weights_generate must reproduce bit for bit.

Inputs are seeded NumPy values rounded to float32 (so an f32 run of vdk sees the
very same inputs) and stored in the files; C does not regenerate them.

One deliberate deviation from diffusers: get_timestep_embedding computes its
sinusoids in float32 whatever the model's dtype (timesteps.float(), a float32
arange). The golden runs replace it with the same formula in float64, so the
outputs are float64 throughout; the effect of diffusers' float32 sinusoids on
each output is printed (max abs difference) and stored as param f32_sinusoid_diff.
"""
import math
import os
import struct
import sys

import numpy as np
import torch
from torch import nn

import diffusers
import diffusers.models.embeddings as embeddings
from diffusers import AutoencoderKLTemporalDecoder, UNetSpatioTemporalConditionModel

import vdk_generator  # tools/, beside this script

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
OUT_DIR = os.path.join(ROOT, "tests", "golden")

WEIGHT_SEED = 1

# vdk's tiny presets, every field (pipelines/svd/config.c). Fields diffusers does not
# take as arguments (multipliers, eps, groups, blend direction) are hard-coded in
# its modules; they are read back from the built modules below and written to
# svd_tiny_checks.vgold, where the C test compares them with vdk's.
TINY_UNET = {
    "in_channels": 8,
    "out_channels": 4,
    "levels": 2,
    "block_out_channels": (32, 64),
    "num_attention_heads": (1, 2),
    "cross_attention": (1, 0),
    "layers_per_block": 2,
    "transformer_layers_per_block": 1,
    "cross_attention_dim": 32,
    "addition_time_embed_dim": 8,
    "num_addition_time_ids": 3,
    "projection_class_embeddings_input_dim": 24,
    "num_frames": 3,
}
# vdk's svd-xt preset (the same file): the full UNet, which the pipeline timing
# peer (tools/peers/pipeline_peer.py) builds; svd differs only in num_frames,
# which diffusers' forward does not read.
SVD_XT_UNET = dict(TINY_UNET, levels=4, block_out_channels=(320, 640, 1280, 1280),
                   num_attention_heads=(5, 10, 20, 20), cross_attention=(1, 1, 1, 0),
                   cross_attention_dim=1024, addition_time_embed_dim=256,
                   projection_class_embeddings_input_dim=768, num_frames=25)
TINY_DECODER = {
    "latent_channels": 4,
    "out_channels": 3,
    "levels": 2,
    "block_out_channels": (32, 64),
    "layers_per_block": 2,
}


# ---- vdk's seeded generator (tools/vdk_generator.py), bit-exact ----


def generate(model, name, shape, seed):
    """The generator's value of one state_dict tensor, float32 in torch's layout.
    The role comes from the module that owns the tensor."""
    owner, field = name.rsplit(".", 1)
    module = model.get_submodule(owner)
    if field == "mix_factor":
        return vdk_generator.value(name, seed, shape, "mix")
    if isinstance(module, (nn.GroupNorm, nn.LayerNorm)):
        assert field in ("weight", "bias") and len(shape) == 1, name
        return vdk_generator.value(name, seed, shape, "norm_" + field)
    if isinstance(module, (nn.Linear, nn.Conv2d, nn.Conv3d)):
        assert field in ("weight", "bias"), name
        return vdk_generator.value(name, seed, shape, "fan", int(np.prod(module.weight.shape[1:])))
    raise SystemExit("golden_svd: no generator role for %s (%s)" % (name, type(module).__name__))


def tensor_hash(values):
    """sum_i bits_i * (2i + 1) * 0x9E3779B1 mod 2^32 over the float32 bits: any single
    changed value changes it. tests/test_svd_golden.c computes the same."""
    bits = np.ascontiguousarray(values, dtype=np.float32).reshape(-1).view(np.uint32).astype(np.uint64)
    k = (np.arange(bits.size, dtype=np.uint64) * np.uint64(2) + np.uint64(1)) * np.uint64(0x9E3779B1)
    with np.errstate(over="ignore"):
        return int((bits * k).sum(dtype=np.uint64)) & 0xFFFFFFFF


def set_weights(model, names, seed, keep=True):
    """Every state_dict tensor from the generator; returns {name: float32 values}
    (empty unless keep: the full UNet's values are 6 GB)."""
    params = dict(model.named_parameters())
    values = {}
    with torch.no_grad():
        for name, t in model.state_dict().items():
            if name not in names:
                continue
            assert name in params, "%s is a buffer, not a parameter" % name
            v = generate(model, name, tuple(t.shape), seed)
            params[name].copy_(torch.from_numpy(v))
            assert torch.equal(params[name], torch.from_numpy(v)), name
            if keep:
                values[name] = v
    return values


# ---- float64 sinusoids ----

def get_timestep_embedding_f64(timesteps, embedding_dim, flip_sin_to_cos=False,
                               downscale_freq_shift=1, scale=1, max_period=10000):
    """diffusers 0.27.2's get_timestep_embedding with float64 where it has float32."""
    assert len(timesteps.shape) == 1, "Timesteps should be a 1d-array"
    half_dim = embedding_dim // 2
    exponent = -math.log(max_period) * torch.arange(start=0, end=half_dim, dtype=torch.float64,
                                                    device=timesteps.device)
    exponent = exponent / (half_dim - downscale_freq_shift)
    emb = torch.exp(exponent)
    emb = timesteps[:, None].double() * emb[None, :]
    emb = scale * emb
    emb = torch.cat([torch.sin(emb), torch.cos(emb)], dim=-1)
    if flip_sin_to_cos:
        emb = torch.cat([emb[:, half_dim:], emb[:, :half_dim]], dim=-1)
    if embedding_dim % 2 == 1:
        emb = torch.nn.functional.pad(emb, (0, 1, 0, 0))
    return emb


DIFFUSERS_SINUSOIDS = embeddings.get_timestep_embedding


def run_both(fn):
    """fn() with float64 sinusoids (the golden), and its max abs difference from
    fn() with diffusers' own float32 sinusoids."""
    embeddings.get_timestep_embedding = get_timestep_embedding_f64
    try:
        gold = fn()
    finally:
        embeddings.get_timestep_embedding = DIFFUSERS_SINUSOIDS
    plain = fn()
    return gold, float((gold - plain).abs().max())


# ---- the models ----

def build_unet(c=TINY_UNET):
    down = tuple("CrossAttnDownBlockSpatioTemporal" if x else "DownBlockSpatioTemporal"
                 for x in c["cross_attention"])
    # Up block i mirrors down block levels-1-i.
    up = tuple("CrossAttnUpBlockSpatioTemporal" if x else "UpBlockSpatioTemporal"
               for x in reversed(c["cross_attention"]))
    torch.manual_seed(0)  # the init is overwritten; this only makes the build repeatable
    return UNetSpatioTemporalConditionModel(
        in_channels=c["in_channels"],
        out_channels=c["out_channels"],
        down_block_types=down,
        up_block_types=up,
        block_out_channels=c["block_out_channels"],
        addition_time_embed_dim=c["addition_time_embed_dim"],
        projection_class_embeddings_input_dim=c["projection_class_embeddings_input_dim"],
        layers_per_block=c["layers_per_block"],
        cross_attention_dim=c["cross_attention_dim"],
        transformer_layers_per_block=c["transformer_layers_per_block"],
        num_attention_heads=c["num_attention_heads"],
        num_frames=c["num_frames"],
    )


def build_vae():
    c = TINY_DECODER
    torch.manual_seed(0)
    # The encoder shares block_out_channels and layers_per_block with the decoder
    # (one config); plain DownEncoderBlock2D per level makes it build. It is unused.
    return AutoencoderKLTemporalDecoder(
        in_channels=3,
        out_channels=c["out_channels"],
        down_block_types=("DownEncoderBlock2D",) * c["levels"],
        block_out_channels=c["block_out_channels"],
        layers_per_block=c["layers_per_block"],
        latent_channels=c["latent_channels"],
    )


def one(values, what):
    """The single value all of `values` share (diffusers hard-codes it)."""
    s = set(values)
    if len(s) != 1:
        raise SystemExit("golden_svd: %s takes several values: %s" % (what, sorted(s)))
    return s.pop()


def groupnorms(module):
    return [m for m in module.modules() if isinstance(m, nn.GroupNorm)]


def resnet_norm_eps(blocks):
    return [n.eps for b in blocks for r in b.resnets for n in groupnorms(r)]


def unet_checks(m):
    """Configuration passed in, and values read back from the built UNet."""
    c = TINY_UNET
    L = c["levels"]
    config = {"in_channels": c["in_channels"], "out_channels": c["out_channels"], "levels": L}
    for i in range(L):
        config["block_out_channels_%d" % i] = c["block_out_channels"][i]
    for i in range(L):
        config["num_attention_heads_%d" % i] = c["num_attention_heads"][i]
    for i in range(L):
        config["cross_attention_%d" % i] = c["cross_attention"][i]
    for k in ("layers_per_block", "transformer_layers_per_block", "cross_attention_dim",
              "addition_time_embed_dim", "num_addition_time_ids",
              "projection_class_embeddings_input_dim", "num_frames"):
        config[k] = c[k]
    # vt_golden keys are at most 31 characters.
    config["projection_dim"] = config.pop("projection_class_embeddings_input_dim")
    config["transformer_layers"] = config.pop("transformer_layers_per_block")

    cross_down = [b for b in m.down_blocks if getattr(b, "has_cross_attention", False)]
    plain_down = [b for b in m.down_blocks if not getattr(b, "has_cross_attention", False)]
    transformers = [mod for mod in m.modules() if type(mod).__name__ == "TransformerSpatioTemporalModel"]
    layernorms = [mod for mod in m.modules() if isinstance(mod, nn.LayerNorm)]
    ffs = [mod for mod in m.modules() if type(mod).__name__ == "FeedForward"]
    temporal_convs = [mod for mod in m.modules() if isinstance(mod, nn.Conv3d)]
    c0 = c["block_out_channels"][0]
    built = {
        "time_embed_mult": m.time_embedding.linear_1.out_features // c0,
        "time_pos_embed_mult": one([t.time_pos_embed.linear_1.out_features // t.in_channels
                                    for t in transformers], "time_pos_embed_mult"),
        "ff_mult": one([f.net[2].in_features // f.net[2].out_features for f in ffs], "ff_mult"),
        "temporal_kernel_size": one([k.kernel_size for k in temporal_convs], "temporal kernel")[0],
        "norm_num_groups": one([g.num_groups for g in groupnorms(m)], "num_groups"),
        "resnet_eps_down_cross": one(resnet_norm_eps(cross_down), "cross down eps"),
        "resnet_eps_down": one(resnet_norm_eps(plain_down), "down eps"),
        "resnet_eps_mid": one(resnet_norm_eps([m.mid_block]), "mid eps"),
        "resnet_eps_up": one(resnet_norm_eps(m.up_blocks), "up eps"),
        "transformer_norm_eps": one([t.norm.eps for t in transformers], "transformer eps"),
        "layer_norm_eps": one([n.eps for n in layernorms], "layer norm eps"),
        "norm_out_eps": m.conv_norm_out.eps,
        "switch_spatial_to_temporal_mix": one([b.switch_spatial_to_temporal_mix for b in m.modules()
                                               if type(b).__name__ == "AlphaBlender"], "blend"),
    }
    # vdk's blends are learned_with_images with an all-zero image_only_indicator.
    assert one([b.merge_strategy for b in m.modules() if type(b).__name__ == "AlphaBlender"],
               "merge strategy") == "learned_with_images"
    # Heads as built: every attention of a level's blocks, and the mid block's.
    heads = {}
    for i, b in enumerate(m.down_blocks):
        for mod in b.modules():
            if type(mod).__name__ == "Attention":
                heads.setdefault(i, set()).add(mod.heads)
    for i, b in enumerate(m.up_blocks):
        for mod in b.modules():
            if type(mod).__name__ == "Attention":
                heads.setdefault(L - 1 - i, set()).add(mod.heads)
    built["mid_heads"] = one([mod.heads for mod in m.mid_block.modules()
                              if type(mod).__name__ == "Attention"], "mid heads")
    for i in range(L):
        if i in heads:
            built["heads_%d" % i] = one(heads[i], "heads of level %d" % i)
    return config, built


def decoder_checks(vae):
    c = TINY_DECODER
    d = vae.decoder
    L = c["levels"]
    spatial = [n.eps for mod in d.modules() if type(mod).__name__ == "ResnetBlock2D"
               for n in groupnorms(mod)]
    temporal = [n.eps for mod in d.modules() if type(mod).__name__ == "TemporalResnetBlock"
                for n in groupnorms(mod)]
    attentions = [mod for mod in d.modules() if type(mod).__name__ == "Attention"]
    blenders = [mod for mod in d.modules() if type(mod).__name__ == "AlphaBlender"]
    top = c["block_out_channels"][-1]
    config = {"latent_channels": c["latent_channels"], "out_channels": c["out_channels"], "levels": L}
    for i in range(L):
        config["block_out_channels_%d" % i] = c["block_out_channels"][i]
    config.update({
        "layers_per_block": c["layers_per_block"],
        "attention_head_dim": top // one([a.heads for a in attentions], "decoder heads"),
        "temporal_kernel_size": one([k.kernel_size for k in d.modules() if isinstance(k, nn.Conv3d)],
                                    "decoder temporal kernel")[0],
        "norm_num_groups": one([g.num_groups for g in groupnorms(d)], "decoder groups"),
        "resnet_eps": one(spatial, "decoder spatial eps"),
        "temporal_eps": one(temporal, "decoder temporal eps"),
        "attention_eps": one([a.group_norm.eps for a in attentions], "decoder attention eps"),
        "norm_out_eps": d.conv_norm_out.eps,
        "scaling_factor": vae.config.scaling_factor,
        "switch_spatial_to_temporal_mix": one([b.switch_spatial_to_temporal_mix for b in blenders],
                                              "decoder blend"),
    })
    return config


# ---- inputs and forward passes ----

def f32(a):
    """Seeded values rounded to float32, held as float64."""
    return np.asarray(a, dtype=np.float32).astype(np.float64)


def to_vdk(x):
    """[N, T, C, H, W] -> [N, T, H, W, C]."""
    return x.permute(0, 1, 3, 4, 2).contiguous()


def rms(x):
    return float(x.pow(2).mean().sqrt())


VERSIONS = {"diffusers": diffusers.__version__, "torch": torch.__version__.split("+")[0]}


def unet_case(unet, name, n, t, h, w, timestep, ids, seed):
    rng = np.random.default_rng(seed)
    c = TINY_UNET
    sample = torch.from_numpy(f32(rng.standard_normal((n, t, h, w, c["in_channels"]))))
    ctx = torch.from_numpy(f32(rng.standard_normal((n, 1, c["cross_attention_dim"]))))
    timestep = torch.from_numpy(f32(timestep))
    ids = torch.from_numpy(f32(ids))
    with torch.no_grad():
        out, f32_diff = run_both(lambda: unet(sample.permute(0, 1, 4, 2, 3), timestep, ctx, ids).sample)
    out = to_vdk(out)
    print("  unet %-12s out %-20s rms %.4g  max|.| %.4g  f32-sinusoid diff %.2g"
          % (name, list(out.shape), rms(out), float(out.abs().max()), f32_diff))
    return {
        "name": name,
        "params": {"batch": n, "frames": t, "height": h, "width": w, "weight_seed": WEIGHT_SEED,
                   "input_seed": seed, "call": "unet(sample,timestep,ehs,added_time_ids).sample",
                   "sinusoids": "float64", "f32_sinusoid_diff": f32_diff, "out_rms": rms(out),
                   **VERSIONS},
        "tensors": {"sample": sample, "timestep": timestep, "encoder_hidden_states": ctx,
                    "added_time_ids": ids, "out": out},
    }


def decoder_case(vae, name, n, t, h, w, seed):
    rng = np.random.default_rng(seed)
    c = TINY_DECODER
    # What the pipeline hands the decoder: latents / scaling_factor, O(1/0.18215).
    z = torch.from_numpy(f32(rng.standard_normal((n, t, h, w, c["latent_channels"])) / 0.18215))
    z_torch = z.permute(0, 1, 4, 2, 3).reshape(n * t, c["latent_channels"], h, w)
    with torch.no_grad():
        out, f32_diff = run_both(lambda: vae.decode(z_torch, num_frames=t).sample)
    out = to_vdk(out.reshape(n, t, *out.shape[1:]))
    print("  decoder %-9s out %-20s rms %.4g  max|.| %.4g" % (name, list(out.shape), rms(out),
                                                               float(out.abs().max())))
    assert f32_diff == 0.0  # the decoder has no sinusoids
    return {
        "name": name,
        "params": {"batch": n, "frames": t, "height": h, "width": w, "weight_seed": WEIGHT_SEED,
                   "input_seed": seed, "call": "vae.decode(z,num_frames=frames).sample",
                   "image_only_indicator": 0, "out_rms": rms(out), **VERSIONS},
        "tensors": {"z": z, "out": out},
    }


# ---- files ----

def format_param(value):
    if isinstance(value, str):
        assert value and not any(ch.isspace() for ch in value) and len(value) < 64, value
        return value
    if isinstance(value, (bool, np.bool_)):
        return str(int(value))
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    return repr(float(value))


def write_vgold(path, cases):
    with open(path, "wb") as f:
        f.write(b"VDKGOLD 1\n")
        for case in cases:
            assert len(case["name"]) < 96 and len(case.get("params", {})) <= 16, case["name"]
            f.write(("case %s\n" % case["name"]).encode())
            for key, value in case.get("params", {}).items():
                assert len(key) < 32, key
                f.write(("param %s %s\n" % (key, format_param(value))).encode())
            tensors = case.get("tensors", {})
            assert len(tensors) <= 8, case["name"]
            for name, t in tensors.items():
                a = np.ascontiguousarray(t.detach().numpy() if torch.is_tensor(t) else t,
                                         dtype="<f8")
                shape = list(a.shape) if a.ndim else [1]
                assert 1 <= len(shape) <= 5 and len(name) < 32, name
                f.write(("tensor %s %d %s\n" % (name, len(shape), " ".join(map(str, shape)))).encode())
                f.write(a.tobytes())
            f.write(b"end\n")
    report(path)


def write_names(path, names, shapes):
    with open(path, "w") as f:
        for name in names:
            f.write(" ".join([name] + [str(d) for d in shapes[name]]) + "\n")
    report(path)


def report(path):
    size = os.path.getsize(path)
    assert size < 200 * 1024, "%s is %d bytes" % (path, size)
    print("%8d bytes  %s" % (size, os.path.relpath(path, ROOT)))


def weight_cases(prefix, names, values, samples):
    hashes = np.array([tensor_hash(values[n]) for n in names], dtype=np.float64)
    cases = [{"name": prefix + "_weights",
              "params": {"seed": WEIGHT_SEED, "count": len(names)},
              "tensors": {"hash": hashes}}]
    # A few tensors of every role, by line of the .names file: their first values.
    for k, name in enumerate(samples):
        v = values[name].reshape(-1)[:8].astype(np.float64)
        cases.append({"name": "%s_values_%d" % (prefix, k),
                      "params": {"seed": WEIGHT_SEED, "index": names.index(name)},
                      "tensors": {"values": v}})
    return cases


def main():
    torch.set_grad_enabled(False)
    os.makedirs(OUT_DIR, exist_ok=True)
    print("diffusers %s, torch %s, numpy %s" % (diffusers.__version__, torch.__version__, np.__version__))

    unet = build_unet().eval()
    unet_sd = unet.state_dict()
    unet_names = list(unet_sd)
    unet_shapes = {k: tuple(v.shape) for k, v in unet_sd.items()}
    unet_values = set_weights(unet, set(unet_names), WEIGHT_SEED)
    unet_config, unet_built = unet_checks(unet)

    vae = build_vae().eval()
    vae_sd = vae.state_dict()
    dec_names = [k for k in vae_sd if k.startswith("decoder.")]
    dec_shapes = {k: tuple(vae_sd[k].shape) for k in dec_names}
    dec_values = set_weights(vae, set(dec_names), WEIGHT_SEED)
    dec_config = decoder_checks(vae)

    write_names(os.path.join(OUT_DIR, "svd_unet_tiny.names"), unet_names, unet_shapes)
    write_names(os.path.join(OUT_DIR, "svd_decoder_tiny.names"), dec_names, dec_shapes)

    unet_samples = ["conv_in.weight", "time_embedding.linear_1.bias", "conv_norm_out.weight",
                    "conv_norm_out.bias", "mid_block.resnets.0.time_mixer.mix_factor",
                    "down_blocks.0.resnets.0.temporal_res_block.conv1.weight",
                    "down_blocks.0.attentions.0.transformer_blocks.0.attn1.to_q.weight"]
    dec_samples = ["decoder.conv_in.weight", "decoder.conv_norm_out.bias",
                   "decoder.mid_block.attentions.0.group_norm.weight",
                   "decoder.mid_block.resnets.0.time_mixer.mix_factor", "decoder.time_conv_out.bias"]
    checks = [{"name": "unet_config", "params": unet_config},
              {"name": "unet_built", "params": unet_built},
              {"name": "decoder_config", "params": dec_config}]
    checks += weight_cases("unet", unet_names, unet_values, unet_samples)
    checks += weight_cases("decoder", dec_names, dec_values, dec_samples)
    write_vgold(os.path.join(OUT_DIR, "svd_tiny_checks.vgold"), checks)

    unet.double()
    # c_noise = 0.25 ln(sigma) per batch item; added ids (fps - 1, motion bucket, noise aug).
    unet_cases = [
        unet_case(unet, "b2_t3_8x8", 2, 3, 8, 8, [0.37, -0.81], [[6, 127, 0.02], [4, 60, 0.1]], 101),
        unet_case(unet, "b1_t2_6x10", 1, 2, 6, 10, [-0.2], [[7, 200, 0.0]], 102),
        unet_case(unet, "b1_t1_4x4", 1, 1, 4, 4, [1.1], [[6, 127, 0.02]], 103),
    ]
    write_vgold(os.path.join(OUT_DIR, "svd_unet_tiny.vgold"), unet_cases)

    vae.double()
    dec_cases = [
        decoder_case(vae, "b1_t3_4x4", 1, 3, 4, 4, 201),
        decoder_case(vae, "b2_t2_3x5", 2, 2, 3, 5, 202),
    ]
    write_vgold(os.path.join(OUT_DIR, "svd_decoder_tiny.vgold"), dec_cases)


if __name__ == "__main__":
    main()

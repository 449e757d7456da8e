"""vdk_blend is diffusers' AlphaBlender (models/resnet.py, AlphaBlender.forward):

    x = alpha * x_spatial + (1.0 - alpha) * x_temporal

with a = x_spatial, b = x_temporal and
    alpha = p->alpha                        (alpha tensor NULL; "fixed", taken as given)
    alpha = torch.sigmoid(alpha_tensor)     (p->sigmoid set; "learned": sigmoid(mix_factor))
    alpha = alpha_tensor                    (p->sigmoid clear; e.g. "learned_with_images",
                                             where image frames get 1 and the others
                                             sigmoid(mix_factor), computed beforehand)
the alpha tensor broadcast onto a as torch broadcasts it ([1], per-frame
[N, T, 1, 1, 1], ...).
"""
import torch

from golden import f32, rand, randn


def reference(a, b, alpha, alpha_t, sigmoid):
    if alpha_t is None:
        w = alpha
    elif sigmoid:
        w = torch.sigmoid(alpha_t)
    else:
        w = alpha_t
    return w * a + (1.0 - w) * b


def cases():
    specs = [
        # name, shape of a and b, scalar alpha, alpha tensor shape (None = scalar), sigmoid
        ("scalar_param", (2, 3, 4, 5, 8), 0.3, None, 0),
        ("scalar_param_outside", (1, 2, 3, 3, 5), 1.25, None, 0),
        ("tensor1_plain", (2, 3, 4, 5, 8), 0.0, (1,), 0),
        ("tensor1_sigmoid", (2, 3, 4, 5, 8), 0.0, (1,), 1),
        ("per_frame_plain", (2, 3, 2, 3, 6), 0.0, (2, 3, 1, 1, 1), 0),
        ("per_frame_sigmoid", (2, 5, 3, 1, 4), 0.0, (2, 5, 1, 1, 1), 1),
        ("per_channel_sigmoid", (1, 2, 3, 5, 7), 0.0, (7,), 1),
        ("full_alpha", (1, 1, 7, 1, 5), 0.0, (1, 1, 7, 1, 5), 1),
        ("rank3_tokens", (6, 13, 9), 0.0, (6, 1, 1), 0),
    ]
    out = []
    seed = 5000
    for name, shape, alpha, ashape, sigmoid in specs:
        seed += 3
        a = randn(seed, *shape)
        b = randn(seed + 1, *shape, scale=2.0, shift=-0.5)
        alpha = f32(alpha)
        alpha_t = None
        if ashape is not None:
            if sigmoid:
                alpha_t = randn(seed + 2, *ashape, scale=2.0)   # mix_factor logits
            else:
                alpha_t = rand(seed + 2, *ashape, lo=0.0, hi=1.0)
            if name == "per_frame_plain":
                # learned_with_images: image-only frames (here the first of each clip) get 1
                alpha_t[:, 0] = 1.0
        out.append({
            "name": name,
            "params": {"alpha": alpha, "sigmoid": sigmoid},
            "tensors": {"a": a, "b": b, "alpha": alpha_t,
                        "y": reference(a, b, alpha, alpha_t, sigmoid)},
        })
    return out

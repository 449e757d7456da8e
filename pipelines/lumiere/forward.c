/* STUNet.forward as vdk calls, in the order of the parameter walk
 * (lumiere/params.c), which names the same modules. */
#include "lumiere/forward.h"

#include "common/blocks.h"
#include "lumiere/blocks.h"

#include <math.h>
#include <stdio.h>

typedef char name_t[VDK_PARAM_NAME_MAX];

static const char fn[] = "vdk_lumiere_forward";

/* SiLU(time_embedding(sinusoid(timesteps))), [N, time_embed_dim]: the SiLU
 * that every resblock's time projection starts with, computed once. */
static vdk_tensor *time_embedding(vdk_net *n, const vdk_lumiere_config *c, const double *t,
                                  int64_t batch)
{
    const vdk_timestep_embedding_params p = {.dim = c->time_sinusoid_dim,
                                             .flip_sin_to_cos = c->time_flip_sin_to_cos,
                                             .downscale_freq_shift = c->time_freq_shift,
                                             .scale = 1,
                                             .max_period = c->time_max_period};
    vdk_tensor *s = vdk_nn_sinusoid_with(n, t, batch, &p);
    vdk_tensor *e = vdk_block_timestep_mlp(n, "time_embedding", s, NULL);
    vdk_net_drop(n, s);
    vdk_nn_silu(n, e);
    return e;
}

/* f^times, or 0 when it passes 2^30 (no tensor dimension is that large). */
static int64_t power(int f, int times)
{
    int64_t r = 1;
    for (int i = 0; i < times && r; i++)
        r = r * f > ((int64_t)1 << 30) ? 0 : r * f;
    return r;
}

static bool same_dtype(vdk_net *n, const vdk_tensor *t, const char *what)
{
    if (vdk_tensor_dtype(t) == n->dtype)
        return true;
    vdk_net_fail(n, VDK_ERROR_DTYPE, "%s: the dtype of %s is %s, x's is %s (they must agree)", fn,
                 what, vdk_dtype_name(vdk_tensor_dtype(t)), vdk_dtype_name(n->dtype));
    return false;
}

static bool check_inputs(vdk_net *n, const vdk_lumiere_config *c, const vdk_lumiere_inputs *in,
                         const vdk_tensor *out)
{
    int any_attention = 0, resamples = 0;
    for (int l = 0; l < c->levels; l++) {
        any_attention |= c->attention[l];
        resamples += c->temporal_resample[l];
    }
    if (!in->x || !in->timesteps || !out || (any_attention && !in->context)) {
        vdk_net_fail(n, VDK_ERROR_NULL_POINTER,
                     "%s: x, timesteps, context (the configuration has spatial transformers) "
                     "and out must not be NULL",
                     fn);
        return false;
    }
    const vdk_tensor *x = in->x;
    if (vdk_tensor_rank(x) != 5 || vdk_tensor_dim(x, 4) != c->in_channels) {
        vdk_net_fail(n, VDK_ERROR_SHAPE, "%s: x must be [N, T, H, W, %d] (rank %d, last %lld)", fn,
                     c->in_channels, vdk_tensor_rank(x), (long long)vdk_tensor_dim(x, -1));
        return false;
    }
    const int64_t batch = vdk_tensor_dim(x, 0), frames = vdk_tensor_dim(x, 1),
                  height = vdk_tensor_dim(x, 2), width = vdk_tensor_dim(x, 3);
    /* Every down conv gives ceil(size / f); the way up multiplies by f, so the
     * sizes must divide for the skips to meet. */
    const int64_t fs = power(c->spatial_factor, c->levels - 1),
                  ft = power(c->temporal_factor, resamples);
    if (!fs || height % fs || width % fs) {
        vdk_net_fail(n, VDK_ERROR_SHAPE,
                     "%s: x's H x W %lld x %lld must be multiples of %lld (spatial_factor %d, "
                     "%d levels)",
                     fn, (long long)height, (long long)width, (long long)fs, c->spatial_factor,
                     c->levels);
        return false;
    }
    if (!ft || frames % ft) {
        vdk_net_fail(n, VDK_ERROR_SHAPE,
                     "%s: x's T %lld must be a multiple of %lld (temporal_factor %d, %d temporal "
                     "resamplings)",
                     fn, (long long)frames, (long long)ft, c->temporal_factor, resamples);
        return false;
    }
    for (int64_t i = 0; i < batch; i++)
        if (!isfinite(in->timesteps[i])) {
            vdk_net_fail(n, VDK_ERROR_INVALID_VALUE, "%s: timesteps[%lld] is %g, not finite", fn,
                         (long long)i, in->timesteps[i]);
            return false;
        }
    const vdk_tensor *e = in->context;
    if (any_attention &&
        (vdk_tensor_rank(e) != 3 || vdk_tensor_dim(e, 0) != batch || vdk_tensor_dim(e, 1) < 1 ||
         vdk_tensor_dim(e, 2) != c->cross_attention_dim)) {
        vdk_net_fail(n, VDK_ERROR_SHAPE, "%s: context must be [%lld, L, %d] (x has N = %lld)", fn,
                     (long long)batch, c->cross_attention_dim, (long long)batch);
        return false;
    }
    const int64_t want[5] = {batch, frames, height, width, c->out_channels};
    bool shape_ok = vdk_tensor_rank(out) == 5;
    for (int i = 0; i < 5 && shape_ok; i++)
        shape_ok = vdk_tensor_dim(out, i) == want[i];
    if (!shape_ok) {
        vdk_net_fail(n, VDK_ERROR_SHAPE, "%s: out must be [%lld, %lld, %lld, %lld, %d]", fn,
                     (long long)batch, (long long)frames, (long long)height, (long long)width,
                     c->out_channels);
        return false;
    }
    /* The weights' dtype, seen on the first tensor every configuration has. */
    const vdk_tensor *w0 = vdk_net_weight(n, "conv_in", "weight", true);
    if (!w0)
        return false;
    return same_dtype(n, w0, "the weights") && (!any_attention || same_dtype(n, e, "context")) &&
           same_dtype(n, out, "out");
}

vdk_status vdk_lumiere_forward(vdk_context *ctx, const vdk_lumiere_config *c, const vdk_weights *w,
                               const vdk_lumiere_inputs *in, vdk_tensor *out, vdk_net_stats *stats,
                               char *msg, size_t msg_size)
{
    vdk_net net, *n = &net;
    vdk_net_init(n, ctx, w, in && in->x ? vdk_tensor_dtype(in->x) : VDK_F32);
    if (!ctx || !c || !w || !in) {
        vdk_net_fail(n, VDK_ERROR_NULL_POINTER,
                     "%s: ctx, config, weights and inputs must not be NULL", fn);
        return vdk_net_finish(n, stats, msg, msg_size);
    }
    if (vdk_lumiere_config_check(c, n->error, sizeof n->error) != VDK_OK) {
        n->status = VDK_ERROR_INVALID_VALUE;
        return vdk_net_finish(n, stats, msg, msg_size);
    }
    if (!check_inputs(n, c, in, out))
        return vdk_net_finish(n, stats, msg, msg_size);

    const int L = c->levels, f = c->spatial_factor, ft = c->temporal_factor;
    const int64_t batch = vdk_tensor_dim(in->x, 0);
    const vdk_tensor *context = in->context;
    vdk_tensor *temb = time_embedding(n, c, in->timesteps, batch);
    name_t blk;
    vdk_net_skips s = {.count = 0};

    vdk_tensor *h = vdk_lumiere_conv_frames(n, "conv_in", in->x, 1, NULL);
    vdk_net_push_skip(n, &s, h);
    for (int l = 0; l < L; l++) {
        for (int j = 0; j < c->num_res_blocks[l]; j++) {
            snprintf(blk, sizeof blk, "down_blocks.%d.layers.%d", l, j);
            h = vdk_lumiere_layer(n, blk, c, h, temb, context, c->attention[l], l);
            vdk_net_push_skip(n, &s, h);
        }
        if (l < L - 1) {
            snprintf(blk, sizeof blk, "down_blocks.%d.downsample.conv", l);
            h = vdk_lumiere_conv_frames(n, blk, h, f, NULL);
            if (c->temporal_resample[l]) {
                snprintf(blk, sizeof blk, "down_blocks.%d.temporal_downsample.conv", l);
                vdk_tensor *t = vdk_lumiere_conv_time(n, blk, h, ft);
                vdk_net_drop(n, h);
                h = t;
            }
            vdk_net_push_skip(n, &s, h);
        }
    }

    /* The last down layer's output is on the stack: the mid block reads it. */
    vdk_tensor *mid =
        vdk_lumiere_layer(n, "mid_block.layers.0", c, h, temb, context, c->attention[L - 1], L - 1);
    h = vdk_lumiere_layer(n, "mid_block.layers.1", c, mid, temb, context, 0, L - 1);
    vdk_net_drop(n, mid);

    for (int i = 0; i < L && n->status == VDK_OK; i++) {
        const int level = L - 1 - i;
        for (int j = 0; j < c->num_res_blocks[level] + 1 && n->status == VDK_OK; j++) {
            vdk_tensor *cat = vdk_net_concat_skip(n, &s, h);
            snprintf(blk, sizeof blk, "up_blocks.%d.layers.%d", i, j);
            h = vdk_lumiere_layer(n, blk, c, cat, temb, context, c->attention[level], level);
            vdk_net_drop(n, cat);
        }
        if (level > 0) {
            /* Nearest x f, then the conv, on the coarse frames; then frame
             * duplication and the temporal conv. */
            vdk_tensor *u = vdk_nn_upsample(n, h, 1, f, f);
            vdk_net_drop(n, h);
            snprintf(blk, sizeof blk, "up_blocks.%d.upsample.conv", i);
            h = vdk_lumiere_conv_frames(n, blk, u, 1, NULL);
            vdk_net_drop(n, u);
            if (c->temporal_resample[level - 1]) {
                u = vdk_nn_upsample(n, h, ft, 1, 1);
                vdk_net_drop(n, h);
                snprintf(blk, sizeof blk, "up_blocks.%d.temporal_upsample.conv", i);
                h = vdk_lumiere_conv_time(n, blk, u, 1);
                vdk_net_drop(n, u);
            }
        }
    }
    /* After a failure the stack may still hold skips. */
    vdk_net_drop_skips(n, &s);

    vdk_tensor *g = vdk_nn_group_norm(n, "norm_out", h, c->norm_num_groups, c->norm_out_eps,
                                      VDK_NORM_PER_FRAME, VDK_ACT_SILU);
    vdk_net_drop(n, h);
    const int k = c->spatial_kernel_size;
    static const int one[3] = {1, 1, 1};
    const int pad[3] = {0, k / 2, k / 2};
    vdk_nn_conv_into(n, "conv_out", g, one, pad, VDK_ACT_NONE, NULL, out);
    vdk_net_drop(n, g);
    vdk_net_drop(n, temb);
    return vdk_net_finish(n, stats, msg, msg_size);
}

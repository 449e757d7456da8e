/* Temporal MultiDiffusion around the SSR pass (multidiffusion.h gives the
 * procedure). The reconciliation needs no zeroed buffer: a window's frames
 * that no earlier window covered are copied into out, the others added, and
 * the frames covered c > 1 times are scaled by 1/c at the end. The windows
 * start in increasing order, so the frames written so far are always
 * [0, end of the previous window). */
#include "lumiere/multidiffusion.h"

#include "common/message.h"
#include "lumiere/forward.h"
#include "lumiere/windows.h"

#include <stdio.h>

static const char fn[] = "vdk_lumiere_multidiffusion";

vdk_status vdk_lumiere_ssr_upsample(vdk_context *ctx, const vdk_lumiere_config *c,
                                    const vdk_tensor *base, vdk_tensor *out, char *msg,
                                    size_t msg_size)
{
    static const char where[] = "vdk_lumiere_ssr_upsample";
    if (!ctx || !c || !base || !out)
        return vdk_pipe_fail(VDK_ERROR_NULL_POINTER, msg, msg_size,
                             "%s: ctx, config, base and out must not be NULL", where);
    vdk_status st = vdk_lumiere_config_check(c, msg, msg_size);
    if (st != VDK_OK)
        return st;
    if (c->lowres_channels < 1)
        return vdk_pipe_fail(VDK_ERROR_INVALID_VALUE, msg, msg_size,
                             "%s: the configuration has no low-res conditioning (lowres_channels "
                             "0)",
                             where);
    const int f = c->lowres_factor;
    if (vdk_tensor_rank(base) != 5 || vdk_tensor_dim(base, 4) != c->lowres_channels)
        return vdk_pipe_fail(VDK_ERROR_SHAPE, msg, msg_size,
                             "%s: base must be [N, T, h, w, %d] (lowres_channels)", where,
                             c->lowres_channels);
    const int64_t want[5] = {vdk_tensor_dim(base, 0), vdk_tensor_dim(base, 1),
                             vdk_tensor_dim(base, 2) * f, vdk_tensor_dim(base, 3) * f,
                             c->lowres_channels};
    int ok = vdk_tensor_rank(out) == 5;
    for (int i = 0; i < 5 && ok; i++)
        ok = vdk_tensor_dim(out, i) == want[i];
    if (!ok)
        return vdk_pipe_fail(VDK_ERROR_SHAPE, msg, msg_size,
                             "%s: out must be [%lld, %lld, %lld, %lld, %lld] (base's H and W "
                             "times lowres_factor %d)",
                             where, (long long)want[0], (long long)want[1], (long long)want[2],
                             (long long)want[3], (long long)want[4], f);
    /* lowres_resize has one value, checked by the configuration. */
    const vdk_upsample_params p = {.factor = {1, f, f}};
    st = vdk_upsample(ctx, &p, base, out);
    if (st != VDK_OK)
        vdk_pipe_say(msg, msg_size, "%s: vdk_upsample: %s: %s", where, vdk_status_string(st),
                     vdk_last_error(ctx));
    return st;
}

/* out [N, T, H, W, C] has x's N, T, H, W and `channels` channels. */
static bool like_x(const vdk_tensor *t, const vdk_tensor *x, int64_t channels)
{
    if (vdk_tensor_rank(t) != 5 || vdk_tensor_dim(t, 4) != channels)
        return false;
    for (int i = 0; i < 4; i++)
        if (vdk_tensor_dim(t, i) != vdk_tensor_dim(x, i))
            return false;
    return true;
}

static bool check_inputs(vdk_net *n, vdk_context *ctx, const vdk_lumiere_config *c,
                         const vdk_lumiere_ssr_inputs *in, const vdk_tensor *out,
                         vdk_lumiere_windows *plan)
{
    if (!in->x || !in->lowres || !out) {
        vdk_net_fail(n, VDK_ERROR_NULL_POINTER, "%s: x, lowres and out must not be NULL", fn);
        return false;
    }
    if (c->lowres_channels < 1 || c->window_frames < 1) {
        vdk_net_fail(n, VDK_ERROR_INVALID_VALUE,
                     "%s: the configuration is no SSR: lowres_channels %d and window_frames %d "
                     "must be positive",
                     fn, c->lowres_channels, c->window_frames);
        return false;
    }
    const int xc = c->in_channels - c->lowres_channels;
    const vdk_tensor *x = in->x;
    if (vdk_tensor_rank(x) != 5 || vdk_tensor_dim(x, 4) != xc) {
        vdk_net_fail(n, VDK_ERROR_SHAPE,
                     "%s: x must be [N, T, H, W, %d] (in_channels - lowres_channels; rank %d, "
                     "last %lld)",
                     fn, xc, vdk_tensor_rank(x), (long long)vdk_tensor_dim(x, -1));
        return false;
    }
    if (!like_x(in->lowres, x, c->lowres_channels) || !like_x(out, x, c->out_channels)) {
        vdk_net_fail(n, VDK_ERROR_SHAPE,
                     "%s: lowres must be [N, T, H, W, %d] and out [N, T, H, W, %d], N, T, H, W "
                     "as x's [%lld, %lld, %lld, %lld]",
                     fn, c->lowres_channels, c->out_channels, (long long)vdk_tensor_dim(x, 0),
                     (long long)vdk_tensor_dim(x, 1), (long long)vdk_tensor_dim(x, 2),
                     (long long)vdk_tensor_dim(x, 3));
        return false;
    }
    if (vdk_tensor_context(x) != ctx || vdk_tensor_context(in->lowres) != ctx ||
        vdk_tensor_context(out) != ctx) {
        vdk_net_fail(n, VDK_ERROR_CONTEXT, "%s: x, lowres and out must belong to ctx", fn);
        return false;
    }
    if (vdk_tensor_dtype(in->lowres) != n->dtype || vdk_tensor_dtype(out) != n->dtype) {
        vdk_net_fail(n, VDK_ERROR_DTYPE, "%s: lowres (%s) and out (%s) must have x's dtype %s", fn,
                     vdk_dtype_name(vdk_tensor_dtype(in->lowres)),
                     vdk_dtype_name(vdk_tensor_dtype(out)), vdk_dtype_name(n->dtype));
        return false;
    }
    const int64_t frames = vdk_tensor_dim(x, 1);
    char why[400];
    const vdk_status st =
        vdk_lumiere_windows_plan(frames > (1 << 30) ? -1 : (int)frames, c->window_frames,
                                 c->window_overlap, c->num_windows, plan, why, sizeof why);
    if (st != VDK_OK) {
        vdk_net_fail(n, st, "%s: x's T %lld: %s", fn, (long long)frames, why);
        return false;
    }
    return true;
}

/* The window buffers: concat(x, lowres) and the pass's output, [N, W, H, W, C]. */
typedef struct windows_work {
    vdk_tensor *in, *eps;
} windows_work;

/* Frames [t, t + count) of x (axis 1), a view, or NULL after a failure. */
static vdk_tensor *frames_of(vdk_net *n, const vdk_tensor *x, int64_t t, int64_t count)
{
    vdk_tensor *v = NULL;
    if (n->status != VDK_OK)
        return NULL;
    vdk_net_check(n, vdk_tensor_slice((vdk_tensor *)x, 1, t, count, &v), "frame slice");
    return v;
}

/* Window i's pass, then its output into out: frames already written are
 * added to, the others copied. */
static void run_window(vdk_net *n, const vdk_lumiere_config *c, const vdk_lumiere_ssr_inputs *in,
                       const vdk_lumiere_windows *plan, int i, windows_work *work, vdk_tensor *out,
                       vdk_net_stats *total)
{
    const int W = plan->window, s = plan->start[i];
    vdk_tensor *xs = frames_of(n, in->x, s, W), *ls = frames_of(n, in->lowres, s, W);
    if (n->status == VDK_OK) {
        const vdk_concat_params cat = {.axis = -1};
        vdk_net_check(n, vdk_concat(n->ctx, &cat, xs, ls, work->in), "concat(x, lowres)");
    }
    vdk_tensor_destroy(xs);
    vdk_tensor_destroy(ls);
    if (n->status != VDK_OK)
        return;
    const vdk_lumiere_inputs fin = {
        .x = work->in, .timesteps = in->timesteps, .context = in->context};
    vdk_net_stats st = {0};
    char why[512] = "";
    const vdk_status s_pass =
        vdk_lumiere_forward(n->ctx, c, n->w, &fin, work->eps, &st, why, sizeof why);
    if (s_pass != VDK_OK) {
        vdk_net_fail(n, s_pass, "%s: window %d (frames %d-%d): %s", fn, i, s, s + W - 1, why);
        return;
    }
    total->flops += st.flops;
    if (st.peak_activation_bytes > total->peak_activation_bytes)
        total->peak_activation_bytes = st.peak_activation_bytes;

    const int written = i > 0 ? plan->start[i - 1] + W : 0;
    const int old = written > s ? written - s : 0;
    if (old > 0) {
        vdk_tensor *o = frames_of(n, out, s, old), *e = frames_of(n, work->eps, 0, old);
        if (n->status == VDK_OK) {
            const vdk_binary_params add = {.op = VDK_BINARY_ADD};
            vdk_net_check(n, vdk_binary(n->ctx, &add, o, e, o), "accumulate the overlap");
        }
        vdk_tensor_destroy(o);
        vdk_tensor_destroy(e);
    }
    if (old < W) {
        vdk_tensor *o = frames_of(n, out, s + old, W - old),
                   *e = frames_of(n, work->eps, old, W - old);
        if (n->status == VDK_OK) {
            const vdk_unary_params copy = {.op = VDK_UNARY_AFFINE, .alpha = 1};
            vdk_net_check(n, vdk_unary(n->ctx, &copy, e, o), "copy the new frames");
        }
        vdk_tensor_destroy(o);
        vdk_tensor_destroy(e);
    }
}

/* x *= 1 / cover in place. vdk_unary's alpha is an f32: exact for the 1/2 of
 * two overlapping windows, 3e-8 off for 1/3; an f64 pass (the oracle)
 * multiplies by 1/cover held in f64 instead. */
static void scale(vdk_net *n, vdk_tensor *x, int cover)
{
    const double inv = 1.0 / cover;
    if (n->dtype != VDK_F64) {
        const vdk_unary_params mean = {.op = VDK_UNARY_AFFINE, .alpha = (float)inv};
        vdk_net_check(n, vdk_unary(n->ctx, &mean, x, x), "divide by the coverage");
        return;
    }
    static const int64_t one[1] = {1};
    vdk_tensor *f = vdk_net_new(n, 1, one);
    const vdk_binary_params mul = {.op = VDK_BINARY_MUL};
    if (n->status == VDK_OK && vdk_net_check(n, vdk_tensor_write(f, VDK_F64, &inv, 1), "1/cover"))
        vdk_net_check(n, vdk_binary(n->ctx, &mul, x, f, x), "divide by the coverage");
    vdk_net_drop(n, f);
}

/* Frames covered c > 1 times become the mean: runs of equal coverage are
 * scaled by 1/c in place. */
static void average(vdk_net *n, const vdk_lumiere_windows *plan, vdk_tensor *out)
{
    for (int t = 0; t < plan->frames && n->status == VDK_OK;) {
        const int cover = vdk_lumiere_windows_coverage(plan, t);
        int end = t + 1;
        while (end < plan->frames && vdk_lumiere_windows_coverage(plan, end) == cover)
            end++;
        if (cover > 1) {
            vdk_tensor *o = frames_of(n, out, t, end - t);
            if (n->status == VDK_OK)
                scale(n, o, cover);
            vdk_tensor_destroy(o);
        }
        t = end;
    }
}

vdk_status vdk_lumiere_multidiffusion(vdk_context *ctx, const vdk_lumiere_config *c,
                                      const vdk_weights *w, const vdk_lumiere_ssr_inputs *in,
                                      vdk_tensor *out, vdk_lumiere_window_fn progress,
                                      void *progress_user, vdk_net_stats *stats, char *msg,
                                      size_t msg_size)
{
    vdk_net net, *n = &net;
    vdk_net_init(n, ctx, w, in && in->x ? vdk_tensor_dtype(in->x) : VDK_F32);
    vdk_net_stats total = {0};
    if (!ctx || !c || !w || !in) {
        vdk_net_fail(n, VDK_ERROR_NULL_POINTER,
                     "%s: ctx, config, weights and inputs must not be NULL", fn);
        return vdk_net_finish(n, stats, msg, msg_size);
    }
    if (vdk_lumiere_config_check(c, n->error, sizeof n->error) != VDK_OK) {
        n->status = VDK_ERROR_INVALID_VALUE;
        return vdk_net_finish(n, stats, msg, msg_size);
    }
    vdk_lumiere_windows plan;
    if (!check_inputs(n, ctx, c, in, out, &plan))
        return vdk_net_finish(n, stats, msg, msg_size);

    const int64_t in_shape[5] = {vdk_tensor_dim(in->x, 0), plan.window, vdk_tensor_dim(in->x, 2),
                                 vdk_tensor_dim(in->x, 3), c->in_channels};
    windows_work work = {0};
    work.in = vdk_net_new(n, 5, in_shape);
    work.eps = vdk_net_new_like(n, work.in, c->out_channels);
    for (int i = 0; i < plan.count && n->status == VDK_OK; i++) {
        run_window(n, c, in, &plan, i, &work, out, &total);
        const vdk_status st = n->status == VDK_OK && progress
                                  ? progress(progress_user, i, plan.count, plan.start[i])
                                  : VDK_OK;
        if (st != VDK_OK)
            vdk_net_fail(n, st, "%s: the window progress callback stopped after window %d: %s", fn,
                         i, vdk_status_string(st));
    }
    average(n, &plan, out);
    /* The window buffers live beside every pass. */
    total.peak_activation_bytes += n->peak_bytes;
    vdk_net_drop(n, work.in);
    vdk_net_drop(n, work.eps);
    const vdk_status st = vdk_net_finish(n, NULL, msg, msg_size);
    if (stats) {
        stats->flops = total.flops;
        stats->peak_activation_bytes = total.peak_activation_bytes;
    }
    return st;
}

vdk_status vdk_lumiere_ssr_denoise(void *user, vdk_tensor *x_in, const double *timesteps,
                                   vdk_tensor *eps)
{
    vdk_lumiere_ssr_denoiser *d = user;
    if (!d)
        return VDK_ERROR_NULL_POINTER;
    const vdk_lumiere_ssr_inputs in = {
        .x = x_in, .lowres = d->lowres, .timesteps = timesteps, .context = d->context};
    return vdk_lumiere_multidiffusion(d->ctx, d->config, d->w, &in, eps, d->progress,
                                      d->progress_user, &d->stats, d->msg, sizeof d->msg);
}

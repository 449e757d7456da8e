/* vdk_timestep_embedding on the CPU. A tiny operator (N x dim outputs, N the
 * batch or the frame count), so it is written for accuracy, not on the vector
 * vocabulary: the frequencies, the arguments and libm's sin and cos are taken
 * in double, in the reference's order of operations, and each output is
 * rounded once to the storage type. That keeps the error at the output's own
 * rounding however large scale * t grows (an f32 argument would be off by
 * |a| 2^-24 radians: 6e-5 at t = 1000). The frequencies are formed once per
 * call; rows are split across threads when there are enough of them. */
#include "vdt.h"

#include <math.h>

vdk_status VDK_K(timestep_embedding)(vdk_context *ctx, const vdk_timestep_embedding_params *p,
                                     const vdk_tensor *t, vdk_tensor *y)
{
    static const char *const names[] = VDK_KNAMES("timestep_embedding");
    const int64_t N = t->shape[0], dim = p->dim, half = dim / 2;
    const size_t bytes = (size_t)half * sizeof(double);
    double *freq = vdk_cpu_alloc(bytes);
    if (!freq)
        return vdk_cpu_oom(ctx, "vdk_timestep_embedding", bytes);
    const double log_period = log((double)p->max_period),
                 denom = (double)half - (double)p->downscale_freq_shift,
                 scale = (double)p->scale;
    for (int64_t i = 0; i < half; i++)
        freq[i] = exp(-log_period * (double)i / denom);

    const vdk_dtype dt = y->dtype;
    const char *tv = vdk_cpu_data(t);
    char *yv = vdk_cpu_data(y);
    const int64_t es = (int64_t)vdk_dtype_size(dt), ystride = y->stride[0];
    /* a sine and a cosine cost about as much as moving 64 bytes */
    const int team = vdk_cpu_team_for(ctx, N * half * 64);
#pragma omp parallel for num_threads(team) schedule(static)
    for (int64_t n = 0; n < N; n++) {
        const double tn = vdk_load_element(dt, tv, n);
        char *row = yv + n * ystride * es;
        for (int64_t i = 0; i < half; i++) {
            const double arg = scale * (tn * freq[i]);
            const double s = sin(arg), c = cos(arg);
            const double first = p->flip_sin_to_cos ? c : s, second = p->flip_sin_to_cos ? s : c;
            const int64_t j1 = p->interleave ? 2 * i : i, j2 = p->interleave ? 2 * i + 1 : half + i;
            vdk_store_element(dt, row, j1, first);
            vdk_store_element(dt, row, j2, second);
        }
        if (dim % 2)
            vdk_store_element(dt, row, dim - 1, 0.0);
    }
    vdk_cpu_free(freq, bytes);
    ctx->last_kernel = names[dt];
    return VDK_OK;
}

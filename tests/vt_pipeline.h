/* What the pipeline tests share: seeded inputs from the weight generator, the
 * relative RMS error, and the pipeline bound of docs/validation.md
 * ("Pipelines"). Header-only, on top of vdk_test.h. */
#ifndef VT_PIPELINE_H
#define VT_PIPELINE_H

#include "vdk_test.h"

#include "common/weights.h"

#include <math.h>
#include <stdlib.h>

/* A tensor of u in [-1, 1) from the weight generator under `name`, times scale. */
static inline vdk_tensor *vp_input(vdk_context *ctx, vdk_dtype dtype, const char *name,
                                   uint64_t seed, int rank, const int64_t *shape, float scale)
{
    int64_t count = 1;
    for (int i = 0; i < rank; i++)
        count *= shape[i];
    float *v = malloc((size_t)count * sizeof *v);
    if (!v)
        vt_fatal("out of memory");
    vdk_weights_uniform(name, seed, count, v);
    for (int64_t i = 0; i < count; i++)
        v[i] *= scale;
    vdk_tensor *t = vt_tensor(ctx, dtype, rank, shape);
    if (vdk_tensor_write(t, VDK_F32, v, count))
        vt_fatal("write %s: %s", name, vdk_last_error(ctx));
    free(v);
    return t;
}

/* sqrt(sum (a-b)^2 / sum b^2); infinite when a has a bad value. */
static inline double vp_rel_rms(const double *got, const double *want, int64_t n)
{
    const vt_error e = vt_compare(got, want, n);
    return e.bad ? INFINITY : sqrt(e.norm_err);
}

/* The pipeline bound. The reference computes in f64 and rounds every
 * activation to dtype, so its error against the f64 pass, e_ref, is what
 * storage rounding costs through this network, amplification included. A
 * backend also computes in f32: per operator that adds up to 4 sqrt(K) u_f32 to
 * the u_d of the rounding (K the longest reduction in the network), amplified
 * the same way. So
 *   bound = 4 max(e_ref, 2 u_d) (1 + 4 sqrt(K) u_f32 / u_d),
 * the 4 being the slack of comparing one run with another. */
static inline double vp_bound(double reference_err, vdk_dtype dtype, int64_t k)
{
    const double u = vt_unit_roundoff(dtype), floor = 2 * u;
    const double arithmetic = 1 + 4 * sqrt((double)k) * vt_unit_roundoff(VDK_F32) / u;
    return 4 * (reference_err > floor ? reference_err : floor) * arithmetic;
}

/* The longest reduction of a network: the largest fan-in of a conv or linear. */
static inline int64_t vp_longest_reduction(const vdk_param_table *t)
{
    int64_t k = 1;
    for (size_t i = 0; i < t->count; i++)
        k = t->items[i].fan_in > k ? t->items[i].fan_in : k;
    return k;
}

/* The bound for a whole network in f64 against PyTorch's f64 (golden cases).
 * Both sides round at 2^-53 per operation; the network's normalisations can
 * amplify an error by up to 1/sqrt(eps), and it has about one operator per
 * tensor of its table. So a relative RMS error of
 *   u_f64 * count / sqrt(min_eps)
 * is rounding noise (about 5e-11 for the tiny UNet), while any difference in
 * semantics, even diffusers' f32 sinusoids (relative 1e-8), is far above it.
 * Returned squared, as VT_GOLDEN_CHECK takes it. */
static inline double vp_golden_bound(const vdk_param_table *t, double min_eps)
{
    const double rel = 0x1p-53 * (double)t->count / sqrt(min_eps);
    return rel * rel;
}

#endif

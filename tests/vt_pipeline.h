/* What the pipeline tests share: seeded inputs from the weight generator, the
 * relative RMS error, and the pipeline bound of docs/validation.md
 * ("Pipelines"). Header-only, on top of vdk_test.h. */
#ifndef VT_PIPELINE_H
#define VT_PIPELINE_H

#include "vdk_test.h"

#include "common/weights.h"

#include <math.h>
#include <stdio.h>
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

/* The table's seeded random weights in dtype on ctx; a failure ends the test. */
static inline vdk_weights *vp_seeded_weights(vdk_context *ctx, const vdk_param_table *table,
                                             vdk_dtype dtype, uint64_t seed)
{
    vdk_weights *w = NULL;
    char msg[512];
    if (vdk_weights_create(ctx, table, dtype, &w, msg, sizeof msg) ||
        vdk_weights_randomize(w, seed, msg, sizeof msg))
        vt_fatal("weights (%s): %s", vdk_dtype_name(dtype), msg);
    return w;
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

/* A network's output on ctx with activations in dtype, as doubles; NULL after
 * a failure the function reported. */
typedef double *(*vp_run_fn)(const void *model, vdk_context *ctx, vdk_dtype dtype,
                             const char *what);

/* Every backend and storage dtype against the f64 reference `oracle` (count
 * values), with the pipeline bound (vp_bound, K = k): the reference itself in
 * f32, f16 and bf16 gives e_ref; the CPU context and vt_vulkan() then run f32
 * and f16, and bf16 on the CPU only (lavapipe is slow, and every Vulkan
 * operator's bf16 path is tested on its own in tests/test_<op>.c). With
 * ref_limit_u > 0, e_ref itself must stay within that many unit roundoffs. */
static inline void vp_check_backends(const void *model, vp_run_fn run, const double *oracle,
                                     int64_t count, int64_t k, vdk_context *ref, vdk_context *cpu,
                                     double ref_limit_u)
{
    const vdk_dtype dtypes[] = {VDK_F32, VDK_F16, VDK_BF16};
    for (size_t d = 0; d < sizeof dtypes / sizeof *dtypes; d++) {
        const vdk_dtype dt = dtypes[d];
        char what[64];
        snprintf(what, sizeof what, "reference %s", vdk_dtype_name(dt));
        double *want = run(model, ref, dt, what);
        if (!want)
            continue;
        const double ref_err = vp_rel_rms(want, oracle, count);
        const double bound = vp_bound(ref_err, dt, k);
        printf("  %-16s rel rms %.3g (bound for backends %.3g)\n", what, ref_err, bound);
        if (ref_limit_u > 0)
            VT_CHECK(ref_err <= ref_limit_u * vt_unit_roundoff(dt), "%s: rel rms %.3g is over %g u",
                     what, ref_err, ref_limit_u);
        vdk_context *ctxs[2] = {cpu, dt == VDK_BF16 ? NULL : vt_vulkan()};
        for (int b = 0; b < 2; b++) {
            if (!ctxs[b])
                continue;
            snprintf(what, sizeof what, "%s %s", vdk_backend_name(vdk_context_backend(ctxs[b])),
                     vdk_dtype_name(dt));
            double *got = run(model, ctxs[b], dt, what);
            if (!got)
                continue;
            const double err = vp_rel_rms(got, oracle, count);
            printf("  %-16s rel rms %.3g\n", what, err);
            VT_CHECK(err <= bound, "%s: relative rms error %.3g over the bound %.3g", what, err,
                     bound);
            free(got);
        }
        free(want);
    }
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

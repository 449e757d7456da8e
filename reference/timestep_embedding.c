/* Sinusoidal embedding, transcribing diffusers' get_timestep_embedding
 * (models/embeddings.py) step by step in double:
 *   exponent_i = -ln(max_period) * i / (half - downscale_freq_shift)
 *   a_i = scale * (t * exp(exponent_i))
 *   y = [sin(a), cos(a)], or [cos(a), sin(a)] with flip_sin_to_cos,
 * or interleaved pairs (AnimateDiff's PositionalEncoding): y[2i] = sin(a_i),
 * y[2i+1] = cos(a_i), flip swapping each pair. An odd dim leaves the last
 * column 0. The front end has filled in the defaults of scale and max_period. */
#include "ref.h"

vdk_status vdk_ref_timestep_embedding(vdk_context *ctx, const vdk_timestep_embedding_params *p,
                                      const vdk_tensor *tt, vdk_tensor *yt)
{
    const int64_t N = tt->shape[0], dim = p->dim, half = dim / 2;
    const double log_period = log((double)p->max_period),
                 denom = (double)half - (double)p->downscale_freq_shift,
                 scale = (double)p->scale;
    bool ok = true;
    double *t = vdk_ref_load(tt, &ok), *y = vdk_ref_alloc(N * dim, &ok); /* zeroed: odd pad */
    if (ok) {
#pragma omp parallel for schedule(static)
        for (int64_t n = 0; n < N; n++) {
            double *row = y + n * dim;
            for (int64_t i = 0; i < half; i++) {
                const double exponent = -log_period * (double)i / denom;
                const double arg = scale * (t[n] * exp(exponent));
                const double first = p->flip_sin_to_cos ? cos(arg) : sin(arg);
                const double second = p->flip_sin_to_cos ? sin(arg) : cos(arg);
                if (p->interleave) {
                    row[2 * i] = first;
                    row[2 * i + 1] = second;
                } else {
                    row[i] = first;
                    row[half + i] = second;
                }
            }
        }
        vdk_ref_store(yt, y);
    }
    free(t);
    free(y);
    return vdk_ref_finish(ctx, "vdk_timestep_embedding", "reference.timestep_embedding", ok);
}

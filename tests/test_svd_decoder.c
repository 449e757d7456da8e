/* SVD's temporal VAE decoder (pipelines/svd/decoder.c) on the tiny
 * configuration: the reference backend in f64 against diffusers'
 * AutoencoderKLTemporalDecoder in f64 (tests/golden/svd_decoder_tiny.vgold);
 * every backend and storage dtype against that reference with the pipeline
 * bound (docs/validation.md, "Pipelines"); chunked decoding; bad inputs. */
#include "vt_pipeline.h"

#include "svd/decoder.h"
#include "svd/params.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SEED 1

/* One context per backend for the whole test (vt_vulkan() keeps its own). */
static vdk_context *ref_ctx, *cpu_ctx;
enum { N = 1, T = 3, H = 3, W = 2 }; /* latent size: the image is 6 x 4 */

typedef struct model {
    vdk_svd_decoder_config config;
    vdk_param_table table;
} model;

static model tiny(void)
{
    model m;
    vdk_param_table_init(&m.table);
    if (vdk_svd_decoder_config_preset(VDK_SVD_PRESET_TINY, &m.config) ||
        vdk_svd_decoder_params(&m.config, &m.table))
        vt_fatal("tiny decoder table: %s", m.table.error);
    return m;
}

static int64_t up(const model *m) { return (int64_t)1 << (m->config.levels - 1); }

/* decoder(z) decoded `chunk` frames at a time, as doubles (NULL after a failure). */
static double *run(const model *m, vdk_context *ctx, vdk_dtype dtype, int chunk, const char *what)
{
    vdk_weights *w = vp_seeded_weights(ctx, &m->table, dtype, SEED);
    const int64_t zs[5] = {N, T, H, W, m->config.latent_channels};
    const int64_t ys[5] = {N, T, H * up(m), W * up(m), m->config.out_channels};
    /* The sampler's latents are O(1); divided by the scaling factor, O(5). */
    vdk_tensor *z = vp_input(ctx, dtype, "input.z", SEED, 5, zs, 5.0f);
    vdk_tensor *y = vt_tensor(ctx, dtype, 5, ys);
    char msg[512];
    vdk_svd_stats stats;
    double *out = NULL;
    vdk_status st =
        vdk_svd_decoder_forward(ctx, &m->config, w, z, chunk, y, &stats, msg, sizeof msg);
    if (VT_CHECK(st == VDK_OK, "%s: %s: %s", what, vdk_status_string(st), msg)) {
        VT_CHECK(stats.peak_activation_bytes > 0, "%s: no activation bytes counted", what);
        out = vt_read(y);
    }
    vdk_tensor_destroy(z);
    vdk_tensor_destroy(y);
    vdk_weights_destroy(w);
    return out;
}

static void test_diffusers(const model *m)
{
    vdk_context *ctx = ref_ctx;
    vdk_weights *w = vp_seeded_weights(ctx, &m->table, VDK_F64, SEED);
    vt_golden_file f = vt_golden_load("svd_decoder_tiny");
    VT_CHECK(f.ncases >= 2, "svd_decoder_tiny.vgold: %d cases", f.ncases);
    for (int i = 0; i < f.ncases; i++) {
        const vt_golden_case *c = &f.cases[i];
        VT_CHECK(vt_golden_param(c, "weight_seed") == SEED, "%s: weights of another seed", c->name);
        vdk_tensor *z = vt_golden_make(ctx, c, "z", VDK_F64);
        if (!z)
            vt_fatal("%s: no z", c->name);
        vt_guarded out = vt_golden_output(ctx, c, "out");
        char msg[512];
        vdk_status st =
            vdk_svd_decoder_forward(ctx, &m->config, w, z, 0, out.view, NULL, msg, sizeof msg);
        VT_CHECK(st == VDK_OK, "%s: %s: %s", c->name, vdk_status_string(st), msg);
        VT_GOLDEN_CHECK(&out, c, "out", vp_golden_bound(&m->table, 1e-6));
        vdk_tensor_destroy(z);
    }
    vt_golden_free(&f);
    vdk_weights_destroy(w);
}

/* run() as vp_check_backends calls it (the whole clip at once). */
static double *run_model(const void *m, vdk_context *ctx, vdk_dtype dtype, const char *what)
{
    return run(m, ctx, dtype, 0, what);
}

static void test_backends(const model *m)
{
    const int64_t n = (int64_t)N * T * H * up(m) * W * up(m) * m->config.out_channels;
    double *oracle = run(m, ref_ctx, VDK_F64, 0, "reference f64");
    if (!oracle)
        return;
    vp_check_backends(m, run_model, oracle, n, vp_longest_reduction(&m->table), ref_ctx, cpu_ctx,
                      0);
    free(oracle);
}

/* Chunks of 2 frames of a 3-frame clip: frames [0, 2) and [2, 3) are clips of
 * their own for the temporal layers, so the result is that of decoding each
 * alone, and differs from decoding the 3 frames together. */
static void test_chunks(const model *m)
{
    vdk_context *ctx = ref_ctx;
    const int64_t hw = H * up(m) * W * up(m) * m->config.out_channels;
    double *whole = run(m, ctx, VDK_F64, 0, "chunk 0");
    double *same = run(m, ctx, VDK_F64, T, "chunk T");
    double *two = run(m, ctx, VDK_F64, 2, "chunk 2");
    if (!whole || !same || !two)
        vt_fatal("chunked decoding failed");
    VT_CHECK(vp_rel_rms(same, whole, T * hw) == 0, "a chunk of T frames is not the whole clip");
    VT_CHECK(vp_rel_rms(two, whole, T * hw) > 1e-3,
             "chunks of 2 did not change the temporal layers");

    /* Each chunk alone: a 2-frame clip of z's first frames, a 1-frame clip of its last. */
    vdk_weights *w = vp_seeded_weights(ctx, &m->table, VDK_F64, SEED);
    const int64_t zs[5] = {N, T, H, W, m->config.latent_channels};
    vdk_tensor *z = vp_input(ctx, VDK_F64, "input.z", SEED, 5, zs, 5.0f);
    for (int c = 0; c < 2; c++) {
        const int64_t t0 = c ? 2 : 0, len = c ? 1 : 2;
        vdk_tensor *zc = NULL;
        if (vdk_tensor_slice(z, 1, t0, len, &zc))
            vt_fatal("slice: %s", vdk_last_error(ctx));
        const int64_t ys[5] = {N, len, H * up(m), W * up(m), m->config.out_channels};
        vdk_tensor *y = vt_tensor(ctx, VDK_F64, 5, ys);
        char msg[512];
        VT_CHECK(vdk_svd_decoder_forward(ctx, &m->config, w, zc, 0, y, NULL, msg, sizeof msg) ==
                     VDK_OK,
                 "chunk %d alone: %s", c, msg);
        double *alone = vt_read(y);
        VT_CHECK(vp_rel_rms(two + t0 * hw, alone, len * hw) == 0,
                 "chunk %d of the chunked decode differs from decoding it alone", c);
        free(alone);
        vdk_tensor_destroy(zc);
        vdk_tensor_destroy(y);
    }
    vdk_tensor_destroy(z);
    vdk_weights_destroy(w);
    free(whole);
    free(same);
    free(two);
}

static void test_bad_inputs(const model *m)
{
    vdk_context *ctx = ref_ctx;
    vdk_weights *w = vp_seeded_weights(ctx, &m->table, VDK_F32, SEED);
    const int64_t zs[5] = {N, T, H, W, m->config.latent_channels};
    const int64_t wrong[5] = {N, T, H * up(m), W * up(m) + 1, m->config.out_channels};
    const int64_t ys[5] = {N, T, H * up(m), W * up(m), m->config.out_channels};
    vdk_tensor *z = vt_tensor(ctx, VDK_F32, 5, zs);
    vdk_tensor *yw = vt_tensor(ctx, VDK_F32, 5, wrong);
    vdk_tensor *y = vt_tensor(ctx, VDK_F32, 5, ys);
    char msg[512];
    vdk_status st = vdk_svd_decoder_forward(ctx, &m->config, w, z, 0, yw, NULL, msg, sizeof msg);
    VT_CHECK(st == VDK_ERROR_SHAPE && strstr(msg, "out must be"), "wrong out: %s: %s",
             vdk_status_string(st), msg);
    st = vdk_svd_decoder_forward(ctx, &m->config, w, z, -1, y, NULL, msg, sizeof msg);
    VT_CHECK(st == VDK_ERROR_INVALID_VALUE && strstr(msg, "chunk_frames"), "chunk -1: %s: %s",
             vdk_status_string(st), msg);
    st = vdk_svd_decoder_forward(ctx, &m->config, w, NULL, 0, y, NULL, msg, sizeof msg);
    VT_CHECK(st == VDK_ERROR_NULL_POINTER && strstr(msg, "z"), "no z: %s: %s",
             vdk_status_string(st), msg);
    vdk_tensor_destroy(z);
    vdk_tensor_destroy(yw);
    vdk_tensor_destroy(y);
    vdk_weights_destroy(w);
}

int main(void)
{
    ref_ctx = vt_context(VDK_BACKEND_REFERENCE);
    cpu_ctx = vt_context(VDK_BACKEND_CPU);
    model m = tiny();
    test_diffusers(&m);
    test_backends(&m);
    test_chunks(&m);
    test_bad_inputs(&m);
    vdk_param_table_free(&m.table);
    vdk_context_destroy(ref_ctx);
    vdk_context_destroy(cpu_ctx);
    return vt_finish("svd_decoder");
}

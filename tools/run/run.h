/* vdk-run's parts: the options, the SVD run (run.c), the Lumiere run
 * (lumiere.c), the result file (result.c). */
#ifndef VDK_TOOLS_RUN_H
#define VDK_TOOLS_RUN_H

#include "common/weights.h"
#include "vdk/vdk.h"

#include <stdbool.h>
#include <stdint.h>

typedef struct vr_options {
    const char *model, *backend, *dtype, *weights, *context_order, *out;
    int steps, frames, height, width, batch, chunk;
    float min_guidance, max_guidance;
    uint64_t seed;
    bool decode, profile, quiet;
    int command_argc;
    char **command_argv;
} vr_options;

void vr_options_default(vr_options *o);
/* Runs the model; the process's exit status (0 ok, 1 failed, 2 bad usage).
 * height, width and frames of 0 take the model's. */
int vr_run(const vr_options *o);
/* The same for a Lumiere model (lumiere-a, lumiere-b, lumiere-tiny, and the
 * SSR stage: lumiere-ssr, lumiere-ssr-tiny). */
int vr_run_lumiere(const vr_options *o);

/* What one run measured, for the result file. */
typedef struct vr_result {
    const char *model, *backend, *dtype;
    const char *pipeline; /* "svd", "lumiere" or "lumiere-ssr": the rows' op,
                           * pipeline.<pipeline>.step */
    int batch, frames, height, width, steps, guided;
    double *step_ms;                /* per step */
    double unet_flops;              /* one denoiser pass (SVD's UNet, Lumiere's STUNet) */
    double decode_ms, decode_flops; /* 0 without --decode */
    int64_t weight_bytes, peak_activation_bytes, peak_host_bytes;
    /* The final sample's root mean square (NAN when not finite): what the
     * PyTorch peer (tools/peers/pipeline_peer.py) compares its own with. */
    double sample_rms;
    vdk_context *ctx;
} vr_result;

/* Writes the result set; 0 on success, else a message on stderr. */
int vr_write_result(const char *path, const vr_options *o, const vr_result *r);
/* Prints the memory figures (filling r's host peak) and, with --profile, the
 * per-operator table; writes the result set with --out. The exit status. */
int vr_report(vdk_context *ctx, const vr_options *o, vr_result *r);

/* Shared by the runs (run.c). */
double vr_now_ms(void);
/* The root mean square of x and whether every value is finite (a run on
 * random weights has no meaningful sample; this says it is a number, and gives
 * the peer a figure to agree with). *rms is NAN when x cannot be read. */
void vr_sample_stats(const vdk_tensor *x, double *rms, bool *finite);
/* Prints "vdk-run: <what>: <status>: <msg>"; returns 1. */
int vr_fail(const char *what, vdk_status st, const char *msg);
/* Seeded values in [-1, 1) times scale (Gaussian when gauss) under `name`. */
vdk_status vr_seeded(vdk_tensor *t, const char *name, uint64_t seed, float scale, bool gauss);
/* --backend's context (Vulkan, else CPU, when not given), --dtype (f16 on
 * Vulkan, f32 elsewhere, when not given), --profile. 0, or the exit status
 * after a message (1: no context, 2: a bad dtype; *ctx is then NULL). */
int vr_open(const vr_options *o, vdk_context **ctx, vdk_dtype *dtype);
/* Weights for table t: seeded (no --weights), or loaded from --weights, or from
 * <--weights>/<sub> when sub is not NULL. */
vdk_status vr_make_weights(vdk_context *ctx, const vdk_param_table *t, vdk_dtype dt,
                           const vr_options *o, const char *sub, vdk_weights **w, char *msg,
                           size_t size);

#endif

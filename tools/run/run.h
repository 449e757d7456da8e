/* vdk-run's parts: the options, the SVD run, the result file. */
#ifndef VDK_TOOLS_RUN_H
#define VDK_TOOLS_RUN_H

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
/* Runs the model; the process's exit status (0 ok, 1 failed, 2 bad usage). */
int vr_run(const vr_options *o);

/* What one run measured, for the result file. */
typedef struct vr_result {
    const char *model, *backend, *dtype;
    int batch, frames, height, width, steps, guided;
    double *step_ms;                /* per step */
    double unet_flops;              /* one UNet pass */
    double decode_ms, decode_flops; /* 0 without --decode */
    int64_t weight_bytes, peak_activation_bytes, peak_host_bytes;
    vdk_context *ctx;
} vr_result;

/* Writes the result set; 0 on success, else a message on stderr. */
int vr_write_result(const char *path, const vr_options *o, const vr_result *r);

#endif

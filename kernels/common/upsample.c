/* vdk_upsample on the CPU: nearest up-sampling by integer factors, pure data
 * movement, bit-exact (whole elements are copied, never converted). Each
 * source row (n, t, h) is a unit of work, read once, in chunks of pixels whose
 * output fits in L1: the chunk is spread (each pixel of C channels to its fw
 * neighbours) into one destination row, then that run is copied to the
 * ft * fh - 1 other rows (frames and rows duplicated). x is read once and y
 * written once. An output larger than the cache is written with streaming
 * stores (vdk_cpu_stream): the chunk is spread into an L1 buffer and streamed
 * to all ft * fh rows, so no line of y is read before it is written. */
#include "vdt.h"

/* Output bytes per chunk of pixels: well inside L1 with its source. */
#define CHUNK_BYTES (16 * 1024)

typedef struct geom {
    const char *x;
    char *y;
    int64_t xs[4], ys[4]; /* bytes per step of n, t, h, w */
    int64_t T, H, W;
    int ft, fh, fw;
    int64_t pixel; /* C elements, in bytes */
    int64_t chunk; /* source pixels per chunk, >= 1 */
} geom;

/* The chunk [w0, w1) of source row src, spread into the output run at dst. */
static void spread(const geom *g, char *dst, int64_t dstep, const char *src, int64_t w0,
                   int64_t w1)
{
    if (g->fw == 1 && dstep == g->pixel && g->xs[3] == g->pixel) {
        memcpy(dst, src + w0 * g->xs[3], (size_t)((w1 - w0) * g->pixel));
        return;
    }
    for (int64_t w = w0; w < w1; w++)
        for (int j = 0; j < g->fw; j++)
            memcpy(dst + ((w - w0) * g->fw + j) * dstep, src + w * g->xs[3], (size_t)g->pixel);
}

static void spread_row(const geom *g, int64_t n, int64_t t, int64_t h)
{
    const char *src = g->x + n * g->xs[0] + t * g->xs[1] + h * g->xs[2];
    char *first = g->y + n * g->ys[0] + t * g->ft * g->ys[1] + h * g->fh * g->ys[2];
    /* a destination row whose pixels abut is copied as one run */
    const bool dense = g->ys[3] == g->pixel;
    for (int64_t w0 = 0; w0 < g->W; w0 += g->chunk) {
        const int64_t w1 = w0 + g->chunk < g->W ? w0 + g->chunk : g->W;
        const int64_t o0 = w0 * g->fw, o1 = w1 * g->fw; /* output pixels of the chunk */
        spread(g, first + o0 * g->ys[3], g->ys[3], src, w0, w1);
        for (int dt = 0; dt < g->ft; dt++)
            for (int dh = 0; dh < g->fh; dh++) {
                if (dt == 0 && dh == 0)
                    continue;
                char *dst = first + dt * g->ys[1] + dh * g->ys[2];
                if (dense)
                    memcpy(dst + o0 * g->ys[3], first + o0 * g->ys[3],
                           (size_t)((o1 - o0) * g->pixel));
                else
                    for (int64_t o = o0; o < o1; o++)
                        memcpy(dst + o * g->ys[3], first + o * g->ys[3], (size_t)g->pixel);
            }
    }
}

/* As spread_row, every destination written by vf_stream_copy from a chunk
 * spread once into `stage` (CHUNK_BYTES, in L1). */
static void stream_row(const geom *g, int64_t n, int64_t t, int64_t h, char *stage)
{
    const char *src = g->x + n * g->xs[0] + t * g->xs[1] + h * g->xs[2];
    char *first = g->y + n * g->ys[0] + t * g->ft * g->ys[1] + h * g->fh * g->ys[2];
    const bool dense = g->ys[3] == g->pixel;
    const bool staged = g->pixel * g->fw <= CHUNK_BYTES; /* one pixel's spread fits */
    for (int64_t w0 = 0; w0 < g->W; w0 += g->chunk) {
        const int64_t w1 = w0 + g->chunk < g->W ? w0 + g->chunk : g->W;
        const int64_t o0 = w0 * g->fw, bytes = (w1 - w0) * g->fw * g->pixel;
        if (staged)
            spread(g, stage, g->pixel, src, w0, w1);
        for (int dt = 0; dt < g->ft; dt++)
            for (int dh = 0; dh < g->fh; dh++) {
                char *dst = first + dt * g->ys[1] + dh * g->ys[2] + o0 * g->ys[3];
                if (staged && dense) {
                    vf_stream_copy(dst, stage, (size_t)bytes);
                    continue;
                }
                for (int64_t o = 0; o < (w1 - w0) * g->fw; o++)
                    vf_stream_copy(dst + o * g->ys[3],
                                   staged ? stage + o * g->pixel
                                          : src + (w0 + o / g->fw) * g->xs[3],
                                   (size_t)g->pixel);
            }
    }
}

vdk_status VDK_K(upsample)(vdk_context *ctx, const vdk_upsample_params *p, const vdk_tensor *x,
                           vdk_tensor *y)
{
    static const char *const names[] = VDK_KNAMES("upsample");
    const int64_t es = (int64_t)vdk_dtype_size(x->dtype);
    geom g = {
        .x = vdk_cpu_data(x),
        .y = vdk_cpu_data(y),
        .T = x->shape[1],
        .H = x->shape[2],
        .W = x->shape[3],
        .ft = p->factor[0] ? p->factor[0] : 1,
        .fh = p->factor[1] ? p->factor[1] : 1,
        .fw = p->factor[2] ? p->factor[2] : 1,
        .pixel = x->shape[4] * es,
    };
    for (int k = 0; k < 4; k++) {
        g.xs[k] = x->stride[k] * es;
        g.ys[k] = y->stride[k] * es;
    }
    g.chunk = CHUNK_BYTES / (g.pixel * g.fw);
    if (g.chunk < 1)
        g.chunk = 1;
    const int64_t rows = x->shape[0] * g.T * g.H, ybytes = vdk_numel_of(5, y->shape) * es;
    const int team = vdk_cpu_team_for(ctx, vdk_numel_of(5, x->shape) * es + ybytes);
    const bool stream = vdk_cpu_stream(ctx, ybytes);
#pragma omp parallel num_threads(team)
    {
        _Alignas(64) char stage[CHUNK_BYTES];
#pragma omp for schedule(static) nowait
        for (int64_t r = 0; r < rows; r++) {
            if (stream)
                stream_row(&g, r / (g.T * g.H), r / g.H % g.T, r % g.H, stage);
            else
                spread_row(&g, r / (g.T * g.H), r / g.H % g.T, r % g.H);
        }
        if (stream)
            vf_stream_fence();
    }
    ctx->last_kernel = names[x->dtype];
    return VDK_OK;
}

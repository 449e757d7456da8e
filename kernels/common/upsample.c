/* vdk_upsample on the CPU: nearest up-sampling by integer factors, pure data
 * movement, bit-exact (whole elements are copied, never converted). Each
 * source row (n, t, h) is handed out as a unit of work; it is read once, in
 * chunks of pixels whose output fits in L1: the chunk is spread (each pixel of
 * C channels to its fw neighbours) into the first destination row, which is
 * then copied, still in cache, to the ft * fh - 1 other rows (frames and rows
 * duplicated). So x is read once and y written once. */
#include "vdt.h"

/* Output bytes per chunk of pixels: well inside L1 with its source. */
#define CHUNK_BYTES (16 * 1024)

typedef struct geom {
    const char *x;
    char *y;
    int64_t xs[4], ys[4]; /* bytes per step of n, t, h, w */
    int64_t T, H, W;
    int ft, fh, fw;
    size_t pixel; /* C elements, in bytes */
} geom;

static void spread_row(const geom *g, int64_t n, int64_t t, int64_t h)
{
    const char *src = g->x + n * g->xs[0] + t * g->xs[1] + h * g->xs[2];
    char *first = g->y + n * g->ys[0] + t * g->ft * g->ys[1] + h * g->fh * g->ys[2];
    /* a destination row whose pixels abut is copied as one block */
    const bool dense = g->ys[3] == (int64_t)g->pixel;
    int64_t chunk = CHUNK_BYTES / ((int64_t)g->pixel * g->fw);
    if (chunk < 1)
        chunk = 1;
    for (int64_t w0 = 0; w0 < g->W; w0 += chunk) {
        const int64_t w1 = w0 + chunk < g->W ? w0 + chunk : g->W;
        if (g->fw == 1 && dense && g->xs[3] == (int64_t)g->pixel) {
            memcpy(first + w0 * g->ys[3], src + w0 * g->xs[3], (size_t)(w1 - w0) * g->pixel);
        } else {
            for (int64_t w = w0; w < w1; w++)
                for (int j = 0; j < g->fw; j++)
                    memcpy(first + (w * g->fw + j) * g->ys[3], src + w * g->xs[3], g->pixel);
        }
        const int64_t o0 = w0 * g->fw, o1 = w1 * g->fw; /* output pixels of the chunk */
        for (int dt = 0; dt < g->ft; dt++)
            for (int dh = 0; dh < g->fh; dh++) {
                if (dt == 0 && dh == 0)
                    continue;
                char *dst = first + dt * g->ys[1] + dh * g->ys[2];
                if (dense)
                    memcpy(dst + o0 * g->ys[3], first + o0 * g->ys[3],
                           (size_t)(o1 - o0) * g->pixel);
                else
                    for (int64_t o = o0; o < o1; o++)
                        memcpy(dst + o * g->ys[3], first + o * g->ys[3], g->pixel);
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
        .pixel = (size_t)(x->shape[4] * es),
    };
    for (int k = 0; k < 4; k++) {
        g.xs[k] = x->stride[k] * es;
        g.ys[k] = y->stride[k] * es;
    }
    const int64_t rows = x->shape[0] * g.T * g.H;
    const int team = vdk_cpu_team_for(
        ctx, (vdk_numel_of(5, x->shape) + vdk_numel_of(5, y->shape)) * es);
#pragma omp parallel for num_threads(team) schedule(static)
    for (int64_t r = 0; r < rows; r++)
        spread_row(&g, r / (g.T * g.H), r / g.H % g.T, r % g.H);
    ctx->last_kernel = names[x->dtype];
    return VDK_OK;
}

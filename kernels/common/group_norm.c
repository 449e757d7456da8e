/* vdk_group_norm on the CPU, channels-last [N, T, H, W, C].
 *
 * A "set" is what one statistic covers: one frame (per frame) or the T frames
 * of one batch item (per clip); its "rows" are its pixels, each a contiguous
 * run of C channels holding every group. So the statistics of all G groups of
 * a set come from one stream over its rows that accumulates per-channel sums as
 * vectors (reduced per group at the end), and a second stream writes
 * y = act((x - shift) * a[c] + b[c]). Each element is read twice and written
 * once; the second read comes from cache where the set (or a thread's share of
 * it) fits, which is why the second pass walks the rows backwards: the rows the
 * first pass read last are the ones still in L2.
 *
 * Numerics: the sums run on d = x - shift, shift being one sample of the group
 * (its first element in the set), so a large common offset (1000 + noise) does
 * not cancel: d is exact under such an offset (Sterbenz) and the variance comes
 * from small numbers. Each lane sums at most GN_CHUNK rows in f32 before the
 * partial sums are folded into double; the group reduction and the variance are
 * in double. The normalisation keeps the shift too, (x - shift) * a + b, since
 * x * a + (b - mean * a) would cancel the offset in f32.
 *
 * Threads: whole sets go to threads round-robin while every thread has one;
 * the sets left over (all of them when there are fewer sets than threads, as
 * per clip with N = 1) are split by rows across the team, partial sums combined
 * after a barrier. Chunk boundaries are multiples of GN_CHUNK rows of the set
 * whatever the split, so every f32 partial is the same for any thread count;
 * only the order of the double additions changes. */
#include "vmath.h"

#include <math.h>

/* Rows summed per lane in f32 before folding into double: short enough that
 * the f32 rounding stays near sqrt(64) units, long enough that the fold (one
 * pass over C doubles) is a few percent of the work. */
#define GN_CHUNK 64

/* Element offsets of a [N, T, H, W, C] view's rows. */
typedef struct gn_geom {
    int64_t s0, s1, s2, s3, W;
    bool uniform; /* s2 == W * s3: pixel p of a frame is at p * s3 */
} gn_geom;

static gn_geom geom_of(const vdk_tensor *t)
{
    gn_geom g = {t->stride[0], t->stride[1], t->stride[2], t->stride[3], t->shape[3], false};
    g.uniform = g.s2 == g.W * g.s3;
    return g;
}

static inline int64_t pixel_offset(const gn_geom *g, int64_t p)
{
    return g->uniform ? p * g->s3 : (p / g->W) * g->s2 + (p % g->W) * g->s3;
}

typedef struct gn_job {
    const char *x;
    char *y;
    gn_geom gx, gy;
    int64_t T, HW, C, Cp, G, Cg;
    int64_t F;    /* frames per set */
    int64_t sets; /* N * T / F */
    int64_t rows; /* rows per set: F * HW */
    double eps;
    const float *gamma, *beta; /* [Cp] f32 copies (1 and 0 when absent) */
} gn_job;

/* One thread's scratch, every array padded to Cp (a multiple of VW). */
typedef struct gn_scratch {
    float *fs, *fq;  /* f32 partial sums of d and d^2 over the current chunk */
    float *sh;       /* the shift of each channel's group; 0 in the padding */
    float *a, *b;    /* y = act((x - sh) * a + b) */
    double *S, *Q;   /* sums over every chunk so far */
} gn_scratch;

/* Element offset of row i of set `set` in a view (i in [0, rows)). A set never
 * spans two batch items: a frame, or the T frames of one item. */
static inline int64_t row_offset(const gn_job *j, const gn_geom *g, int64_t set, int64_t i)
{
    const int64_t first = set * j->F; /* n * T + t of the set's first frame */
    return first / j->T * g->s0 + (first % j->T + i / j->HW) * g->s1 + pixel_offset(g, i % j->HW);
}

/* The rows [i0, i1) of a set, walked forwards or backwards without a division
 * per row. */
typedef struct gn_cursor {
    const gn_job *j;
    int64_t n, t0; /* batch item and first frame of the set */
    int64_t f, p;  /* frame within the set, pixel within the frame */
} gn_cursor;

static inline gn_cursor cursor_at(const gn_job *j, int64_t set, int64_t i)
{
    const int64_t first = set * j->F;
    return (gn_cursor){j, first / j->T, first % j->T, i / j->HW, i % j->HW};
}

static inline int64_t cursor_offset(const gn_cursor *c, const gn_geom *g)
{
    return c->n * g->s0 + (c->t0 + c->f) * g->s1 + pixel_offset(g, c->p);
}

static inline void cursor_next(gn_cursor *c)
{
    if (++c->p == c->j->HW) {
        c->p = 0;
        c->f++;
    }
}

static inline void cursor_prev(gn_cursor *c)
{
    if (c->p-- == 0) {
        c->p = c->j->HW - 1;
        c->f--;
    }
}

/* fs += d0 + d1, fq += d0^2 + d1^2 with d = x - sh, over one or two rows (x1
 * NULL: one). Padding lanes load 0 and have sh 0, so they add nothing. */
VDK_INLINE void sum_rows(vdk_dtype dt, const gn_job *j, const gn_scratch *s, const void *x0,
                         const void *x1)
{
    const int64_t C = j->C;
    int64_t c = 0;
    if (x1) {
        for (; c + VW <= C; c += VW) {
            vf sh = vf_load(s->sh + c);
            vf d0 = vf_sub(vdt_load(dt, x0, c), sh), d1 = vf_sub(vdt_load(dt, x1, c), sh);
            vf_store(s->fs + c, vf_add(vf_load(s->fs + c), vf_add(d0, d1)));
            vf_store(s->fq + c, vf_fma(d1, d1, vf_fma(d0, d0, vf_load(s->fq + c))));
        }
        if (c < C) {
            vf sh = vf_load(s->sh + c);
            vf d0 = vf_sub(vdt_load_n(dt, x0, c, (int)(C - c)), sh);
            vf d1 = vf_sub(vdt_load_n(dt, x1, c, (int)(C - c)), sh);
            vf_store(s->fs + c, vf_add(vf_load(s->fs + c), vf_add(d0, d1)));
            vf_store(s->fq + c, vf_fma(d1, d1, vf_fma(d0, d0, vf_load(s->fq + c))));
        }
        return;
    }
    for (; c + VW <= C; c += VW) {
        vf d = vf_sub(vdt_load(dt, x0, c), vf_load(s->sh + c));
        vf_store(s->fs + c, vf_add(vf_load(s->fs + c), d));
        vf_store(s->fq + c, vf_fma(d, d, vf_load(s->fq + c)));
    }
    if (c < C) {
        vf d = vf_sub(vdt_load_n(dt, x0, c, (int)(C - c)), vf_load(s->sh + c));
        vf_store(s->fs + c, vf_add(vf_load(s->fs + c), d));
        vf_store(s->fq + c, vf_fma(d, d, vf_load(s->fq + c)));
    }
}

/* The shift of every channel: the first element of its group in the set. */
VDK_INLINE void load_shift(vdk_dtype dt, const gn_job *j, const gn_scratch *s, int64_t set)
{
    const size_t es = vdk_dtype_size(dt);
    const char *row = j->x + row_offset(j, &j->gx, set, 0) * (int64_t)es;
    for (int64_t g = 0; g < j->G; g++) {
        const float v = vdt_load1(dt, row, g * j->Cg);
        for (int64_t c = g * j->Cg; c < (g + 1) * j->Cg; c++)
            s->sh[c] = v;
    }
}

/* S, Q = per-channel sums of d and d^2 over rows [i0, i1) of the set. */
VDK_INLINE void set_sums(vdk_dtype dt, const gn_job *j, const gn_scratch *s, int64_t set,
                         int64_t i0, int64_t i1)
{
    const size_t es = vdk_dtype_size(dt);
    memset(s->S, 0, (size_t)j->C * sizeof *s->S);
    memset(s->Q, 0, (size_t)j->C * sizeof *s->Q);
    gn_cursor cur = cursor_at(j, set, i0);
    for (int64_t i = i0; i < i1;) {
        const int64_t end = (i / GN_CHUNK + 1) * GN_CHUNK < i1 ? (i / GN_CHUNK + 1) * GN_CHUNK : i1;
        memset(s->fs, 0, (size_t)j->Cp * sizeof *s->fs);
        memset(s->fq, 0, (size_t)j->Cp * sizeof *s->fq);
        for (; i + 2 <= end; i += 2) {
            const char *x0 = j->x + cursor_offset(&cur, &j->gx) * (int64_t)es;
            cursor_next(&cur);
            const char *x1 = j->x + cursor_offset(&cur, &j->gx) * (int64_t)es;
            cursor_next(&cur);
            sum_rows(dt, j, s, x0, x1);
        }
        if (i < end) {
            sum_rows(dt, j, s, j->x + cursor_offset(&cur, &j->gx) * (int64_t)es, NULL);
            cursor_next(&cur);
            i++;
        }
        for (int64_t c = 0; c < j->C; c++) {
            s->S[c] += s->fs[c];
            s->Q[c] += s->fq[c];
        }
    }
}

/* a, b of every channel from the set's sums S, Q (over all its rows). */
static void coefficients(const gn_job *j, const gn_scratch *s)
{
    const double count = (double)(j->rows * j->Cg);
    for (int64_t g = 0; g < j->G; g++) {
        double sum = 0, sq = 0;
        for (int64_t c = g * j->Cg; c < (g + 1) * j->Cg; c++) {
            sum += s->S[c];
            sq += s->Q[c];
        }
        const double mean_d = sum / count;            /* mean - shift */
        double var = sq / count - mean_d * mean_d;    /* small: d is centred near 0 */
        var = var > 0 ? var : 0;
        const double rstd = 1.0 / sqrt(var + j->eps);
        for (int64_t c = g * j->Cg; c < (g + 1) * j->Cg; c++) {
            const double a = rstd * (double)j->gamma[c];
            s->a[c] = (float)a;
            s->b[c] = (float)((double)j->beta[c] - mean_d * a);
        }
    }
}

VDK_INLINE vf norm_vec(bool silu, const gn_scratch *s, int64_t c, vf x)
{
    vf v = vf_fma(vf_sub(x, vf_load(s->sh + c)), vf_load(s->a + c), vf_load(s->b + c));
    return silu ? vf_silu(v) : v;
}

/* y = act((x - sh) * a + b) over rows [i0, i1) of the set, last row first. */
VDK_INLINE void set_normalise(vdk_dtype dt, bool silu, const gn_job *j, const gn_scratch *s,
                              int64_t set, int64_t i0, int64_t i1)
{
    const size_t es = vdk_dtype_size(dt);
    const int64_t C = j->C;
    if (i1 <= i0)
        return;
    gn_cursor cur = cursor_at(j, set, i1 - 1);
    for (int64_t i = i1 - 1; i >= i0; i--, cursor_prev(&cur)) {
        const char *x = j->x + cursor_offset(&cur, &j->gx) * (int64_t)es;
        char *y = j->y + cursor_offset(&cur, &j->gy) * (int64_t)es;
        int64_t c = 0;
        for (; c + VW <= C; c += VW)
            vdt_store(dt, y, c, norm_vec(silu, s, c, vdt_load(dt, x, c)));
        if (c < C) {
            const int n = (int)(C - c);
            vdt_store_n(dt, y, c, norm_vec(silu, s, c, vdt_load_n(dt, x, c, n)), n);
        }
    }
}

VDK_INLINE void run(vdk_dtype dt, bool silu, const gn_job *j, gn_scratch *scratch,
                    double *parts, int team)
{
#pragma omp parallel num_threads(team)
    {
        const int nth = vdk_cpu_team_size(), tid = vdk_cpu_thread_id();
        gn_scratch *s = &scratch[tid];
        const int64_t whole = j->sets / nth * nth;
        for (int64_t set = tid; set < whole; set += nth) {
            load_shift(dt, j, s, set);
            set_sums(dt, j, s, set, 0, j->rows);
            coefficients(j, s);
            set_normalise(dt, silu, j, s, set, 0, j->rows);
        }
        /* The rest, every thread on a share of each set's rows (whole chunks). */
        const int64_t chunks = (j->rows + GN_CHUNK - 1) / GN_CHUNK;
        for (int64_t set = whole; set < j->sets; set++) {
            /* two alternating part buffers: a thread may start the next set's
             * sums while another still reads this set's parts */
            double *mine = parts + (((set & 1) * nth + tid) * 2 * j->C);
            int64_t b, e;
            vdk_cpu_split(chunks, nth, tid, &b, &e);
            b *= GN_CHUNK;
            e = e * GN_CHUNK < j->rows ? e * GN_CHUNK : j->rows;
            load_shift(dt, j, s, set);
            set_sums(dt, j, s, set, b, e > b ? e : b);
            memcpy(mine, s->S, (size_t)j->C * sizeof *s->S);
            memcpy(mine + j->C, s->Q, (size_t)j->C * sizeof *s->Q);
#pragma omp barrier
            const double *all = parts + (set & 1) * nth * 2 * j->C;
            for (int64_t c = 0; c < j->C; c++) {
                double sum = 0, sq = 0;
                for (int k = 0; k < nth; k++) {
                    sum += all[k * 2 * j->C + c];
                    sq += all[k * 2 * j->C + j->C + c];
                }
                s->S[c] = sum;
                s->Q[c] = sq;
            }
            coefficients(j, s);
            set_normalise(dt, silu, j, s, set, b, e);
        }
    }
}

/* A [Cp] f32 copy of an optional per-channel tensor; `fill` where absent. */
static void per_channel(const vdk_tensor *t, float fill, int64_t C, int64_t Cp, float *out)
{
    for (int64_t c = 0; c < Cp; c++)
        out[c] = fill;
    if (!t)
        return;
    const void *p = vdk_cpu_data(t);
    for (int64_t c = 0; c < C; c++)
        out[c] = (float)vdk_load_element(t->dtype, p, c * t->stride[0]);
}

vdk_status VDK_K(group_norm)(vdk_context *ctx, const vdk_group_norm_params *p, const vdk_tensor *x,
                             const vdk_tensor *gamma, const vdk_tensor *beta, vdk_tensor *y)
{
    static const char *const names[] = VDK_KNAMES("group_norm");
    const size_t es = vdk_dtype_size(x->dtype);
    const int64_t numel = vdk_numel_of(x->rank, x->shape);
    const int team = vdk_cpu_team_for(ctx, 2 * numel * (int64_t)es);

    gn_job j = {.x = vdk_cpu_data(x), .y = vdk_cpu_data(y), .gx = geom_of(x), .gy = geom_of(y)};
    j.T = x->shape[1];
    j.HW = x->shape[2] * x->shape[3];
    j.C = x->shape[4];
    j.Cp = (j.C + VW - 1) / VW * VW;
    j.G = p->groups;
    j.Cg = j.C / j.G;
    j.F = p->scope == VDK_NORM_PER_CLIP ? j.T : 1;
    j.sets = x->shape[0] * j.T / j.F;
    j.rows = j.F * j.HW;
    j.eps = (double)p->eps;

    /* gamma and beta; the two-deep part buffers (f64); per thread fs, fq, sh,
     * a, b (f32) and S, Q (f64); the threads' scratch descriptors. Every array
     * starts on a 64-byte boundary. */
    const size_t fbytes = ((size_t)j.Cp * sizeof(float) + 63) / 64 * 64;
    const size_t dbytes = ((size_t)j.C * sizeof(double) + 63) / 64 * 64;
    const size_t per_thread = 5 * fbytes + 2 * dbytes;
    const size_t bytes =
        2 * fbytes + (size_t)team * (per_thread + 4 * dbytes) + (size_t)team * sizeof(gn_scratch);
    char *mem = vdk_cpu_alloc(bytes);
    if (!mem)
        return vdk_cpu_oom(ctx, "vdk_group_norm", bytes);
    memset(mem, 0, bytes); /* padding lanes of sh, a, b stay 0 */
    float *gb = (float *)mem;
    per_channel(gamma, 1.0f, j.C, j.Cp, gb);
    per_channel(beta, 0.0f, j.C, j.Cp, gb + j.Cp);
    j.gamma = gb;
    j.beta = gb + j.Cp;
    char *q = mem + 2 * fbytes;
    double *parts = (double *)q;
    q += (size_t)team * 4 * dbytes;
    gn_scratch *scratch = (gn_scratch *)(q + (size_t)team * per_thread);
    for (int t = 0; t < team; t++, q += per_thread) {
        scratch[t] = (gn_scratch){(float *)q, (float *)(q + fbytes), (float *)(q + 2 * fbytes),
                                  (float *)(q + 3 * fbytes), (float *)(q + 4 * fbytes),
                                  (double *)(q + 5 * fbytes), (double *)(q + 5 * fbytes + dbytes)};
    }

    if (p->act == VDK_ACT_SILU)
        VDK_DTYPE_DISPATCH(x->dtype, run(DT, true, &j, scratch, parts, team));
    else
        VDK_DTYPE_DISPATCH(x->dtype, run(DT, false, &j, scratch, parts, team));
    vdk_cpu_free(mem);
    ctx->last_kernel = names[x->dtype];
    return VDK_OK;
}

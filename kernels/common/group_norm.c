/* vdk_group_norm on the CPU, channels-last [N, T, H, W, C].
 *
 * A "set" is what one statistic covers: one frame (per frame) or the T frames
 * of one batch item (per clip); its "rows" are its pixels, each a contiguous
 * run of C channels holding every group. So the statistics of all G groups of
 * a set come from one stream over its rows that accumulates per-channel sums as
 * vectors (reduced per group at the end), and a second stream writes
 * y = act((x - shift) * a[c] + b[c]). Each element is read twice (the second
 * time from L3, or L2 where a thread's set fits) and written once.
 *
 * Pipelining: a thread with several sets streams the sums of its next set in
 * the same row loop that normalises the current one. The normalisation with
 * SiLU is bound by arithmetic (an exp and a division per element) and the sums
 * by memory, so together they overlap instead of taking turns.
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

/* What normalises one set: y = act((x - sh) * a + b), per channel, [Cp] each
 * with 0 in the padding. */
typedef struct gn_coef {
    float *sh, *a, *b;
} gn_coef;

/* One thread's scratch. */
typedef struct gn_scratch {
    float *fs, *fq;    /* f32 partial sums of d and d^2 over the current chunk, [Cp] */
    double *S, *Q;     /* sums over every chunk so far, [C] */
    gn_coef coef[2];   /* the set being normalised and the one being summed */
} gn_scratch;

/* The rows of a set, walked without a division per row. A set never spans
 * two batch items: a frame, or the T frames of one item. */
typedef struct gn_cursor {
    int64_t HW;
    int64_t n, t0; /* batch item and first frame of the set */
    int64_t f, p;  /* frame within the set, pixel within the frame */
} gn_cursor;

static inline gn_cursor cursor_at(const gn_job *j, int64_t set, int64_t i)
{
    const int64_t first = set * j->F; /* n * T + t of the set's first frame */
    return (gn_cursor){j->HW, first / j->T, first % j->T, i / j->HW, i % j->HW};
}

static inline int64_t cursor_offset(const gn_cursor *c, const gn_geom *g)
{
    return c->n * g->s0 + (c->t0 + c->f) * g->s1 + pixel_offset(g, c->p);
}

static inline void cursor_next(gn_cursor *c)
{
    if (++c->p == c->HW) {
        c->p = 0;
        c->f++;
    }
}

/* The shift of every channel: the first element of its group in the set. */
VDK_INLINE void load_shift(vdk_dtype dt, const gn_job *j, float *sh, int64_t set)
{
    const gn_cursor first = cursor_at(j, set, 0);
    const char *row = j->x + cursor_offset(&first, &j->gx) * (int64_t)vdk_dtype_size(dt);
    for (int64_t g = 0; g < j->G; g++) {
        const float v = vdt_load1(dt, row, g * j->Cg);
        for (int64_t c = g * j->Cg; c < (g + 1) * j->Cg; c++)
            sh[c] = v;
    }
}

/* fs += d, fq += d^2 with d = x - sh over one row. Padding lanes load 0 and
 * have sh 0, so they add nothing. The arrays come as locals: a store through
 * a vector type may alias anything, and a pointer read from a struct would be
 * reloaded after every store. (One row at a time: pairing rows, to halve the
 * accumulator traffic, measured no faster.) */
VDK_INLINE void sum_row(vdk_dtype dt, int64_t C, const float *sh, float *fs, float *fq,
                        const void *x)
{
    int64_t c = 0;
    for (; c + VW <= C; c += VW) {
        vf d = vf_sub(vdt_load(dt, x, c), vf_load(sh + c));
        vf_store(fs + c, vf_add(vf_load(fs + c), d));
        vf_store(fq + c, vf_fma(d, d, vf_load(fq + c)));
    }
    if (c < C) {
        vf d = vf_sub(vdt_load_n(dt, x, c, (int)(C - c)), vf_load(sh + c));
        vf_store(fs + c, vf_add(vf_load(fs + c), d));
        vf_store(fq + c, vf_fma(d, d, vf_load(fq + c)));
    }
}

VDK_INLINE vf norm_vec(bool silu, const float *sh, const float *a, const float *b, int64_t c,
                       vf x)
{
    vf v = vf_fma(vf_sub(x, vf_load(sh + c)), vf_load(a + c), vf_load(b + c));
    return silu ? vf_silu(v) : v;
}

VDK_INLINE void norm_row(vdk_dtype dt, bool silu, int64_t C, const gn_coef *k, const void *x,
                         void *y)
{
    const float *sh = k->sh, *a = k->a, *b = k->b;
    int64_t c = 0;
    for (; c + VW <= C; c += VW)
        vdt_store(dt, y, c, norm_vec(silu, sh, a, b, c, vdt_load(dt, x, c)));
    if (c < C) {
        const int n = (int)(C - c);
        vdt_store_n(dt, y, c, norm_vec(silu, sh, a, b, c, vdt_load_n(dt, x, c, n)), n);
    }
}

/* The row loop of a thread over rows [i0, i1): sums of set `sum_set` (shift
 * sh; skipped when < 0) into S, Q, and normalisation of set `norm_set` with k
 * (skipped when < 0). Both sets have the same rows, so one loop walks both. */
VDK_INLINE void stream(vdk_dtype dt, bool silu, const gn_job *j, const gn_scratch *s,
                       int64_t sum_set, const float *sh, int64_t norm_set, const gn_coef *k,
                       int64_t i0, int64_t i1)
{
    const size_t es = vdk_dtype_size(dt);
    const int64_t C = j->C;
    float *fs = s->fs, *fq = s->fq;
    double *S = s->S, *Q = s->Q;
    memset(S, 0, (size_t)C * sizeof *S);
    memset(Q, 0, (size_t)C * sizeof *Q);
    gn_cursor sc = cursor_at(j, sum_set < 0 ? 0 : sum_set, i0);
    gn_cursor nc = cursor_at(j, norm_set < 0 ? 0 : norm_set, i0);
    for (int64_t i = i0; i < i1;) {
        const int64_t next = (i / GN_CHUNK + 1) * GN_CHUNK, end = next < i1 ? next : i1;
        if (sum_set >= 0) {
            memset(fs, 0, (size_t)j->Cp * sizeof *fs);
            memset(fq, 0, (size_t)j->Cp * sizeof *fq);
        }
        for (; i < end; i++) {
            if (sum_set >= 0) {
                sum_row(dt, C, sh, fs, fq, j->x + cursor_offset(&sc, &j->gx) * (int64_t)es);
                cursor_next(&sc);
            }
            if (norm_set >= 0) {
                norm_row(dt, silu, C, k, j->x + cursor_offset(&nc, &j->gx) * (int64_t)es,
                         j->y + cursor_offset(&nc, &j->gy) * (int64_t)es);
                cursor_next(&nc);
            }
        }
        if (sum_set >= 0)
            for (int64_t c = 0; c < C; c++) {
                S[c] += fs[c];
                Q[c] += fq[c];
            }
    }
}

/* k->a, k->b from the sums S, Q over all rows of a set shifted by k->sh. */
static void coefficients(const gn_job *j, const double *S, const double *Q, const gn_coef *k)
{
    const double count = (double)(j->rows * j->Cg);
    for (int64_t g = 0; g < j->G; g++) {
        double sum = 0, sq = 0;
        for (int64_t c = g * j->Cg; c < (g + 1) * j->Cg; c++) {
            sum += S[c];
            sq += Q[c];
        }
        const double mean_d = sum / count;         /* mean - shift */
        double var = sq / count - mean_d * mean_d; /* no cancellation: d is centred near 0 */
        var = var > 0 ? var : 0;
        const double rstd = 1.0 / sqrt(var + j->eps);
        for (int64_t c = g * j->Cg; c < (g + 1) * j->Cg; c++) {
            const double a = rstd * (double)j->gamma[c];
            k->a[c] = (float)a;
            k->b[c] = (float)((double)j->beta[c] - mean_d * a);
        }
    }
}

/* One thread's share: its whole sets, pipelined (the sums of each set ride
 * along with the normalisation of the one before), then its rows of the sets
 * left over. */
VDK_INLINE void thread_work(vdk_dtype dt, bool silu, const gn_job *j, gn_scratch *scratch,
                            double *parts)
{
    const int nth = vdk_cpu_team_size(), tid = vdk_cpu_thread_id();
    gn_scratch *s = &scratch[tid];
    const int64_t whole = j->sets / nth * nth;
    int cur = 0; /* s->coef[cur] normalises the set before `set` */
    for (int64_t set = tid; set < whole + nth; set += nth) {
        const bool have = set < whole, had = set - nth >= 0 && set - nth < whole;
        if (!have && !had)
            break;
        if (have)
            load_shift(dt, j, s->coef[!cur].sh, set);
        stream(dt, silu, j, s, have ? set : -1, s->coef[!cur].sh, had ? set - nth : -1,
               &s->coef[cur], 0, j->rows);
        if (have)
            coefficients(j, s->S, s->Q, &s->coef[!cur]);
        cur = !cur;
    }

    /* The rest, every thread on a share of each set's rows (whole chunks). */
    const int64_t chunks = (j->rows + GN_CHUNK - 1) / GN_CHUNK;
    const gn_coef *k = &s->coef[0];
    for (int64_t set = whole; set < j->sets; set++) {
        /* two alternating part buffers: a thread may start the next set's sums
         * while another still reads this set's parts */
        double *mine = parts + ((set & 1) * nth + tid) * 2 * j->C;
        int64_t b, e;
        vdk_cpu_split(chunks, nth, tid, &b, &e);
        b *= GN_CHUNK;
        e = e * GN_CHUNK < j->rows ? e * GN_CHUNK : j->rows;
        b = b < e ? b : e;
        load_shift(dt, j, k->sh, set);
        stream(dt, silu, j, s, set, k->sh, -1, k, b, e);
        memcpy(mine, s->S, (size_t)j->C * sizeof *s->S);
        memcpy(mine + j->C, s->Q, (size_t)j->C * sizeof *s->Q);
#pragma omp barrier
        const double *all = parts + (set & 1) * nth * 2 * j->C;
        for (int64_t c = 0; c < j->C; c++) {
            double sum = 0, sq = 0;
            for (int t = 0; t < nth; t++) {
                sum += all[t * 2 * j->C + c];
                sq += all[t * 2 * j->C + j->C + c];
            }
            s->S[c] = sum;
            s->Q[c] = sq;
        }
        coefficients(j, s->S, s->Q, k);
        stream(dt, silu, j, s, -1, k->sh, set, k, b, e);
    }
}

/* The parallel region is entered once and specialised inside it, so that the
 * outlined body of each dtype and activation is compiled with them constant. */
static void run(const gn_job *j, vdk_dtype dt, bool silu, gn_scratch *scratch, double *parts,
                int team)
{
    (void)team; /* unused without OpenMP */
#pragma omp parallel num_threads(team)
    {
        if (silu)
            VDK_DTYPE_DISPATCH(dt, thread_work(DT, true, j, scratch, parts));
        else
            VDK_DTYPE_DISPATCH(dt, thread_work(DT, false, j, scratch, parts));
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

    /* gamma and beta; the two-deep part buffers (f64); per thread fs, fq and
     * two sh, a, b (f32), S, Q (f64); the threads' scratch descriptors. Every
     * array starts on a 64-byte boundary. */
    const size_t fbytes = ((size_t)j.Cp * sizeof(float) + 63) / 64 * 64;
    const size_t dbytes = ((size_t)j.C * sizeof(double) + 63) / 64 * 64;
    const size_t per_thread = 8 * fbytes + 2 * dbytes;
    const size_t bytes =
        2 * fbytes + (size_t)team * (4 * dbytes + per_thread + sizeof(gn_scratch));
    char *mem = vdk_cpu_alloc(bytes);
    if (!mem)
        return vdk_cpu_oom(ctx, "vdk_group_norm", bytes);
    memset(mem, 0, bytes); /* the padding lanes of sh, a, b stay 0 */
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
        float *f[8];
        for (int i = 0; i < 8; i++)
            f[i] = (float *)(q + (size_t)i * fbytes);
        scratch[t] = (gn_scratch){f[0], f[1], (double *)(q + 8 * fbytes),
                                  (double *)(q + 8 * fbytes + dbytes),
                                  {{f[2], f[3], f[4]}, {f[5], f[6], f[7]}}};
    }

    run(&j, x->dtype, p->act == VDK_ACT_SILU, scratch, parts, team);
    vdk_cpu_free(mem, bytes);
    ctx->last_kernel = names[x->dtype];
    return VDK_OK;
}

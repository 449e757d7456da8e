/* Lumiere's configurations and parameter table (pipelines/lumiere/): the
 * presets and their checks, the table against tools/lumiere_torch.py's
 * state_dict (tests/golden/lumiere_tiny.names and lumiere_ssr_tiny.names,
 * name by name and shape by shape, in order), the parameters per kind against
 * the FLOP calculator of PIPELINES.md §2 for all five presets (the SSR's
 * against §2.4's "1.21 B", its 2-D part against "0.89 B"), shapes at spot
 * checks, and the golden's seeded weights against vdk's generator. */
#include "vt_params.h"

#include "common/weights.h"
#include "lumiere/params.h"

#include <stdlib.h>
#include <string.h>

/* The totals; tools/lumiere_torch.py asserts the same for its modules. Each is
 * the calculator's count (lumiere_flops.py: 2,600,388,611 and 2,627,080,707;
 * 183,811 for tiny) with its norms and the time MLP replaced by what the table
 * holds (see the kinds below). */
#define PARAMS_A 2605706243LL
#define PARAMS_B 2631868419LL
#define PARAMS_TINY 185587LL
/* The SSR (PIPELINES.md §2.4): the calculator's 1,214,855,555 ("with inflation
 * 1.21 B") and its 2-D part 889,097,475 ("0.89 B"), both with the same
 * replacements; 194,635 for the tiny SSR. */
#define PARAMS_SSR 1219298691LL
#define PARAMS_SSR_2D 893478403LL
#define PARAMS_SSR_TINY 195739LL

static vdk_param_table table_of(vdk_lumiere_preset preset)
{
    vdk_lumiere_config c;
    vdk_param_table t;
    vdk_param_table_init(&t);
    VT_CHECK(vdk_lumiere_config_preset(preset, &c) == VDK_OK, "preset %d", (int)preset);
    vdk_status st = vdk_lumiere_params(&c, &t);
    VT_CHECK(st == VDK_OK, "preset %d: %s: %s", (int)preset, vdk_status_string(st), t.error);
    return t;
}

/* ---- parameters per kind against the calculator ----
 * tools/lumiere_calc_params.py files each count of lumiere_flops.py under a
 * kind; a table name takes the first rule it contains. The calculator has no
 * time MLP and no norms but the resblocks' two GroupNorms, which it counts as
 * 4*cin + 4*cout (twice their weight and bias): so "res_norm" must be half its
 * figure, and "time_mlp" and "other_norm" (LayerNorm, RMSNorm, the output
 * GroupNorm) are the table's own, checked through the totals. */
typedef struct rule {
    const char *pattern, *kind;
} rule;
static const rule rules[] = {
    {"time_embedding.", "time_mlp"},
    {"temporal_downsample.", "temporal_resample"},
    {"temporal_upsample.", "temporal_resample"},
    {".resnet.conv_shortcut.", "res_shortcut"},
    {".resnet.time_emb_proj.", "temb_proj"},
    {".resnet.conv", "res_conv"},
    {".conv_inflation.spatial_conv.", "infl_spatial_conv"},
    {".conv_inflation.temporal_conv.", "infl_temporal_conv"},
    {"_inflation.proj_out.", "infl_proj"},
    {".attn_inflation.layers.", "temporal_attn"},
    {".attention.attn", "spatial_attn"},
    {".attention.ff.", "ffn"},
    {"conv_in.", "conv_in"},
    {"conv_out.", "conv_out"},
    {".downsample.conv.", "downsample"},
    {".upsample.conv.", "upsample"},
};
enum { NKINDS = 18 };
static const char *const kind_names[NKINDS] = {"conv_in",
                                               "conv_out",
                                               "downsample",
                                               "ffn",
                                               "infl_proj",
                                               "infl_spatial_conv",
                                               "infl_temporal_conv",
                                               "res_conv",
                                               "res_norm",
                                               "res_shortcut",
                                               "spatial_attn",
                                               "temb_proj",
                                               "temporal_attn",
                                               "temporal_resample",
                                               "upsample",
                                               "time_mlp",
                                               "other_norm",
                                               "?"};

static int kind_index(const vdk_param *p)
{
    const char *kind = "?";
    if (p->role == VDK_ROLE_NORM_WEIGHT || p->role == VDK_ROLE_NORM_BIAS)
        kind = strstr(p->name, ".resnet.norm") ? "res_norm" : "other_norm";
    else
        for (size_t r = 0; r < sizeof rules / sizeof rules[0]; r++)
            if (strstr(p->name, rules[r].pattern)) {
                kind = rules[r].kind;
                break;
            }
    for (int k = 0; k < NKINDS; k++)
        if (!strcmp(kind_names[k], kind))
            return k;
    return NKINDS - 1;
}

/* want: the calculator's figures for kinds 0..14 in kind_names' order (res_norm
 * the calculator's doubled figure), then the table's own time_mlp and other_norm. */
static void check_kinds(vdk_lumiere_preset preset, const long long want[NKINDS - 1],
                        long long total, const char *what)
{
    vdk_param_table t = table_of(preset);
    vp_check_table(&t, what);
    long long got[NKINDS] = {0};
    for (size_t i = 0; i < t.count; i++) {
        int k = kind_index(&t.items[i]);
        VT_CHECK(k != NKINDS - 1, "%s: %s is of no kind", what, t.items[i].name);
        got[k] += t.items[i].count;
    }
    for (int k = 0; k < NKINDS - 1; k++) {
        long long g = !strcmp(kind_names[k], "res_norm") ? 2 * got[k] : got[k];
        VT_CHECK(g == want[k], "%s: %s: %lld parameters%s, the calculator %lld", what,
                 kind_names[k], g, !strcmp(kind_names[k], "res_norm") ? " (doubled)" : "", want[k]);
    }
    VT_CHECK(t.total == total, "%s: %lld parameters, expected %lld", what, (long long)t.total,
             total);
    vdk_param_table_free(&t);
}

static void test_kinds(void)
{
    /* From tools/lumiere_calc_params.py, except the last two. time_mlp is
     * sinusoid*temb + temb + temb*temb + temb. other_norm: 3 LayerNorms x 2 x C
     * per transformer, 2 RMSNorms x C per conv inflation, depth RMSNorms x C per
     * temporal attention inflation, 2 x C0 for the output GroupNorm, counted by
     * hand per preset (the widths of the transformers, conv inflations, and
     * attention inflations sum to): A 34304, 7 x 3072, 9 x 2048; B 34304,
     * 7 x 3328, 9 x 2048; tiny 5 x 16 + 4 x 24, 3 x 8 + 5 x 16, 5 x 2 x 24. */
    static const long long a[NKINDS - 1] = {14336,
                                            13827,
                                            33033216,
                                            229638144,
                                            63478784,
                                            231232512,
                                            77091840,
                                            1396783104,
                                            395264,
                                            67396096,
                                            197656576,
                                            163657728,
                                            37748736,
                                            33824256,
                                            68424192,
                                            512LL * 2048 + 2048 + 2048LL * 2048 + 2048,
                                            6 * 34304 + 2 * 7 * 3072 + 9 * 2048 + 2 * 512};
    static const long long b[NKINDS - 1] = {7168,
                                            6915,
                                            33623296,
                                            229638144,
                                            63939328,
                                            235363072,
                                            78469888,
                                            1405634048,
                                            412672,
                                            67987456,
                                            197656576,
                                            171001344,
                                            37748736,
                                            34808064,
                                            70784000,
                                            256LL * 2048 + 2048 + 2048LL * 2048 + 2048,
                                            6 * 34304 + 2 * 7 * 3328 + 9 * 2048 + 2 * 256};
    static const long long tiny[NKINDS - 1] = {224,
                                               219,
                                               2904,
                                               14336,
                                               4576,
                                               13352,
                                               4520,
                                               93184,
                                               2176,
                                               4632,
                                               10176,
                                               14784,
                                               7680,
                                               3520,
                                               7528,
                                               8 * 32 + 32 + 32 * 32 + 32,
                                               6 * (5 * 16 + 4 * 24) + 2 * (3 * 8 + 5 * 16) +
                                                   5 * 2 * 24 + 2 * 8};
    /* The SSR's other_norm: 2 LayerNorms x 2 x C per cross-attention-only
     * transformer (18 at C = 1024: 8 down, 9 up, 1 mid; tiny: 4 at 24), 2
     * RMSNorms x C per conv inflation (5 x 128, 9 x 256, 17 x 512, 19 x 1024;
     * tiny 3 x 8, 5 x 16, 5 x 24), 2 x C0 for the output GroupNorm. */
    static const long long ssr[NKINDS - 1] = {
        7040,
        3459,
        3097472,
        75497472,
        25082240,
        225491328,
        75184512,
        551252736,
        307200,
        24707968,
        94371840,
        127464192,
        0,
        0,
        12388096,
        128LL * 2048 + 2048 + 2048LL * 2048 + 2048,
        4 * 18 * 1024 + 2 * (5 * 128 + 9 * 256 + 17 * 512 + 19 * 1024) + 2 * 128};
    static const long long ssr_tiny[NKINDS - 1] = {440,
                                                   219,
                                                   2904,
                                                   9216,
                                                   4576,
                                                   39392,
                                                   13280,
                                                   93184,
                                                   2176,
                                                   4632,
                                                   2304,
                                                   14784,
                                                   0,
                                                   0,
                                                   7528,
                                                   8 * 32 + 32 + 32 * 32 + 32,
                                                   4 * 4 * 24 + 2 * (3 * 8 + 5 * 16 + 5 * 24) +
                                                       2 * 8};
    check_kinds(VDK_LUMIERE_PRESET_A, a, PARAMS_A, "lumiere-a");
    check_kinds(VDK_LUMIERE_PRESET_B, b, PARAMS_B, "lumiere-b");
    check_kinds(VDK_LUMIERE_PRESET_TINY, tiny, PARAMS_TINY, "tiny");
    check_kinds(VDK_LUMIERE_PRESET_SSR, ssr, PARAMS_SSR, "lumiere-ssr");
    check_kinds(VDK_LUMIERE_PRESET_SSR_TINY, ssr_tiny, PARAMS_SSR_TINY, "lumiere-ssr-tiny");
}

/* ---- the golden names file: the PyTorch module tree's state_dict ---- */

static void check_names_file(const char *file, vdk_lumiere_preset preset)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", VDK_GOLDEN_DIR, file);
    FILE *f = fopen(path, "r");
    if (!VT_CHECK(f != NULL, "cannot open %s", path))
        return;
    vdk_param_table t = table_of(preset);
    char line[512];
    size_t i = 0;
    int mismatches = 0;
    while (fgets(line, sizeof line, f)) {
        char name[VDK_PARAM_NAME_MAX];
        long long d[6] = {0};
        int got = sscanf(line, "%127s %lld %lld %lld %lld %lld %lld", name, &d[0], &d[1], &d[2],
                         &d[3], &d[4], &d[5]);
        if (!VT_CHECK(got >= 2 && got <= 6, "%s: malformed line %zu: %s", path, i + 1, line))
            break;
        if (i >= t.count) {
            VT_CHECK(0, "%s: line %zu (%s) is past the table's %zu tensors", path, i + 1, name,
                     t.count);
            break;
        }
        const vdk_param *p = &t.items[i];
        int same = strcmp(p->name, name) == 0 && p->torch_rank == got - 1;
        for (int a = 0; same && a < p->torch_rank; a++)
            same = p->torch_shape[a] == d[a];
        if (!same && mismatches++ < 5)
            VT_CHECK(0, "tensor %zu: table has %s (rank %d, [%lld, ...]), the module tree %s", i,
                     p->name, p->torch_rank, (long long)p->torch_shape[0], line);
        i++;
    }
    fclose(f);
    VT_CHECK(mismatches == 0, "%d tensors differ from %s", mismatches, path);
    VT_CHECK(i == t.count, "%s lists %zu tensors, the table %zu", path, i, t.count);
    vdk_param_table_free(&t);
}

static void test_names_file(void)
{
    check_names_file("lumiere_tiny.names", VDK_LUMIERE_PRESET_TINY);
    check_names_file("lumiere_ssr_tiny.names", VDK_LUMIERE_PRESET_SSR_TINY);
}

/* ---- the golden's weights are vdk's seeded generator's ---- */

static void test_golden_weights(void)
{
    vt_golden_file g = vt_golden_load("lumiere_tiny");
    vdk_param_table t = table_of(VDK_LUMIERE_PRESET_TINY);
    const vt_golden_case *w = NULL, *fwd = NULL;
    for (int i = 0; i < g.ncases; i++) {
        if (!strcmp(g.cases[i].name, "weights"))
            w = &g.cases[i];
        if (!strcmp(g.cases[i].name, "forward"))
            fwd = &g.cases[i];
    }
    if (VT_CHECK(w && w->ntensors >= 4, "lumiere_tiny.vgold has a 'weights' case")) {
        const uint64_t seed = (uint64_t)vt_golden_param(w, "seed");
        for (int i = 0; i < w->ntensors; i++) {
            const vt_golden_tensor *s = &w->tensors[i];
            const char *name = NULL;
            for (int k = 0; k < w->nparams; k++)
                if (!strcmp(w->keys[k], s->name))
                    name = w->values[k];
            const vdk_param *p = name ? vdk_param_table_find(&t, name) : NULL;
            if (!VT_CHECK(p != NULL, "weights sample %s names %s, not in the table", s->name,
                          name ? name : "nothing"))
                continue;
            float *v = malloc((size_t)p->count * sizeof *v);
            if (!v)
                vt_fatal("out of memory");
            vdk_weights_generate(p, seed, v);
            int64_t bad = 0;
            for (int64_t j = 0; j < s->numel && j < p->count; j++)
                bad += (double)v[j] != s->data[j];
            VT_CHECK(bad == 0 && s->numel <= p->count,
                     "%s: %lld of %lld values differ from vdk_weights_generate (first: %.9g vs "
                     "%.9g)",
                     p->name, (long long)bad, (long long)s->numel, (double)v[0], s->data[0]);
            free(v);
        }
    }
    /* The forward case is sized by the tiny preset's default clip. */
    vdk_lumiere_config c;
    vdk_lumiere_config_preset(VDK_LUMIERE_PRESET_TINY, &c);
    if (VT_CHECK(fwd != NULL, "lumiere_tiny.vgold has a 'forward' case")) {
        const vt_golden_tensor *x = vt_golden_get(fwd, "x"), *o = vt_golden_get(fwd, "out"),
                               *ctx = vt_golden_get(fwd, "context"),
                               *ts = vt_golden_get(fwd, "timesteps");
        VT_CHECK(x && x->rank == 5 && x->shape[1] == c.num_frames && x->shape[2] == c.height &&
                     x->shape[3] == c.width && x->shape[4] == c.in_channels,
                 "x is [N, %d, %d, %d, %d]", c.num_frames, c.height, c.width, c.in_channels);
        VT_CHECK(o && x && o->rank == 5 && o->shape[0] == x->shape[0] &&
                     o->shape[4] == c.out_channels &&
                     o->numel / c.out_channels == x->numel / c.in_channels,
                 "out is x's shape with %d channels", c.out_channels);
        VT_CHECK(ctx && x && ctx->rank == 3 && ctx->shape[0] == x->shape[0] &&
                     ctx->shape[1] == c.text_length && ctx->shape[2] == c.cross_attention_dim,
                 "context is [N, %d, %d]", c.text_length, c.cross_attention_dim);
        VT_CHECK(ts && x && ts->rank == 1 && ts->shape[0] == x->shape[0], "timesteps is [N]");
    }
    vdk_param_table_free(&t);
    vt_golden_free(&g);
}

/* ---- LUM-REF-A at spot checks (PIPELINES.md §2.2 shapes table) ---- */

static void test_ref_a(void)
{
    vdk_param_table t = table_of(VDK_LUMIERE_PRESET_A);
    VP_EXPECT(&t, "time_embedding.linear_1.weight", 2048, 512);
    VP_EXPECT(&t, "time_embedding.linear_2.weight", 2048, 2048);
    VP_EXPECT(&t, "conv_in.weight", 512, 3, 3, 3);
    VP_EXPECT(&t, "down_blocks.0.layers.0.resnet.time_emb_proj.weight", 1024, 2048);
    VP_EXPECT(&t, "down_blocks.0.layers.2.conv_inflation.spatial_conv.weight", 512, 512, 3, 3);
    VP_EXPECT(&t, "down_blocks.0.layers.2.conv_inflation.spatial_norm.weight", 512);
    vp_expect_absent(&t, "down_blocks.0.layers.2.conv_inflation.spatial_norm.bias");
    VP_EXPECT(&t, "down_blocks.0.layers.2.conv_inflation.temporal_conv.weight", 512, 512, 3, 1, 1);
    VP_EXPECT(&t, "down_blocks.0.layers.2.conv_inflation.proj_out.weight", 512, 512);
    VP_EXPECT(&t, "down_blocks.0.layers.2.conv_inflation.proj_out.bias", 512);
    vp_expect_absent(&t, "down_blocks.0.layers.0.attention.norm1.weight");
    VP_EXPECT(&t, "down_blocks.0.downsample.conv.weight", 512, 512, 3, 3);
    VP_EXPECT(&t, "down_blocks.0.temporal_downsample.conv.weight", 512, 512, 3, 1, 1);
    VP_EXPECT(&t, "down_blocks.1.layers.0.resnet.conv1.weight", 1024, 512, 3, 3);
    VP_EXPECT(&t, "down_blocks.1.layers.0.resnet.conv_shortcut.weight", 1024, 512, 1, 1);
    vp_expect_absent(&t, "down_blocks.1.layers.1.resnet.conv_shortcut.weight");
    VP_EXPECT(&t, "down_blocks.1.layers.0.attention.attn1.to_q.weight", 512, 1024);
    vp_expect_absent(&t, "down_blocks.1.layers.0.attention.attn1.to_q.bias");
    VP_EXPECT(&t, "down_blocks.1.layers.0.attention.attn1.to_out.weight", 1024, 512);
    VP_EXPECT(&t, "down_blocks.1.layers.0.attention.attn2.to_k.weight", 512, 4096);
    VP_EXPECT(&t, "down_blocks.1.layers.0.attention.ff.proj_in.weight", 2048, 1024);
    VP_EXPECT(&t, "down_blocks.1.layers.0.attention.ff.proj_out.weight", 1024, 2048);
    VP_EXPECT(&t, "down_blocks.3.layers.2.attn_inflation.layers.0.norm.weight", 2048);
    VP_EXPECT(&t, "down_blocks.3.layers.2.attn_inflation.layers.0.attn.to_v.weight", 512, 2048);
    VP_EXPECT(&t, "down_blocks.3.layers.2.attn_inflation.proj_out.weight", 2048, 2048);
    vp_expect_absent(&t, "down_blocks.3.layers.2.attn_inflation.layers.1.norm.weight");
    vp_expect_absent(&t, "down_blocks.3.layers.0.conv_inflation.proj_out.weight");
    vp_expect_absent(&t, "down_blocks.3.downsample.conv.weight");
    VP_EXPECT(&t, "mid_block.layers.0.attention.attn1.to_q.weight", 512, 2048);
    VP_EXPECT(&t, "mid_block.layers.1.attn_inflation.proj_out.weight", 2048, 2048);
    vp_expect_absent(&t, "mid_block.layers.1.attention.norm1.weight");
    /* Up resblock inputs: 4096 x 3, 3584; 3584, 3072 x 2, 2560; ...; 1536, 1024 x 3. */
    VP_EXPECT(&t, "up_blocks.0.layers.0.resnet.conv1.weight", 2048, 4096, 3, 3);
    VP_EXPECT(&t, "up_blocks.0.layers.3.resnet.conv1.weight", 2048, 3584, 3, 3);
    VP_EXPECT(&t, "up_blocks.0.layers.3.attn_inflation.proj_out.bias", 2048);
    VP_EXPECT(&t, "up_blocks.0.upsample.conv.weight", 2048, 2048, 3, 3);
    VP_EXPECT(&t, "up_blocks.0.temporal_upsample.conv.weight", 2048, 2048, 3, 1, 1);
    VP_EXPECT(&t, "up_blocks.1.layers.0.resnet.conv1.weight", 1536, 3584, 3, 3);
    VP_EXPECT(&t, "up_blocks.1.layers.3.resnet.conv_shortcut.weight", 1536, 2560, 1, 1);
    VP_EXPECT(&t, "up_blocks.1.layers.3.conv_inflation.temporal_conv.weight", 1536, 1536, 3, 1, 1);
    VP_EXPECT(&t, "up_blocks.2.layers.0.resnet.conv1.weight", 1024, 2560, 3, 3);
    VP_EXPECT(&t, "up_blocks.3.layers.0.resnet.conv1.weight", 512, 1536, 3, 3);
    VP_EXPECT(&t, "up_blocks.3.layers.3.resnet.conv1.weight", 512, 1024, 3, 3);
    vp_expect_absent(&t, "up_blocks.3.layers.4.resnet.conv1.weight");
    vp_expect_absent(&t, "up_blocks.3.upsample.conv.weight");
    VP_EXPECT(&t, "norm_out.weight", 512);
    VP_EXPECT(&t, "conv_out.weight", 3, 512, 3, 3);

    /* vdk layouts of a spatial conv, a temporal conv, a linear. */
    const vdk_param *p = vdk_param_table_find(&t, "conv_in.weight");
    VT_CHECK(p && p->vdk_rank == 5 && p->vdk_shape[0] == 512 && p->vdk_shape[1] == 1 &&
                 p->vdk_shape[4] == 3,
             "conv_in.weight is [512, 1, 3, 3, 3] in vdk's layout");
    p = vdk_param_table_find(&t, "down_blocks.0.temporal_downsample.conv.weight");
    VT_CHECK(p && p->vdk_shape[1] == 3 && p->vdk_shape[2] == 1 && p->vdk_shape[3] == 1,
             "the temporal down conv is [512, 3, 1, 1, 512] in vdk's layout");
    VT_CHECK(strcmp(t.items[0].name, "time_embedding.linear_1.weight") == 0 &&
                 strcmp(t.items[t.count - 1].name, "conv_out.bias") == 0,
             "forward order: %s first, %s last", t.items[0].name, t.items[t.count - 1].name);

    /* 21 conv inflations, 9 temporal attention inflations, 3 + 3 temporal resamplers. */
    int conv = 0, attn = 0, resample = 0;
    for (size_t i = 0; i < t.count; i++) {
        conv += strstr(t.items[i].name, "conv_inflation.proj_out.weight") != NULL;
        attn += strstr(t.items[i].name, "attn_inflation.proj_out.weight") != NULL;
        resample += strstr(t.items[i].name, "sample.conv.weight") != NULL &&
                    strstr(t.items[i].name, "temporal_") != NULL;
    }
    VT_CHECK(conv == 21 && attn == 9 && resample == 6,
             "%d conv inflations (21), %d attention inflations (9), %d temporal resamplers (6)",
             conv, attn, resample);
    vdk_param_table_free(&t);
}

/* ---- SSR-REF at spot checks (PIPELINES.md §2.4) ---- */

static void test_ssr(void)
{
    vdk_param_table t = table_of(VDK_LUMIERE_PRESET_SSR);
    VP_EXPECT(&t, "time_embedding.linear_1.weight", 2048, 128);
    VP_EXPECT(&t, "conv_in.weight", 128, 6, 3, 3);
    VP_EXPECT(&t, "down_blocks.0.layers.1.conv_inflation.temporal_conv.weight", 128, 128, 3, 1, 1);
    vp_expect_absent(&t, "down_blocks.0.layers.2.resnet.conv1.weight");
    VP_EXPECT(&t, "down_blocks.1.layers.0.resnet.conv_shortcut.weight", 256, 128, 1, 1);
    VP_EXPECT(&t, "down_blocks.1.layers.3.conv_inflation.proj_out.weight", 256, 256);
    VP_EXPECT(&t, "down_blocks.2.layers.7.resnet.conv2.weight", 512, 512, 3, 3);
    vp_expect_absent(&t, "down_blocks.2.layers.0.attention.norm2.weight");
    /* The 128^2 level: cross-attention to the text, no self-attention. */
    VP_EXPECT(&t, "down_blocks.3.layers.7.attention.attn2.to_k.weight", 512, 4096);
    VP_EXPECT(&t, "down_blocks.3.layers.0.attention.norm2.weight", 1024);
    VP_EXPECT(&t, "down_blocks.3.layers.0.attention.ff.proj_in.weight", 2048, 1024);
    vp_expect_absent(&t, "down_blocks.3.layers.0.attention.norm1.weight");
    vp_expect_absent(&t, "down_blocks.3.layers.0.attention.attn1.to_q.weight");
    VP_EXPECT(&t, "down_blocks.3.layers.0.conv_inflation.spatial_conv.weight", 1024, 1024, 3, 3);
    vp_expect_absent(&t, "down_blocks.0.temporal_downsample.conv.weight");
    VP_EXPECT(&t, "mid_block.layers.0.attention.attn2.to_q.weight", 512, 1024);
    VP_EXPECT(&t, "mid_block.layers.1.conv_inflation.proj_out.weight", 1024, 1024);
    VP_EXPECT(&t, "up_blocks.0.layers.8.resnet.conv1.weight", 1024, 1536, 3, 3);
    vp_expect_absent(&t, "up_blocks.0.layers.9.resnet.conv1.weight");
    vp_expect_absent(&t, "up_blocks.0.temporal_upsample.conv.weight");
    VP_EXPECT(&t, "up_blocks.3.layers.2.resnet.conv1.weight", 128, 256, 3, 3);
    VP_EXPECT(&t, "conv_out.weight", 3, 128, 3, 3);

    /* 50 conv inflations (one per resblock: 5, 9, 17 and 19 per level, mid
     * included), 18 transformers, all without self-attention; no temporal
     * attention or resampling. The 2-D part (the pre-trained SR U-Net) is
     * everything but the inflation blocks. */
    int conv = 0, cross = 0, self = 0, other_temporal = 0;
    long long inflation = 0;
    for (size_t i = 0; i < t.count; i++) {
        const char *name = t.items[i].name;
        conv += strstr(name, "conv_inflation.proj_out.weight") != NULL;
        cross += strstr(name, "attention.attn2.to_q.weight") != NULL;
        self += strstr(name, "attention.attn1.") != NULL;
        other_temporal += strstr(name, "attn_inflation.") || strstr(name, "temporal_downsample.") ||
                          strstr(name, "temporal_upsample.");
        if (strstr(name, "conv_inflation."))
            inflation += t.items[i].count;
    }
    VT_CHECK(conv == 50 && cross == 18 && self == 0 && other_temporal == 0,
             "%d conv inflations (50), %d cross-attentions (18), %d self-attention tensors, %d "
             "other temporal tensors (0)",
             conv, cross, self, other_temporal);
    VT_CHECK(t.total == PARAMS_SSR && t.total - inflation == PARAMS_SSR_2D,
             "SSR: %lld parameters (%lld), 2-D part %lld (%lld)", (long long)t.total, PARAMS_SSR,
             (long long)(t.total - inflation), PARAMS_SSR_2D);
    vdk_param_table_free(&t);

    /* Its presets: the windows of PIPELINES.md §2.4 over 80 frames, and the
     * conditioning's channels and factor. */
    vdk_lumiere_config c;
    char msg[256] = "";
    VT_CHECK(vdk_lumiere_config_preset(VDK_LUMIERE_PRESET_SSR, &c) == VDK_OK &&
                 vdk_lumiere_config_check(&c, msg, sizeof msg) == VDK_OK,
             "lumiere-ssr is valid: %s", msg);
    VT_CHECK(c.in_channels == 6 && c.out_channels == 3 && c.lowres_channels == 3 &&
                 c.lowres_factor == 8 && c.lowres_resize == VDK_LUMIERE_RESIZE_NEAREST &&
                 c.num_frames == 80 && c.height == 1024 && c.width == 1024 &&
                 c.window_frames == 15 && c.window_overlap == 2 && c.num_windows == 0,
             "lumiere-ssr: 6 -> 3 channels, 128 -> 1024 nearest, 80 frames in windows of 15 "
             "overlapping by 2");
    for (int l = 0; l < c.levels; l++)
        VT_CHECK(c.temporal_block[l] == VDK_LUMIERE_TEMPORAL_CONV && !c.temporal_resample[l] &&
                     c.attention[l] == (l == 3) && c.cross_attention_only[l] == (l == 3),
                 "lumiere-ssr level %d layout", l);
    vdk_lumiere_preset p;
    VT_CHECK(vdk_lumiere_preset_from_name("lumiere-ssr", &p) == VDK_OK &&
                 p == VDK_LUMIERE_PRESET_SSR &&
                 vdk_lumiere_preset_from_name("lumiere-ssr-tiny", &p) == VDK_OK &&
                 p == VDK_LUMIERE_PRESET_SSR_TINY,
             "the SSR presets by name");
}

/* ---- presets, sizes and bad configurations ---- */

static void test_presets(void)
{
    static const struct {
        const char *name;
        vdk_lumiere_preset preset;
        int levels, top_frames, top_size;
    } presets[] = {{"lumiere-a", VDK_LUMIERE_PRESET_A, 4, 10, 16},
                   {"lumiere-b", VDK_LUMIERE_PRESET_B, 5, 5, 8},
                   {"tiny", VDK_LUMIERE_PRESET_TINY, 3, 2, 3}};
    for (size_t i = 0; i < sizeof presets / sizeof presets[0]; i++) {
        vdk_lumiere_preset p;
        vdk_lumiere_config c;
        char msg[256] = "";
        VT_CHECK(vdk_lumiere_preset_from_name(presets[i].name, &p) == VDK_OK &&
                     p == presets[i].preset,
                 "%s by name", presets[i].name);
        VT_CHECK(vdk_lumiere_config_preset(p, &c) == VDK_OK &&
                     vdk_lumiere_config_check(&c, msg, sizeof msg) == VDK_OK,
                 "%s is valid: %s", presets[i].name, msg);
        int t, h;
        vdk_lumiere_level_size(&c, c.levels - 1, c.num_frames, c.height, c.width, &t, &h, NULL);
        VT_CHECK(c.levels == presets[i].levels && t == presets[i].top_frames &&
                     h == presets[i].top_size,
                 "%s: %d levels, coarsest %d frames of height %d", presets[i].name, c.levels, t, h);
        /* [LUM]: temporal attention only at the coarsest level; every spatial
         * resampling has its temporal one. */
        for (int l = 0; l < c.levels; l++)
            VT_CHECK(c.temporal_block[l] == (l == c.levels - 1 ? VDK_LUMIERE_TEMPORAL_ATTENTION
                                                               : VDK_LUMIERE_TEMPORAL_CONV) &&
                         c.temporal_resample[l] == (l < c.levels - 1),
                     "%s level %d temporal layout", presets[i].name, l);
    }
    vdk_lumiere_config c;
    vdk_lumiere_config_preset(VDK_LUMIERE_PRESET_A, &c);
    VT_CHECK(c.num_frames == 80 && c.height == 128 && c.width == 128 && c.in_channels == 3,
             "lumiere-a: 80 frames of 128x128 RGB");
    vdk_lumiere_preset p;
    VT_CHECK(vdk_lumiere_preset_from_name("lumiere", &p) == VDK_ERROR_INVALID_VALUE, "lumiere");
    VT_CHECK(vdk_lumiere_preset_from_name(NULL, &p) == VDK_ERROR_NULL_POINTER, "NULL name");
    VT_CHECK(vdk_lumiere_config_preset((vdk_lumiere_preset)7, &c) == VDK_ERROR_INVALID_VALUE,
             "unknown preset");
    VT_CHECK(vdk_lumiere_config_check(NULL, NULL, 0) == VDK_ERROR_INVALID_VALUE, "NULL config");
}

/* A bad configuration fails the check and the walk with INVALID_VALUE and a
 * message naming the field; the table stays empty. */
static void bad(vdk_lumiere_config c, const char *needle)
{
    char msg[256] = "";
    vdk_status st = vdk_lumiere_config_check(&c, msg, sizeof msg);
    VT_CHECK(st == VDK_ERROR_INVALID_VALUE && strstr(msg, needle), "check (%s): %s, '%s'", needle,
             vdk_status_string(st), msg);
    vdk_param_table t;
    vdk_param_table_init(&t);
    st = vdk_lumiere_params(&c, &t);
    VT_CHECK(st == VDK_ERROR_INVALID_VALUE && t.count == 0 && strstr(t.error, needle),
             "walk (%s): %s, '%s'", needle, vdk_status_string(st), t.error);
    vdk_param_table_free(&t);
}

static void test_bad_config(void)
{
    vdk_lumiere_config base, c;
    vdk_lumiere_config_preset(VDK_LUMIERE_PRESET_TINY, &base);
    c = base, c.levels = 0;
    bad(c, "levels");
    c = base, c.levels = VDK_LUMIERE_MAX_LEVELS + 1;
    bad(c, "levels");
    c = base, c.in_channels = 0;
    bad(c, "in_channels");
    c = base, c.block_out_channels[1] = 18;
    bad(c, "block_out_channels[1]");
    c = base, c.norm_num_groups = 0;
    bad(c, "norm_num_groups");
    c = base, c.num_res_blocks[2] = 0;
    bad(c, "num_res_blocks[2]");
    c = base, c.attention[0] = 2;
    bad(c, "attention[0]");
    c = base, c.temporal_block[1] = VDK_LUMIERE_TEMPORAL_COUNT;
    bad(c, "temporal_block[1]");
    c = base, c.temporal_resample[0] = 3;
    bad(c, "temporal_resample[0]");
    c = base, c.temporal_resample[2] = 1;
    bad(c, "temporal_resample[2]");
    c = base, c.spatial_kernel_size = 2;
    bad(c, "spatial_kernel_size");
    c = base, c.temporal_factor = 1;
    bad(c, "temporal_factor");
    c = base, c.attention_head_dim = 0;
    bad(c, "attention_head_dim");
    c = base, c.ff_mult = 0;
    bad(c, "ff_mult");
    c = base, c.cross_attention_dim = 0;
    bad(c, "cross_attention_dim");
    c = base, c.temporal_attention_depth = 0;
    bad(c, "temporal_attention_depth");
    c = base, c.time_sinusoid_dim = 7;
    bad(c, "time_sinusoid_dim");
    c = base, c.time_freq_shift = 4.0f;
    bad(c, "time_freq_shift");
    c = base, c.rms_norm_eps = 0;
    bad(c, "rms_norm_eps");
    c = base, c.resnet_eps = -1e-5f;
    bad(c, "resnet_eps");
    c = base, c.num_frames = 6; /* two temporal halvings need a multiple of 4 */
    bad(c, "num_frames");
    c = base, c.width = 10;
    bad(c, "width");
    c = base, c.cross_attention_only[0] = 1; /* level 0 has no transformer */
    bad(c, "cross_attention_only[0]");
    c = base, c.cross_attention_only[1] = 2;
    bad(c, "cross_attention_only[1]");
    c = base, c.lowres_channels = 3; /* all of tiny's 3 input channels */
    bad(c, "lowres_channels");
    c = base, c.lowres_factor = 0;
    bad(c, "lowres_factor");
    c = base, c.lowres_resize = VDK_LUMIERE_RESIZE_COUNT;
    bad(c, "lowres_resize");
    c = base, c.window_frames = -1;
    bad(c, "window_frames");
    /* Windows are checked against num_frames 8 (windows.h names each rule). */
    c = base, c.window_frames = 9;
    bad(c, "window_frames W 9 must be in [1, T 8]");
    c = base, c.window_frames = 4, c.window_overlap = 4;
    bad(c, "window_overlap o 4");
    c = base, c.window_frames = 4, c.window_overlap = 2, c.num_windows = 2;
    bad(c, "T 8 is not covered");
    c = base, c.window_frames = 4, c.window_overlap = 2, c.num_windows = 4;
    bad(c, "num_windows K 4 is more than T 8 needs");
    /* tiny halves time twice: its windows must be multiples of 4 too. */
    c = base, c.window_frames = 6, c.window_overlap = 2;
    bad(c, "window_frames 6 is not a positive multiple");

    /* Without temporal attention anywhere its fields are not looked at, and a
     * level without temporal resampling keeps its frames. */
    c = base;
    c.temporal_block[2] = VDK_LUMIERE_TEMPORAL_CONV;
    c.temporal_attention_depth = 0;
    c.temporal_resample[1] = 0;
    c.num_frames = 6;
    char msg[256] = "";
    VT_CHECK(vdk_lumiere_config_check(&c, msg, sizeof msg) == VDK_OK, "conv everywhere: %s", msg);
    int t;
    vdk_lumiere_level_size(&c, 2, c.num_frames, c.height, c.width, &t, NULL, NULL);
    VT_CHECK(t == 3, "one temporal halving leaves 3 of 6 frames, got %d", t);
    vdk_param_table tab;
    vdk_param_table_init(&tab);
    VT_CHECK(vdk_lumiere_params(&c, &tab) == VDK_OK &&
                 !vdk_param_table_find(&tab, "down_blocks.1.temporal_downsample.conv.weight") &&
                 !vdk_param_table_find(&tab, "up_blocks.0.temporal_upsample.conv.weight") &&
                 vdk_param_table_find(&tab, "down_blocks.0.temporal_downsample.conv.weight") &&
                 vdk_param_table_find(&tab, "up_blocks.1.temporal_upsample.conv.weight") &&
                 vdk_param_table_find(&tab, "mid_block.layers.1.conv_inflation.proj_out.weight"),
             "temporal_resample[1] = 0 drops that level's temporal resamplers only: %s", tab.error);
    vdk_param_table_free(&tab);

    VT_CHECK(vdk_lumiere_params(NULL, &tab) == VDK_ERROR_NULL_POINTER, "NULL config");
    VT_CHECK(vdk_lumiere_params(&base, NULL) == VDK_ERROR_NULL_POINTER, "NULL table");
}

int main(void)
{
    test_presets();
    test_bad_config();
    test_ref_a();
    test_ssr();
    test_kinds();
    test_names_file();
    test_golden_weights();
    return vt_finish("test_lumiere_params");
}

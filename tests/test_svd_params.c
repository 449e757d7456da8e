/* SVD's parameter tables (pipelines/svd/params.c): the totals that identify the
 * real networks, unique names, diffusers' names and shapes at spot checks, the
 * layouts, the tiny configuration, and bad configurations. Every count here is
 * summed from the enumeration; the only constants are the published figures. */
#include "vt_params.h"

#include "svd/params.h"

#include <stdlib.h>
#include <string.h>

/* PIPELINES.md §1.6, matching two published parameter tables ([PC]). */
#define UNET_PARAMS 1524623082LL
#define DECODER_PARAMS 63579183LL
/* PIPELINES.md §1.6: the temporal cross-attentions with their LayerNorms (norm2),
 * what removing them saves (matches [VCUT]'s "up to 50M"), and one learned mix
 * scalar per SpatioTemporalResBlock (22) and per TransformerSpatioTemporalModel (16). */
#define TEMPORAL_CROSS_ATTENTION_PARAMS 50377280LL
#define UNET_MIX_SCALARS 38

static vdk_param_table unet_table(vdk_svd_preset preset)
{
    vdk_svd_unet_config c;
    vdk_param_table t;
    vdk_param_table_init(&t);
    VT_CHECK(vdk_svd_unet_config_preset(preset, &c) == VDK_OK, "unet preset %d", (int)preset);
    vdk_status st = vdk_svd_unet_params(&c, &t);
    VT_CHECK(st == VDK_OK, "unet preset %d: %s: %s", (int)preset, vdk_status_string(st), t.error);
    return t;
}

static vdk_param_table decoder_table(vdk_svd_preset preset)
{
    vdk_svd_decoder_config c;
    vdk_param_table t;
    vdk_param_table_init(&t);
    VT_CHECK(vdk_svd_decoder_config_preset(preset, &c) == VDK_OK, "decoder preset %d", (int)preset);
    vdk_status st = vdk_svd_decoder_params(&c, &t);
    VT_CHECK(st == VDK_OK, "decoder preset %d: %s: %s", (int)preset, vdk_status_string(st),
             t.error);
    return t;
}

/* The parameters per kind of tensor, against ../shared/pipelines-calc/svd_flops.py:
 * an independent walk written from PIPELINES.md, whose per-tag sums §1.6 quotes
 * rounded (the kinds here are its tags). Agreeing kind by kind, not only in
 * total, shows the structure is right. A name takes the first rule it contains. */
typedef struct kind {
    const char *tag;
    long long want, got;
} kind;
typedef struct rule {
    const char *pattern, *tag;
} rule;

static const char *kind_of(const vdk_param *p, const rule *rules, int nrules)
{
    if (p->role == VDK_ROLE_NORM_WEIGHT || p->role == VDK_ROLE_NORM_BIAS)
        return "norm";
    if (p->role == VDK_ROLE_MIX_FACTOR)
        return "mix";
    for (int r = 0; r < nrules; r++)
        if (!rules[r].pattern || strstr(p->name, rules[r].pattern))
            return rules[r].tag;
    return "?";
}

static void check_kinds(const vdk_param_table *t, const rule *rules, int nrules, kind *kinds,
                        int nkinds, const char *what)
{
    for (size_t i = 0; i < t->count; i++) {
        const char *tag = kind_of(&t->items[i], rules, nrules);
        int k = 0;
        while (k < nkinds && strcmp(kinds[k].tag, tag) != 0)
            k++;
        if (VT_CHECK(k < nkinds, "%s: %s is of no kind", what, t->items[i].name))
            kinds[k].got += t->items[i].count;
    }
    for (int k = 0; k < nkinds; k++)
        VT_CHECK(kinds[k].got == kinds[k].want, "%s: %s: %lld parameters, the calculator %lld",
                 what, kinds[k].tag, kinds[k].got, kinds[k].want);
}

static void test_kinds(void)
{
    static const rule unet_rules[] = {{"time_embedding.", "time_embed"},
                                      {"add_embedding.", "time_embed"},
                                      {"time_pos_embed.", "time_pos"},
                                      {"time_emb_proj.", "temb_proj"},
                                      {"temporal_res_block.conv", "tconv"},
                                      {"conv_shortcut.", "res_shortcut"},
                                      {"spatial_res_block.conv", "res_conv"},
                                      {".attn", "attn"},
                                      {".ff", "ffn"},
                                      /* ff and ff_in */ {".proj_in.", "proj_in"},
                                      {".proj_out.", "proj_out"},
                                      {"downsamplers.", "down"},
                                      {"upsamplers.", "up"},
                                      {"conv_in.", "conv_in"},
                                      {"conv_out.", "conv_out"}};
    kind unet[] = {{"time_embed", 4674560, 0},
                   {"conv_in", 23360, 0},
                   {"norm", 380800, 0},
                   {"res_conv", 488488320, 0},
                   {"temb_proj", 51649920, 0},
                   {"tconv", 133365120, 0},
                   {"mix", 38, 0},
                   {"proj_in", 12402880, 0},
                   {"attn", 199852800, 0},
                   {"ffn", 446391360, 0},
                   {"time_pos", 99185600, 0},
                   {"proj_out", 12402880, 0},
                   {"down", 19355840, 0},
                   {"res_shortcut", 23257280, 0},
                   {"up", 33180800, 0},
                   {"conv_out", 11524, 0}};
    vdk_param_table t = unet_table(VDK_SVD_PRESET_SVD_XT);
    check_kinds(&t, unet_rules, (int)(sizeof unet_rules / sizeof unet_rules[0]), unet,
                (int)(sizeof unet / sizeof unet[0]), "unet");
    vdk_param_table_free(&t);

    /* The decoder's: every 2-D conv is "conv"; the mid attention's GroupNorm is a norm. */
    static const rule decoder_rules[] = {{"time_conv_out.", "time_conv_out"},
                                         {"temporal_res_block.conv", "tconv"},
                                         {"mid_block.attentions.", "attn"},
                                         {NULL, "conv"}};
    kind decoder[] = {{"conv", 48416515, 0}, {"norm", 44032, 0},   {"tconv", 14067968, 0},
                      {"mix", 14, 0},        {"attn", 1050624, 0}, {"time_conv_out", 30, 0}};
    t = decoder_table(VDK_SVD_PRESET_SVD_XT);
    check_kinds(&t, decoder_rules, (int)(sizeof decoder_rules / sizeof decoder_rules[0]), decoder,
                (int)(sizeof decoder / sizeof decoder[0]), "decoder");
    vdk_param_table_free(&t);
}

static void test_unet_full(void)
{
    vdk_param_table t = unet_table(VDK_SVD_PRESET_SVD_XT);
    vp_check_table(&t, "svd-xt unet");
    VT_CHECK(t.total == UNET_PARAMS, "svd-xt unet: %lld parameters, PIPELINES.md says %lld",
             (long long)t.total, UNET_PARAMS);

    int64_t temporal_cross = 0;
    int mixers = 0;
    for (size_t i = 0; i < t.count; i++) {
        if (strstr(t.items[i].name, "temporal_transformer_blocks.0.attn2.") ||
            strstr(t.items[i].name, "temporal_transformer_blocks.0.norm2."))
            temporal_cross += t.items[i].count;
        mixers += t.items[i].role == VDK_ROLE_MIX_FACTOR;
    }
    VT_CHECK(temporal_cross == TEMPORAL_CROSS_ATTENTION_PARAMS,
             "temporal cross-attention: %lld parameters, PIPELINES.md says %lld",
             (long long)temporal_cross, TEMPORAL_CROSS_ATTENTION_PARAMS);
    VT_CHECK(mixers == UNET_MIX_SCALARS, "%d mix scalars, expected %d", mixers, UNET_MIX_SCALARS);

    /* Time conditioning and the ends (PIPELINES.md §1.3, §1.4). */
    VP_EXPECT(&t, "time_embedding.linear_1.weight", 1280, 320);
    VP_EXPECT(&t, "time_embedding.linear_2.weight", 1280, 1280);
    VP_EXPECT(&t, "add_embedding.linear_1.weight", 1280, 768);
    VP_EXPECT(&t, "conv_in.weight", 320, 8, 3, 3);
    VP_EXPECT(&t, "conv_norm_out.weight", 320);
    VP_EXPECT(&t, "conv_out.weight", 4, 320, 3, 3);
    VP_EXPECT(&t, "conv_out.bias", 4);
    /* Resblocks: spatial, temporal (3,1,1), per-frame temb projections, shortcut. */
    VP_EXPECT(&t, "down_blocks.0.resnets.0.spatial_res_block.conv1.weight", 320, 320, 3, 3);
    VP_EXPECT(&t, "down_blocks.0.resnets.0.spatial_res_block.time_emb_proj.weight", 320, 1280);
    VP_EXPECT(&t, "down_blocks.0.resnets.0.temporal_res_block.conv1.weight", 320, 320, 3, 1, 1);
    VP_EXPECT(&t, "down_blocks.0.resnets.0.temporal_res_block.time_emb_proj.weight", 320, 1280);
    VP_EXPECT(&t, "down_blocks.0.resnets.0.time_mixer.mix_factor", 1);
    VP_EXPECT(&t, "down_blocks.1.resnets.0.spatial_res_block.conv_shortcut.weight", 640, 320, 1, 1);
    vp_expect_absent(&t, "down_blocks.1.resnets.1.spatial_res_block.conv_shortcut.weight");
    vp_expect_absent(&t, "down_blocks.0.resnets.0.temporal_res_block.conv_shortcut.weight");
    VP_EXPECT(&t, "down_blocks.2.downsamplers.0.conv.weight", 1280, 1280, 3, 3);
    vp_expect_absent(&t, "down_blocks.3.downsamplers.0.conv.weight");
    vp_expect_absent(&t, "down_blocks.3.attentions.0.norm.weight");
    VP_EXPECT(&t, "down_blocks.3.resnets.1.temporal_res_block.conv2.weight", 1280, 1280, 3, 1, 1);
    /* Transformers: spatial block, frame-position MLP, temporal block with ff_in. */
    VP_EXPECT(&t, "down_blocks.0.attentions.0.norm.weight", 320);
    VP_EXPECT(&t, "down_blocks.0.attentions.0.proj_in.weight", 320, 320);
    VP_EXPECT(&t, "down_blocks.0.attentions.0.transformer_blocks.0.attn1.to_q.weight", 320, 320);
    vp_expect_absent(&t, "down_blocks.0.attentions.0.transformer_blocks.0.attn1.to_q.bias");
    VP_EXPECT(&t, "down_blocks.0.attentions.0.transformer_blocks.0.attn1.to_out.0.bias", 320);
    VP_EXPECT(&t, "down_blocks.0.attentions.0.transformer_blocks.0.attn2.to_k.weight", 320, 1024);
    VP_EXPECT(&t, "down_blocks.0.attentions.0.transformer_blocks.0.ff.net.0.proj.weight", 2560,
              320);
    VP_EXPECT(&t, "down_blocks.0.attentions.0.transformer_blocks.0.ff.net.2.weight", 320, 1280);
    VP_EXPECT(&t, "down_blocks.0.attentions.0.time_pos_embed.linear_1.weight", 1280, 320);
    VP_EXPECT(&t, "down_blocks.0.attentions.0.time_pos_embed.linear_2.weight", 320, 1280);
    VP_EXPECT(&t, "down_blocks.0.attentions.0.temporal_transformer_blocks.0.norm_in.weight", 320);
    VP_EXPECT(&t,
              "down_blocks.0.attentions.0.temporal_transformer_blocks.0.ff_in.net.0.proj.weight",
              2560, 320);
    VP_EXPECT(&t, "down_blocks.1.attentions.1.temporal_transformer_blocks.0.attn2.to_v.weight", 640,
              1024);
    VP_EXPECT(&t, "down_blocks.0.attentions.0.time_mixer.mix_factor", 1);
    VP_EXPECT(&t, "down_blocks.0.attentions.0.proj_out.weight", 320, 320);
    VP_EXPECT(&t, "mid_block.resnets.1.spatial_res_block.conv2.weight", 1280, 1280, 3, 3);
    VP_EXPECT(&t, "mid_block.attentions.0.transformer_blocks.0.attn1.to_q.weight", 1280, 1280);
    /* Up path: skip concatenations (PIPELINES.md §1.4 rows 12-24). */
    VP_EXPECT(&t, "up_blocks.0.resnets.0.spatial_res_block.conv1.weight", 1280, 2560, 3, 3);
    VP_EXPECT(&t, "up_blocks.0.resnets.2.spatial_res_block.conv_shortcut.weight", 1280, 2560, 1, 1);
    vp_expect_absent(&t, "up_blocks.0.attentions.0.norm.weight");
    VP_EXPECT(&t, "up_blocks.0.upsamplers.0.conv.weight", 1280, 1280, 3, 3);
    VP_EXPECT(&t, "up_blocks.1.resnets.2.spatial_res_block.conv1.weight", 1280, 1920, 3, 3);
    VP_EXPECT(&t, "up_blocks.1.attentions.2.proj_out.weight", 1280, 1280);
    VP_EXPECT(&t, "up_blocks.2.resnets.0.spatial_res_block.conv1.weight", 640, 1920, 3, 3);
    VP_EXPECT(&t, "up_blocks.2.resnets.2.spatial_res_block.conv1.weight", 640, 960, 3, 3);
    VP_EXPECT(&t, "up_blocks.3.resnets.0.spatial_res_block.conv1.weight", 320, 960, 3, 3);
    VP_EXPECT(&t, "up_blocks.3.resnets.2.spatial_res_block.conv_shortcut.weight", 320, 640, 1, 1);
    VP_EXPECT(&t, "up_blocks.3.attentions.2.temporal_transformer_blocks.0.ff.net.2.weight", 320,
              1280);
    vp_expect_absent(&t, "up_blocks.3.upsamplers.0.conv.weight");

    /* The vdk layout of a spatial conv, a temporal conv and a linear. */
    const vdk_param *p = vdk_param_table_find(&t, "conv_in.weight");
    VT_CHECK(p && p->vdk_rank == 5 && p->vdk_shape[0] == 320 && p->vdk_shape[1] == 1 &&
                 p->vdk_shape[2] == 3 && p->vdk_shape[3] == 3 && p->vdk_shape[4] == 8,
             "conv_in.weight in vdk's layout is [320, 1, 3, 3, 8]");
    p = vdk_param_table_find(&t, "down_blocks.0.resnets.0.temporal_res_block.conv1.weight");
    VT_CHECK(p && p->vdk_rank == 5 && p->vdk_shape[0] == 320 && p->vdk_shape[1] == 3 &&
                 p->vdk_shape[2] == 1 && p->vdk_shape[3] == 1 && p->vdk_shape[4] == 320,
             "temporal conv1 in vdk's layout is [320, 3, 1, 1, 320]");
    p = vdk_param_table_find(&t, "add_embedding.linear_1.weight");
    VT_CHECK(p && p->vdk_layout == VDK_LAYOUT_LINEAR_OI && p->vdk_shape[0] == 1280 &&
                 p->vdk_shape[1] == 768,
             "a linear keeps [Cout, Cin]");

    /* The walk runs in forward order: time embeddings first, conv_out last. */
    VT_CHECK(strcmp(t.items[0].name, "time_embedding.linear_1.weight") == 0, "first is %s",
             t.items[0].name);
    VT_CHECK(strcmp(t.items[t.count - 1].name, "conv_out.bias") == 0, "last is %s",
             t.items[t.count - 1].name);

    /* SVD is the same network as SVD-XT: the same names and shapes in the same order. */
    vdk_param_table svd = unet_table(VDK_SVD_PRESET_SVD);
    VT_CHECK(svd.count == t.count && svd.total == t.total, "svd and svd-xt tables differ");
    for (size_t i = 0; i < svd.count && i < t.count; i++)
        if (!VT_CHECK(memcmp(&svd.items[i], &t.items[i], sizeof svd.items[i]) == 0,
                      "svd and svd-xt differ at %s", t.items[i].name))
            break;
    vdk_param_table_free(&svd);
    vdk_param_table_free(&t);
}

static void test_decoder_full(void)
{
    vdk_param_table t = decoder_table(VDK_SVD_PRESET_SVD_XT);
    vp_check_table(&t, "decoder");
    VT_CHECK(t.total == DECODER_PARAMS, "decoder: %lld parameters, PIPELINES.md says %lld",
             (long long)t.total, DECODER_PARAMS);
    VP_EXPECT(&t, "decoder.conv_in.weight", 512, 4, 3, 3);
    VP_EXPECT(&t, "decoder.mid_block.resnets.0.spatial_res_block.conv1.weight", 512, 512, 3, 3);
    VP_EXPECT(&t, "decoder.mid_block.attentions.0.group_norm.weight", 512);
    VP_EXPECT(&t, "decoder.mid_block.attentions.0.to_q.weight", 512, 512);
    VP_EXPECT(&t, "decoder.mid_block.attentions.0.to_q.bias", 512);
    VP_EXPECT(&t, "decoder.mid_block.attentions.0.to_out.0.weight", 512, 512);
    VP_EXPECT(&t, "decoder.up_blocks.0.resnets.2.temporal_res_block.conv1.weight", 512, 512, 3, 1,
              1);
    VP_EXPECT(&t, "decoder.up_blocks.0.upsamplers.0.conv.weight", 512, 512, 3, 3);
    VP_EXPECT(&t, "decoder.up_blocks.2.resnets.0.spatial_res_block.conv_shortcut.weight", 256, 512,
              1, 1);
    VP_EXPECT(&t, "decoder.up_blocks.2.upsamplers.0.conv.weight", 256, 256, 3, 3);
    VP_EXPECT(&t, "decoder.up_blocks.3.resnets.0.spatial_res_block.conv1.weight", 128, 256, 3, 3);
    VP_EXPECT(&t, "decoder.up_blocks.3.resnets.2.time_mixer.mix_factor", 1);
    vp_expect_absent(&t, "decoder.up_blocks.3.upsamplers.0.conv.weight");
    vp_expect_absent(&t, "decoder.mid_block.resnets.0.spatial_res_block.time_emb_proj.weight");
    vp_expect_absent(&t, "decoder.mid_block.resnets.0.temporal_res_block.time_emb_proj.weight");
    vp_expect_absent(&t, "decoder.post_quant_conv.weight");
    VP_EXPECT(&t, "decoder.conv_norm_out.weight", 128);
    VP_EXPECT(&t, "decoder.conv_out.weight", 3, 128, 3, 3);
    VP_EXPECT(&t, "decoder.time_conv_out.weight", 3, 3, 3, 1, 1);
    VP_EXPECT(&t, "decoder.time_conv_out.bias", 3);
    vdk_param_table_free(&t);
}

static void test_tiny(void)
{
    vdk_param_table u = unet_table(VDK_SVD_PRESET_TINY);
    vp_check_table(&u, "tiny unet");
    VT_CHECK(u.total > 0 && u.total < 10 * 1000 * 1000, "tiny unet: %lld parameters",
             (long long)u.total);
    VP_EXPECT(&u, "conv_in.weight", 32, 8, 3, 3);
    VP_EXPECT(&u, "down_blocks.0.attentions.1.transformer_blocks.0.attn2.to_k.weight", 32, 32);
    VP_EXPECT(&u, "up_blocks.0.resnets.0.spatial_res_block.conv1.weight", 64, 128, 3, 3);
    VP_EXPECT(&u, "up_blocks.1.resnets.0.spatial_res_block.conv1.weight", 32, 96, 3, 3);
    VP_EXPECT(&u, "add_embedding.linear_1.weight", 128, 24);
    VP_EXPECT(&u, "mid_block.attentions.0.time_pos_embed.linear_1.weight", 256, 64);
    vp_expect_absent(&u, "down_blocks.1.attentions.0.norm.weight");
    vdk_param_table_free(&u);

    vdk_param_table d = decoder_table(VDK_SVD_PRESET_TINY);
    vp_check_table(&d, "tiny decoder");
    VP_EXPECT(&d, "decoder.conv_in.weight", 64, 4, 3, 3);
    VP_EXPECT(&d, "decoder.mid_block.attentions.0.to_v.weight", 64, 64);
    VP_EXPECT(&d, "decoder.up_blocks.1.resnets.0.spatial_res_block.conv_shortcut.weight", 32, 64, 1,
              1);
    vdk_param_table_free(&d);
}

static void test_presets_by_name(void)
{
    vdk_svd_preset p;
    VT_CHECK(vdk_svd_preset_from_name("svd", &p) == VDK_OK && p == VDK_SVD_PRESET_SVD, "svd");
    VT_CHECK(vdk_svd_preset_from_name("svd-xt", &p) == VDK_OK && p == VDK_SVD_PRESET_SVD_XT,
             "svd-xt");
    VT_CHECK(vdk_svd_preset_from_name("tiny", &p) == VDK_OK && p == VDK_SVD_PRESET_TINY, "tiny");
    VT_CHECK(vdk_svd_preset_from_name("svd_xt", &p) == VDK_ERROR_INVALID_VALUE, "svd_xt");
    vdk_svd_unet_config c;
    VT_CHECK(vdk_svd_unet_config_preset(VDK_SVD_PRESET_SVD, &c) == VDK_OK && c.num_frames == 14,
             "svd: 14 frames");
    VT_CHECK(vdk_svd_unet_config_preset(VDK_SVD_PRESET_SVD_XT, &c) == VDK_OK && c.num_frames == 25,
             "svd-xt: 25 frames");
    VT_CHECK(vdk_svd_unet_config_preset((vdk_svd_preset)99, &c) == VDK_ERROR_INVALID_VALUE,
             "unknown preset");
}

/* A bad configuration fails the walk with INVALID_VALUE and says why; the table
 * is left empty. */
static void bad_unet(vdk_svd_unet_config c, const char *needle)
{
    vdk_param_table t;
    vdk_param_table_init(&t);
    vdk_status st = vdk_svd_unet_params(&c, &t);
    VT_CHECK(st == VDK_ERROR_INVALID_VALUE && t.count == 0 && strstr(t.error, needle),
             "bad unet config (%s): %s, '%s'", needle, vdk_status_string(st), t.error);
    vdk_param_table_free(&t);
}

static void test_bad_config(void)
{
    vdk_svd_unet_config base, c;
    vdk_svd_unet_config_preset(VDK_SVD_PRESET_TINY, &base);
    c = base, c.block_out_channels[1] = 48;
    bad_unet(c, "block_out_channels[1]");
    c = base, c.num_attention_heads[0] = 3;
    bad_unet(c, "num_attention_heads[0]");
    c = base, c.levels = 0;
    bad_unet(c, "levels");
    c = base, c.projection_class_embeddings_input_dim = 25;
    bad_unet(c, "projection_class_embeddings_input_dim");
    c = base, c.layer_norm_eps = 0;
    bad_unet(c, "eps");
    c = base, c.temporal_kernel_size = 2;
    bad_unet(c, "temporal_kernel_size");

    vdk_svd_decoder_config d;
    vdk_svd_decoder_config_preset(VDK_SVD_PRESET_SVD, &d);
    d.layers_per_block = 3;
    vdk_param_table t;
    vdk_param_table_init(&t);
    VT_CHECK(vdk_svd_decoder_params(&d, &t) == VDK_ERROR_INVALID_VALUE &&
                 strstr(t.error, "layers_per_block"),
             "decoder layers_per_block 3: '%s'", t.error);
    vdk_param_table_free(&t);

    VT_CHECK(vdk_svd_unet_params(NULL, &t) == VDK_ERROR_NULL_POINTER, "NULL config");
    VT_CHECK(vdk_svd_decoder_params(&d, NULL) == VDK_ERROR_NULL_POINTER, "NULL table");
}

/* The table keeps its first failure and ignores later adds: a name that does
 * not fit is an error, never a cut name. */
static void test_table_sticky(void)
{
    vdk_param_table t;
    vdk_param_table_init(&t);
    vdk_param_linear(&t, "a", 2, 3, 1);
    VT_CHECK(t.status == VDK_OK && t.count == 2 && t.total == 9, "linear 2 -> 3: %zu, %lld",
             t.count, (long long)t.total);
    char long_prefix[VDK_PARAM_NAME_MAX + 8];
    memset(long_prefix, 'x', sizeof long_prefix - 1);
    long_prefix[sizeof long_prefix - 1] = '\0';
    vdk_param_norm(&t, long_prefix, 4);
    VT_CHECK(t.status == VDK_ERROR_OVERFLOW && strstr(t.error, "longer than"),
             "long name: %s, '%s'", vdk_status_string(t.status), t.error);
    vdk_param_conv2d(&t, "b", 2, 2, 3, 3);
    VT_CHECK(t.count == 2 && t.total == 9 && strstr(t.error, "longer than"),
             "adds after a failure are ignored and the first message kept");
    VT_CHECK(vdk_param_table_find(&t, "a.bias") && !vdk_param_table_find(&t, "b.weight"), "find");
    vdk_param_table_free(&t);
    VT_CHECK(t.count == 0 && t.items == NULL && t.status == VDK_OK, "free leaves an empty table");
}

int main(void)
{
    test_table_sticky();
    test_unet_full();
    test_decoder_full();
    test_kinds();
    test_tiny();
    test_presets_by_name();
    test_bad_config();
    return vt_finish("test_svd_params");
}

/* SVD's tiny presets against diffusers' own modules, through the files that
 * tools/golden_svd.py writes from diffusers 0.27.2 (tests/golden/svd_*):
 * - the parameter names and torch shapes of vdk's tables are exactly those of
 *   diffusers' state dicts (every missing, extra or reshaped tensor is reported);
 * - the configuration diffusers was built with, and the values diffusers
 *   hard-codes (eps, groups, multipliers, heads, blend direction), read back
 *   from its built modules, are vdk's preset fields;
 * - vdk's seeded generator gives every tensor the very values the script gave
 *   diffusers (a hash of each tensor's float bits, and raw values of a few);
 * - the forward cases (svd_unet_tiny.vgold, svd_decoder_tiny.vgold) have the
 *   shapes the configurations imply and float32-exact inputs.
 * No network runs here: the forward pass is checked against the same files by
 * the forward pass's own test. */
#include "vdk_test.h"

#include "common/weights.h"
#include "svd/params.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define WEIGHT_SEED 1

/* ---- the .names files: "name d0 d1 ..." per state_dict tensor ---- */

typedef struct golden_name {
    char name[VDK_PARAM_NAME_MAX];
    int rank;
    int64_t shape[5];
} golden_name;

typedef struct name_list {
    size_t count;
    golden_name *items;
} name_list;

static name_list load_names(const char *file)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", VDK_GOLDEN_DIR, file);
    FILE *fp = fopen(path, "r");
    if (!fp)
        vt_fatal("%s: cannot open", path);
    name_list l = {0, NULL};
    char line[512];
    while (fgets(line, sizeof line, fp)) {
        golden_name *grown = realloc(l.items, (l.count + 1) * sizeof *grown);
        if (!grown)
            vt_fatal("out of memory");
        l.items = grown;
        golden_name *g = &l.items[l.count];
        memset(g, 0, sizeof *g);
        int used = 0;
        if (!strchr(line, '\n') || sscanf(line, "%127s%n", g->name, &used) != 1 ||
            strlen(g->name) >= VDK_PARAM_NAME_MAX - 1)
            vt_fatal("%s: line %zu malformed or too long", path, l.count + 1);
        const char *s = line + used;
        for (;;) {
            char *end;
            const long long d = strtoll(s, &end, 10);
            if (end == s)
                break;
            if (g->rank == 5 || d < 1)
                vt_fatal("%s: line %zu: bad shape", path, l.count + 1);
            g->shape[g->rank++] = d;
            s = end;
        }
        if (g->rank == 0 || strspn(s, " \n") != strlen(s))
            vt_fatal("%s: line %zu: no shape, or text after it", path, l.count + 1);
        l.count++;
    }
    fclose(fp);
    if (l.count == 0)
        vt_fatal("%s: empty", path);
    return l;
}

static const golden_name *find_name(const name_list *l, const char *name)
{
    for (size_t i = 0; i < l->count; i++)
        if (strcmp(l->items[i].name, name) == 0)
            return &l->items[i];
    return NULL;
}

static void format_shape(char *out, size_t size, int rank, const int64_t *shape)
{
    size_t n = (size_t)snprintf(out, size, "[");
    for (int a = 0; a < rank && n < size; a++)
        n += (size_t)snprintf(out + n, size - n, a ? ", %lld" : "%lld", (long long)shape[a]);
    if (n < size)
        snprintf(out + n, size - n, "]");
}

/* Every diffusers tensor is in vdk's table with the same torch shape, and vdk has
 * none that diffusers lacks; each difference is its own failure. */
static void compare_names(const name_list *g, const vdk_param_table *t, const char *what)
{
    int missing = 0, extra = 0, reshaped = 0;
    char a[96], b[96];
    for (size_t i = 0; i < g->count; i++) {
        const golden_name *n = &g->items[i];
        const vdk_param *p = vdk_param_table_find(t, n->name);
        format_shape(a, sizeof a, n->rank, n->shape);
        if (!p) {
            missing++;
            VT_CHECK(0, "%s: diffusers has '%s' %s, vdk's table does not", what, n->name, a);
            continue;
        }
        format_shape(b, sizeof b, p->torch_rank, p->torch_shape);
        const bool same = p->torch_rank == n->rank &&
                          memcmp(p->torch_shape, n->shape, sizeof(int64_t) * (size_t)n->rank) == 0;
        reshaped += !same;
        VT_CHECK(same, "%s: '%s' is %s in diffusers, %s in vdk", what, n->name, a, b);
    }
    for (size_t i = 0; i < t->count; i++) {
        const vdk_param *p = &t->items[i];
        if (find_name(g, p->name))
            continue;
        extra++;
        format_shape(b, sizeof b, p->torch_rank, p->torch_shape);
        VT_CHECK(0, "%s: vdk's table has '%s' %s, diffusers does not", what, p->name, b);
    }
    VT_CHECK(missing + extra + reshaped == 0 && g->count == t->count,
             "%s: %zu diffusers tensors, %zu vdk: %d missing in vdk, %d extra, %d other shapes",
             what, g->count, t->count, missing, extra, reshaped);
}

/* ---- tables and configurations ---- */

static vdk_svd_unet_config tiny_unet(void)
{
    vdk_svd_unet_config c;
    if (vdk_svd_unet_config_preset(VDK_SVD_PRESET_TINY, &c) != VDK_OK)
        vt_fatal("no tiny UNet preset");
    return c;
}

static vdk_svd_decoder_config tiny_decoder(void)
{
    vdk_svd_decoder_config c;
    if (vdk_svd_decoder_config_preset(VDK_SVD_PRESET_TINY, &c) != VDK_OK)
        vt_fatal("no tiny decoder preset");
    return c;
}

static vdk_param_table unet_table(void)
{
    vdk_svd_unet_config c = tiny_unet();
    vdk_param_table t;
    vdk_param_table_init(&t);
    if (vdk_svd_unet_params(&c, &t) != VDK_OK)
        vt_fatal("tiny UNet table: %s", t.error);
    return t;
}

static vdk_param_table decoder_table(void)
{
    vdk_svd_decoder_config c = tiny_decoder();
    vdk_param_table t;
    vdk_param_table_init(&t);
    if (vdk_svd_decoder_params(&c, &t) != VDK_OK)
        vt_fatal("tiny decoder table: %s", t.error);
    return t;
}

static const vt_golden_case *find_case(const vt_golden_file *f, const char *name)
{
    for (int i = 0; i < f->ncases; i++)
        if (strcmp(f->cases[i].name, name) == 0)
            return &f->cases[i];
    vt_fatal("golden case '%s' missing", name);
}

/* One value diffusers was built with or built itself, against vdk's field; float
 * fields compare after rounding the golden value to float, as vdk stores them. */
static int expect_int(const vt_golden_case *c, const char *key, int vdk)
{
    if (!VT_CHECK(vt_golden_has(c, key), "%s: no '%s'", c->name, key))
        return 0;
    const double g = vt_golden_param(c, key);
    VT_CHECK(g == (double)vdk, "%s: %s is %g in diffusers, %d in vdk", c->name, key, g, vdk);
    return 1;
}

static int expect_float(const vt_golden_case *c, const char *key, float vdk)
{
    if (!VT_CHECK(vt_golden_has(c, key), "%s: no '%s'", c->name, key))
        return 0;
    const double g = vt_golden_param(c, key);
    VT_CHECK((float)g == vdk, "%s: %s is %.9g in diffusers, %.9g in vdk", c->name, key, g,
             (double)vdk);
    return 1;
}

static void indexed(char *out, size_t size, const char *key, int i)
{
    snprintf(out, size, "%s_%d", key, i);
}

static void test_unet_config(const vt_golden_file *f)
{
    const vdk_svd_unet_config u = tiny_unet();
    const vt_golden_case *c = find_case(f, "unet_config");
    char key[32];
    int n = 0;
    n += expect_int(c, "in_channels", u.in_channels);
    n += expect_int(c, "out_channels", u.out_channels);
    n += expect_int(c, "levels", u.levels);
    for (int i = 0; i < u.levels; i++) {
        indexed(key, sizeof key, "block_out_channels", i);
        n += expect_int(c, key, u.block_out_channels[i]);
        indexed(key, sizeof key, "num_attention_heads", i);
        n += expect_int(c, key, u.num_attention_heads[i]);
        indexed(key, sizeof key, "cross_attention", i);
        n += expect_int(c, key, u.cross_attention[i]);
    }
    n += expect_int(c, "layers_per_block", u.layers_per_block);
    n += expect_int(c, "transformer_layers", u.transformer_layers_per_block);
    n += expect_int(c, "cross_attention_dim", u.cross_attention_dim);
    n += expect_int(c, "addition_time_embed_dim", u.addition_time_embed_dim);
    n += expect_int(c, "num_addition_time_ids", u.num_addition_time_ids);
    n += expect_int(c, "projection_dim", u.projection_class_embeddings_input_dim);
    n += expect_int(c, "num_frames", u.num_frames);
    VT_CHECK(n == c->nparams, "unet_config: %d of %d values compared", n, c->nparams);

    /* What diffusers hard-codes, as its built modules have it. */
    c = find_case(f, "unet_built");
    n = 0;
    n += expect_int(c, "time_embed_mult", u.time_embed_mult);
    n += expect_int(c, "time_pos_embed_mult", u.time_pos_embed_mult);
    n += expect_int(c, "ff_mult", u.ff_mult);
    n += expect_int(c, "temporal_kernel_size", u.temporal_kernel_size);
    n += expect_int(c, "norm_num_groups", u.norm_num_groups);
    n += expect_float(c, "resnet_eps_down_cross", u.resnet_eps_down_cross);
    n += expect_float(c, "resnet_eps_down", u.resnet_eps_down);
    n += expect_float(c, "resnet_eps_mid", u.resnet_eps_mid);
    n += expect_float(c, "resnet_eps_up", u.resnet_eps_up);
    n += expect_float(c, "transformer_norm_eps", u.transformer_norm_eps);
    n += expect_float(c, "layer_norm_eps", u.layer_norm_eps);
    n += expect_float(c, "norm_out_eps", u.norm_out_eps);
    /* The UNet's blends are y = a x_spatial + (1 - a) x_temporal. */
    n += expect_int(c, "switch_spatial_to_temporal_mix", 0);
    /* The mid block's transformer takes the last level's heads (config.h). */
    n += expect_int(c, "mid_heads", u.num_attention_heads[u.levels - 1]);
    /* Only the levels with attention have heads to read back. */
    for (int i = 0; i < u.levels; i++) {
        indexed(key, sizeof key, "heads", i);
        VT_CHECK(vt_golden_has(c, key) == (u.cross_attention[i] != 0),
                 "unet_built: '%s' present iff level %d has cross-attention", key, i);
        if (vt_golden_has(c, key))
            n += expect_int(c, key, u.num_attention_heads[i]);
    }
    VT_CHECK(n == c->nparams, "unet_built: %d of %d values compared", n, c->nparams);
}

static void test_decoder_config(const vt_golden_file *f)
{
    const vdk_svd_decoder_config d = tiny_decoder();
    const vt_golden_case *c = find_case(f, "decoder_config");
    char key[32];
    int n = 0;
    n += expect_int(c, "latent_channels", d.latent_channels);
    n += expect_int(c, "out_channels", d.out_channels);
    n += expect_int(c, "levels", d.levels);
    for (int i = 0; i < d.levels; i++) {
        indexed(key, sizeof key, "block_out_channels", i);
        n += expect_int(c, key, d.block_out_channels[i]);
    }
    n += expect_int(c, "layers_per_block", d.layers_per_block);
    n += expect_int(c, "attention_head_dim", d.attention_head_dim);
    n += expect_int(c, "temporal_kernel_size", d.temporal_kernel_size);
    n += expect_int(c, "norm_num_groups", d.norm_num_groups);
    n += expect_float(c, "resnet_eps", d.resnet_eps);
    n += expect_float(c, "temporal_eps", d.temporal_eps);
    n += expect_float(c, "attention_eps", d.attention_eps);
    n += expect_float(c, "norm_out_eps", d.norm_out_eps);
    n += expect_float(c, "scaling_factor", d.scaling_factor);
    n += expect_int(c, "switch_spatial_to_temporal_mix", d.switch_spatial_to_temporal_mix);
    VT_CHECK(n == c->nparams, "decoder_config: %d of %d values compared", n, c->nparams);
}

/* ---- the seeded generator, bit for bit ---- */

/* tools/golden_svd.py's tensor_hash: sum_i bits_i * (2i + 1) * 0x9E3779B1 mod 2^32. */
static uint32_t tensor_hash(const float *v, int64_t count)
{
    uint64_t h = 0;
    for (int64_t i = 0; i < count; i++) {
        uint32_t bits;
        memcpy(&bits, &v[i], sizeof bits);
        h += (uint64_t)bits * (((uint64_t)i * 2 + 1) * 0x9E3779B1ull);
    }
    return (uint32_t)h;
}

static void test_generator(const vt_golden_file *f, const char *net, const name_list *names,
                           const vdk_param_table *t)
{
    char id[96];
    snprintf(id, sizeof id, "%s_weights", net);
    const vt_golden_case *c = find_case(f, id);
    const vt_golden_tensor *hash = vt_golden_get(c, "hash");
    if (!VT_CHECK(hash && hash->numel == (int64_t)names->count &&
                      vt_golden_param(c, "seed") == WEIGHT_SEED,
                  "%s: a hash per .names line, seed %d", id, WEIGHT_SEED))
        return;
    int64_t most = 1;
    for (size_t i = 0; i < t->count; i++)
        most = t->items[i].count > most ? t->items[i].count : most;
    float *buf = malloc((size_t)most * sizeof *buf);
    if (!buf)
        vt_fatal("out of memory");
    int differ = 0;
    for (size_t i = 0; i < names->count; i++) {
        const vdk_param *p = vdk_param_table_find(t, names->items[i].name);
        if (!p)
            continue; /* reported by compare_names */
        vdk_weights_generate(p, WEIGHT_SEED, buf);
        const uint32_t mine = tensor_hash(buf, p->count);
        if (mine != (uint32_t)hash->data[i] && differ++ < 10)
            VT_CHECK(0,
                     "%s: '%s' (fan_in %lld, role %d): vdk's values hash to %08x, "
                     "diffusers' to %08x",
                     net, p->name, (long long)p->fan_in, (int)p->role, mine,
                     (uint32_t)hash->data[i]);
    }
    VT_CHECK(differ == 0, "%s: %d of %zu tensors differ from the values diffusers ran with", net,
             differ, names->count);

    /* Raw values of a few tensors of each role: exact floats, equal bit for bit. */
    int samples = 0;
    for (int k = 0;; k++) {
        snprintf(id, sizeof id, "%s_values_%d", net, k);
        const vt_golden_case *s = NULL;
        for (int j = 0; j < f->ncases && !s; j++)
            if (strcmp(f->cases[j].name, id) == 0)
                s = &f->cases[j];
        if (!s)
            break;
        samples++;
        const size_t index = (size_t)vt_golden_param(s, "index");
        const vt_golden_tensor *v = vt_golden_get(s, "values");
        const vdk_param *p =
            index < names->count ? vdk_param_table_find(t, names->items[index].name) : NULL;
        if (!VT_CHECK(p && v && v->numel <= p->count, "%s: line %zu, values", id, index))
            continue;
        vdk_weights_generate(p, WEIGHT_SEED, buf);
        for (int64_t j = 0; j < v->numel; j++) {
            const float g = (float)v->data[j];
            VT_CHECK((double)g == v->data[j] && memcmp(&g, &buf[j], sizeof g) == 0,
                     "%s: '%s'[%lld] is %.9g in vdk, %.17g in diffusers", id, p->name, (long long)j,
                     (double)buf[j], v->data[j]);
        }
    }
    VT_CHECK(samples >= 3, "%s: %d raw-value samples", net, samples);
    free(buf);
}

/* ---- the forward cases: shapes and inputs ---- */

static bool has_shape(const vt_golden_tensor *t, int rank, const int64_t *shape)
{
    return t && t->rank == rank && memcmp(t->shape, shape, sizeof(int64_t) * (size_t)rank) == 0;
}

/* The lead's forward test feeds these to f32 runs too: they must be exact floats. */
static void expect_f32_exact(const vt_golden_case *c, const char *name)
{
    const vt_golden_tensor *t = vt_golden_get(c, name);
    int64_t bad = 0;
    for (int64_t i = 0; t && i < t->numel; i++)
        bad += (double)(float)t->data[i] != t->data[i];
    VT_CHECK(t && bad == 0, "%s: %s has %lld values that are not floats", c->name, name,
             (long long)bad);
}

static void expect_rms(const vt_golden_case *c)
{
    const vt_golden_tensor *t = vt_golden_get(c, "out");
    double s = 0;
    for (int64_t i = 0; t && i < t->numel; i++)
        s += t->data[i] * t->data[i];
    const double rms = t && t->numel ? sqrt(s / (double)t->numel) : 0;
    /* An O(1) output: neither a vanished nor a blown-up network. */
    VT_CHECK(rms > 0.05 && rms < 5 && fabs(rms - vt_golden_param(c, "out_rms")) < 1e-12,
             "%s: out rms %g (file says %g)", c->name, rms, vt_golden_param(c, "out_rms"));
}

static void test_unet_cases(void)
{
    const vdk_svd_unet_config u = tiny_unet();
    vt_golden_file f = vt_golden_load("svd_unet_tiny");
    VT_CHECK(f.ncases >= 2, "svd_unet_tiny: %d cases", f.ncases);
    const int64_t step = (int64_t)1 << (u.levels - 1);
    for (int i = 0; i < f.ncases; i++) {
        const vt_golden_case *c = &f.cases[i];
        const int64_t n = (int64_t)vt_golden_param(c, "batch"),
                      t = (int64_t)vt_golden_param(c, "frames");
        const int64_t h = (int64_t)vt_golden_param(c, "height"),
                      w = (int64_t)vt_golden_param(c, "width");
        VT_CHECK(h % step == 0 && w % step == 0, "%s: %lldx%lld does not halve %d times", c->name,
                 (long long)h, (long long)w, u.levels - 1);
        VT_CHECK(vt_golden_param(c, "weight_seed") == WEIGHT_SEED, "%s: weight seed", c->name);
        VT_CHECK(has_shape(vt_golden_get(c, "sample"), 5, (int64_t[]){n, t, h, w, u.in_channels}),
                 "%s: sample shape", c->name);
        VT_CHECK(has_shape(vt_golden_get(c, "timestep"), 1, (int64_t[]){n}), "%s: timestep",
                 c->name);
        VT_CHECK(has_shape(vt_golden_get(c, "encoder_hidden_states"), 3,
                           (int64_t[]){n, 1, u.cross_attention_dim}),
                 "%s: encoder_hidden_states shape", c->name);
        VT_CHECK(has_shape(vt_golden_get(c, "added_time_ids"), 2,
                           (int64_t[]){n, u.num_addition_time_ids}),
                 "%s: added_time_ids shape", c->name);
        VT_CHECK(has_shape(vt_golden_get(c, "out"), 5, (int64_t[]){n, t, h, w, u.out_channels}),
                 "%s: out shape", c->name);
        expect_f32_exact(c, "sample");
        expect_f32_exact(c, "timestep");
        expect_f32_exact(c, "encoder_hidden_states");
        expect_f32_exact(c, "added_time_ids");
        expect_rms(c);
    }
    vt_golden_free(&f);
}

static void test_decoder_cases(void)
{
    const vdk_svd_decoder_config d = tiny_decoder();
    vt_golden_file f = vt_golden_load("svd_decoder_tiny");
    VT_CHECK(f.ncases >= 2, "svd_decoder_tiny: %d cases", f.ncases);
    const int64_t up = (int64_t)1 << (d.levels - 1);
    for (int i = 0; i < f.ncases; i++) {
        const vt_golden_case *c = &f.cases[i];
        const int64_t n = (int64_t)vt_golden_param(c, "batch"),
                      t = (int64_t)vt_golden_param(c, "frames");
        const int64_t h = (int64_t)vt_golden_param(c, "height"),
                      w = (int64_t)vt_golden_param(c, "width");
        VT_CHECK(vt_golden_param(c, "weight_seed") == WEIGHT_SEED, "%s: weight seed", c->name);
        VT_CHECK(has_shape(vt_golden_get(c, "z"), 5, (int64_t[]){n, t, h, w, d.latent_channels}),
                 "%s: z shape", c->name);
        VT_CHECK(has_shape(vt_golden_get(c, "out"), 5,
                           (int64_t[]){n, t, h * up, w * up, d.out_channels}),
                 "%s: out shape", c->name);
        expect_f32_exact(c, "z");
        expect_rms(c);
    }
    vt_golden_free(&f);
}

int main(void)
{
    name_list unet_names = load_names("svd_unet_tiny.names");
    name_list decoder_names = load_names("svd_decoder_tiny.names");
    vdk_param_table unet = unet_table(), decoder = decoder_table();

    compare_names(&unet_names, &unet, "unet");
    compare_names(&decoder_names, &decoder, "decoder");

    vt_golden_file checks = vt_golden_load("svd_tiny_checks");
    test_unet_config(&checks);
    test_decoder_config(&checks);
    test_generator(&checks, "unet", &unet_names, &unet);
    test_generator(&checks, "decoder", &decoder_names, &decoder);
    vt_golden_free(&checks);

    test_unet_cases();
    test_decoder_cases();

    vdk_param_table_free(&unet);
    vdk_param_table_free(&decoder);
    free(unet_names.items);
    free(decoder_names.items);
    return vt_finish("test_svd_golden");
}

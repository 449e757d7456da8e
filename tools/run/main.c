/* vdk-run: a denoiser end to end on one backend (docs/pipelines.md, "vdk-run"):
 * SVD's sampler loop around its UNet, optionally its decoder, or Lumiere's
 * STUNet in a DDIM loop, with a progress
 * line per step, the per-step time, the per-operator breakdown from the
 * profiler, memory figures and a result file in the benchmark schema. */
#include "run.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *f)
{
    fprintf(f, "usage: vdk-run MODEL [options]\n"
               "  MODEL                svd | svd-xt | tiny (SVD's tiny test configuration) |\n"
               "                       lumiere-a | lumiere-b | lumiere-tiny (Lumiere's STUNet) |\n"
               "                       lumiere-ssr | lumiere-ssr-tiny (its SSR, MultiDiffusion)\n"
               "  --backend B          reference | cpu | vulkan (default: vulkan when a device\n"
               "                       opens, else cpu)\n"
               "  --dtype D            f32 | f16 | bf16 (default: f16 on vulkan, f32 elsewhere)\n"
               "  --steps N            sampler steps (default 25)\n"
               "  --frames T           frames (default: the model's, 14 / 25; Lumiere 80)\n"
               "  --size HxW           image size in pixels (default 576x1024, multiples of 64;\n"
               "                       Lumiere 128x128, multiples of 2^(levels-1); SSR 1024x1024,\n"
               "                       the output's, base video 1/8 of it)\n"
               "  --batch N            videos at once (default 1)\n"
               "  --weights DIR        a diffusers checkpoint folder (with unet/ and vae/); for\n"
               "                       Lumiere a safetensors file or folder with the table's\n"
               "                       names; else seeded random weights\n"
               "  --seed S             seed of the random weights, inputs and noise (default 1)\n"
               "  --guidance MIN,MAX   per-frame guidance ramp (default 1,3; MAX <= 1: no CFG);\n"
               "                       Lumiere: the constant scale MAX\n"
               "  --context-order O    per-clip | diffusers (docs/pipelines.md; SVD only)\n"
               "  --decode             decode the latents with the temporal VAE decoder (SVD)\n"
               "  --chunk N            frames per decoder chunk (default 8; 0 = all)\n"
               "  --profile            per-operator time table at the end\n"
               "  --out FILE           write the result set (docs/results.md) to FILE\n"
               "  --quiet              no progress lines\n");
}

static int parse_size(const char *s, int *h, int *w)
{
    return sscanf(s, "%dx%d", h, w) == 2 && *h > 0 && *w > 0;
}

int main(int argc, char **argv)
{
    vr_options o;
    vr_options_default(&o);
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    o.model = argv[1];
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        bool takes = true;
        if (!strcmp(a, "--backend") && v)
            o.backend = v;
        else if (!strcmp(a, "--dtype") && v)
            o.dtype = v;
        else if (!strcmp(a, "--steps") && v)
            o.steps = atoi(v);
        else if (!strcmp(a, "--frames") && v)
            o.frames = atoi(v);
        else if (!strcmp(a, "--batch") && v)
            o.batch = atoi(v);
        else if (!strcmp(a, "--size") && v) {
            if (!parse_size(v, &o.height, &o.width)) {
                fprintf(stderr, "vdk-run: --size takes HxW, e.g. 576x1024, not '%s'\n", v);
                return 2;
            }
        } else if (!strcmp(a, "--weights") && v)
            o.weights = v;
        else if (!strcmp(a, "--seed") && v)
            o.seed = strtoull(v, NULL, 10);
        else if (!strcmp(a, "--guidance") && v) {
            if (sscanf(v, "%f,%f", &o.min_guidance, &o.max_guidance) != 2) {
                fprintf(stderr, "vdk-run: --guidance takes MIN,MAX, e.g. 1,3, not '%s'\n", v);
                return 2;
            }
        } else if (!strcmp(a, "--context-order") && v)
            o.context_order = v;
        else if (!strcmp(a, "--chunk") && v)
            o.chunk = atoi(v);
        else if (!strcmp(a, "--out") && v)
            o.out = v;
        else {
            takes = false;
            if (!strcmp(a, "--decode"))
                o.decode = true;
            else if (!strcmp(a, "--profile"))
                o.profile = true;
            else if (!strcmp(a, "--quiet"))
                o.quiet = true;
            else {
                fprintf(stderr, "vdk-run: unknown option '%s' (or it needs a value)\n", a);
                usage(stderr);
                return 2;
            }
        }
        if (takes)
            i++;
    }
    o.command_argc = argc;
    o.command_argv = argv;
    return vr_run(&o);
}

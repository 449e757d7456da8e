/* vdk-run's result set, in the schema of docs/results.md: one row for the
 * median sampler step (the UNet on the batch, guidance and the Euler update)
 * and, with --decode, one for the decoder, so reports place pipelines beside
 * operators. */
#include "run.h"

#include "device.h" /* bench/: the CPU described as vdk-bench describes it */

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#ifndef VDK_RUN_COMMIT
#define VDK_RUN_COMMIT "unknown"
#endif

/* A JSON string; the strings written here are plain (names, paths, args). */
static void str(FILE *f, const char *s)
{
    fputc('"', f);
    for (; s && *s; s++) {
        if (*s == '"' || *s == '\\')
            fputc('\\', f);
        if ((unsigned char)*s >= 0x20)
            fputc(*s, f);
    }
    fputc('"', f);
}

extern char **environ;

/* The variables that change how fast a run is (OpenMP's waits and threads,
 * glibc's allocator, vdk's own), as the peers record theirs. */
static void environment(FILE *f)
{
    static const char *const prefixes[] = {
        "OMP_", "GOMP_", "GLIBC_TUNABLES=", "MALLOC_", "VDK_", "LD_PRELOAD="};
    fprintf(f, ",\n  \"environment\": {");
    int n = 0;
    for (char **e = environ; e && *e; e++) {
        bool keep = false;
        for (size_t i = 0; i < sizeof prefixes / sizeof *prefixes; i++)
            keep = keep || !strncmp(*e, prefixes[i], strlen(prefixes[i]));
        const char *eq = strchr(*e, '=');
        if (!keep || !eq)
            continue;
        char key[128];
        snprintf(key, sizeof key, "%.*s", (int)(eq - *e), *e);
        fprintf(f, "%s", n++ ? ", " : "");
        str(f, key);
        fprintf(f, ": ");
        str(f, eq + 1);
    }
    fprintf(f, "}");
}

static int by_value(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* sample_rms: written when it is a number (the step row). */
static void row(FILE *f, const char *name, const char *op, const vr_result *r, double ms,
                double min_ms, int reps, double flops, double sample_rms, bool last)
{
    fprintf(f, "    {\"name\": ");
    str(f, name);
    fprintf(f, ", \"op\": ");
    str(f, op);
    fprintf(f, ", \"set\": ");
    str(f, r->model);
    fprintf(f, ", \"dtype\": ");
    str(f, r->dtype);
    fprintf(f, ", \"backend\": ");
    str(f, r->backend);
    fprintf(f,
            ", \"kernel\": \"vdk-run\",\n     \"params\": {\"batch\": %d, \"frames\": %d, "
            "\"height\": %d, \"width\": %d, \"steps\": %d, \"guided\": %s},\n",
            r->batch, r->frames, r->height, r->width, r->steps, r->guided ? "true" : "false");
    fprintf(f,
            "     \"time_ms\": %.6g, \"time_ms_min\": %.6g, \"repetitions\": %d, \"flops\": %.6g, "
            "\"bytes\": null, \"gflops\": %.6g, \"gbs\": null, \"bound\": \"compute\", "
            "\"fraction_of_peak\": null",
            ms, min_ms, reps, flops, flops / (ms * 1e6));
    if (isfinite(sample_rms))
        fprintf(f, ", \"sample_rms\": %.9g", sample_rms);
    fprintf(f, "}%s\n", last ? "" : ",");
}

/* The CPU block of vdk-bench's result sets (bench/main.c), so that the report
 * (tools/report) puts vdk-run's rows, vdk-bench's and the peers' on one device
 * and results/<device>/ gets the same name. */
static void cpu_device(FILE *f, int threads)
{
    vb_cpu cpu;
    vb_cpu_describe(&cpu);
    char name[192];
    snprintf(name, sizeof name, "%s, %d core%s", cpu.model, cpu.cores, cpu.cores == 1 ? "" : "s");
    fprintf(f, ",\n  \"device\": {\"kind\": \"cpu\", \"name\": ");
    str(f, name);
    fprintf(f, ", \"vendor\": ");
    if (cpu.vendor[0])
        str(f, cpu.vendor);
    else
        fprintf(f, "null");
    fprintf(f, ", \"model\": ");
    str(f, cpu.model);
    fprintf(f, ", \"driver\": null, \"api_version\": null,\n    \"isa\": [");
    for (int i = 0; i < cpu.nisa; i++)
        fprintf(f, "%s\"%s\"", i ? ", " : "", cpu.isa[i]);
    fprintf(f,
            "], \"threads\": %d, \"caches\": {\"l1d\": %lld, \"l2\": %lld, \"l3\": %lld}, "
            "\"cores\": %d, \"logical_cpus\": %d, \"topology_source\": \"%s\"}",
            threads, (long long)cpu.l1d, (long long)cpu.l2, (long long)cpu.l3, cpu.cores,
            cpu.logical, cpu.topology_source);
}

int vr_write_result(const char *path, const vr_options *o, const vr_result *r)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        fprintf(stderr, "vdk-run: cannot write %s\n", path);
        return 1;
    }
    double *sorted = malloc((size_t)r->steps * sizeof *sorted);
    if (!sorted) {
        fclose(f);
        return 1;
    }
    memcpy(sorted, r->step_ms, (size_t)r->steps * sizeof *sorted);
    qsort(sorted, (size_t)r->steps, sizeof *sorted, by_value);
    const double median = r->steps % 2 ? sorted[r->steps / 2]
                                       : 0.5 * (sorted[r->steps / 2 - 1] + sorted[r->steps / 2]);
    char created[32], host[256] = "";
    const time_t now = time(NULL);
    strftime(created, sizeof created, "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
    gethostname(host, sizeof host - 1);
    fprintf(f, "{\n  \"format\": \"vdk-results/1\",\n  \"created\": \"%s\",\n  \"command\": \"",
            created);
    for (int i = 0; i < o->command_argc; i++) {
        const char *a = o->command_argv[i];
        for (; *a; a++)
            if (*a != '"' && *a != '\\' && (unsigned char)*a >= 0x20)
                fputc(*a, f);
        if (i + 1 < o->command_argc)
            fputc(' ', f);
    }
    fprintf(f, "\",\n  \"commit\": \"%s\",\n  \"build\": {\"vdk_version\": ", VDK_RUN_COMMIT);
    str(f, vdk_version_string());
    fprintf(f, "},\n  \"host\": ");
    str(f, host);
    vdk_device_info info;
    if (vdk_context_device_info(r->ctx, &info) == VDK_OK) {
        fprintf(f, ",\n  \"device\": {\"kind\": \"vulkan\", \"name\": ");
        str(f, info.name);
        fprintf(f, ", \"driver\": ");
        str(f, info.driver);
        fprintf(f, ", \"type\": ");
        str(f, info.type);
        fprintf(f, ", \"api_version\": \"%d.%d.%d\"}", info.api_major, info.api_minor,
                info.api_patch);
    } else {
        cpu_device(f, vdk_context_threads(r->ctx));
    }
    environment(f);
    fprintf(f, ",\n  \"peak\": null,\n  \"producer\": \"vdk\",\n  \"set\": ");
    str(f, r->model);
    fprintf(f,
            ",\n  \"notes\": [\"pipeline rows: time_ms is the median sampler step; flops count "
            "the denoiser's (UNet's) convs, linears and attentions; peak memory: weights %lld B, "
            "activations "
            "%lld B (vdk's count), host %lld B\"],\n  \"rows\": [\n",
            (long long)r->weight_bytes, (long long)r->peak_activation_bytes,
            (long long)r->peak_host_bytes);
    char name[256];
    snprintf(name, sizeof name, "%s/sampler_step", r->model);
    char op[64];
    snprintf(op, sizeof op, "pipeline.%s.step", r->pipeline ? r->pipeline : "svd");
    row(f, name, op, r, median, sorted[0], r->steps, r->unet_flops, r->sample_rms,
        r->decode_ms <= 0);
    if (r->decode_ms > 0) {
        snprintf(name, sizeof name, "%s/decode", r->model);
        row(f, name, "pipeline.svd.decode", r, r->decode_ms, r->decode_ms, 1, r->decode_flops, NAN,
            true);
    }
    fprintf(f, "  ]\n}\n");
    free(sorted);
    if (fclose(f)) {
        fprintf(stderr, "vdk-run: writing %s failed\n", path);
        return 1;
    }
    printf("result: %s\n", path);
    return 0;
}

/* Compute pipelines, built the first time a (shader, specialization) is used
 * and kept for the context's life. A VkPipelineCache shares the driver's
 * compilation between them and between runs: it is loaded from disk when the
 * context opens and saved when it closes (VDK_VK_PIPELINE_CACHE: "0" turns
 * this off, a directory puts it there; default $XDG_CACHE_HOME/vdk or
 * ~/.cache/vdk). The file is named by vendor, device and the driver's
 * pipelineCacheUUID, so another driver never reads it; drivers also check the
 * header and ignore data that is not theirs. Failing to read or write it only
 * costs compile time, so no failure is reported. */
#include "vk.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The cache file's path in vk->cache_path, or "" when the cache is off or
 * there is no place for it. Creates the directory (one level below an
 * existing parent, as ~/.cache/vdk). */
static void cache_path(vdk_vk *vk)
{
    vk->cache_path[0] = '\0';
    const char *env = getenv("VDK_VK_PIPELINE_CACHE");
    if (env && !strcmp(env, "0"))
        return;
    char dir[400];
    const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
    int n;
    if (env && *env)
        n = snprintf(dir, sizeof dir, "%s", env);
    else if (xdg && *xdg)
        n = snprintf(dir, sizeof dir, "%s/vdk", xdg);
    else if (home && *home)
        n = snprintf(dir, sizeof dir, "%s/.cache/vdk", home);
    else
        return;
    if (n <= 0 || (size_t)n >= sizeof dir)
        return;
    if (!(env && *env)) {
        /* ~/.cache may not exist yet on a fresh machine. */
        char *slash = strrchr(dir, '/');
        if (slash && slash != dir) {
            *slash = '\0';
            mkdir(dir, 0755);
            *slash = '/';
        }
    }
    if (mkdir(dir, 0755) != 0 && errno != EEXIST)
        return;
    char uuid[2 * VK_UUID_SIZE + 1];
    for (unsigned i = 0; i < VK_UUID_SIZE; i++)
        snprintf(uuid + 2 * i, 3, "%02x", vk->caps.cache_uuid[i]);
    n = snprintf(vk->cache_path, sizeof vk->cache_path, "%s/pipelines-%04x-%04x-%s.bin", dir,
                 vk->caps.vendor_id, vk->caps.device_id, uuid);
    if (n <= 0 || (size_t)n >= sizeof vk->cache_path)
        vk->cache_path[0] = '\0';
}

/* The file's bytes (malloc'd) in *data, or NULL. */
static size_t cache_load(const char *path, void **data)
{
    *data = NULL;
    FILE *f = path[0] ? fopen(path, "rb") : NULL;
    if (!f)
        return 0;
    long size = fseek(f, 0, SEEK_END) == 0 ? ftell(f) : -1;
    size_t got = 0;
    /* Anything past 256 MiB is not a pipeline cache of ours. */
    if (size > 0 && size < (256L << 20) && fseek(f, 0, SEEK_SET) == 0 &&
        (*data = malloc((size_t)size)) != NULL) {
        got = fread(*data, 1, (size_t)size, f);
        if (got != (size_t)size) {
            free(*data);
            *data = NULL;
            got = 0;
        }
    }
    fclose(f);
    return got;
}

/* Writes the cache next to its path and renames it over, so a reader never
 * sees half a file and concurrent writers leave one whole file. */
static void cache_save(vdk_vk *vk)
{
    if (!vk->cache_path[0] || !vk->cache_dirty)
        return;
    size_t size = 0;
    if (vkGetPipelineCacheData(vk->device, vk->cache, &size, NULL) != VK_SUCCESS || !size)
        return;
    void *data = malloc(size);
    if (!data)
        return;
    char tmp[sizeof vk->cache_path + 32];
    snprintf(tmp, sizeof tmp, "%s.%ld.tmp", vk->cache_path, (long)getpid());
    FILE *f = NULL;
    if (vkGetPipelineCacheData(vk->device, vk->cache, &size, data) == VK_SUCCESS &&
        (f = fopen(tmp, "wb")) != NULL) {
        const bool ok = fwrite(data, 1, size, f) == size;
        if (fclose(f) == 0 && ok)
            rename(tmp, vk->cache_path);
        else
            remove(tmp);
    }
    free(data);
}

vdk_status vdk_vk_pipelines_init(vdk_context *ctx, vdk_vk *vk)
{
    (void)ctx;
    const char *what = "vdk_context_create: pipeline layouts";
    cache_path(vk);
    void *data = NULL;
    const size_t size = cache_load(vk->cache_path, &data);
    VkPipelineCacheCreateInfo pcci = {
        .sType = VK_STRUCTURE_TYPE_PIPELINE_CACHE_CREATE_INFO,
        .initialDataSize = size,
        .pInitialData = data,
    };
    VkResult r = vkCreatePipelineCache(vk->device, &pcci, NULL, &vk->cache);
    if (r != VK_SUCCESS && size) {
        /* A driver may refuse data it cannot use instead of ignoring it. */
        pcci.initialDataSize = 0;
        pcci.pInitialData = NULL;
        r = vkCreatePipelineCache(vk->device, &pcci, NULL, &vk->cache);
    }
    free(data);
    vdk_status st = vdk_vk_check(NULL, vk, r, what);
    if (st)
        return st;
    const VkPushConstantRange push = {
        .stageFlags = VK_SHADER_STAGE_COMPUTE_BIT, .offset = 0, .size = VDK_VK_PUSH_BYTES};
    for (int n = 1; n <= VDK_VK_MAX_BINDINGS; n++) {
        VkDescriptorSetLayoutBinding b[VDK_VK_MAX_BINDINGS];
        for (int i = 0; i < n; i++)
            b[i] = (VkDescriptorSetLayoutBinding){
                .binding = (uint32_t)i,
                .descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER,
                .descriptorCount = 1,
                .stageFlags = VK_SHADER_STAGE_COMPUTE_BIT,
            };
        const VkDescriptorSetLayoutCreateInfo dslci = {
            .sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO,
            .bindingCount = (uint32_t)n,
            .pBindings = b,
        };
        if ((st = vdk_vk_check(NULL, vk,
                               vkCreateDescriptorSetLayout(vk->device, &dslci, NULL,
                                                           &vk->set_layout[n]),
                               what)))
            return st;
        const VkPipelineLayoutCreateInfo plci = {
            .sType = VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO,
            .setLayoutCount = 1,
            .pSetLayouts = &vk->set_layout[n],
            .pushConstantRangeCount = 1,
            .pPushConstantRanges = &push,
        };
        if ((st = vdk_vk_check(NULL, vk,
                               vkCreatePipelineLayout(vk->device, &plci, NULL, &vk->layout[n]),
                               what)))
            return st;
    }
    return VDK_OK;
}

void vdk_vk_pipelines_destroy(vdk_vk *vk)
{
    for (int i = 0; i < vk->npipelines; i++)
        vkDestroyPipeline(vk->device, vk->pipelines[i].pipeline, NULL);
    for (int i = 0; i < VDK_SHADER_COUNT; i++)
        if (vk->modules[i])
            vkDestroyShaderModule(vk->device, vk->modules[i], NULL);
    for (int n = 1; n <= VDK_VK_MAX_BINDINGS; n++) {
        if (vk->layout[n])
            vkDestroyPipelineLayout(vk->device, vk->layout[n], NULL);
        if (vk->set_layout[n])
            vkDestroyDescriptorSetLayout(vk->device, vk->set_layout[n], NULL);
    }
    if (vk->cache) {
        cache_save(vk);
        vkDestroyPipelineCache(vk->device, vk->cache, NULL);
    }
}

vdk_status vdk_vk_pipeline_get(vdk_context *ctx, vdk_vk *vk, const vdk_vk_dispatch *d,
                               VkPipeline *out)
{
    for (int i = 0; i < vk->npipelines; i++) {
        const vdk_vk_pipeline *p = &vk->pipelines[i];
        if (p->shader == d->shader && p->nbuf == d->nbuf && !memcmp(p->spec, d->spec, sizeof p->spec)) {
            *out = p->pipeline;
            return VDK_OK;
        }
    }
    const vdk_shader_code *code = &vdk_shader_table[d->shader];
    if (vk->npipelines == VDK_VK_MAX_PIPELINES)
        return vdk_fail(ctx, VDK_ERROR_INTERNAL,
                        "%s: the context's table of %d pipelines is full", code->name,
                        VDK_VK_MAX_PIPELINES);
    vdk_status st;
    if (!vk->modules[d->shader]) {
        const VkShaderModuleCreateInfo smci = {
            .sType = VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO,
            .codeSize = *code->size,
            .pCode = (const uint32_t *)(const void *)code->code,
        };
        if ((st = vdk_vk_check(ctx, vk,
                               vkCreateShaderModule(vk->device, &smci, NULL, &vk->modules[d->shader]),
                               code->name)))
            return st;
    }
    VkSpecializationMapEntry entries[VDK_VK_MAX_SPEC];
    for (uint32_t i = 0; i < VDK_VK_MAX_SPEC; i++)
        entries[i] = (VkSpecializationMapEntry){
            .constantID = i, .offset = i * (uint32_t)sizeof(uint32_t), .size = sizeof(uint32_t)};
    const VkSpecializationInfo spec = {
        .mapEntryCount = VDK_VK_MAX_SPEC,
        .pMapEntries = entries,
        .dataSize = sizeof d->spec,
        .pData = d->spec,
    };
    const VkComputePipelineCreateInfo cpci = {
        .sType = VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO,
        .stage =
            {
                .sType = VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO,
                .stage = VK_SHADER_STAGE_COMPUTE_BIT,
                .module = vk->modules[d->shader],
                .pName = "main",
                .pSpecializationInfo = &spec,
            },
        .layout = vk->layout[d->nbuf],
    };
    vdk_vk_pipeline *p = &vk->pipelines[vk->npipelines];
    if ((st = vdk_vk_check(ctx, vk,
                           vkCreateComputePipelines(vk->device, vk->cache, 1, &cpci, NULL,
                                                    &p->pipeline),
                           code->name)))
        return st;
    vk->cache_dirty = true;
    p->shader = d->shader;
    p->nbuf = d->nbuf;
    memcpy(p->spec, d->spec, sizeof p->spec);
    vk->npipelines++;
    *out = p->pipeline;
    return VDK_OK;
}

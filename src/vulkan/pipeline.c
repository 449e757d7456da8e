/* Compute pipelines, built the first time a (shader, specialization) is used
 * and kept for the context's life; a VkPipelineCache shares work between them
 * (in memory only: saving it on disk is a later step). */
#include "vk.h"

#include <string.h>

vdk_status vdk_vk_pipelines_init(vdk_context *ctx, vdk_vk *vk)
{
    (void)ctx;
    const char *what = "vdk_context_create: pipeline layouts";
    const VkPipelineCacheCreateInfo pcci = {.sType = VK_STRUCTURE_TYPE_PIPELINE_CACHE_CREATE_INFO};
    vdk_status st = vdk_vk_check(NULL, vk, vkCreatePipelineCache(vk->device, &pcci, NULL, &vk->cache),
                                 what);
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
    if (vk->cache)
        vkDestroyPipelineCache(vk->device, vk->cache, NULL);
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
    p->shader = d->shader;
    p->nbuf = d->nbuf;
    memcpy(p->spec, d->spec, sizeof p->spec);
    vk->npipelines++;
    *out = p->pipeline;
    return VDK_OK;
}

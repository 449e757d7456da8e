/* What the physical device offers, and what vdk turns on. */
#include "vk.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* An environment switch: set, non-empty and not "0". */
static bool env_on(const char *name)
{
    const char *v = getenv(name);
    return v && *v && strcmp(v, "0") != 0;
}

static bool has_ext(VkPhysicalDevice pd, const char *name)
{
    uint32_t n = 0;
    vkEnumerateDeviceExtensionProperties(pd, NULL, &n, NULL);
    VkExtensionProperties ext[512];
    if (n > 512)
        n = 512;
    vkEnumerateDeviceExtensionProperties(pd, NULL, &n, ext);
    for (uint32_t i = 0; i < n; i++)
        if (!strcmp(ext[i].extensionName, name))
            return true;
    return false;
}

void vdk_vk_probe(VkPhysicalDevice pd, vdk_vk_caps *caps)
{
    memset(caps, 0, sizeof *caps);
    VkPhysicalDeviceSubgroupSizeControlProperties sgc = {
        .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SUBGROUP_SIZE_CONTROL_PROPERTIES};
    VkPhysicalDeviceSubgroupProperties sg = {
        .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SUBGROUP_PROPERTIES, .pNext = &sgc};
    VkPhysicalDeviceDriverProperties drv = {
        .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_DRIVER_PROPERTIES, .pNext = &sg};
    VkPhysicalDeviceMaintenance3Properties m3 = {
        .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_MAINTENANCE_3_PROPERTIES, .pNext = &drv};
    VkPhysicalDeviceProperties2 p2 = {.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2,
                                      .pNext = &m3};
    const bool size_control_ext = has_ext(pd, VK_EXT_SUBGROUP_SIZE_CONTROL_EXTENSION_NAME);
    if (!size_control_ext)
        sg.pNext = NULL; /* the struct is core only from 1.3 */
    vkGetPhysicalDeviceProperties2(pd, &p2);
    const VkPhysicalDeviceLimits *l = &p2.properties.limits;
    memcpy(caps->name, p2.properties.deviceName, sizeof caps->name);
    drv.driverName[VK_MAX_DRIVER_NAME_SIZE - 1] = drv.driverInfo[VK_MAX_DRIVER_INFO_SIZE - 1] = 0;
    snprintf(caps->driver, sizeof caps->driver, "%s%s%s", drv.driverName,
             drv.driverName[0] && drv.driverInfo[0] ? " " : "", drv.driverInfo);
    caps->type = p2.properties.deviceType;
    caps->api_version = p2.properties.apiVersion;
    caps->subgroup_size = sg.subgroupSize;
    caps->subgroup_arith = (sg.supportedStages & VK_SHADER_STAGE_COMPUTE_BIT) &&
                           (sg.supportedOperations & VK_SUBGROUP_FEATURE_ARITHMETIC_BIT) &&
                           (sg.supportedOperations & VK_SUBGROUP_FEATURE_BASIC_BIT);
    caps->min_subgroup = size_control_ext ? sgc.minSubgroupSize : sg.subgroupSize;
    caps->max_subgroup = size_control_ext ? sgc.maxSubgroupSize : sg.subgroupSize;
    caps->shared_bytes = l->maxComputeSharedMemorySize;
    caps->max_invocations = l->maxComputeWorkGroupInvocations;
    memcpy(caps->max_groups, l->maxComputeWorkGroupCount, sizeof caps->max_groups);
    caps->max_alloc = m3.maxMemoryAllocationSize;
    caps->max_range = l->maxStorageBufferRange;
    caps->min_align = l->minStorageBufferOffsetAlignment;
    caps->timestamp_period = l->timestampPeriod;
    caps->vendor_id = p2.properties.vendorID;
    caps->device_id = p2.properties.deviceID;
    caps->driver_version = p2.properties.driverVersion;
    memcpy(caps->cache_uuid, p2.properties.pipelineCacheUUID, VK_UUID_SIZE);

    VkPhysicalDeviceVulkan12Features v12 = {
        .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_2_FEATURES};
    VkPhysicalDeviceVulkan11Features v11 = {
        .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_1_FEATURES, .pNext = &v12};
    VkPhysicalDeviceSubgroupSizeControlFeatures sgcf = {
        .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SUBGROUP_SIZE_CONTROL_FEATURES};
    if (size_control_ext)
        v12.pNext = &sgcf;
    VkPhysicalDeviceFeatures2 f2 = {.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2,
                                    .pNext = &v11};
    vkGetPhysicalDeviceFeatures2(pd, &f2);
    caps->storage16 = v11.storageBuffer16BitAccess;
    caps->float16 = v12.shaderFloat16;
    caps->size_control = size_control_ext && sgcf.subgroupSizeControl;
    caps->coopmat_khr = has_ext(pd, "VK_KHR_cooperative_matrix");
    caps->coopmat_nv = has_ext(pd, "VK_NV_cooperative_matrix");
    caps->bf16 = has_ext(pd, "VK_KHR_shader_bfloat16");
    /* Switches that make one device run the paths another device would
     * (tests of the fallbacks, comparisons of variants on one GPU). */
    if (env_on("VDK_VK_DISABLE_F16"))
        caps->storage16 = caps->float16 = caps->bf16 = false;
    if (env_on("VDK_VK_DISABLE_COOPMAT"))
        caps->coopmat_khr = caps->coopmat_nv = false;
}

void vdk_vk_enable_for(const vdk_vk_caps *caps, VkPhysicalDevice pd, vdk_vk_enable *e)
{
    (void)pd;
    memset(e, 0, sizeof *e);
    e->v12.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_2_FEATURES;
    e->v11.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_1_FEATURES;
    e->v11.pNext = &e->v12;
    e->features2.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2;
    e->features2.pNext = &e->v11;
    e->v11.storageBuffer16BitAccess = caps->storage16;
    e->v12.shaderFloat16 = caps->float16;
    /* Cooperative matrices and size control are only probed: no shader needs
     * them yet, and an extension is enabled when a shader does. */
}

/* Instance, validation messages, physical-device choice, logical device. */
#include "vk.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

vdk_status vdk_vk_check(vdk_context *ctx, vdk_vk *vk, VkResult r, const char *what)
{
    switch (r) {
    case VK_SUCCESS:
        return VDK_OK;
    case VK_ERROR_OUT_OF_HOST_MEMORY:
    case VK_ERROR_OUT_OF_DEVICE_MEMORY:
    case VK_ERROR_OUT_OF_POOL_MEMORY:
    case VK_ERROR_FRAGMENTED_POOL:
        return vdk_fail(ctx, VDK_ERROR_OUT_OF_MEMORY, "%s: out of %s memory (VkResult %d)", what,
                        r == VK_ERROR_OUT_OF_HOST_MEMORY ? "host" : "device", (int)r);
    case VK_ERROR_DEVICE_LOST:
        if (vk)
            vk->lost = true;
        return vdk_fail(ctx, VDK_ERROR_DEVICE_LOST,
                        "%s: the Vulkan device was lost; destroy the context and its tensors",
                        what);
    default:
        return vdk_fail(ctx, VDK_ERROR_INTERNAL, "%s failed with VkResult %d", what, (int)r);
    }
}

static VKAPI_ATTR VkBool32 VKAPI_CALL on_message(VkDebugUtilsMessageSeverityFlagBitsEXT severity,
                                                 VkDebugUtilsMessageTypeFlagsEXT types,
                                                 const VkDebugUtilsMessengerCallbackDataEXT *data,
                                                 void *user)
{
    /* The loader's own notes (type GENERAL, e.g. "VK_INSTANCE_LAYERS defined")
     * say nothing about vdk's use of Vulkan; its errors still count. */
    if (types == VK_DEBUG_UTILS_MESSAGE_TYPE_GENERAL_BIT_EXT &&
        !(severity & VK_DEBUG_UTILS_MESSAGE_SEVERITY_ERROR_BIT_EXT))
        return VK_FALSE;
    vdk_vk *vk = user;
    if (vk->messages++ == 0)
        snprintf(vk->first_message, sizeof vk->first_message, "%s",
                 data && data->pMessage ? data->pMessage : "(no text)");
    return VK_FALSE;
}

static bool has_extension(const VkExtensionProperties *list, uint32_t n, const char *name)
{
    for (uint32_t i = 0; i < n; i++)
        if (!strcmp(list[i].extensionName, name))
            return true;
    return false;
}

/* One VkInstance for the process, made by the first Vulkan context and kept
 * until exit: creating an instance loads every driver (lavapipe brings LLVM),
 * which is too slow to repeat per context, and unloading a driver that keeps
 * one-time allocations would leave them unreachable (LeakSanitizer reports
 * lavapipe's otherwise). Each context keeps its own messenger on it. */
static pthread_mutex_t instance_lock = PTHREAD_MUTEX_INITIALIZER;
static VkInstance shared_instance;
static bool shared_debug;

static vdk_status create_instance(vdk_vk *vk)
{
    uint32_t version = VK_API_VERSION_1_0;
    PFN_vkEnumerateInstanceVersion enum_version =
        (PFN_vkEnumerateInstanceVersion)vkGetInstanceProcAddr(NULL, "vkEnumerateInstanceVersion");
    if (enum_version)
        enum_version(&version);
    if (version < VK_API_VERSION_1_2)
        return vdk_fail(NULL, VDK_ERROR_UNSUPPORTED,
                        "vdk_context_create: the Vulkan loader offers %u.%u; the Vulkan backend "
                        "needs 1.2",
                        VK_API_VERSION_MAJOR(version), VK_API_VERSION_MINOR(version));

    uint32_t n = 0;
    vkEnumerateInstanceExtensionProperties(NULL, &n, NULL);
    VkExtensionProperties *ext = calloc(n ? n : 1, sizeof *ext);
    if (!ext)
        return vdk_fail(NULL, VDK_ERROR_OUT_OF_MEMORY, "vdk_context_create: out of host memory");
    vkEnumerateInstanceExtensionProperties(NULL, &n, ext);
    const bool debug = has_extension(ext, n, VK_EXT_DEBUG_UTILS_EXTENSION_NAME);
    free(ext);

    const VkDebugUtilsMessengerCreateInfoEXT mci = {
        .sType = VK_STRUCTURE_TYPE_DEBUG_UTILS_MESSENGER_CREATE_INFO_EXT,
        .messageSeverity = VK_DEBUG_UTILS_MESSAGE_SEVERITY_WARNING_BIT_EXT |
                           VK_DEBUG_UTILS_MESSAGE_SEVERITY_ERROR_BIT_EXT,
        .messageType = VK_DEBUG_UTILS_MESSAGE_TYPE_GENERAL_BIT_EXT |
                       VK_DEBUG_UTILS_MESSAGE_TYPE_VALIDATION_BIT_EXT |
                       VK_DEBUG_UTILS_MESSAGE_TYPE_PERFORMANCE_BIT_EXT,
        .pfnUserCallback = on_message,
        .pUserData = vk,
    };
    const char *names[] = {VK_EXT_DEBUG_UTILS_EXTENSION_NAME};
    const VkApplicationInfo app = {
        .sType = VK_STRUCTURE_TYPE_APPLICATION_INFO,
        .pApplicationName = "vdk",
        .pEngineName = "vdk",
        .engineVersion = VK_MAKE_API_VERSION(0, VDK_VERSION_MAJOR, VDK_VERSION_MINOR,
                                             VDK_VERSION_PATCH),
        .apiVersion = VK_API_VERSION_1_2,
    };
    /* The messenger in pNext also hears about the instance's creation. */
    const VkInstanceCreateInfo ici = {
        .sType = VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO,
        .pNext = debug ? &mci : NULL,
        .pApplicationInfo = &app,
        .enabledExtensionCount = debug ? 1 : 0,
        .ppEnabledExtensionNames = names,
    };
    vdk_status st = VDK_OK;
    pthread_mutex_lock(&instance_lock);
    if (!shared_instance) {
        st = vdk_vk_check(NULL, vk, vkCreateInstance(&ici, NULL, &shared_instance),
                          "vdk_context_create: vkCreateInstance");
        if (st)
            shared_instance = VK_NULL_HANDLE;
        shared_debug = debug;
    }
    pthread_mutex_unlock(&instance_lock);
    if (st)
        return st;
    vk->instance = shared_instance;
    if (shared_debug) {
        PFN_vkCreateDebugUtilsMessengerEXT create = (PFN_vkCreateDebugUtilsMessengerEXT)
            vkGetInstanceProcAddr(vk->instance, "vkCreateDebugUtilsMessengerEXT");
        if (create)
            st = vdk_vk_check(NULL, vk, create(vk->instance, &mci, NULL, &vk->messenger),
                              "vdk_context_create: vkCreateDebugUtilsMessengerEXT");
    }
    return st;
}

static int type_rank(VkPhysicalDeviceType t)
{
    switch (t) {
    case VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU: return 0;
    case VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU: return 1;
    case VK_PHYSICAL_DEVICE_TYPE_VIRTUAL_GPU: return 2;
    case VK_PHYSICAL_DEVICE_TYPE_CPU: return 3;
    default: return 4;
    }
}

/* The queue family with compute (compute-only preferred), or UINT32_MAX. */
/* The compute queue family (a compute-only one first); its timestamp bits in
 * *ts_bits when ts_bits is not NULL. */
static uint32_t compute_family_ts(VkPhysicalDevice pd, uint32_t *ts_bits)
{
    uint32_t n = 0;
    vkGetPhysicalDeviceQueueFamilyProperties(pd, &n, NULL);
    VkQueueFamilyProperties q[16];
    if (n > 16)
        n = 16;
    vkGetPhysicalDeviceQueueFamilyProperties(pd, &n, q);
    uint32_t any = UINT32_MAX;
    for (uint32_t i = 0; i < n; i++) {
        if (!(q[i].queueFlags & VK_QUEUE_COMPUTE_BIT))
            continue;
        if (!(q[i].queueFlags & VK_QUEUE_GRAPHICS_BIT)) {
            any = i;
            break;
        }
        if (any == UINT32_MAX)
            any = i;
    }
    if (ts_bits)
        *ts_bits = any == UINT32_MAX ? 0 : q[any].timestampValidBits;
    return any;
}

static uint32_t compute_family(VkPhysicalDevice pd) { return compute_family_ts(pd, NULL); }

/* desc->device, else VDK_VK_DEVICE (an index), else the best type (discrete
 * first; the enumeration order breaks ties). */
static vdk_status pick_device(const vdk_context_desc *desc, vdk_vk *vk)
{
    uint32_t n = 0;
    vdk_status st = vdk_vk_check(NULL, vk, vkEnumeratePhysicalDevices(vk->instance, &n, NULL),
                                 "vdk_context_create: vkEnumeratePhysicalDevices");
    if (st)
        return st;
    VkPhysicalDevice pds[32];
    if (n > 32)
        n = 32;
    if (n == 0)
        return vdk_fail(NULL, VDK_ERROR_UNSUPPORTED,
                        "vdk_context_create: no Vulkan device found (is a Vulkan driver "
                        "installed? Mesa's lavapipe runs on any CPU)");
    vkEnumeratePhysicalDevices(vk->instance, &n, pds);

    int want = desc->device;
    const char *env = getenv("VDK_VK_DEVICE");
    if (want < 0 && env && *env) {
        char *end = NULL;
        long v = strtol(env, &end, 10);
        if (*end || v < 0)
            return vdk_fail(NULL, VDK_ERROR_INVALID_VALUE,
                            "vdk_context_create: VDK_VK_DEVICE is '%s'; expected a device index "
                            "from 0 to %u",
                            env, n - 1);
        want = (int)v;
    }
    int best = -1, best_rank = 99;
    for (uint32_t i = 0; i < n; i++) {
        VkPhysicalDeviceProperties p;
        vkGetPhysicalDeviceProperties(pds[i], &p);
        bool usable = p.apiVersion >= VK_API_VERSION_1_2 && compute_family(pds[i]) != UINT32_MAX;
        if (want >= 0 && (uint32_t)want == i) {
            if (!usable)
                return vdk_fail(NULL, VDK_ERROR_UNSUPPORTED,
                                "vdk_context_create: Vulkan device %d (%s) has no Vulkan 1.2 "
                                "compute queue",
                                want, p.deviceName);
            best = (int)i;
        }
        if (want < 0 && usable && type_rank(p.deviceType) < best_rank) {
            best = (int)i;
            best_rank = type_rank(p.deviceType);
        }
    }
    if (best < 0)
        return want >= 0 ? vdk_fail(NULL, VDK_ERROR_INVALID_VALUE,
                                    "vdk_context_create: Vulkan device %d asked for; there are "
                                    "%u (0 to %u)",
                                    want, n, n - 1)
                         : vdk_fail(NULL, VDK_ERROR_UNSUPPORTED,
                                    "vdk_context_create: none of the %u Vulkan devices supports "
                                    "Vulkan 1.2 with a compute queue",
                                    n);
    vk->physical = pds[best];
    vk->index = best;
    vk->queue_family = compute_family(vk->physical);
    return VDK_OK;
}

vdk_status vdk_vk_open(vdk_context *ctx, const vdk_context_desc *desc, vdk_vk *vk)
{
    (void)ctx;
    vdk_status st;
    if ((st = create_instance(vk)) || (st = pick_device(desc, vk)))
        return st;
    vdk_vk_probe(vk->physical, &vk->caps);
    compute_family_ts(vk->physical, &vk->caps.timestamp_bits);
    vkGetPhysicalDeviceMemoryProperties(vk->physical, &vk->memory);

    vdk_vk_enable e;
    vdk_vk_enable_for(&vk->caps, vk->physical, &e);
    const float priority = 1.0f;
    const VkDeviceQueueCreateInfo qci = {
        .sType = VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO,
        .queueFamilyIndex = vk->queue_family,
        .queueCount = 1,
        .pQueuePriorities = &priority,
    };
    const VkDeviceCreateInfo dci = {
        .sType = VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO,
        .pNext = &e.features2,
        .queueCreateInfoCount = 1,
        .pQueueCreateInfos = &qci,
        .enabledExtensionCount = e.nextensions,
        .ppEnabledExtensionNames = e.extensions,
    };
    if ((st = vdk_vk_check(NULL, vk, vkCreateDevice(vk->physical, &dci, NULL, &vk->device),
                           "vdk_context_create: vkCreateDevice")))
        return st;
    vkGetDeviceQueue(vk->device, vk->queue_family, 0, &vk->queue);
    return VDK_OK;
}

void vdk_vk_close(vdk_vk *vk)
{
    if (vk->device) {
        vkDeviceWaitIdle(vk->device);
        vdk_vk_scratch_free(vk);
        free(vk->deferred);
        vdk_vk_heap_destroy(vk);
        vdk_vk_profile_destroy(vk);
        vdk_vk_pipelines_destroy(vk);
        vdk_vk_commands_destroy(vk);
        vkDestroyDevice(vk->device, NULL);
    }
    if (vk->messenger) {
        PFN_vkDestroyDebugUtilsMessengerEXT destroy = (PFN_vkDestroyDebugUtilsMessengerEXT)
            vkGetInstanceProcAddr(vk->instance, "vkDestroyDebugUtilsMessengerEXT");
        if (destroy)
            destroy(vk->instance, vk->messenger, NULL);
    }
    /* The instance is the process's (create_instance) and stays. */
    free(vk);
}

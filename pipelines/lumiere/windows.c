/* The window plan of temporal MultiDiffusion (windows.h gives the rule). */
#include "lumiere/windows.h"
#include "common/message.h"

vdk_status vdk_lumiere_windows_plan(int frames, int window, int overlap, int count,
                                    vdk_lumiere_windows *out, char *msg, size_t msg_size)
{
    static const char where[] = "vdk_lumiere_windows_plan";
    if (!out)
        return vdk_pipe_fail(VDK_ERROR_NULL_POINTER, msg, msg_size, "%s: out is NULL", where);
    if (frames < 1)
        return vdk_pipe_fail(VDK_ERROR_INVALID_VALUE, msg, msg_size,
                             "%s: the video's T %d must be positive", where, frames);
    if (window < 1 || window > frames)
        return vdk_pipe_fail(VDK_ERROR_INVALID_VALUE, msg, msg_size,
                             "%s: window_frames W %d must be in [1, T %d]", where, window, frames);
    if (overlap < 0 || overlap >= window)
        return vdk_pipe_fail(VDK_ERROR_INVALID_VALUE, msg, msg_size,
                             "%s: window_overlap o %d must be in [0, window_frames W %d)", where,
                             overlap, window);
    /* 64-bit: count * stride can pass INT_MAX for a silly count. */
    const long long stride = window - overlap;
    const long long fewest = (frames - overlap + stride - 1) / stride;
    if (count < 0)
        return vdk_pipe_fail(VDK_ERROR_INVALID_VALUE, msg, msg_size,
                             "%s: num_windows %d must be >= 0 (0: the fewest that cover)", where,
                             count);
    const long long k = count ? count : fewest;
    if (k * stride + overlap < frames)
        return vdk_pipe_fail(VDK_ERROR_INVALID_VALUE, msg, msg_size,
                             "%s: T %d is not covered: num_windows K %lld of window_frames W %d "
                             "overlapping by %d cover %lld frames (K >= %lld needed)",
                             where, frames, k, window, overlap, k * stride + overlap, fewest);
    if (k > 1 && (k - 1) * stride + overlap >= frames)
        return vdk_pipe_fail(VDK_ERROR_INVALID_VALUE, msg, msg_size,
                             "%s: num_windows K %lld is more than T %d needs: the last window of "
                             "W %d would lie inside the others (K <= %lld)",
                             where, k, frames, window, fewest);
    if (k > VDK_LUMIERE_MAX_WINDOWS)
        return vdk_pipe_fail(VDK_ERROR_INVALID_VALUE, msg, msg_size,
                             "%s: %lld windows (T %d, W %d, o %d) are more than %d", where, k,
                             frames, window, overlap, VDK_LUMIERE_MAX_WINDOWS);
    out->frames = frames;
    out->window = window;
    out->overlap = overlap;
    out->count = (int)k;
    for (int i = 0; i < out->count; i++)
        out->start[i] = i == out->count - 1 ? frames - window : i * (int)stride;
    return VDK_OK;
}

int vdk_lumiere_windows_coverage(const vdk_lumiere_windows *p, int t)
{
    int n = 0;
    if (!p || t < 0 || t >= p->frames)
        return 0;
    for (int i = 0; i < p->count; i++)
        n += t >= p->start[i] && t < p->start[i] + p->window;
    return n;
}

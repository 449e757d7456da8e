/* The temporal windows of Lumiere's MultiDiffusion (PIPELINES.md §2.4): which
 * frames of a T-frame video each SSR pass sees, and how many passes cover a
 * frame. Host arithmetic only; lumiere/multidiffusion.h runs the passes. */
#ifndef VDK_PIPELINES_LUMIERE_WINDOWS_H
#define VDK_PIPELINES_LUMIERE_WINDOWS_H

#include "vdk/vdk.h"

#include <stddef.h>

/* The most windows a plan holds (80 frames take 6). */
#define VDK_LUMIERE_MAX_WINDOWS 1024

typedef struct vdk_lumiere_windows {
    int frames;  /* T, the video */
    int window;  /* W, frames per window */
    int overlap; /* o, the frames two neighbours share at least */
    int count;   /* K */
    /* Window i covers frames [start[i], start[i] + W). start[i] = i (W - o)
     * for i < K - 1 and start[K-1] = T - W: the last window ends with the
     * video, overlapping its neighbour by o frames when K (W - o) + o = T (an
     * exact tiling, e.g. 6 x 15 frames over 80: 0, 13, 26, 39, 52, 65) and by
     * more otherwise (chosen; PIPELINES.md §2.4 uses exact tilings only). */
    int start[VDK_LUMIERE_MAX_WINDOWS];
} vdk_lumiere_windows;

/* The plan of `count` windows of `window` frames, neighbours sharing
 * `overlap`, over `frames` frames; count 0 takes the fewest that cover,
 * ceil((T - o) / (W - o)). VDK_ERROR_INVALID_VALUE, out untouched and msg
 * naming the argument, when T < 1, W < 1 or W > T, o < 0 or o >= W, count < 0,
 * or count windows that do not cover T (K (W - o) + o < T) or of which one
 * lies wholly inside the others ((K - 1)(W - o) + o >= T), or more than
 * VDK_LUMIERE_MAX_WINDOWS; VDK_ERROR_NULL_POINTER for out NULL. */
vdk_status vdk_lumiere_windows_plan(int frames, int window, int overlap, int count,
                                    vdk_lumiere_windows *out, char *msg, size_t msg_size);

/* How many windows of p cover frame t (0 outside [0, T)). */
int vdk_lumiere_windows_coverage(const vdk_lumiere_windows *p, int t);

#endif

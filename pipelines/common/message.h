/* The message buffers of the pipelines' API (msg, msg_size): every function
 * that can fail takes one, which may be NULL or of size 0. */
#ifndef VDK_PIPELINES_MESSAGE_H
#define VDK_PIPELINES_MESSAGE_H

#include "vdk/vdk.h"

#include <stddef.h>

/* printf into msg, cut to msg_size; nothing when msg is NULL or msg_size 0. */
void vdk_pipe_say(char *msg, size_t msg_size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The same, returning st: `return vdk_pipe_fail(VDK_ERROR_..., msg, size, ...)`. */
vdk_status vdk_pipe_fail(vdk_status st, char *msg, size_t msg_size, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#endif

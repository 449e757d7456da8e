/* One printf into a caller's message buffer, for every pipeline file. */
#include "common/message.h"

#include <stdarg.h>
#include <stdio.h>

static void vsay(char *msg, size_t msg_size, const char *fmt, va_list ap)
{
    if (msg && msg_size)
        vsnprintf(msg, msg_size, fmt, ap);
}

void vdk_pipe_say(char *msg, size_t msg_size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsay(msg, msg_size, fmt, ap);
    va_end(ap);
}

vdk_status vdk_pipe_fail(vdk_status st, char *msg, size_t msg_size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsay(msg, msg_size, fmt, ap);
    va_end(ap);
    return st;
}

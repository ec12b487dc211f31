/* bench/attach.c — attach costs. Implements attach.h. */
#include "bench/attach.h"

#include <stdio.h>

#include "bench/clock.h"
#include "bench/debug_session.h"
#include "bench/rsp_client.h"
#include "bench/rsp_reply.h"

/* Some stubs need a moment to notice the last debugger left before they take the next. */
#define ATTACH_REPLY_TIMEOUT_MS 10000

int attach_first_stop(const char *host, unsigned port, char *err, size_t errlen)
{
    const char *reply;
    size_t len;
    struct stop_reply stop;
    struct rsp_conn *c = rsp_connect(host, port, err, errlen);
    if (!c)
        return -1;
    int rc = rsp_request(c, "?", ATTACH_REPLY_TIMEOUT_MS, &reply, &len);
    if (rc < 0)
        snprintf(err, errlen, "?: %s", rsp_error(c));
    else if (!stop_reply_parse(reply, len, -1, 0, &stop) ||
             (stop.kind != 'T' && stop.kind != 'S')) {
        snprintf(err, errlen, "?: reply '%.40s' is not a stop", reply);
        rc = -1;
    }
    rsp_close(c);
    return rc;
}

static int attach_handshake(const char *host, unsigned port, char *err, size_t errlen)
{
    struct dbg_session s;
    int rc = dbg_open(&s, host, port);
    if (rc < 0)
        snprintf(err, errlen, "%s", s.err);
    dbg_close(&s);
    return rc;
}

int attach_measure(const char *host, unsigned port, bool handshake, int count, double *us,
                   char *err, size_t errlen)
{
    double total = 0;
    for (int i = 0; i < count; i++) {
        double t0 = clock_now_us();
        int rc = handshake ? attach_handshake(host, port, err, errlen)
                           : attach_first_stop(host, port, err, errlen);
        if (rc < 0)
            return -1;
        total += clock_now_us() - t0;
    }
    *us = total / count;
    return 0;
}

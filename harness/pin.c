/* pin.c — CPU pinning with hwloc: parse and check a CPU list, bind the
 * process to it, read the binding back.
 *
 * Design decision: each call loads its own topology and destroys it before
 * returning (see pin.h), and the list grammar is checked here before hwloc
 * reads it, because hwloc_bitmap_list_sscanf silently accepts text such as
 * "1a" (as an empty set) or "0-" (as an infinite one). */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "infergate/error.h"
#include "pin.h"

static int topology(hwloc_topology_t *t)
{
    if (hwloc_topology_init(t))
        return IG_EINTERNAL;
    if (hwloc_topology_load(*t)) {
        hwloc_topology_destroy(*t);
        return IG_EINTERNAL;
    }
    return 0;
}

/* The grammar: item ("," item)*, item = N | N "-" M with N <= M, no
 * blanks.  Returns NULL when valid, else what is wrong. */
static const char *check_grammar(const char *s)
{
    const char *p = s;
    for (;;) {
        if (!isdigit((unsigned char)*p))
            return "expected a CPU number";
        char *end;
        errno = 0;
        unsigned long lo = strtoul(p, &end, 10), hi = lo;
        if (errno || lo > 1u << 20)
            return "CPU number too large";
        p = end;
        if (*p == '-') {
            p++;
            if (!isdigit((unsigned char)*p))
                return "a range needs an end (N-M)";
            hi = strtoul(p, &end, 10);
            if (errno || hi > 1u << 20)
                return "CPU number too large";
            if (hi < lo)
                return "a range must go up (N-M with N <= M)";
            p = end;
        }
        if (*p == '\0')
            return NULL;
        if (*p != ',')
            return "expected ',' between items";
        p++;
    }
}

static void list_string(hwloc_const_bitmap_t set, char *buf, size_t len)
{
    if (hwloc_bitmap_list_snprintf(buf, len, set) < 0)
        snprintf(buf, len, "?");
}

/* Sets bad to the CPUs of set outside ref; returns 1 when there are any. */
static int outside(hwloc_bitmap_t bad, hwloc_const_bitmap_t set, hwloc_const_bitmap_t ref)
{
    hwloc_bitmap_andnot(bad, set, ref);
    return !hwloc_bitmap_iszero(bad);
}

/* "--cpus LIST: CPUs BAD <plural> (<ref_label>REF)", singular for one CPU. */
static void say_outside(char *msg, size_t msglen, const char *list,
                        hwloc_const_bitmap_t bad, hwloc_const_bitmap_t ref,
                        const char *singular, const char *plural, const char *ref_label)
{
    char a[256], b[256];
    int one = hwloc_bitmap_weight(bad) == 1;
    list_string(bad, a, sizeof a);
    list_string(ref, b, sizeof b);
    snprintf(msg, msglen, "--cpus %s: CPU%s %s %s (%s%s)", list, one ? "" : "s", a,
             one ? singular : plural, ref_label, b);
}

/* Parse and check against topology t. */
static int parse(hwloc_topology_t t, const char *list, hwloc_bitmap_t *out,
                 char *msg, size_t msglen)
{
    const char *why;
    *out = NULL;
    if (!list || !*list) {
        snprintf(msg, msglen, "--cpus '': the CPU list is empty");
        return IG_EUSAGE;
    }
    if ((why = check_grammar(list))) {
        snprintf(msg, msglen, "--cpus %s: not a CPU list like 0-3,6 (%s)", list, why);
        return IG_EUSAGE;
    }
    hwloc_bitmap_t set = hwloc_bitmap_alloc(), bad = hwloc_bitmap_alloc();
    if (!set || !bad) {
        hwloc_bitmap_free(set);
        hwloc_bitmap_free(bad);
        snprintf(msg, msglen, "--cpus %s: out of memory", list);
        return IG_ENOMEM;
    }
    int rc = IG_EUSAGE;
    hwloc_const_bitmap_t all = hwloc_topology_get_complete_cpuset(t);
    hwloc_const_bitmap_t allowed = hwloc_topology_get_allowed_cpuset(t);
    if (hwloc_bitmap_list_sscanf(set, list) < 0)
        snprintf(msg, msglen, "--cpus %s: not a CPU list like 0-3,6", list);
    else if (hwloc_bitmap_iszero(set))
        snprintf(msg, msglen, "--cpus %s: the list selects no CPU", list);
    else if (outside(bad, set, all))
        say_outside(msg, msglen, list, bad, all, "does not exist on this machine",
                    "do not exist on this machine", "");
    else if (outside(bad, set, allowed))
        say_outside(msg, msglen, list, bad, allowed, "is not allowed to this process",
                    "are not allowed to this process", "allowed: ");
    else
        rc = 0;
    hwloc_bitmap_free(bad);
    if (rc)
        hwloc_bitmap_free(set);
    else
        *out = set;
    return rc;
}

int ig__pin_parse(const char *list, hwloc_bitmap_t *out, char *msg, size_t msglen)
{
    hwloc_topology_t t;
    *out = NULL;
    if (topology(&t)) {
        snprintf(msg, msglen, "--cpus %s: cannot read the machine's topology (hwloc)",
                 list ? list : "");
        return IG_EINTERNAL;
    }
    int rc = parse(t, list, out, msg, msglen);
    hwloc_topology_destroy(t);
    return rc;
}

int ig__pin_check(const char *list, char *msg, size_t msglen)
{
    hwloc_bitmap_t set;
    int rc = ig__pin_parse(list, &set, msg, msglen);
    hwloc_bitmap_free(set);
    return rc;
}

int ig__pin_apply(const char *list, char *msg, size_t msglen)
{
    hwloc_topology_t t;
    hwloc_bitmap_t set;
    if (topology(&t)) {
        snprintf(msg, msglen, "--cpus %s: cannot read the machine's topology (hwloc)",
                 list ? list : "");
        return IG_EINTERNAL;
    }
    int rc = parse(t, list, &set, msg, msglen);
    if (rc == 0) {
        if (hwloc_set_cpubind(t, set, HWLOC_CPUBIND_PROCESS) != 0) {
            int e = errno;
            snprintf(msg, msglen, "--cpus %s: cannot bind the process: %s", list,
                     strerror(e));
            rc = e == ENOSYS ? IG_EUNSUPPORTED : IG_EINTERNAL;
        }
        hwloc_bitmap_free(set);
    }
    hwloc_topology_destroy(t);
    return rc;
}

int ig__pin_current(char *buf, size_t len)
{
    hwloc_topology_t t;
    if (topology(&t))
        return IG_EINTERNAL;
    hwloc_bitmap_t set = hwloc_bitmap_alloc();
    int rc = set && hwloc_get_cpubind(t, set, HWLOC_CPUBIND_PROCESS) == 0 &&
                     hwloc_bitmap_list_snprintf(buf, len, set) >= 0
                 ? 0
                 : IG_EINTERNAL;
    hwloc_bitmap_free(set);
    hwloc_topology_destroy(t);
    return rc;
}

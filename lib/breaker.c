/* breaker.c — the circuit breaker: a count-based sliding window of the
 * last N outcomes, judged only once min_calls outcomes are in it; a
 * cool-down that grows geometrically on repeat trips; a half-open state
 * where the first trial outcome decides.  docs/embedding.md states the
 * rules; tests/unit/test_breaker.c walks every transition with an
 * injected clock.
 *
 * The one decision: the cool-down level (how many times the base
 * cool-down has been multiplied) falls back to zero only when a full,
 * judged window turns out healthy, not when the breaker merely closes.  A
 * backend that passes one trial and fails again straight after therefore
 * keeps backing off instead of being retried every base cool-down. */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "breaker.h"

#define WINDOW_MAX 4096

struct ig__breaker {
    pthread_mutex_t mu;
    ig_breaker_config cfg;
    int state;
    uint64_t gen;          /* changes on every transition; tickets carry it */
    uint8_t *win;          /* ring of the last cfg.window outcomes, 1 = ok */
    int head, count, succ; /* next slot, outcomes held, successes held */
    uint64_t calls, successes, failures, rejections, trips;
    unsigned level;        /* trips since the last healthy window */
    uint64_t cooldown;     /* length of the current (or last) open period */
    uint64_t open_until;
    int trials;            /* trials admitted in this half-open period */
};

void ig_breaker_config_init(ig_breaker_config *c)
{
    memset(c, 0, sizeof *c);
    c->window = 20;
    c->min_calls = 20;
    c->min_success_rate = 0.95;
    c->cooldown_ns = 1000000000ull;
    c->cooldown_factor = 2.0;
    c->cooldown_max_ns = 60000000000ull;
    c->half_open_trials = 1;
}

const char *ig__breaker_state_name(int state)
{
    switch (state) {
    case IG_BREAKER_CLOSED: return "closed";
    case IG_BREAKER_OPEN: return "open";
    case IG_BREAKER_HALF_OPEN: return "half-open";
    default: return "unknown";
    }
}

static uint64_t mono_ns(void *user)
{
    (void)user;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int bad(char *msg, size_t msglen, const char *what)
{
    if (msglen)
        snprintf(msg, msglen, "breaker configuration: %s", what);
    return IG_EINVAL;
}

int ig__breaker_config_check(const ig_breaker_config *c, char *msg, size_t msglen)
{
    char m[160];
    if (c->window < 1 || c->window > WINDOW_MAX) {
        snprintf(m, sizeof m, "window must be 1..%d, got %d (start from "
                 "ig_breaker_config_init)", WINDOW_MAX, c->window);
        return bad(msg, msglen, m);
    }
    if (c->min_calls < 1 || c->min_calls > c->window) {
        snprintf(m, sizeof m, "min_calls must be 1..window (%d), got %d", c->window,
                 c->min_calls);
        return bad(msg, msglen, m);
    }
    if (!(c->min_success_rate >= 0.0 && c->min_success_rate <= 1.0)) {
        snprintf(m, sizeof m, "min_success_rate must be within 0..1, got %g",
                 c->min_success_rate);
        return bad(msg, msglen, m);
    }
    if (c->cooldown_ns == 0)
        return bad(msg, msglen, "cooldown_ns must be positive");
    if (!(c->cooldown_factor >= 1.0) || !isfinite(c->cooldown_factor)) {
        snprintf(m, sizeof m, "cooldown_factor must be finite and >= 1, got %g",
                 c->cooldown_factor);
        return bad(msg, msglen, m);
    }
    if (c->cooldown_max_ns < c->cooldown_ns)
        return bad(msg, msglen, "cooldown_max_ns must be >= cooldown_ns");
    if (c->half_open_trials < 1) {
        snprintf(m, sizeof m, "half_open_trials must be >= 1, got %d",
                 c->half_open_trials);
        return bad(msg, msglen, m);
    }
    return 0;
}

int ig__breaker_create(const ig_breaker_config *cfg, ig__breaker **out, char *msg,
                       size_t msglen)
{
    *out = NULL;
    ig_breaker_config def;
    if (!cfg) {
        ig_breaker_config_init(&def);
        cfg = &def;
    }
    int rc = ig__breaker_config_check(cfg, msg, msglen);
    if (rc)
        return rc;
    ig__breaker *b = calloc(1, sizeof *b);
    if (!b)
        return IG_ENOMEM;
    b->win = calloc((size_t)cfg->window, 1);
    if (!b->win || pthread_mutex_init(&b->mu, NULL) != 0) {
        free(b->win);
        free(b);
        return IG_ENOMEM;
    }
    b->cfg = *cfg;
    if (!b->cfg.clock)
        b->cfg.clock = mono_ns;
    b->state = IG_BREAKER_CLOSED;
    b->gen = 1;
    *out = b;
    return 0;
}

void ig__breaker_destroy(ig__breaker *b)
{
    if (!b)
        return;
    pthread_mutex_destroy(&b->mu);
    free(b->win);
    free(b);
}

static uint64_t now_of(ig__breaker *b)
{
    return b->cfg.clock(b->cfg.clock_user);
}

/* base * factor^(level-1), capped; pow's overflow to inf lands on the cap. */
static uint64_t cooldown_for(const ig_breaker_config *c, unsigned level)
{
    double cd = (double)c->cooldown_ns * pow(c->cooldown_factor, (double)level - 1.0);
    if (!(cd < (double)c->cooldown_max_ns))
        return c->cooldown_max_ns;
    return (uint64_t)cd;
}

static void window_clear(ig__breaker *b)
{
    b->head = b->count = b->succ = 0;
}

static void trip(ig__breaker *b, uint64_t now)
{
    if (b->level < 4096)
        b->level++;
    b->cooldown = cooldown_for(&b->cfg, b->level);
    b->open_until = now > UINT64_MAX - b->cooldown ? UINT64_MAX : now + b->cooldown;
    b->state = IG_BREAKER_OPEN;
    b->gen++;
    b->trips++;
}

/* Open → half-open once the cool-down has passed. */
static void advance(ig__breaker *b, uint64_t now)
{
    if (b->state == IG_BREAKER_OPEN && now >= b->open_until) {
        b->state = IG_BREAKER_HALF_OPEN;
        b->gen++;
        b->trials = 0;
    }
}

int ig__breaker_acquire(ig__breaker *b, uint64_t *ticket)
{
    pthread_mutex_lock(&b->mu);
    advance(b, now_of(b));
    int admit = b->state == IG_BREAKER_CLOSED ||
                (b->state == IG_BREAKER_HALF_OPEN &&
                 b->trials < b->cfg.half_open_trials);
    if (admit) {
        if (b->state == IG_BREAKER_HALF_OPEN)
            b->trials++;
        *ticket = b->gen;
    } else {
        b->rejections++;
        *ticket = 0;
    }
    pthread_mutex_unlock(&b->mu);
    return admit;
}

/* Closed: the outcome enters the window, which is judged once it holds
 * min_calls outcomes.  Exactly min_success_rate is healthy; below opens. */
static void record_closed(ig__breaker *b, int ok)
{
    int w = b->cfg.window;
    if (b->count == w)
        b->succ -= b->win[b->head];
    else
        b->count++;
    b->win[b->head] = ok ? 1 : 0;
    b->succ += ok ? 1 : 0;
    b->head = (b->head + 1) % w;
    if (b->count < b->cfg.min_calls)
        return;
    double rate = (double)b->succ / (double)b->count;
    if (rate < b->cfg.min_success_rate)
        trip(b, now_of(b));
    else
        b->level = 0;
}

void ig__breaker_record(ig__breaker *b, uint64_t ticket, int ok)
{
    pthread_mutex_lock(&b->mu);
    b->calls++;
    if (ok)
        b->successes++;
    else
        b->failures++;
    if (ticket == b->gen) {
        if (b->state == IG_BREAKER_CLOSED) {
            record_closed(b, ok);
        } else if (b->state == IG_BREAKER_HALF_OPEN) {
            if (ok) {
                b->state = IG_BREAKER_CLOSED;
                b->gen++;
                window_clear(b);
            } else {
                trip(b, now_of(b));
            }
        }
    }
    pthread_mutex_unlock(&b->mu);
}

void ig__breaker_stats(ig__breaker *b, ig_breaker_stats *st)
{
    pthread_mutex_lock(&b->mu);
    advance(b, now_of(b));
    memset(st, 0, sizeof *st);
    st->state = b->state;
    st->calls = b->calls;
    st->successes = b->successes;
    st->failures = b->failures;
    st->rejections = b->rejections;
    st->trips = b->trips;
    st->window_calls = b->count;
    st->window_successes = b->succ;
    st->cooldown_ns = b->cooldown;
    pthread_mutex_unlock(&b->mu);
}

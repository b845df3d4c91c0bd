/* test_breaker.c — the circuit breaker's state machine, transition by
 * transition, with an injected clock: no test sleeps, and every cool-down
 * is checked to the nanosecond on both sides of its end.
 *
 * The rules under test are those of docs/embedding.md: closed until at
 * least min_calls outcomes are in the window and their success rate is
 * below the threshold (exactly the threshold is healthy); refused while
 * open; half-open at the end of the cool-down with half_open_trials trial
 * calls; the first trial outcome decides; the cool-down doubles per repeat
 * trip up to the cap and falls back to the base after a healthy window. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "../../lib/breaker.h"

#define SEC 1000000000ull

static uint64_t fake_now;

static uint64_t fake_clock(void *user)
{
    (void)user;
    return fake_now;
}

static ig__breaker *make(ig_breaker_config *c)
{
    ig_breaker_config def;
    if (!c) {
        ig_breaker_config_init(&def);
        c = &def;
    }
    c->clock = fake_clock;
    fake_now = 1000 * SEC;
    ig__breaker *b = NULL;
    char msg[256] = "";
    assert_int_equal(ig__breaker_create(c, &b, msg, sizeof msg), 0);
    assert_non_null(b);
    return b;
}

static ig_breaker_stats stats(ig__breaker *b)
{
    ig_breaker_stats st;
    ig__breaker_stats(b, &st);
    return st;
}

/* One admitted call with the given outcome; fails the test if refused. */
static void call(ig__breaker *b, int ok)
{
    uint64_t t;
    assert_int_equal(ig__breaker_acquire(b, &t), 1);
    ig__breaker_record(b, t, ok);
}

static void calls(ig__breaker *b, int n, int ok)
{
    for (int i = 0; i < n; i++)
        call(b, ok);
}

static int refused(ig__breaker *b)
{
    uint64_t t;
    return ig__breaker_acquire(b, &t) == 0;
}

/* Trips a default breaker from closed: 20 failures. */
static void trip_closed(ig__breaker *b)
{
    calls(b, 20, 0);
    assert_int_equal(stats(b).state, IG_BREAKER_OPEN);
}

static void test_defaults(void **state)
{
    (void)state;
    ig_breaker_config c;
    memset(&c, 0x5a, sizeof c);
    ig_breaker_config_init(&c);
    assert_int_equal(c.window, 20);
    assert_int_equal(c.min_calls, 20);
    assert_true(c.min_success_rate == 0.95);
    assert_true(c.cooldown_ns == 1 * SEC);
    assert_true(c.cooldown_factor == 2.0);
    assert_true(c.cooldown_max_ns == 60 * SEC);
    assert_int_equal(c.half_open_trials, 1);
    assert_null(c.clock);
    assert_null(c.clock_user);
}

static void test_config_rejected(void **state)
{
    (void)state;
    static const struct {
        const char *field;
    } cases[] = {{"window"}, {"min_calls"}, {"min_success_rate"}, {"cooldown_ns"},
                 {"cooldown_factor"}, {"cooldown_max_ns"}, {"half_open_trials"}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ig_breaker_config c;
        ig_breaker_config_init(&c);
        switch (i) {
        case 0: c.window = 0; break;
        case 1: c.min_calls = 21; break;
        case 2: c.min_success_rate = 1.5; break;
        case 3: c.cooldown_ns = 0; break;
        case 4: c.cooldown_factor = 0.5; break;
        case 5: c.cooldown_max_ns = c.cooldown_ns - 1; break;
        default: c.half_open_trials = 0; break;
        }
        ig__breaker *b = (ig__breaker *)&c; /* must be reset to NULL */
        char msg[256] = "";
        assert_int_equal(ig__breaker_create(&c, &b, msg, sizeof msg), IG_EINVAL);
        assert_null(b);
        assert_non_null(strstr(msg, cases[i].field));
    }
    /* A zeroed configuration is refused, not taken as defaults. */
    ig_breaker_config z;
    memset(&z, 0, sizeof z);
    ig__breaker *b = NULL;
    assert_int_equal(ig__breaker_create(&z, &b, NULL, 0), IG_EINVAL);
    /* NULL is the defaults. */
    assert_int_equal(ig__breaker_create(NULL, &b, NULL, 0), 0);
    assert_int_equal(stats(b).state, IG_BREAKER_CLOSED);
    ig__breaker_destroy(b);
    ig__breaker_destroy(NULL);
}

/* Decision (docs/embedding.md): below min_calls nothing is judged, so 19
 * failures out of 19 calls leave the breaker closed; the 20th opens it. */
static void test_min_calls_not_reached(void **state)
{
    (void)state;
    ig__breaker *b = make(NULL);
    calls(b, 19, 0);
    ig_breaker_stats st = stats(b);
    assert_int_equal(st.state, IG_BREAKER_CLOSED);
    assert_int_equal(st.trips, 0);
    assert_int_equal(st.window_calls, 19);
    assert_int_equal(st.window_successes, 0);
    call(b, 0);
    st = stats(b);
    assert_int_equal(st.state, IG_BREAKER_OPEN);
    assert_int_equal(st.trips, 1);
    ig__breaker_destroy(b);
}

/* 19 of 20 is exactly 95%: healthy.  One more failure slides the oldest
 * success out: 18 of 20 = 90% < 95%: open. */
static void test_opens_below_threshold(void **state)
{
    (void)state;
    ig__breaker *b = make(NULL);
    calls(b, 19, 1);
    call(b, 0);
    ig_breaker_stats st = stats(b);
    assert_int_equal(st.state, IG_BREAKER_CLOSED);
    assert_int_equal(st.window_calls, 20);
    assert_int_equal(st.window_successes, 19);
    call(b, 0);
    st = stats(b);
    assert_int_equal(st.state, IG_BREAKER_OPEN);
    assert_int_equal(st.window_successes, 18);
    assert_true(st.cooldown_ns == 1 * SEC);
    ig__breaker_destroy(b);
}

/* The window is the last N calls: a failure older than that no longer
 * counts (over all 22 calls the rate would be 20/22 < 95%). */
static void test_window_slides(void **state)
{
    (void)state;
    ig__breaker *b = make(NULL);
    call(b, 0);
    calls(b, 20, 1);
    call(b, 0);
    ig_breaker_stats st = stats(b);
    assert_int_equal(st.state, IG_BREAKER_CLOSED);
    assert_int_equal(st.window_calls, 20);
    assert_int_equal(st.window_successes, 19);
    assert_int_equal(st.failures, 2);
    ig__breaker_destroy(b);
}

/* Smaller windows and min_calls behave the same way. */
static void test_custom_window(void **state)
{
    (void)state;
    ig_breaker_config c;
    ig_breaker_config_init(&c);
    c.window = 10;
    c.min_calls = 5;
    c.min_success_rate = 0.5;
    ig__breaker *b = make(&c);
    calls(b, 2, 1);
    calls(b, 2, 0);
    assert_int_equal(stats(b).state, IG_BREAKER_CLOSED); /* 4 < min_calls */
    call(b, 0);                                          /* 2 of 5 = 40% */
    assert_int_equal(stats(b).state, IG_BREAKER_OPEN);
    ig__breaker_destroy(b);
}

static void test_refuses_while_open(void **state)
{
    (void)state;
    ig__breaker *b = make(NULL);
    trip_closed(b);
    for (int i = 0; i < 7; i++)
        assert_true(refused(b));
    fake_now += 1 * SEC - 1; /* one nanosecond short of the cool-down */
    assert_true(refused(b));
    ig_breaker_stats st = stats(b);
    assert_int_equal(st.state, IG_BREAKER_OPEN);
    assert_int_equal(st.rejections, 8);
    assert_int_equal(st.calls, 20);
    ig__breaker_destroy(b);
}

static void test_half_opens_after_cooldown(void **state)
{
    (void)state;
    ig__breaker *b = make(NULL);
    trip_closed(b);
    fake_now += 1 * SEC;
    assert_int_equal(stats(b).state, IG_BREAKER_HALF_OPEN);
    uint64_t t;
    assert_int_equal(ig__breaker_acquire(b, &t), 1);
    /* One trial at a time by default: the next caller falls back. */
    assert_true(refused(b));
    assert_int_equal(stats(b).rejections, 1);
    assert_int_equal(stats(b).state, IG_BREAKER_HALF_OPEN);
    ig__breaker_record(b, t, 1);
    ig__breaker_destroy(b);
}

static void test_half_open_success_closes(void **state)
{
    (void)state;
    ig__breaker *b = make(NULL);
    trip_closed(b);
    fake_now += 1 * SEC;
    call(b, 1);
    ig_breaker_stats st = stats(b);
    assert_int_equal(st.state, IG_BREAKER_CLOSED);
    assert_int_equal(st.window_calls, 0); /* the window starts afresh */
    assert_int_equal(st.window_successes, 0);
    /* Fresh window: 19 failures are again not enough to judge. */
    calls(b, 19, 0);
    assert_int_equal(stats(b).state, IG_BREAKER_CLOSED);
    ig__breaker_destroy(b);
}

static void test_half_open_failure_reopens_doubled(void **state)
{
    (void)state;
    ig__breaker *b = make(NULL);
    trip_closed(b);
    fake_now += 1 * SEC;
    call(b, 0);
    ig_breaker_stats st = stats(b);
    assert_int_equal(st.state, IG_BREAKER_OPEN);
    assert_int_equal(st.trips, 2);
    assert_true(st.cooldown_ns == 2 * SEC);
    fake_now += 2 * SEC - 1;
    assert_true(refused(b));
    fake_now += 1;
    call(b, 0);
    st = stats(b);
    assert_true(st.cooldown_ns == 4 * SEC);
    assert_int_equal(st.trips, 3);
    ig__breaker_destroy(b);
}

/* 1, 2, 4, ... 32 s, then the 60 s cap, and it stays there. */
static void test_cooldown_cap(void **state)
{
    (void)state;
    ig__breaker *b = make(NULL);
    trip_closed(b);
    static const uint64_t want[] = {1, 2, 4, 8, 16, 32, 60, 60, 60};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        ig_breaker_stats st = stats(b);
        assert_int_equal(st.state, IG_BREAKER_OPEN);
        assert_true(st.cooldown_ns == want[i] * SEC);
        fake_now += want[i] * SEC - 1;
        assert_true(refused(b));
        fake_now += 1;
        call(b, 0);
    }
    ig__breaker_destroy(b);
}

static void test_custom_backoff(void **state)
{
    (void)state;
    ig_breaker_config c;
    ig_breaker_config_init(&c);
    c.cooldown_ns = 100;
    c.cooldown_factor = 3;
    c.cooldown_max_ns = 1000;
    ig__breaker *b = make(&c);
    trip_closed(b);
    static const uint64_t want[] = {100, 300, 900, 1000, 1000};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        assert_true(stats(b).cooldown_ns == want[i]);
        fake_now += want[i];
        call(b, 0);
    }
    ig__breaker_destroy(b);
}

/* Closing alone does not forgive: failing again straight after a trial
 * success trips with the next, longer cool-down.  A full healthy window
 * does: the next trip starts from the base again. */
static void test_backoff_resets_after_healthy_window(void **state)
{
    (void)state;
    ig__breaker *b = make(NULL);
    trip_closed(b);            /* 1 s */
    fake_now += 1 * SEC;
    call(b, 0);                /* 2 s */
    fake_now += 2 * SEC;
    call(b, 1);                /* closed, level kept */
    calls(b, 20, 0);
    assert_int_equal(stats(b).state, IG_BREAKER_OPEN);
    assert_true(stats(b).cooldown_ns == 4 * SEC);

    fake_now += 4 * SEC;
    call(b, 1);                /* closed */
    calls(b, 20, 1);           /* a judged, healthy window */
    calls(b, 2, 0);            /* 18/20: trips */
    assert_int_equal(stats(b).state, IG_BREAKER_OPEN);
    assert_true(stats(b).cooldown_ns == 1 * SEC);
    ig__breaker_destroy(b);
}

/* An outcome from before a transition moves no state. */
static void test_stale_outcomes(void **state)
{
    (void)state;
    ig__breaker *b = make(NULL);
    uint64_t slow;
    assert_int_equal(ig__breaker_acquire(b, &slow), 1);
    trip_closed(b);
    ig__breaker_record(b, slow, 1); /* admitted while closed, ends while open */
    ig_breaker_stats st = stats(b);
    assert_int_equal(st.state, IG_BREAKER_OPEN);
    assert_int_equal(st.calls, 21);
    assert_int_equal(st.successes, 1);

    ig__breaker_destroy(b);
    ig_breaker_config c;
    ig_breaker_config_init(&c);
    c.half_open_trials = 2;
    b = make(&c);
    trip_closed(b);
    fake_now += 1 * SEC;
    uint64_t t1, t2;
    assert_int_equal(ig__breaker_acquire(b, &t1), 1);
    assert_int_equal(ig__breaker_acquire(b, &t2), 1);
    assert_true(refused(b)); /* a third trial is over the limit */
    ig__breaker_record(b, t1, 1);
    assert_int_equal(stats(b).state, IG_BREAKER_CLOSED);
    ig__breaker_record(b, t2, 0); /* the other trial fails late: no reopen */
    st = stats(b);
    assert_int_equal(st.state, IG_BREAKER_CLOSED);
    assert_int_equal(st.window_calls, 0);
    assert_int_equal(st.failures, 21);
    assert_int_equal(st.trips, 1);
    ig__breaker_destroy(b);
}

/* A long pseudo-random sequence with time passing: every counter agrees
 * with what the test itself observed. */
static void test_counters_consistent(void **state)
{
    (void)state;
    ig__breaker *b = make(NULL);
    uint64_t rng = 42, admitted = 0, refusals = 0, ok = 0, bad = 0, opens = 0;
    for (int i = 0; i < 20000; i++) {
        rng = rng * 6364136223846793005ull + 1442695040888963407ull;
        fake_now += (rng >> 33) % (SEC / 4);
        int good = (rng >> 20) % 100 < (i / 2000 % 2 ? 97 : 80);
        uint64_t t;
        if (ig__breaker_acquire(b, &t)) {
            /* Only an outcome can trip it: compare around the record. */
            int before = stats(b).state;
            assert_int_not_equal(before, IG_BREAKER_OPEN);
            admitted++;
            ig__breaker_record(b, t, good);
            good ? ok++ : bad++;
            if (stats(b).state == IG_BREAKER_OPEN)
                opens++;
        } else {
            refusals++;
        }
    }
    ig_breaker_stats st = stats(b);
    assert_true(st.calls == admitted);
    assert_true(st.calls == st.successes + st.failures);
    assert_true(st.successes == ok);
    assert_true(st.failures == bad);
    assert_true(st.rejections == refusals);
    assert_true(st.trips == opens);
    assert_true(st.trips > 5);      /* the 80% phases trip it */
    assert_true(st.rejections > 0);
    ig__breaker_destroy(b);
}

/* Threads share one breaker: nothing is lost under contention. */
typedef struct {
    ig__breaker *b;
    uint64_t admitted, refusals;
} worker;

static void *work(void *arg)
{
    worker *w = arg;
    for (int i = 0; i < 20000; i++) {
        uint64_t t;
        if (ig__breaker_acquire(w->b, &t)) {
            ig__breaker_record(w->b, t, i % 7 != 0);
            w->admitted++;
        } else {
            w->refusals++;
        }
    }
    return NULL;
}

static void test_threads(void **state)
{
    (void)state;
    ig_breaker_config c;
    ig_breaker_config_init(&c);
    c.cooldown_ns = 1000;       /* real clock: open periods of 1 µs */
    c.cooldown_max_ns = 10000;
    ig__breaker *b = NULL;
    assert_int_equal(ig__breaker_create(&c, &b, NULL, 0), 0);
    worker w[4];
    pthread_t th[4];
    for (int i = 0; i < 4; i++) {
        w[i] = (worker){b, 0, 0};
        assert_int_equal(pthread_create(&th[i], NULL, work, &w[i]), 0);
    }
    uint64_t admitted = 0, refusals = 0;
    for (int i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        admitted += w[i].admitted;
        refusals += w[i].refusals;
    }
    ig_breaker_stats st = stats(b);
    assert_true(admitted + refusals == 80000);
    assert_true(st.calls == admitted);
    assert_true(st.rejections == refusals);
    assert_true(st.calls == st.successes + st.failures);
    assert_true(st.trips > 0); /* 1 in 7 fails: well below 95% */
    ig__breaker_destroy(b);
}

static void test_state_names(void **state)
{
    (void)state;
    assert_string_equal(ig__breaker_state_name(IG_BREAKER_CLOSED), "closed");
    assert_string_equal(ig__breaker_state_name(IG_BREAKER_OPEN), "open");
    assert_string_equal(ig__breaker_state_name(IG_BREAKER_HALF_OPEN), "half-open");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_config_rejected),
        cmocka_unit_test(test_min_calls_not_reached),
        cmocka_unit_test(test_opens_below_threshold),
        cmocka_unit_test(test_window_slides),
        cmocka_unit_test(test_custom_window),
        cmocka_unit_test(test_refuses_while_open),
        cmocka_unit_test(test_half_opens_after_cooldown),
        cmocka_unit_test(test_half_open_success_closes),
        cmocka_unit_test(test_half_open_failure_reopens_doubled),
        cmocka_unit_test(test_cooldown_cap),
        cmocka_unit_test(test_custom_backoff),
        cmocka_unit_test(test_backoff_resets_after_healthy_window),
        cmocka_unit_test(test_stale_outcomes),
        cmocka_unit_test(test_counters_consistent),
        cmocka_unit_test(test_threads),
        cmocka_unit_test(test_state_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

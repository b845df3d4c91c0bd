/* build.c — the "build" part of the environment fingerprint: compiler,
 * build type, sanitizers and the source tree's git commit.
 *
 * Design decision: everything here is decided when this file is compiled
 * (predefined macros, -DIG_BUILD_TYPE, -DIG_GIT_COMMIT), except the commit
 * when the build did not pass one: then `git rev-parse HEAD` runs in
 * IG_SOURCE_DIR at run time, and any failure (no git, no repository, no
 * source tree) yields "unknown", never an error. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "env.h"

/* ---- compile-time facts, each decided once here ------------------------ */

#if defined(__clang__)
#define COMPILER "clang"
#elif defined(__GNUC__)
#define COMPILER "gcc"
#else
#define COMPILER "unknown"
#endif

#ifdef __VERSION__
#define COMPILER_VERSION __VERSION__
#else
#define COMPILER_VERSION "unknown"
#endif

#if defined(IG_BUILD_TYPE)
#define BUILD_TYPE IG_BUILD_TYPE
#elif defined(NDEBUG)
#define BUILD_TYPE "Release"
#else
#define BUILD_TYPE "Debug"
#endif

#ifdef __OPTIMIZE__
#define OPTIMIZED 1
#else
#define OPTIMIZED 0
#endif

/* gcc defines __SANITIZE_*__; clang answers __has_feature. */
#if defined(__SANITIZE_ADDRESS__)
#define SAN_ADDRESS 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SAN_ADDRESS 1
#endif
#endif
#if defined(__SANITIZE_THREAD__)
#define SAN_THREAD 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define SAN_THREAD 1
#endif
#endif
#ifndef SAN_ADDRESS
#define SAN_ADDRESS 0
#endif
#ifndef SAN_THREAD
#define SAN_THREAD 0
#endif

#ifdef IG_GIT_COMMIT
static const char built_commit[] = IG_GIT_COMMIT;
#else
static const char built_commit[] = "";
#endif
#ifdef IG_SOURCE_DIR
static const char source_dir[] = IG_SOURCE_DIR;
#else
static const char source_dir[] = "";
#endif

/* ---- the commit at run time -------------------------------------------- */

/* Writes 'dir' quoted for sh into buf; returns 0, or -1 when it does not fit. */
static int sh_quote(const char *dir, char *buf, size_t len)
{
    size_t o = 0;
    if (len < 3)
        return -1;
    buf[o++] = '\'';
    for (const char *p = dir; *p; p++) {
        const char *piece = *p == '\'' ? "'\\''" : NULL;
        size_t n = piece ? strlen(piece) : 1;
        if (o + n + 2 > len)
            return -1;
        if (piece)
            memcpy(buf + o, piece, n);
        else
            buf[o] = *p;
        o += n;
    }
    buf[o++] = '\'';
    buf[o] = '\0';
    return 0;
}

/* Runs cmd and reads the first line of its output into out.  Returns the
 * number of bytes of output seen (0 for none), or -1 when the command
 * could not run or exited with a failure. */
static long run_line(const char *cmd, char *out, size_t len)
{
    FILE *p = popen(cmd, "r");
    if (!p)
        return -1;
    out[0] = '\0';
    long total = 0;
    char buf[256];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, p)) > 0) {
        if (total == 0) {
            size_t k = n < len - 1 ? n : len - 1;
            memcpy(out, buf, k);
            out[k] = '\0';
            out[strcspn(out, "\r\n")] = '\0';
        }
        total += (long)n;
    }
    return pclose(p) == 0 ? total : -1;
}

static int is_commit(const char *s)
{
    size_t n = strlen(s);
    if (n != 40 && n != 64)   /* SHA-1 or SHA-256 repositories */
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!isxdigit((unsigned char)s[i]))
            return 0;
    return 1;
}

static void add_git(json_object *b)
{
    char commit[128], q[4200], cmd[4400];
    if (built_commit[0]) {
        json_object_object_add(b, "git_commit", json_object_new_string(built_commit));
        json_object_object_add(b, "git_commit_source", json_object_new_string("build"));
        json_object_object_add(b, "git_dirty", NULL);
        return;
    }
    if (source_dir[0] && sh_quote(source_dir, q, sizeof q) == 0) {
        snprintf(cmd, sizeof cmd, "git -C %s rev-parse HEAD 2>/dev/null", q);
        if (run_line(cmd, commit, sizeof commit) > 0 && is_commit(commit)) {
            char line[8];
            json_object_object_add(b, "git_commit", json_object_new_string(commit));
            json_object_object_add(b, "git_commit_source",
                                   json_object_new_string("runtime"));
            /* --no-optional-locks: looking must not take the index lock of
             * a tree someone is working in. */
            snprintf(cmd, sizeof cmd,
                     "git --no-optional-locks -C %s status --porcelain 2>/dev/null", q);
            long n = run_line(cmd, line, sizeof line);
            json_object_object_add(b, "git_dirty",
                                   n < 0 ? NULL : json_object_new_boolean(n > 0));
            return;
        }
    }
    json_object_object_add(b, "git_commit", json_object_new_string("unknown"));
    json_object_object_add(b, "git_commit_source", json_object_new_string("unknown"));
    json_object_object_add(b, "git_dirty", NULL);
}

json_object *ig__env_build(void)
{
    json_object *b = json_object_new_object();
    if (!b)
        return NULL;
    json_object_object_add(b, "compiler", json_object_new_string(COMPILER));
    json_object_object_add(b, "compiler_version", json_object_new_string(COMPILER_VERSION));
    json_object_object_add(b, "type", json_object_new_string(BUILD_TYPE));
    json_object_object_add(b, "optimized", json_object_new_boolean(OPTIMIZED));
    json_object *san = json_object_new_array();
    if (SAN_ADDRESS)
        json_object_array_add(san, json_object_new_string("address"));
    if (SAN_THREAD)
        json_object_array_add(san, json_object_new_string("thread"));
    json_object_object_add(b, "sanitizers", san);
    add_git(b);
    return b;
}

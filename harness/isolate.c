/* isolate.c — a child process per piece of work, after libuv's test
 * runner: the result travels back through a pipe, and a child that hangs
 * is killed when its time is up. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "isolate.h"
#include "session.h"

int ig__isolate(void (*fn)(void *arg, void *result), void *arg, void *result,
                size_t size, int timeout_s, char *why, size_t whylen)
{
    int fds[2];
    if (pipe(fds) != 0) {
        snprintf(why, whylen, "pipe: %s", strerror(errno));
        return -1;
    }
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(why, whylen, "fork: %s", strerror(errno));
        close(fds[0]);
        close(fds[1]);
        return -1;
    }
    if (pid == 0) {
        close(fds[0]);
        fn(arg, result);
        ssize_t w = write(fds[1], result, size);
        _exit(w == (ssize_t)size ? 0 : 1);
    }
    close(fds[1]);
    size_t got = 0;
    int timed_out = 0;
    long left_ms = (long)timeout_s * 1000;
    uint64_t t0 = ig__now_ns();
    while (got < size) {
        struct pollfd pf = {fds[0], POLLIN, 0};
        long waited = (long)((ig__now_ns() - t0) / 1000000);
        if (waited >= left_ms) {
            timed_out = 1;
            break;
        }
        int pr = poll(&pf, 1, (int)(left_ms - waited));
        if (pr < 0 && errno == EINTR)
            continue;
        if (pr <= 0) {
            timed_out = pr == 0;
            break;
        }
        ssize_t n = read(fds[0], (char *)result + got, size - got);
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    close(fds[0]);
    if (timed_out)
        kill(pid, SIGKILL);
    int st = 0;
    waitpid(pid, &st, 0);
    if (got == size)
        return 0;
    if (timed_out)
        snprintf(why, whylen, "timeout: no result within %d s", timeout_s);
    else if (WIFSIGNALED(st))
        snprintf(why, whylen, "crash: killed by signal %d (%s)", WTERMSIG(st),
                 strsignal(WTERMSIG(st)));
    else
        snprintf(why, whylen, "child exited with status %d without a result",
                 WIFEXITED(st) ? WEXITSTATUS(st) : -1);
    return -1;
}

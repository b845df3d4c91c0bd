/* confine.c — external data opened beneath the model's folder.
 *
 * A model is outside input; the files its tensors name must stay in its
 * folder, or a model made by someone else could read any file the lab can
 * (a link "w.bin -> /etc/passwd" or a folder "up -> /etc" would put their
 * bytes in the outputs).  The design decision: the path is resolved by the
 * kernel, not by string checks.  openat2(RESOLVE_BENEATH |
 * RESOLVE_NO_SYMLINKS) where the kernel has it (Linux 5.6 on); elsewhere
 * one openat(O_NOFOLLOW) per component from the folder down, each
 * directory opened O_DIRECTORY.  Either way the result must be a regular
 * file (a FIFO or a device would block or never end), checked on the open
 * descriptor, and it is opened O_NONBLOCK so a FIFO cannot block the open
 * itself. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/syscall.h>
#endif
#if defined(__linux__) && defined(SYS_openat2) && __has_include(<linux/openat2.h>)
#include <linux/openat2.h>
#define IG_HAVE_OPENAT2 1
#endif

#include "confine.h"

/* Component by component: returns an fd or -1 with *why. */
static int walk(int dfd, const char *rel, const char **why)
{
    char buf[4096];
    if (strlen(rel) >= sizeof buf) {
        *why = "path too long";
        return -1;
    }
    snprintf(buf, sizeof buf, "%s", rel);
    int cur = dup(dfd);
    if (cur < 0) {
        *why = "cannot open the model's folder";
        return -1;
    }
    char *save = NULL;
    char *part = strtok_r(buf, "/", &save);
    while (part) {
        char *next = strtok_r(NULL, "/", &save);
        if (!strcmp(part, "..")) {
            close(cur);
            *why = "a '..' component";
            return -1;
        }
        int flags = O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK |
                    (next ? O_DIRECTORY : 0);
        int fd = openat(cur, part, flags);
        int e = errno;
        close(cur);
        if (fd < 0) {
            *why = e == ELOOP ? "a symbolic link"
                 : e == ENOTDIR ? "a symbolic link or not a folder"
                 : e == ENOENT ? "missing" : "cannot be opened";
            return -1;
        }
        cur = fd;
        part = next;
    }
    return cur;
}

static int open_beneath(const char *dir, const char *rel, const char **why, int use_openat2)
{
    *why = "cannot be opened";
    if (!rel[0] || rel[0] == '/') {
        *why = "not a relative path";
        return -1;
    }
    /* No ".." component at all, even one that would stay inside: the
     * contract is a plain path down from the folder. */
    for (const char *c = rel; *c;) {
        size_t n = strcspn(c, "/");
        if (n == 2 && c[0] == '.' && c[1] == '.') {
            *why = "a '..' component";
            return -1;
        }
        c += n;
        while (*c == '/')
            c++;
    }
    int dfd = open(dir && dir[0] ? dir : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0) {
        *why = "cannot open the model's folder";
        return -1;
    }
    int fd = -1;
#ifdef IG_HAVE_OPENAT2
    struct open_how how;
    if (!use_openat2)
        goto fallback;
    memset(&how, 0, sizeof how);
    how.flags = O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOFOLLOW;
    how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
    fd = (int)syscall(SYS_openat2, dfd, rel, &how, sizeof how);
    if (fd < 0 && errno != ENOSYS && errno != EPERM) {
        int e = errno;
        close(dfd);
        *why = e == ELOOP ? "a symbolic link"
             : e == EXDEV ? "outside the model's folder"
             : e == ENOENT ? "missing" : "cannot be opened";
        return -1;
    }
fallback:
#endif
    (void)use_openat2;
    if (fd < 0)
        fd = walk(dfd, rel, why);
    close(dfd);
    if (fd < 0)
        return -1;
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        *why = "not a regular file";
        return -1;
    }
    /* Reads from a regular file do not block; plain reads from here. */
    int fl = fcntl(fd, F_GETFL);
    if (fl >= 0)
        fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
    return fd;
}

int ig__open_beneath(const char *dir, const char *rel, const char **why)
{
    return open_beneath(dir, rel, why, 1);
}

int ig__open_beneath_walk(const char *dir, const char *rel, const char **why)
{
    return open_beneath(dir, rel, why, 0);
}

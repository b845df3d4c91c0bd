/* confine.h — opening a file a model names (external data) inside the
 * model's folder, never through a symbolic link. */
#ifndef IG_GRAPH_CONFINE_H
#define IG_GRAPH_CONFINE_H

#include <stddef.h>

/* Opens rel (a relative path a model names) beneath the folder dir for
 * reading: no component may be "..", absolute, or a symbolic link, and the
 * file must be a regular file.  Returns an fd, or -1 with *why set to a
 * static reason ("a symbolic link", "not a regular file", ...). */
int ig__open_beneath(const char *dir, const char *rel, const char **why);
/* The same without openat2, one openat(O_NOFOLLOW) per component: what
 * runs where the kernel lacks openat2; exposed so its test runs
 * everywhere. */
int ig__open_beneath_walk(const char *dir, const char *rel, const char **why);

#endif

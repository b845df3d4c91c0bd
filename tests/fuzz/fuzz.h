/* fuzz.h — what the fuzz harnesses share: the libFuzzer entry points and
 * a scratch folder for readers that take a path.
 *
 * Each fuzz_<name>.c defines LLVMFuzzerTestOneInput (and may define
 * LLVMFuzzerInitialize).  Built with -fsanitize=fuzzer it is a libFuzzer
 * binary; linked with replay.c instead it is a plain program that runs the
 * same function on files, which every build uses to replay the corpus and
 * the past crashers (tests/fuzz/README in docs/fuzzing.md). */
#ifndef IG_TESTS_FUZZ_H
#define IG_TESTS_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* A private folder for this process, created on first use (static
 * storage; removed at exit). */
const char *ig__fuzz_dir(void);
/* Writes data to ig__fuzz_dir()/name and returns its path (static
 * storage, overwritten by the next call); NULL on failure. */
const char *ig__fuzz_file(const char *name, const uint8_t *data, size_t size);
/* Lays out a results directory from one input: run.json is the bytes up
 * to the first NUL, and every cell's samples CSVs (.csv, -windows.csv,
 * -cycles.csv) are the bytes after it.  Returns the directory (static
 * storage), NULL when run.json could not be written. */
const char *ig__fuzz_rundir(const uint8_t *data, size_t size);
/* Lowers the resource limits to what a fuzzer can afford (16 MB per
 * tensor) and mutes stderr chatter. */
void ig__fuzz_limits(void);

#endif

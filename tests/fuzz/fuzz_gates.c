/* fuzz_gates.c — the gate-specification reader (gates/default.json and
 * --gates-file), with no profile and with each built-in profile name. */
#include "fuzz.h"
#include "../../gates/gates.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = ig__fuzz_file("gates.json", data, size);
    if (!path)
        return 0;
    static const char *const profiles[] = {NULL, "ci", "nightly", "release"};
    ig__gate_spec spec;
    char msg[1024];
    /* The last byte picks the profile, so the fuzzer reaches each. */
    const char *prof = profiles[size ? data[size - 1] % 4 : 0];
    ig__gates_load(path, prof, &spec, msg, sizeof msg);
    return 0;
}

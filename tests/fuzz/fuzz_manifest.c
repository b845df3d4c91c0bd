/* fuzz_manifest.c — the model manifests: a fixtures folder's
 * manifest.json (ig__model_manifest) and a user's --manifest file applied
 * to models (ig__model_manifest_apply). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "../../harness/models.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = ig__fuzz_file("manifest.json", data, size);
    if (!path)
        return 0;
    char msg[1024];
    ig__model_ref *out = NULL;
    int n = 0;
    if (ig__model_manifest(ig__fuzz_dir(), &out, &n, msg, sizeof msg) == 0)
        free(out);
    ig__model_ref models[3];
    memset(models, 0, sizeof models);
    static const char *const names[] = {"cnn-mobile", "mlp-intent", "a"};
    for (int i = 0; i < 3; i++) {
        strcpy(models[i].name, names[i]);
        models[i].sla_p99_ms = models[i].speedup_target = models[i].rtol = NAN;
        models[i].atol = models[i].linf = NAN;
    }
    ig__model_manifest_apply(path, models, 3, msg, sizeof msg);
    return 0;
}

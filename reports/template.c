/* template.c — fills @KEY@ placeholders of the embedded report templates.
 *
 * The one design decision: a placeholder is @ followed by capitals, digits
 * or '_' and a closing @, so gnuplot's own '@' macros and e-mail-like text
 * pass through untouched unless they name a key the caller gave. */
#include "template.h"

#include <string.h>

static int keych(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

void ig__tpl_render(ig__sb *out, const char *tpl, const char *const *kv)
{
    const char *p = tpl;
    while (p && *p) {
        const char *at = strchr(p, '@');
        if (!at) {
            ig__sb_puts(out, p);
            return;
        }
        ig__sb_putn(out, p, (size_t)(at - p));
        const char *e = at + 1;
        while (keych(*e))
            e++;
        const char *val = NULL;
        if (*e == '@' && e > at + 1) {
            size_t kl = (size_t)(e - at - 1);
            for (int i = 0; kv && kv[i]; i += 2)
                if (strlen(kv[i]) == kl && !strncmp(kv[i], at + 1, kl)) {
                    val = kv[i + 1];
                    break;
                }
        }
        if (val) {
            ig__sb_puts(out, val);
            p = e + 1;
        } else {
            ig__sb_putc(out, '@');
            p = at + 1;
        }
    }
}

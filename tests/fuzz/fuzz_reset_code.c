/* password reset codes: text that hashes is one of the codes a 10-byte
 * string makes, read Crockford's way (its canonical text hashes the
 * same); the first 10 bytes of the input, made a code, hash again, and
 * differently from the code with any one character changed. */
#include "fuzz.h"
#include "tasks/core/reset_code.h"

/* Canonical text of what tasks_reset_code_hash accepted: upper case, O as
 * 0, I and L as 1, no separators. */
static void canonical(const char *typed, char *out)
{
    size_t n = 0;

    for (; *typed; typed++) {
        char c = *typed;

        if (c == '-' || c == ' ')
            continue;
        if (c >= 'a' && c <= 'z')
            c = (char)(c - 'a' + 'A');
        out[n++] = c == 'O' ? '0' : (c == 'I' || c == 'L') ? '1' : c;
    }
    out[n] = '\0';
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p = fuzz_pool();
    char *text = apr_pstrmemdup(p, (const char *)data, size);
    const char *h = strlen(text) == size ? tasks_reset_code_hash(p, text) : NULL;

    if (h) {
        char canon[TASKS_RESET_CODE_CHARS + 1];

        CHECK(strlen(text) >= TASKS_RESET_CODE_CHARS, "short text hashed: %s", text);
        canonical(text, canon);
        CHECK(strlen(canon) == TASKS_RESET_CODE_CHARS, "canonical %s", canon);
        CHECK(!strcmp(tasks_reset_code_hash(p, canon), h), "%s and %s differ", text, canon);
    }
    if (size >= 10) {
        const char *code = tasks_reset_code_text(p, data, 10), *hc;
        char *changed;

        CHECK(code && strlen(code) == TASKS_RESET_CODE_CHARS + 3, "code %s", code ? code : "(null)");
        hc = tasks_reset_code_hash(p, code);
        CHECK(hc != NULL, "a made code does not hash: %s", code);
        changed = apr_pstrdup(p, code);
        changed[size % strlen(changed)] ^= 1;
        if (tasks_reset_code_hash(p, changed))
            CHECK(strcmp(tasks_reset_code_hash(p, changed), hc) != 0
                  || !strcmp(changed, code), "%s and %s hash alike", changed, code);
    }
    apr_pool_destroy(p);
    return 0;
}

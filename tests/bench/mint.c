/* mint.c - mint HS256 bearer tokens for the benchmark with the module's own
 * tasks_token_issue (src/core/token.c), so every token is exactly what a login
 * would hand out (sub, email, sid, iat, exp, jti): the caller makes the
 * session rows and passes their ids.
 *
 *   mint SECRET_FILE LIFETIME_SECONDS < lines "user_id [email [sid]]" > lines "user_id token"
 *
 * The key is the secret file's bytes less one trailing newline, like
 * TasksJWTSecretFile; the tokens carry its kid, as the module's do. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <apr_general.h>
#include <apr_pools.h>
#include <apr_time.h>

#include "tasks/core/token.h"

int main(int argc, char **argv)
{
    apr_pool_t *pool, *iter;
    tasks_token_cfg cfg;
    unsigned char key[4096];
    char line[1024];
    size_t n;
    long count = 0;
    const char *why;
    FILE *f;

    if (argc != 3) {
        fprintf(stderr, "usage: %s SECRET_FILE LIFETIME_SECONDS < ids\n", argv[0]);
        return 2;
    }
    if (!(f = fopen(argv[1], "rb"))) {
        perror(argv[1]);
        return 1;
    }
    n = fread(key, 1, sizeof(key), f);
    fclose(f);
    if (n > 0 && key[n - 1] == '\n')
        n--;
    apr_initialize();
    apr_pool_create(&pool, NULL);
    apr_pool_create(&iter, pool);
    memset(&cfg, 0, sizeof(cfg));
    if ((why = tasks_keyring_add(pool, &cfg.keys, key, n, NULL, NULL))) {
        fprintf(stderr, "mint: %s: %s\n", argv[1], why);
        return 1;
    }
    cfg.lifetime = atol(argv[2]);
    cfg.leeway = 30;

    while (fgets(line, sizeof(line), stdin)) {
        char *id, *email, *sid, *save = NULL;
        const char *tok;

        line[strcspn(line, "\r\n")] = '\0';
        if (!(id = strtok_r(line, " \t", &save)))
            continue;
        email = strtok_r(NULL, " \t", &save);
        sid = email ? strtok_r(NULL, " \t", &save) : NULL;
        tok = tasks_token_issue(iter, &cfg, id, email, sid, apr_time_now(), NULL);
        if (!tok) {
            fprintf(stderr, "mint: could not issue a token for %s\n", id);
            return 1;
        }
        printf("%s %s\n", id, tok);
        apr_pool_clear(iter);
        count++;
    }
    fprintf(stderr, "mint: %ld tokens\n", count);
    apr_pool_destroy(pool);
    apr_terminate();
    return 0;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Runs a fuzz harness without libFuzzer: over the files and directories named on the command
 * line, or over its seed corpus (FUZZ_CORPUS_DIR) when given none. Built with the project's
 * compiler for 'make check', so every seed and every fixed finding stays a regression test even
 * where clang is missing.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"

/* the seeds are small; this only guards against a stray big file */
#define MAX_INPUT_BYTES (16u << 20)

static int run_file(const char *path, unsigned *n) {
        struct stat st;
        uint8_t *data;
        size_t len = 0;
        int fd;

        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0 || fstat(fd, &st) < 0) {
                fprintf(stderr, "%s: %s\n", path, strerror(errno));
                if (fd >= 0)
                        close(fd);
                return -1;
        }
        if ((uint64_t)st.st_size > MAX_INPUT_BYTES) {
                fprintf(stderr, "%s: larger than %u bytes\n", path, MAX_INPUT_BYTES);
                close(fd);
                return -1;
        }
        data = malloc((size_t)st.st_size + 1);
        if (!data) {
                close(fd);
                return -1;
        }
        while (len < (size_t)st.st_size) {
                ssize_t r = read(fd, data + len, (size_t)st.st_size - len);

                if (r < 0 && errno == EINTR)
                        continue;
                if (r <= 0)
                        break;
                len += (size_t)r;
        }
        close(fd);
        LLVMFuzzerTestOneInput(data, len);
        free(data);
        (*n)++;
        return 0;
}

static int cmp_names(const void *a, const void *b) {
        return strcmp(*(char *const *)a, *(char *const *)b);
}

static int run_path(const char *path, unsigned *n) {
        struct dirent *de;
        char **names = NULL;
        unsigned count = 0;
        struct stat st;
        int r = 0;
        DIR *d;

        if (stat(path, &st) < 0) {
                fprintf(stderr, "%s: %s\n", path, strerror(errno));
                return -1;
        }
        if (!S_ISDIR(st.st_mode))
                return run_file(path, n);
        d = opendir(path);
        if (!d)
                return -1;
        /* sorted, so that a failure reproduces in the same order */
        while ((de = readdir(d))) {
                char **t;

                if (de->d_name[0] == '.')
                        continue;
                t = realloc(names, (count + 1) * sizeof(*names));
                if (!t)
                        abort();
                names = t;
                if (asprintf(&names[count], "%s/%s", path, de->d_name) < 0)
                        abort();
                count++;
        }
        closedir(d);
        if (count)
                qsort(names, count, sizeof(*names), cmp_names);
        for (unsigned i = 0; i < count; i++) {
                if (run_path(names[i], n) < 0)
                        r = -1;
                free(names[i]);
        }
        free(names);
        return r;
}

int main(int argc, char **argv) {
        unsigned n = 0;
        int r = 0;

        if (argc < 2)
                r = run_path(FUZZ_CORPUS_DIR, &n);
        for (int i = 1; i < argc; i++)
                if (run_path(argv[i], &n) < 0)
                        r = -1;
        printf("%s: %u inputs\n", argv[0], n);
        if (n == 0) {
                fprintf(stderr, "%s: no inputs\n", argv[0]);
                return 99;
        }
        return r < 0 ? 99 : 0;
}

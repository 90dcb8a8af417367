/* The reference for `bench/replay.sh`'s per-event mode: the same spawns and pipes that
 * `feedctl replay --exec CMD` makes, in plain C. For each event: stdin, stdout and stderr
 * pipes, fork, exec `/bin/sh -c CMD` with the event's FEEDCTL_* variables, the event line
 * written to stdin, both outputs read to their end, the exit status collected. Events run P at
 * a time, the next group starting when the group is done (the kits' chunk semantics).
 * Usage: spawn_loop EVENTS.ndjson P CMD */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <signal.h>
#include <sys/wait.h>

struct child { pid_t pid; int out, err; };

static void drain(int fd) {
    char buf[4096];
    while (read(fd, buf, sizeof buf) > 0) {}
    close(fd);
}

int main(int argc, char **argv) {
    if (argc != 4) { fprintf(stderr, "usage: spawn_loop EVENTS.ndjson P CMD\n"); return 2; }
    /* As in feedctl (Rust ignores SIGPIPE): a handler that exits without reading is no error. */
    signal(SIGPIPE, SIG_IGN);
    FILE *f = fopen(argv[1], "r");
    if (!f) { perror(argv[1]); return 2; }
    int p = atoi(argv[2]);
    if (p < 1) p = 1;
    const char *cmd = argv[3];
    struct child *kids = calloc((size_t)p, sizeof *kids);
    char *line = NULL; size_t cap = 0; ssize_t len;
    long n = 0;
    int running = 0;
    for (;;) {
        len = getline(&line, &cap, f);
        if (len > 0) {
            int in[2], out[2], err[2];
            if (pipe(in) || pipe(out) || pipe(err)) { perror("pipe"); return 1; }
            char id[64]; snprintf(id, sizeof id, "FEEDCTL_EVENT_ID=e%ld", n);
            pid_t pid = fork();
            if (pid == 0) {
                dup2(in[0], 0); dup2(out[1], 1); dup2(err[1], 2);
                close(in[0]); close(in[1]); close(out[0]); close(out[1]); close(err[0]); close(err[1]);
                char *env[] = { id, "FEEDCTL_EVENT_TYPE=MESSAGESENT", "FEEDCTL_CHUNK=1", "FEEDCTL_ATTEMPT=1",
                                "FEEDCTL_STREAM_ID=s", "FEEDCTL_INITIATOR_ID=1", "FEEDCTL_EVENT_TIMESTAMP=1",
                                "PATH=/usr/bin:/bin", NULL };
                execle("/bin/sh", "sh", "-c", cmd, (char *)NULL, env);
                _exit(127);
            }
            close(in[0]); close(out[1]); close(err[1]);
            if (write(in[1], line, (size_t)len) < 0) { /* a handler may not read its stdin */ }
            close(in[1]);
            kids[running].pid = pid; kids[running].out = out[0]; kids[running].err = err[0];
            running++; n++;
        }
        if (running == p || (len <= 0 && running > 0)) {
            for (int i = 0; i < running; i++) {
                int status;
                drain(kids[i].out); drain(kids[i].err);
                waitpid(kids[i].pid, &status, 0);
            }
            running = 0;
        }
        if (len <= 0) break;
    }
    free(line); free(kids); fclose(f);
    printf("%ld\n", n);
    return 0;
}

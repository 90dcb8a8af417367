/* The reference for `bench/replay.sh`'s per-event mode: the same spawns, pipes and concurrency
 * that `feedctl replay --exec CMD --concurrency P` has, in plain C. For each event: stdin,
 * stdout and stderr pipes; `/bin/sh -c CMD` started with posix_spawn in a process group of its
 * own (as Rust's std starts feedctl's handlers: posix_spawn with POSIX_SPAWN_SETPGROUP), with
 * the event's FEEDCTL_* variables; the event line written to its stdin; both outputs read to
 * their end; the exit status collected. Events come in chunks of C: within a chunk, P handlers
 * run at once, the next starting as soon as one ends (no barrier every P events); the next
 * chunk starts when every event of this one is done (the kits' chunk semantics, as feedctl).
 * Outputs are read once a handler has exited: enough for handlers that print less than a pipe
 * holds, such as the benchmark's `true`.
 * Usage: spawn_loop EVENTS.ndjson P C CMD */
#define _GNU_SOURCE
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <signal.h>
#include <sys/wait.h>

extern char **environ;

struct child { pid_t pid; int out, err; };

static void drain(int fd) {
    char buf[4096];
    while (read(fd, buf, sizeof buf) > 0) {}
    close(fd);
}

/* Starts one handler for `line`; its pid and output pipes go into `kid`. */
static int start(const char *cmd, const char *line, size_t len, long n, struct child *kid) {
    int in[2], out[2], err[2];
    if (pipe(in) || pipe(out) || pipe(err)) { perror("pipe"); return -1; }
    char id[64]; snprintf(id, sizeof id, "FEEDCTL_EVENT_ID=e%ld", n);
    char *env[] = { id, "FEEDCTL_EVENT_TYPE=MESSAGESENT", "FEEDCTL_CHUNK=1", "FEEDCTL_ATTEMPT=1",
                    "FEEDCTL_STREAM_ID=s", "FEEDCTL_INITIATOR_ID=1", "FEEDCTL_EVENT_TIMESTAMP=1",
                    "FEEDCTL_SOURCE=import", "FEEDCTL_PARTITION=import", "PATH=/usr/bin:/bin", NULL };
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t attr;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, in[0], 0);
    posix_spawn_file_actions_adddup2(&fa, out[1], 1);
    posix_spawn_file_actions_adddup2(&fa, err[1], 2);
    int fds[] = { in[0], in[1], out[0], out[1], err[0], err[1] };
    for (int i = 0; i < 6; i++) posix_spawn_file_actions_addclose(&fa, fds[i]);
    posix_spawnattr_init(&attr);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
    posix_spawnattr_setpgroup(&attr, 0);
    char *argv[] = { "sh", "-c", (char *)cmd, NULL };
    pid_t pid;
    int rc = posix_spawn(&pid, "/bin/sh", &fa, &attr, argv, env);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&attr);
    close(in[0]); close(out[1]); close(err[1]);
    if (rc != 0) { fprintf(stderr, "posix_spawn: %s\n", strerror(rc)); return -1; }
    if (write(in[1], line, len) < 0) { /* a handler may not read its stdin */ }
    close(in[1]);
    kid->pid = pid; kid->out = out[0]; kid->err = err[0];
    return 0;
}

/* Waits for any handler of `kids` to end, reads its outputs, and frees its place. */
static void reap(struct child *kids, int *running) {
    int status;
    pid_t pid = waitpid(-1, &status, 0);
    for (int i = 0; i < *running; i++) {
        if (kids[i].pid == pid) {
            drain(kids[i].out); drain(kids[i].err);
            kids[i] = kids[--*running];
            return;
        }
    }
}

int main(int argc, char **argv) {
    if (argc != 5) { fprintf(stderr, "usage: spawn_loop EVENTS.ndjson P C CMD\n"); return 2; }
    /* As in feedctl (Rust ignores SIGPIPE): a handler that exits without reading is no error. */
    signal(SIGPIPE, SIG_IGN);
    FILE *f = fopen(argv[1], "r");
    if (!f) { perror(argv[1]); return 2; }
    int p = atoi(argv[2]); if (p < 1) p = 1;
    long c = atol(argv[3]); if (c < 1) c = 1;
    const char *cmd = argv[4];
    struct child *kids = calloc((size_t)p, sizeof *kids);
    char *line = NULL; size_t cap = 0; ssize_t len;
    long n = 0;
    int running = 0;
    while ((len = getline(&line, &cap, f)) > 0) {
        if (running == p) reap(kids, &running);
        if (start(cmd, line, (size_t)len, n, &kids[running]) == 0) running++;
        n++;
        /* The chunk's end: every event of it done before the next chunk starts. */
        if (n % c == 0) while (running > 0) reap(kids, &running);
    }
    while (running > 0) reap(kids, &running);
    free(line); free(kids); fclose(f);
    printf("%ld\n", n);
    return 0;
}

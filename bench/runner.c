/*
 * bench/runner.c: the measuring loop of `npm run bench` (compiled by bench/bench.mjs into
 * .cache/bench/runner with the system `cc`).
 *
 *   runner ROUNDS WARMUP SPECFILE [evict]
 *
 * SPECFILE holds one command per line, its argv separated by TABs (argv[0] is an absolute path).
 * Each round runs every command once, interleaved (A B C ... A B C ...); round r starts at
 * command r mod N, so no command always follows the same one. The first WARMUP rounds are run
 * and not reported. For each reported run one line goes to stdout:
 *
 *   INDEX ROUND WALL_NS MAXRSS_KIB UTIME_US STIME_US STATUS
 *
 * Wall time is CLOCK_MONOTONIC from just before fork() to just after wait4() returned; the
 * child's rusage comes from wait4() (ru_maxrss is the peak RSS of the process over its whole
 * life, including the image it had before execve: Linux keeps the high-water mark across exec).
 * The child gets /dev/null as stdin, stdout and stderr, and the parent's environment.
 * With `evict`, the page cache of each command's executable is dropped first
 * (posix_fadvise(POSIX_FADV_DONTNEED) on that one file: clean, unmapped pages only). Reason: most
 * of a single executable's peak RSS is file-backed (the 110 MiB ELF holds Node and the SEA blob),
 * and how much of it a run maps depends on which neighbouring pages happen to be cached (the
 * kernel's fault-around maps cached pages next to each faulting one): the same binary measured
 * 40 MiB after eviction and 61-77 MiB when its pages were all cached by having just been written
 * (built). Evicting every executable and then warming them up by the same runs puts them all in
 * the same state, so their RSS can be compared side by side.
 * Why not /usr/bin/time or Node's spawnSync: /usr/bin/time adds its own fork+exec per run and
 * prints at 10 ms resolution; spawnSync would time Node's child_process machinery (pipes, libuv)
 * along with the command. This loop adds only one fork() of a tiny process and one wait4().
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_CMDS 64
#define MAX_ARGS 64

extern char **environ;

static char **cmds[MAX_CMDS];
static int ncmds;

static void load(const char *path) {
  FILE *f = fopen(path, "r");
  if (!f) {
    perror(path);
    exit(2);
  }
  char *line = NULL;
  size_t cap = 0;
  ssize_t n;
  while ((n = getline(&line, &cap, f)) > 0) {
    if (line[n - 1] == '\n') line[--n] = 0;
    if (n == 0) continue;
    if (ncmds == MAX_CMDS) {
      fprintf(stderr, "runner: too many commands\n");
      exit(2);
    }
    char **argv = calloc(MAX_ARGS + 1, sizeof *argv);
    int argc = 0;
    char *save = NULL;
    for (char *tok = strtok_r(strdup(line), "\t", &save); tok; tok = strtok_r(NULL, "\t", &save)) {
      if (argc == MAX_ARGS) {
        fprintf(stderr, "runner: too many arguments\n");
        exit(2);
      }
      argv[argc++] = tok;
    }
    cmds[ncmds++] = argv;
  }
  free(line);
  fclose(f);
}

static long long now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void run(int idx, int round, int report, int devnull) {
  char **argv = cmds[idx];
  long long t0 = now_ns();
  pid_t pid = fork();
  if (pid < 0) {
    perror("fork");
    exit(2);
  }
  if (pid == 0) {
    dup2(devnull, 0);
    dup2(devnull, 1);
    dup2(devnull, 2);
    execve(argv[0], argv, environ);
    _exit(127);
  }
  int status;
  struct rusage ru;
  pid_t w;
  do {
    w = wait4(pid, &status, 0, &ru);
  } while (w < 0 && errno == EINTR);
  long long t1 = now_ns();
  if (w < 0) {
    perror("wait4");
    exit(2);
  }
  if (!report) return;
  int st = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  printf("%d %d %lld %ld %ld %ld %d\n", idx, round, t1 - t0, ru.ru_maxrss,
         (long)ru.ru_utime.tv_sec * 1000000L + ru.ru_utime.tv_usec,
         (long)ru.ru_stime.tv_sec * 1000000L + ru.ru_stime.tv_usec, st);
}

int main(int argc, char **argv) {
  if (argc != 4 && !(argc == 5 && strcmp(argv[4], "evict") == 0)) {
    fprintf(stderr, "usage: runner ROUNDS WARMUP SPECFILE [evict]\n");
    return 2;
  }
  int rounds = atoi(argv[1]);
  int warmup = atoi(argv[2]);
  load(argv[3]);
  if (argc == 5) {
    for (int k = 0; k < ncmds; k++) {
      int fd = open(cmds[k][0], O_RDONLY | O_CLOEXEC);
      if (fd < 0) continue;
      fdatasync(fd);
      posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
      close(fd);
    }
  }
  int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
  if (devnull < 0) {
    perror("/dev/null");
    return 2;
  }
  for (int r = 0; r < warmup + rounds; r++) {
    for (int k = 0; k < ncmds; k++) {
      int idx = (r + k) % ncmds;
      run(idx, r - warmup, r >= warmup, devnull);
    }
  }
  fflush(stdout);
  return 0;
}

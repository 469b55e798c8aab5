/* What both C baselines need: a monotonic clock, and an exit that names the failed step and
 * errno. Each program defines PROG (its name, for the message) before including this. */
#ifndef NLAB_BENCH_H
#define NLAB_BENCH_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(const char *what) {
  fprintf(stderr, PROG ": %s: %s\n", what, strerror(errno));
  exit(1);
}

#endif

/* test_pool.c - the threads scans run on (engine/pool.c): every item of a
 * run is called exactly once and has returned when dps__pool_run does,
 * whatever the number of threads (none included), the number of items
 * (more than the queue holds included) and with runs from several
 * threads at once. */
#include "engine/engine.h"

#include <pthread.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

typedef struct item {
  int calls;      /* times fn ran on this item (atomic) */
  int done;       /* set last by fn (atomic) */
  unsigned spin;  /* busy work before returning */
} item;

static void *count_item(void *arg) {
  item *it = arg;
  volatile unsigned x = 0;
  for (unsigned k = 0; k < it->spin; k++) x += k;
  __atomic_fetch_add(&it->calls, 1, __ATOMIC_RELAXED);
  __atomic_store_n(&it->done, 1, __ATOMIC_RELEASE);
  return NULL;
}

/* Runs n items on p and checks each ran once and finished before the
 * run returned. */
static void run_and_check(dps_pool *p, size_t n, unsigned spin,
                          const char *ctx) {
  item *items = calloc(n ? n : 1, sizeof *items);
  assert_non_null(items);
  for (size_t i = 0; i < n; i++) items[i].spin = spin * (unsigned)(i % 7);
  dps__pool_run(p, count_item, items, sizeof *items, n);
  for (size_t i = 0; i < n; i++) {
    int calls = __atomic_load_n(&items[i].calls, __ATOMIC_ACQUIRE);
    int done = __atomic_load_n(&items[i].done, __ATOMIC_ACQUIRE);
    if (calls != 1 || !done)
      fail_msg("%s: %zu items: item %zu ran %d times (finished: %d), "
               "expected once", ctx, n, i, calls, done);
  }
  free(items);
}

static void test_pool__every_item_once(void **state) {
  (void)state;
  static const unsigned threads[] = {0, 1, 3, 8};
  for (size_t t = 0; t < sizeof threads / sizeof threads[0]; t++) {
    dps_pool *p = NULL;
    assert_int_equal(dps__pool_new(&p), DPS_OK);
    dps__pool_reserve(p, threads[t]);
    char ctx[64];
    snprintf(ctx, sizeof ctx, "%u threads", threads[t]);
    /* 0 and 1 item; around the thread count; beyond the queue (256). */
    static const size_t counts[] = {0, 1, 2, 3, 4, 9, 64, 300};
    for (size_t c = 0; c < sizeof counts / sizeof counts[0]; c++) {
      run_and_check(p, counts[c], 0, ctx);
      run_and_check(p, counts[c], 2000, ctx);
    }
    dps__pool_free(p);
  }
}

/* No thread at all: the caller runs every item itself. */
static void test_pool__without_threads_the_caller_runs_all(void **state) {
  (void)state;
  dps_pool *p = NULL;
  assert_int_equal(dps__pool_new(&p), DPS_OK);
  run_and_check(p, 5, 100, "no threads");
  dps__pool_free(p);
}

typedef struct runner {
  dps_pool *p;
  int id;
} runner;

static void *run_many(void *arg) {
  runner *r = arg;
  char ctx[64];
  snprintf(ctx, sizeof ctx, "concurrent run %d", r->id);
  for (int k = 0; k < 50; k++) run_and_check(r->p, 2 + (size_t)(k % 5), 500, ctx);
  return NULL;
}

/* Runs from several threads at once share the pool; each still sees all
 * its items run exactly once (another run's jobs never count for it). */
static void test_pool__concurrent_runs(void **state) {
  (void)state;
  dps_pool *p = NULL;
  assert_int_equal(dps__pool_new(&p), DPS_OK);
  dps__pool_reserve(p, 2);
  pthread_t th[3];
  runner rs[3];
  for (int k = 0; k < 3; k++) {
    rs[k] = (runner){p, k};
    assert_int_equal(pthread_create(&th[k], NULL, run_many, &rs[k]), 0);
  }
  for (int k = 0; k < 3; k++) pthread_join(th[k], NULL);
  dps__pool_free(p);
}

/* A pool is freed at once after a run (its threads may be spinning) or
 * without ever running; growing it again is harmless. */
static void test_pool__free_while_spinning(void **state) {
  (void)state;
  for (int k = 0; k < 20; k++) {
    dps_pool *p = NULL;
    assert_int_equal(dps__pool_new(&p), DPS_OK);
    dps__pool_reserve(p, 2);
    dps__pool_reserve(p, 1);
    if (k % 2) run_and_check(p, 3, 10, "before free");
    dps__pool_free(p);
  }
  dps__pool_free(NULL);
}

/* After fork() the child has none of the pool's threads: its runs still
 * call every item (on the calling thread), and growing and freeing the
 * pool there neither hangs nor fails (a hang ends the child by alarm). */
static void test_pool__fork_child_runs_alone(void **state) {
  (void)state;
  dps_pool *p = NULL;
  assert_int_equal(dps__pool_new(&p), DPS_OK);
  dps__pool_reserve(p, 2);
  run_and_check(p, 4, 100, "parent, before fork");
  pid_t pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) {
    alarm(20);  /* a hang ends the child with SIGALRM */
    item items[5];
    memset(items, 0, sizeof items);
    dps__pool_run(p, count_item, items, sizeof items[0], 5);
    int ok = 1;
    for (int i = 0; i < 5; i++) ok &= items[i].calls == 1 && items[i].done;
    dps__pool_reserve(p, 4);
    dps__pool_free(p);
    _exit(ok ? 0 : 3);
  }
  int status = 0;
  assert_int_equal(waitpid(pid, &status, 0), pid);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    fail_msg("forked child: %s %d (3: an item did not run once)",
             WIFEXITED(status) ? "exit" : "signal",
             WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
  run_and_check(p, 4, 100, "parent, after fork");
  dps__pool_free(p);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_pool__every_item_once),
      cmocka_unit_test(test_pool__without_threads_the_caller_runs_all),
      cmocka_unit_test(test_pool__concurrent_runs),
      cmocka_unit_test(test_pool__free_while_spinning),
      cmocka_unit_test(test_pool__fork_child_runs_alone),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

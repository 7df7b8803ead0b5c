/*
 * decode.c - decode speed of a snapshot, column by column, against memcpy.
 *
 *   decode FILE.dps [--repeat R]
 *
 * Opens FILE.dps with the public API and reads it through cursors with a
 * warm page cache (one untimed pass over every column first):
 * - every column through one cursor, R times;
 * - each column alone through its own cursor, R times.
 * A timed run is cursor open, dps_cursor_next to the end (every page read,
 * checksummed, decompressed and decoded into the batch), cursor free.
 * The reader is opened once, before timing. With glibc, freed memory up to
 * 32 MiB a block stays in the heap (mallopt), so a run reuses the pages of
 * the previous run's batch buffers instead of faulting in fresh ones: the
 * time is decoding, as the memcpy reference below copies between buffers
 * already touched.
 *
 * For each column it reports the values decoded, the best time, values per
 * nanosecond, and the decoded output (values, offsets and data of strings,
 * validity bitmaps) per second as a fraction of memcpy bandwidth measured
 * right after it: best of R copies of a buffer of the same size as the
 * column's decoded output, at least twice the L3 cache (so memcpy runs
 * from memory, not cache) and at most 1 GiB. Decoded batches are one row
 * group at a time and stay in cache, so a fraction above 1 is possible: it
 * says the decoder produces bytes faster than memory can copy them. The
 * last lines are key=value pairs for scripts (all_best_ms, all_median_ms,
 * ...).
 */
#include <dpsnap.h>

#include "bench/bench.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_REPEAT 5
#define MAX_COPY ((size_t)1 << 30)

static double best_of(const double *t, int n) {
  double b = t[0];
  for (int i = 1; i < n; i++)
    if (t[i] < b) b = t[i];
  return b;
}

static double median_of(const double *t, int n) {
  double *s = malloc((size_t)n * sizeof *s);
  if (s == NULL) return t[0];
  memcpy(s, t, (size_t)n * sizeof *s);
  qsort(s, (size_t)n, sizeof *s, cmp_double);
  double m = median_sorted(s, n);
  free(s);
  return m;
}

/* Bytes of decoded output a batch column holds. */
static uint64_t view_bytes(const dps_array_view *v, dps_type type) {
  uint64_t b = 0;
  if (v->validity != NULL) b += (v->length + 7) / 8;
  if (v->offsets != NULL) {
    b += (uint64_t)(v->length + 1) * sizeof(int64_t);
    b += (uint64_t)(v->offsets[v->length] - v->offsets[0]);
  } else {
    b += (uint64_t)v->length * dps_type_width(type);
  }
  return b;
}

/* Reads the projection `cols` (n == 0: every column) to the end. When
 * `bytes` is non-NULL, adds each projected column's decoded bytes to it.
 * Returns the elapsed milliseconds, or a negative value on error. */
static double read_pass(dps_reader *r, const size_t *cols, size_t n,
                        uint64_t *bytes, uint64_t *rows) {
  dps_error err = {0};
  dps_cursor *cur = NULL;
  const dps_schema *schema = dps_reader_schema(r);
  double t0 = now_ms();
  if (dps_cursor_open(&cur, r, n ? cols : NULL, n, &err) != DPS_OK) goto fail;
  const dps_batch *batch;
  uint64_t seen = 0;
  for (;;) {
    if (dps_cursor_next(cur, &batch, &err) != DPS_OK) goto fail;
    if (batch == NULL) break;
    seen += dps_batch_row_count(batch);
    if (bytes != NULL) {
      size_t nb = dps_batch_column_count(batch);
      for (size_t i = 0; i < nb; i++) {
        dps_array_view v;
        dps_column_view cv;
        dps_batch_column(batch, i, &v);
        dps_schema_column(schema, n ? cols[i] : i, &cv);
        bytes[n ? cols[i] : i] += view_bytes(&v, cv.type);
      }
    }
  }
  dps_cursor_free(cur);
  double t = now_ms() - t0;
  if (rows != NULL) *rows = seen;
  return t;
fail:
  fprintf(stderr, "decode: %s\n", err.message);
  dps_cursor_free(cur);
  return -1;
}


static void type_label(const dps_column_view *cv, char *out, size_t cap) {
  if (cv->type == DPS_TYPE_DECIMAL)
    snprintf(out, cap, "decimal(%d,%d)", cv->precision, cv->scale);
  else
    snprintf(out, cap, "%s", dps_type_name(cv->type));
}

static int usage(void) {
  fprintf(stderr, "usage: decode FILE.dps [--repeat R]\n"
                  "  Decode speed per column and for all columns, best of R "
                  "runs (default %d),\n  against memcpy bandwidth measured "
                  "in the same run.\n", DEFAULT_REPEAT);
  return 2;
}

int main(int argc, char **argv) {
  const char *path = NULL;
  int repeat = DEFAULT_REPEAT;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--repeat") == 0 && i + 1 < argc) {
      repeat = atoi(argv[++i]);
      if (repeat < 1 || repeat > 1000) return usage();
    } else if (argv[i][0] != '-' && path == NULL) {
      path = argv[i];
    } else {
      return usage();
    }
  }
  if (path == NULL) return usage();
  bench_keep_freed_memory();  /* see the header comment */

  dps_error err = {0};
  dps_reader *r = NULL;
  double t_open = now_ms();
  if (dps_reader_open(&r, path, NULL, &err) != DPS_OK) {
    fprintf(stderr, "decode: %s\n", err.message);
    return 1;
  }
  t_open = now_ms() - t_open;
  const dps_schema *schema = dps_reader_schema(r);
  size_t nc = dps_schema_column_count(schema);
  uint64_t rows = dps_reader_row_count(r);
  dps_file_info fi;
  dps_reader_file_info(r, &fi);

  int rc = 1;
  uint64_t *bytes = calloc(nc ? nc : 1, sizeof *bytes);
  double *times = malloc((size_t)repeat * sizeof *times);
  double *col_best = calloc(nc ? nc : 1, sizeof *col_best);
  double *col_copy = calloc(nc ? nc : 1, sizeof *col_copy);
  char *src = NULL, *dst = NULL;
  if (bytes == NULL || times == NULL || col_best == NULL || col_copy == NULL) {
    fprintf(stderr, "decode: out of memory\n");
    goto done;
  }

  /* Untimed pass: warms the page cache and counts the decoded bytes. */
  uint64_t seen = 0;
  if (read_pass(r, NULL, 0, bytes, &seen) < 0) goto done;
  if (seen != rows) {
    fprintf(stderr, "decode: %s: read %llu rows, expected %llu\n", path,
            (unsigned long long)seen, (unsigned long long)rows);
    goto done;
  }
  uint64_t total_bytes = 0;
  for (size_t c = 0; c < nc; c++) total_bytes += bytes[c];

  /* memcpy reference: one pair of buffers, touched before timing so page
   * faults are not counted, copied at each measurement's decoded size. */
  size_t min_copy = 2 * l3_bytes();
  size_t max_size = total_bytes > MAX_COPY ? MAX_COPY : (size_t)total_bytes;
  if (max_size < min_copy) max_size = min_copy;
  src = malloc(max_size);
  dst = malloc(max_size);
  if (src == NULL || dst == NULL) {
    fprintf(stderr, "decode: out of memory for %zu-byte memcpy buffers\n", max_size);
    goto done;
  }
  memset(src, 0x5a, max_size);
  memset(dst, 0, max_size);

  /* Each measurement is followed at once by its memcpy reference, so the
   * two see the same state of a noisy machine. */
  for (int i = 0; i < repeat; i++)
    if ((times[i] = read_pass(r, NULL, 0, NULL, NULL)) < 0) goto done;
  double all_best = best_of(times, repeat), all_median = median_of(times, repeat);
  double all_copy = memcpy_gbps(dst, src, max_size, 1, repeat);
  for (size_t c = 0; c < nc; c++) {
    for (int i = 0; i < repeat; i++)
      if ((times[i] = read_pass(r, &c, 1, NULL, NULL)) < 0) goto done;
    col_best[c] = best_of(times, repeat);
    size_t size = bytes[c] > max_size ? max_size : (size_t)bytes[c];
    if (size < min_copy) size = min_copy;
    col_copy[c] = memcpy_gbps(dst, src, size, 1, repeat);
  }

  printf("decode: %s: %llu rows, %zu columns, %zu row groups, %llu bytes "
         "(data %llu stored, %llu before compression)\n",
         path, (unsigned long long)rows, nc, dps_reader_row_group_count(r),
         (unsigned long long)fi.file_size, (unsigned long long)fi.data_stored,
         (unsigned long long)fi.data_raw);
  printf("best of %d runs, warm page cache, one thread; reader open %.2f ms "
         "(not counted); memcpy of buffers the size of the decoded output "
         "(%zu MiB .. %zu MiB)\n\n", repeat, t_open, min_copy >> 20, max_size >> 20);
  printf("%-20s %-14s %10s %10s %11s %9s %9s %9s %9s %9s\n", "column", "type",
         "stored_MB", "decoded_MB", "values", "best_ms", "values/ns",
         "dec_GB/s", "mcpy_GB/s", "of_memcpy");
  double sum_best = 0;
  for (size_t c = 0; c < nc; c++) {
    dps_column_view cv;
    dps_column_stats st;
    char tl[32];
    dps_schema_column(schema, c, &cv);
    dps_reader_column_stats(r, c, &st);
    type_label(&cv, tl, sizeof tl);
    double gbps = (double)bytes[c] / (col_best[c] * 1e6);
    sum_best += col_best[c];
    printf("%-20.20s %-14s %10.2f %10.2f %11llu %9.2f %9.3f %9.2f %9.2f %9.2f\n",
           cv.name, tl, (double)st.data_stored / 1e6, (double)bytes[c] / 1e6,
           (unsigned long long)rows, col_best[c], (double)rows / (col_best[c] * 1e6),
           gbps, col_copy[c], gbps / col_copy[c]);
  }
  uint64_t values = rows * (uint64_t)nc;
  double all_gbps = (double)total_bytes / (all_best * 1e6);
  printf("%-20s %-14s %10.2f %10.2f %11llu %9.2f %9.3f %9.2f %9.2f %9.2f\n",
         "all, one cursor", "", (double)fi.data_stored / 1e6,
         (double)total_bytes / 1e6, (unsigned long long)values, all_best,
         (double)values / (all_best * 1e6), all_gbps, all_copy, all_gbps / all_copy);
  printf("%-20s %-14s %10s %10s %11s %9.2f\n", "sum of columns alone", "", "",
         "", "", sum_best);
  printf("\nrows=%llu\ncolumns=%zu\nvalues=%llu\ndecoded_bytes=%llu\n"
         "memcpy_gbps=%.3f\nall_best_ms=%.3f\nall_median_ms=%.3f\n"
         "sum_single_best_ms=%.3f\n",
         (unsigned long long)rows, nc, (unsigned long long)values,
         (unsigned long long)total_bytes, all_copy, all_best, all_median, sum_best);
  rc = 0;

done:
  free(src);
  free(dst);
  free(bytes);
  free(times);
  free(col_best);
  free(col_copy);
  dps_reader_free(r);
  return rc;
}

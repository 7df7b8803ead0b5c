/*
 * testutil.h - helpers shared by the cmocka unit tests (tests/test_*.c).
 *
 * Scratch files, a deterministic random generator, owned column buffers,
 * writing and reading whole snapshots, a bit-exact column comparator, and
 * byte-level access to a file's trailer and footer (spec/FORMAT.md §3) for
 * the tests that craft or damage files.
 *
 * Everything here asserts through cmocka: a helper that cannot do its job
 * fails the running test with a message saying why.
 */
#ifndef DPS_TESTUTIL_H
#define DPS_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dpsnap.h"
#include "format/format.h"

#ifndef DPS_TEST_TMPDIR
#  define DPS_TEST_TMPDIR "/tmp"
#endif

/* Runs a group of tests; the environment variable DPS_TEST_FILTER (a cmocka
 * pattern, e.g. "*bit_flips") selects some of them. */
#define TU_RUN(tests, setup, teardown)                                  \
  (getenv("DPS_TEST_FILTER") ? cmocka_set_test_filter(getenv("DPS_TEST_FILTER")) \
                             : (void)0,                                \
   cmocka_run_group_tests((tests), (setup), (teardown)))

/* ---- status and message assertions ------------------------------------ */

/* Fails the test unless `expr` returns `code`; for an error, also checks that
 * err->code repeats it and that a message was written. */
#define TU_EXPECT(expr, code, errp)                                          \
  tu_expect_status_((expr), (code), (errp), #expr, __FILE__, __LINE__)
#define TU_OK(expr, errp) TU_EXPECT((expr), DPS_OK, (errp))
/* Fails the test unless err->message contains `sub`. */
#define TU_HAS(errp, sub) tu_expect_has_((errp), (sub), __FILE__, __LINE__)
/* Fails the test unless err->message contains `sub`, case-insensitively. */
#define TU_HAS_CI(errp, sub) tu_expect_has_ci_((errp), (sub), __FILE__, __LINE__)
/* Fails the test unless err->message contains one of the NULL-terminated
 * list of substrings. */
#define TU_HAS_ANY(errp, ...) \
  tu_expect_has_any_((errp), __FILE__, __LINE__, __VA_ARGS__, (const char *)NULL)

void tu_expect_status_(dps_status got, dps_status want, const dps_error *err,
                       const char *expr, const char *file, int line);
void tu_expect_has_(const dps_error *err, const char *sub, const char *file,
                    int line);
void tu_expect_has_ci_(const dps_error *err, const char *sub, const char *file,
                       int line);
void tu_expect_has_any_(const dps_error *err, const char *file, int line, ...);
/* 1 when s contains sub, ignoring ASCII case. */
int tu_contains_ci(const char *s, const char *sub);
/* Resets an error to code 0 and an empty message. */
void tu_err_reset(dps_error *err);

/* ---- scratch files ----------------------------------------------------- */

/* Writes into buf (size n) a fresh path DPS_TEST_TMPDIR/<pid>-<k>-<stem>
 * that does not exist yet, and returns buf. */
char *tu_tmp_path(char *buf, size_t n, const char *stem);
/* Creates a fresh empty directory under DPS_TEST_TMPDIR and returns its path
 * in buf. */
char *tu_tmp_dir(char *buf, size_t n, const char *stem);
/* Number of directory entries other than "." and "..". */
size_t tu_dir_count(const char *dir);
/* Removes every file in dir, then dir itself (best effort). */
void tu_rm_dir(const char *dir);
/* 1 when something exists at path. */
int tu_exists(const char *path);
/* Whole file into a malloc'd buffer (*len bytes); fails the test if it
 * cannot. */
uint8_t *tu_slurp(const char *path, size_t *len);
/* Replaces path with exactly len bytes of p. */
void tu_spit(const char *path, const void *p, size_t len);
/* Size of the file at path, or -1. */
long long tu_file_size(const char *path);

/* ---- float bit patterns ------------------------------------------------ */

/* A float's or double's bits, and back (NaN payloads, -0.0 kept). */
uint64_t tu_f64_bits(double d);
double tu_f64_of(uint64_t bits);
uint32_t tu_f32_bits(float f);
float tu_f32_of(uint32_t bits);

/* ---- random numbers (xorshift64*, fixed seeds) ------------------------- */

typedef struct tu_rng {
  uint64_t s;  /* state, never 0 */
} tu_rng;

void tu_rng_seed(tu_rng *r, uint64_t seed);
uint64_t tu_rng_next(tu_rng *r);
/* Uniform in [0, n), n > 0. */
uint64_t tu_rng_below(tu_rng *r, uint64_t n);
/* 1 with probability permille / 1000. */
int tu_rng_chance(tu_rng *r, unsigned permille);

/* ---- owned column buffers ---------------------------------------------- */

typedef struct tu_column {
  dps_type type;      /* logical type */
  size_t length;      /* rows */
  size_t cap;         /* rows allocated */
  size_t nulls;       /* null rows */
  uint8_t *validity;  /* bitmap of cap bits, always maintained */
  uint8_t *values;    /* fixed-width values (width * cap) */
  int64_t *offsets;   /* STRING/BINARY: cap + 1 offsets */
  uint8_t *data;      /* STRING/BINARY bytes */
  size_t data_len;    /* bytes used in data */
  size_t data_cap;    /* bytes allocated in data */
  int force_validity; /* view() gives a bitmap even without nulls */
} tu_column;

void tu_column_init(tu_column *c, dps_type t);
void tu_column_free(tu_column *c);
/* Appends a null (zero value / empty string in the slot). */
void tu_column_append_null(tu_column *c);
/* Appends a fixed-width value read from `value` (dps_type_width bytes). */
void tu_column_append(tu_column *c, const void *value);
/* Appends a STRING/BINARY value of n bytes. */
void tu_column_append_bytes(tu_column *c, const void *p, size_t n);
void tu_column_append_str(tu_column *c, const char *s);
void tu_column_append_i64(tu_column *c, int64_t v);  /* any integer type */
void tu_column_append_u64(tu_column *c, uint64_t v); /* any integer type */
/* Appends rows [from, from + n) of a view of type c->type. */
void tu_column_append_view(tu_column *c, const dps_array_view *v, size_t from,
                           size_t n);
/* A view of the whole column (borrowed from c). */
dps_array_view tu_column_view(const tu_column *c);
/* A view of rows [from, from + n). The validity bitmap is shifted into a new
 * malloc'd buffer returned through *owned (free it; may be NULL). */
dps_array_view tu_column_slice(const tu_column *c, size_t from, size_t n,
                               uint8_t **owned);
int tu_column_is_valid(const tu_column *c, size_t i);

/* Fills c (already initialised with its type) with n random rows; each row
 * is null with probability null_permille/1000. DECIMAL values stay within
 * `precision` digits. STRING values are valid UTF-8 with 1..4-byte
 * sequences; BINARY values are arbitrary bytes (zeros included). */
void tu_column_random(tu_column *c, size_t n, unsigned null_permille,
                      int precision, tu_rng *rng);
/* Number of non-null rows of c. */
size_t tu_column_valid_count(const tu_column *c);

/* ---- schema and metadata ----------------------------------------------- */

/* One column for tu_schema(). */
typedef struct tu_coldef {
  const char *name;
  dps_type type;
  int nullable;
  int precision;
  int scale;
} tu_coldef;

/* A schema with the given columns; fails the test on error. */
dps_schema *tu_schema(const tu_coldef *cols, size_t n);
/* Minimal valid metadata: product "test.product", owner team "Test team",
 * owner email "test-team@example.org", created_at fixed (so two writes of
 * the same data give the same bytes). */
dps_snapshot_meta tu_meta(void);
/* Metadata with every field set: two inputs (a product pinned at a version
 * with its schema tag, and an external URI), three properties (one with an
 * empty value), multi-byte UTF-8 in strings, a fixed created_at. Static
 * storage. */
dps_snapshot_meta tu_meta_full(void);
/* Options with no_sync set (scratch files), everything else default. */
dps_write_options tu_opts(void);

/* Fails the test unless a and b hold the same metadata: every string equal
 * (NULL only equals NULL), every number, every input and property in order.
 * `what` names the comparison in the failure message. */
void tu_assert_meta_equal(const dps_snapshot_meta *a,
                          const dps_snapshot_meta *b, const char *what);

/* Independent computation of the schema tag of [FMT-40]: builds the
 * canonical bytes from the public column views and hashes them with
 * XXH3_64bits from <xxhash.h>. */
uint64_t tu_canonical_tag(const dps_schema *s);

/* ---- writing and reading whole snapshots ------------------------------- */

/* Writes cols[0..n_cols) (all of one length) with one dps_writer_write per
 * entry of `chunks` (cycled until every row is written; NULL/0 = a single
 * call), then finishes. Returns the first failing status (err filled). */
dps_status tu_write_chunks(const char *path, const dps_schema *s,
                           const dps_snapshot_meta *m,
                           const dps_write_options *o, const tu_column *cols,
                           size_t n_cols, const size_t *chunks,
                           size_t n_chunks, dps_error *err);
dps_status tu_write(const char *path, const dps_schema *s,
                    const dps_snapshot_meta *m, const dps_write_options *o,
                    const tu_column *cols, size_t n_cols, dps_error *err);

/* Reads columns proj[0..n_proj) (NULL/0: every column, then `out` needs
 * dps_schema_column_count entries) from the start to the end with a cursor,
 * concatenating the batches into out[] (initialised here; free with
 * tu_column_free). *n_batches (may be NULL) gets the number of batches and
 * batch_rows (may be NULL, max_batches entries) their row counts. Also
 * checks that each batch has the projection's column count and that every
 * column of a batch has the batch's row count. */
dps_status tu_read_all(dps_reader *r, const size_t *proj, size_t n_proj,
                       tu_column *out, size_t *n_batches, size_t *batch_rows,
                       size_t max_batches, dps_error *err);
/* Opens path, reads every column into out[], closes. */
dps_status tu_read_file(const char *path, tu_column *out, size_t n_out,
                        dps_error *err);

/* ---- comparing --------------------------------------------------------- */

/* Bit-exact, validity-aware comparison of a and b as arrays of type t:
 * same length, same validity; valid floats compare bits; valid strings and
 * binary compare bytes; null slots compare only validity. Returns 1 when
 * equal, else 0 with a description of the first difference in why. */
int tu_array_equal(dps_type t, const dps_array_view *a,
                   const dps_array_view *b, char *why, size_t why_size);
/* Fails the test (naming `what` and the first difference) unless equal. */
#define TU_ASSERT_ARRAY_EQ(t, a, b, what) \
  tu_assert_array_equal_((t), (a), (b), (what), __FILE__, __LINE__)
void tu_assert_array_equal_(dps_type t, const dps_array_view *a,
                            const dps_array_view *b, const char *what,
                            const char *file, int line);
/* Fails the test unless every null slot of a holds zero (empty string). */
void tu_assert_null_slots_zero(dps_type t, const dps_array_view *a,
                               const char *what);

/* ---- file structure (spec/FORMAT.md §2-3) ------------------------------ */

/* The trailer of a file image, decoded by hand from the bytes. */
typedef struct tu_trailer {
  uint64_t footer_offset;
  uint64_t footer_length;
  uint64_t footer_checksum;
  uint16_t major;
  uint16_t minor;
} tu_trailer;

/* Decodes the last 40 bytes of img (fails the test if len < 56). */
tu_trailer tu_trailer_read(const uint8_t *img, size_t len);
/* Encodes a trailer by hand into out[40] (reserved zero, magic). */
void tu_trailer_write(uint8_t *out, uint64_t footer_offset,
                      uint64_t footer_length, uint64_t checksum,
                      uint16_t major, uint16_t minor);
/* Writes to path: img[0..footer_offset) + footer + a trailer with the
 * footer's XXH3 checksum and the given version. */
void tu_file_with_footer(const char *path, const uint8_t *img,
                         uint64_t footer_offset, const uint8_t *footer,
                         size_t footer_len, uint16_t major, uint16_t minor);

/* The 8 magic bytes of [FMT-1], spelled out independently of the library. */
extern const uint8_t tu_magic[8];

#endif /* DPS_TESTUTIL_H */

/* writer.c - builds a snapshot file: buffers one row group of column data,
 * cuts it into pages, compresses, checksums, and publishes atomically. */
#include "engine/engine.h"
#include "format/cascade.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_PAGE_RAW ((size_t)64 << 20)  /* soft cut for string pages */
#define MAX_VALUE_LEN ((int64_t)INT32_MAX)

typedef enum { W_OPEN, W_FAILED, W_FINISHED } wstate;

struct dps_writer {
  char *path;               /* where the snapshot is published */
  char *tmp_path;           /* temporary file beside it */
  int fd;                   /* open temporary file, or -1 */
  wstate state;             /* open, failed (refuses calls), finished */
  bool no_sync;             /* skip fsync */
  dps_schema *schema;       /* owned copy */
  dps_snapshot_meta meta;   /* copied into `arena` */
  dps_arena arena;          /* metadata strings */
  uint32_t rg_rows;         /* rows per row group */
  uint32_t page_rows;       /* values per page */
  int *codec;               /* per column: DPS_CODEC_* */
  int *level;               /* per column: codec level */
  bool *stage_if_pays;      /* per column: keep the codec only if it pays */
  int *scheme;              /* per column: forced root scheme, -1 = choose,
                               -2 = plain pages */
  dps_column_data *stage;   /* per column: rows of the open row group */
  size_t staged;            /* rows staged */
  dps_row_group_ref *groups;/* row groups written */
  size_t n_groups;
  size_t cap_groups;
  uint64_t offset;          /* bytes written to the file */
  uint64_t row_count;       /* rows in finished row groups */
  dps_buf raw;              /* page scratch: encoded bytes */
  dps_buf stored;           /* page scratch: compressed bytes */
  dps_buf alt_raw;          /* page scratch: a second encoding */
  dps_buf trial;            /* page scratch: a stage being tried */
  double read_bytes_per_ns; /* storage speed the default stage weighs */
};

static dps_status io_fail(dps_writer *w, dps_error *err, const char *what) {
  int e = errno;
  w->state = W_FAILED;
  return dps__fail(err, DPS_EIO, "%s: %s (temporary file %s): %s", w->path,
                   what, w->tmp_path ? w->tmp_path : "-", strerror(e));
}

static dps_status write_all(dps_writer *w, const void *p, size_t n,
                            dps_error *err) {
  const uint8_t *b = p;
  while (n > 0) {
    ssize_t got = write(w->fd, b, n);
    if (got < 0) {
      if (errno == EINTR) continue;
      return io_fail(w, err, "cannot write");
    }
    b += got;
    n -= (size_t)got;
    w->offset += (uint64_t)got;
  }
  return DPS_OK;
}

/* Opens a fresh temporary file in the directory of `path`. */
static dps_status open_temp(dps_writer *w, dps_error *err) {
  static unsigned counter;
  size_t n = strlen(w->path) + 64;
  w->tmp_path = malloc(n);
  if (w->tmp_path == NULL) return dps__fail(err, DPS_ENOMEM, "out of memory");
  const char *slash = strrchr(w->path, '/');
  int dir_len = slash ? (int)(slash - w->path + 1) : 0;
  for (int attempt = 0; attempt < 100; attempt++) {
    unsigned tag = (unsigned)dps__now_micros() ^ (unsigned)getpid() << 16 ^
                   __atomic_add_fetch(&counter, 1, __ATOMIC_RELAXED);
    snprintf(w->tmp_path, n, "%.*s.%s.tmp-%08x", dir_len, w->path,
             w->path + dir_len, tag);
    w->fd = open(w->tmp_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (w->fd >= 0) return DPS_OK;
    if (errno != EEXIST) break;
  }
  int e = errno;
  return dps__fail(err, DPS_EIO, "%s: cannot create a temporary file beside "
                   "it (%s): %s", w->path, w->tmp_path, strerror(e));
}

static int codec_of(dps_compression c) {
  switch (c) {
    case DPS_COMPRESSION_NONE: return DPS_CODEC_NONE;
    case DPS_COMPRESSION_LZ4: return DPS_CODEC_LZ4;
    default: return DPS_CODEC_ZSTD;
  }
}

static bool compression_valid(dps_compression c) {
  return c >= DPS_COMPRESSION_DEFAULT && c <= DPS_COMPRESSION_ZSTD;
}

/* Index of the column an override names, for both kinds of override. */
static dps_status override_column(const dps_writer *w, const char *what,
                                  const char *column, long *index,
                                  dps_error *err) {
  *index = dps_schema_find(w->schema, column);
  if (*index < 0)
    return dps__fail(err, DPS_EINVAL, "%s override for column \"%s\": no "
                     "such column in the schema", what,
                     column ? column : "(null)");
  return DPS_OK;
}

static dps_status apply_options(dps_writer *w, const dps_write_options *o,
                                dps_error *err) {
  dps_write_options def = DPS_WRITE_OPTIONS_INIT;
  if (o == NULL) o = &def;
  if (o->version != DPS_WRITE_OPTIONS_VERSION)
    return dps__fail(err, DPS_EINVAL, "dps_write_options.version: expected %d "
                     "(use DPS_WRITE_OPTIONS_INIT), found %u",
                     DPS_WRITE_OPTIONS_VERSION, o->version);
  w->rg_rows = o->row_group_rows ? o->row_group_rows : DPS_DEFAULT_ROW_GROUP_ROWS;
  if (w->rg_rows % DPS_VECTOR_SIZE != 0 || w->rg_rows > (1u << 30))
    return dps__fail(err, DPS_EINVAL, "row_group_rows: expected a multiple of "
                     "1024 up to 2^30, found %u", o->row_group_rows);
  uint32_t pv = o->page_vectors ? o->page_vectors : DPS_DEFAULT_PAGE_VECTORS;
  if (pv > 1024)
    return dps__fail(err, DPS_EINVAL, "page_vectors: expected 1 to 1024, "
                     "found %u", pv);
  w->page_rows = pv * DPS_VECTOR_SIZE;
  if (!compression_valid(o->compression))
    return dps__fail(err, DPS_EINVAL, "compression: unknown value %d",
                     (int)o->compression);
  w->no_sync = o->no_sync != 0;
  if (o->read_mb_per_s > 100000)
    return dps__fail(err, DPS_EINVAL, "read_mb_per_s: expected 0 (default "
                     "%d) to 100000, found %u", DPS_DEFAULT_READ_MB_PER_S,
                     o->read_mb_per_s);
  w->read_bytes_per_ns = (o->read_mb_per_s ? o->read_mb_per_s
                                           : DPS_DEFAULT_READ_MB_PER_S) * 1e-3;
  size_t n = w->schema->n;
  w->codec = calloc(n, sizeof *w->codec);
  w->level = calloc(n, sizeof *w->level);
  w->stage = calloc(n, sizeof *w->stage);
  w->stage_if_pays = calloc(n, sizeof *w->stage_if_pays);
  w->scheme = calloc(n, sizeof *w->scheme);
  if (!w->codec || !w->level || !w->stage || !w->stage_if_pays || !w->scheme)
    return dps__fail(err, DPS_ENOMEM, "out of memory");
  for (size_t i = 0; i < n; i++) {
    w->codec[i] = codec_of(o->compression);
    w->level[i] = o->compression_level;
    w->stage_if_pays[i] = o->compression == DPS_COMPRESSION_DEFAULT;
    w->scheme[i] = -1;
  }
  if (o->n_column_encoding && o->column_encoding == NULL)
    return dps__fail(err, DPS_EINVAL, "n_column_encoding is %zu but "
                     "column_encoding is NULL", o->n_column_encoding);
  for (size_t k = 0; k < o->n_column_encoding; k++) {
    const dps_column_encoding *ce = &o->column_encoding[k];
    long i;
    dps_status s = override_column(w, "encoding", ce->column, &i, err);
    if (s != DPS_OK) return s;
    int id = dps__scheme_of_encoding(ce->encoding);
    if (ce->encoding == DPS_ENCODING_PLAIN) id = -2;
    else if (ce->encoding == DPS_ENCODING_AUTO) id = -1;
    else if (id < 0)
      return dps__fail(err, DPS_EINVAL, "encoding override for column "
                       "\"%s\": unknown encoding %d", ce->column,
                       (int)ce->encoding);
    dps_type t = w->schema->cols[i].type;
    if (id >= 0 && (dps__scheme_get((unsigned)id)->kinds &
                    (1u << dps__kind_of_type(t))) == 0)
      return dps__fail(err, DPS_EINVAL, "encoding override for column "
                       "\"%s\": %s cannot encode %s values", ce->column,
                       dps_encoding_name(ce->encoding), dps_type_name(t));
    w->scheme[i] = id;
  }
  if (o->n_column_compression && o->column_compression == NULL)
    return dps__fail(err, DPS_EINVAL, "n_column_compression is %zu but "
                     "column_compression is NULL", o->n_column_compression);
  for (size_t k = 0; k < o->n_column_compression; k++) {
    const dps_column_compression *cc = &o->column_compression[k];
    long i;
    dps_status s = override_column(w, "compression", cc->column, &i, err);
    if (s != DPS_OK) return s;
    if (!compression_valid(cc->compression))
      return dps__fail(err, DPS_EINVAL, "compression override for column "
                       "\"%s\": unknown compression %d", cc->column,
                       (int)cc->compression);
    w->codec[i] = codec_of(cc->compression);
    w->level[i] = cc->level;
    w->stage_if_pays[i] = cc->compression == DPS_COMPRESSION_DEFAULT;
  }
  return DPS_OK;
}

dps_status dps_writer_open(dps_writer **out, const char *path,
                           const dps_schema *schema,
                           const dps_snapshot_meta *meta,
                           const dps_write_options *opts, dps_error *err) {
  if (out == NULL || path == NULL || path[0] == '\0' || schema == NULL)
    return dps__fail(err, DPS_EINVAL, "dps_writer_open: out, path and schema "
                     "are required");
  *out = NULL;
  if (schema->n == 0)
    return dps__fail(err, DPS_EINVAL, "%s: a snapshot needs at least one "
                     "column", path);
  dps_status s = dps__meta_validate(meta, err);
  if (s != DPS_OK) return s;
  dps_writer *w = calloc(1, sizeof *w);
  if (w == NULL) return dps__fail(err, DPS_ENOMEM, "out of memory");
  w->fd = -1;
  w->path = strdup(path);
  if (w->path == NULL) {
    dps_writer_free(w);
    return dps__fail(err, DPS_ENOMEM, "out of memory");
  }
  s = dps__schema_copy(&w->schema, schema, err);
  if (s == DPS_OK) s = dps__meta_copy(&w->meta, meta, &w->arena, err);
  if (s == DPS_OK && w->meta.created_at == 0)  /* [META-4] */
    w->meta.created_at = dps__now_micros();
  if (s == DPS_OK) s = apply_options(w, opts, err);
  if (s == DPS_OK) s = open_temp(w, err);
  if (s == DPS_OK) {
    uint8_t header[DPS_HEADER_SIZE];
    dps__header_encode(header);
    s = write_all(w, header, sizeof header, err);
  }
  if (s != DPS_OK) {
    dps_writer_free(w);
    return s;
  }
  *out = w;
  return DPS_OK;
}

/* ---- input checks --------------------------------------------------------- */

static int64_t pow10_i64(int p) {
  int64_t v = 1;
  while (p-- > 0) v *= 10;
  return v;
}

/* Rejects values the format cannot hold; nothing is staged before this
 * passes for every column, so a failed write leaves no partial batch. */
static dps_status check_column(const dps_writer *w, size_t c,
                               const dps_array_view *a, size_t n,
                               dps_error *err) {
  const struct dps_column_def *col = &w->schema->cols[c];
  if (a->length != n)
    return dps__fail(err, DPS_EINVAL, "%s: column \"%s\": expected %zu rows, "
                     "found an array of %zu", w->path, col->name, n, a->length);
  if (n == 0) return DPS_OK;
  if (!col->nullable && a->validity != NULL)
    for (size_t i = 0; i < n; i++)
      if (!dps_array_is_valid(a, i))
        return dps__fail(err, DPS_EINVAL, "%s: column \"%s\", row %llu: "
                         "expected a value, found null in a non-nullable "
                         "column", w->path, col->name,
                         (unsigned long long)(w->row_count + w->staged + i));
  if (dps__type_is_var(col->type)) {
    /* data may be NULL only when there are no bytes to point into. */
    if (a->offsets == NULL ||
        (a->data == NULL && a->offsets[n] != a->offsets[0]))
      return dps__fail(err, DPS_EINVAL, "%s: column \"%s\": expected offsets "
                       "and data for a %s column", w->path, col->name,
                       dps_type_name(col->type));
    if (a->offsets[0] < 0)
      return dps__fail(err, DPS_EINVAL, "%s: column \"%s\": expected "
                       "offsets[0] >= 0, found %lld", w->path, col->name,
                       (long long)a->offsets[0]);
    for (size_t i = 0; i < n; i++) {
      int64_t len = a->offsets[i + 1] - a->offsets[i];
      unsigned long long row = w->row_count + w->staged + i;
      if (len < 0 || len > MAX_VALUE_LEN)
        return dps__fail(err, DPS_EINVAL, "%s: column \"%s\", row %llu: "
                         "expected non-decreasing offsets and a value under "
                         "2 GiB, found offsets %lld..%lld", w->path, col->name,
                         row, (long long)a->offsets[i],
                         (long long)a->offsets[i + 1]);
      if (col->type == DPS_TYPE_STRING && len > 0 && dps_array_is_valid(a, i)) {
        size_t bad = dps__utf8_check(a->data + a->offsets[i], (size_t)len);
        if (bad != SIZE_MAX)
          return dps__fail(err, DPS_EINVAL, "%s: column \"%s\", row %llu: "
                           "expected UTF-8, found byte 0x%02x at byte %zu of "
                           "the value", w->path, col->name, row,
                           a->data[a->offsets[i] + (int64_t)bad], bad);
      }
    }
    return DPS_OK;
  }
  if (a->values == NULL)
    return dps__fail(err, DPS_EINVAL, "%s: column \"%s\": expected values",
                     w->path, col->name);
  if (col->type == DPS_TYPE_BOOL) {
    const uint8_t *v = a->values;
    for (size_t i = 0; i < n; i++)
      if (v[i] > 1 && dps_array_is_valid(a, i))
        return dps__fail(err, DPS_EINVAL, "%s: column \"%s\", row %llu: "
                         "expected a bool 0 or 1, found %u", w->path,
                         col->name,
                         (unsigned long long)(w->row_count + w->staged + i),
                         v[i]);
  }
  if (col->type == DPS_TYPE_DECIMAL) {
    const int64_t *v = a->values;
    int64_t limit = pow10_i64(col->precision);
    for (size_t i = 0; i < n; i++)
      if ((v[i] >= limit || v[i] <= -limit) && dps_array_is_valid(a, i))
        return dps__fail(err, DPS_EINVAL, "%s: column \"%s\", row %llu: "
                         "expected an unscaled value of at most %d digits for "
                         "decimal(%d,%d), found %lld", w->path, col->name,
                         (unsigned long long)(w->row_count + w->staged + i),
                         col->precision, col->precision, col->scale,
                         (long long)v[i]);
  }
  return DPS_OK;
}

/* ---- staging ------------------------------------------------------------ */

static void set_bits(uint8_t *dst, size_t at, size_t n, int value) {
  for (size_t i = at; i < at + n; i++) {
    if (value) dst[i >> 3] |= (uint8_t)(1u << (i & 7));
    else dst[i >> 3] &= (uint8_t)~(1u << (i & 7));
  }
}

/* Appends rows [from, from+n) of `a` to the stage of column c. */
static dps_status stage_rows(dps_writer *w, size_t c, const dps_array_view *a,
                             size_t from, size_t n) {
  dps_type t = w->schema->cols[c].type;
  dps_column_data *d = &w->stage[c];
  dps_status s;
  size_t nulls = 0;
  if (a->validity)
    for (size_t i = from; i < from + n; i++) nulls += !dps_array_is_valid(a, i);
  if (nulls || d->nulls) {
    size_t need = (d->length + n + 7) / 8;
    if (need > d->validity.len) {
      if ((s = dps__buf_reserve(&d->validity, need - d->validity.len)) != DPS_OK)
        return s;
      memset(d->validity.data + d->validity.len, 0, need - d->validity.len);
      d->validity.len = need;
    }
    if (d->nulls == 0) set_bits(d->validity.data, 0, d->length, 1);
    for (size_t i = 0; i < n; i++)
      set_bits(d->validity.data, d->length + i, 1, dps_array_is_valid(a, from + i));
  }
  if (dps__type_is_var(t)) {
    if (d->offsets.len == 0 && (s = dps__buf_put_u64(&d->offsets, 0)) != DPS_OK)
      return s;
    if ((s = dps__buf_reserve(&d->offsets, 8 * n)) != DPS_OK) return s;
    int64_t base = (int64_t)d->data.len;
    int64_t *offs = (int64_t *)(void *)(d->offsets.data + d->offsets.len);
    int64_t first = a->offsets[from];
    for (size_t i = 0; i < n; i++) {
      /* null slots are stored empty */
      int64_t end = a->offsets[from + i + 1] - first;
      offs[i] = base + end;
    }
    if (a->offsets[from + n] != first &&
        (s = dps__buf_append(&d->data, a->data + first,
                             (size_t)(a->offsets[from + n] - first))) != DPS_OK)
      return s;
    d->offsets.len += 8 * n;
  } else {
    size_t wd = dps_type_width(t);
    if ((s = dps__buf_append(&d->values, (const uint8_t *)a->values + from * wd,
                             n * wd)) != DPS_OK)
      return s;
  }
  d->length += n;
  d->nulls += nulls;
  return DPS_OK;
}

/* ---- pages and row groups ----------------------------------------------- */

static dps_status push_page(dps_chunk_ref *ch, const dps_page_ref *p) {
  if (ch->n_pages == ch->cap_pages) {
    size_t cap = ch->cap_pages ? ch->cap_pages * 2 : 8;
    dps_page_ref *pages = realloc(ch->pages, cap * sizeof *pages);
    if (pages == NULL) return DPS_ENOMEM;
    ch->pages = pages;
    ch->cap_pages = cap;
  }
  ch->pages[ch->n_pages++] = *p;
  return DPS_OK;
}

/* The default stage weighs size against decode time ([FMT-55]): a page
 * costs the time to read its stored bytes at read_bytes_per_ns plus an
 * estimate of the time to decode it. The estimates are coarse on purpose,
 * in ns per byte of output, measured on x86-64: they only rank candidates. */
#define ZSTD_NS_PER_BYTE 1.0
#define LZ4_NS_PER_BYTE 0.3
#define FSST_NS_PER_BYTE 0.5
/* lz4 HC level for the plain alternative to FSST pages: on text, about
 * 1.5x as fast to write as level 9 and within 3% of its size; level 5
 * is faster still but rarely beats FSST + zstd at 100 MB/s. */
#define PLAIN_LZ4_LEVEL 6

static double page_cost(const dps_writer *w, size_t stored, size_t raw,
                        int codec, double decode_ns) {
  if (codec == DPS_CODEC_ZSTD) decode_ns += (double)raw * ZSTD_NS_PER_BYTE;
  if (codec == DPS_CODEC_LZ4) decode_ns += (double)raw * LZ4_NS_PER_BYTE;
  return (double)stored / w->read_bytes_per_ns + decode_ns;
}

static void swap_bufs(dps_buf *a, dps_buf *b) {
  dps_buf t = *a;
  *a = *b;
  *b = t;
}

/* The default stage: of the encoded page (w->raw) without a stage, with
 * lz4 and with zstd, and, for pages whose values are FSST-compressed
 * strings, of the plain strings with lz4 HC (unless the scheme is
 * forced), keeps the cheapest by page_cost(). On return w->raw holds the chosen encoding (desc names it),
 * w->stored its stored bytes unless *codec is DPS_CODEC_NONE. */
static dps_status pick_stage(dps_writer *w, dps_type t,
                             const dps_array_view *a, size_t from, size_t n,
                             size_t nulls, int zstd_level, bool forced,
                             char *desc, size_t desc_size, int *codec,
                             dps_error *err) {
  size_t plain_bytes = dps__plain_size(t, a, from, n, nulls);
  bool fsst = strncmp(desc, "fsst", 4) == 0;
  double dec_ns = fsst ? (double)plain_bytes * FSST_NS_PER_BYTE : 0;
  size_t raw = w->raw.len;
  double best = page_cost(w, raw, raw, DPS_CODEC_NONE, dec_ns);
  *codec = DPS_CODEC_NONE;
  dps_status s = dps__compress(DPS_CODEC_ZSTD, zstd_level, w->raw.data,
                               raw, &w->stored, err);
  if (s != DPS_OK) return s;
  double cost = page_cost(w, w->stored.len, raw, DPS_CODEC_ZSTD, dec_ns);
  if (cost < best) best = cost, *codec = DPS_CODEC_ZSTD;
  if ((s = dps__compress(DPS_CODEC_LZ4, 0, w->raw.data, raw, &w->trial,
                         err)) != DPS_OK)
    return s;
  cost = page_cost(w, w->trial.len, raw, DPS_CODEC_LZ4, dec_ns);
  if (cost < best) {
    best = cost, *codec = DPS_CODEC_LZ4;
    swap_bufs(&w->stored, &w->trial);
  }
  if (!fsst || forced) return DPS_OK;  /* a forced scheme stays */
  char alt_desc[96] = "";
  w->alt_raw.len = 0;
  s = dps__cascade_encode_page(t, a, from, n, nulls, DPS_SCHEME_PLAIN,
                               &w->alt_raw, alt_desc, sizeof alt_desc, err);
  if (s == DPS_OK)
    s = dps__compress(DPS_CODEC_LZ4, PLAIN_LZ4_LEVEL, w->alt_raw.data,
                      w->alt_raw.len, &w->trial, err);
  if (s != DPS_OK) return s;
  cost = page_cost(w, w->trial.len, w->alt_raw.len, DPS_CODEC_LZ4, 0);
  if (cost < best) {
    *codec = DPS_CODEC_LZ4;
    swap_bufs(&w->raw, &w->alt_raw);
    swap_bufs(&w->stored, &w->trial);
    snprintf(desc, desc_size, "%s", alt_desc);
  }
  return DPS_OK;
}

static dps_status write_page(dps_writer *w, size_t c, const dps_array_view *a,
                             size_t from, size_t n, dps_chunk_ref *ch,
                             dps_error *err) {
  dps_type t = w->schema->cols[c].type;
  dps_page_ref p;
  memset(&p, 0, sizeof p);
  size_t nulls = 0;
  if (a->validity)
    for (size_t i = from; i < from + n; i++) nulls += !dps_array_is_valid(a, i);
  size_t raw_size = dps__plain_size(t, a, from, n, nulls);
  if (raw_size > ((size_t)1 << 31))
    return dps__fail(err, DPS_EINVAL, "%s: column \"%s\": a vector of values "
                     "from row %llu holds %zu bytes, over the 2 GiB page "
                     "limit", w->path, w->schema->cols[c].name,
                     (unsigned long long)(w->row_count + from), raw_size);
  w->raw.len = 0;
  char desc[96] = "";
  dps_status s;
  if (w->scheme[c] == -2) {
    s = dps__plain_encode(t, a, from, n, nulls, &w->raw);
    if (s != DPS_OK) return dps__fail(err, s, "out of memory");
  } else {
    s = dps__cascade_encode_page(t, a, from, n, nulls, w->scheme[c], &w->raw,
                                 desc, sizeof desc, err);
    if (s == DPS_EINVAL) {
      char why[DPS_ERROR_MESSAGE_SIZE];
      snprintf(why, sizeof why, "%s", err ? err->message : "cannot encode");
      return dps__fail(err, s, "%s: column \"%s\", rows %llu..%llu: %.200s",
                       w->path, w->schema->cols[c].name,
                       (unsigned long long)(w->row_count + from),
                       (unsigned long long)(w->row_count + from + n - 1), why);
    }
    if (s != DPS_OK) return s;
  }
  int codec = w->codec[c];
  const dps_buf *body = &w->raw;
  if (w->stage_if_pays[c] && w->raw.len > 0) {
    s = pick_stage(w, t, a, from, n, nulls, w->level[c], w->scheme[c] != -1,
                   desc, sizeof desc, &codec, err);
    if (s != DPS_OK) return s;
    if (codec != DPS_CODEC_NONE) body = &w->stored;
  } else if (codec != DPS_CODEC_NONE && w->raw.len > 0) {
    s = dps__compress(codec, w->level[c], w->raw.data, w->raw.len, &w->stored,
                      err);
    if (s != DPS_OK) return s;
    /* [FMT-11] a stage that does not shrink the page is dropped. */
    if (w->stored.len < w->raw.len) body = &w->stored;
  }
  if (body == &w->raw) codec = DPS_CODEC_NONE;
  if (desc[0] != '\0') {
    p.cascade = dps__arena_strdup(&w->arena, desc);
    if (p.cascade == NULL) return dps__fail(err, DPS_ENOMEM, "out of memory");
  }
  p.offset = w->offset;
  p.stored_size = body->len;
  p.raw_size = w->raw.len;
  p.plain_size = raw_size;
  p.value_count = n;
  p.null_count = nulls;
  p.encoding = w->scheme[c] == -2 ? DPS_PAGE_PLAIN : DPS_PAGE_CASCADE;
  p.codec = (uint64_t)codec;
  p.checksum = dps__hash64(body->data, body->len);
  dps__zone_compute(t, a, from, n, &p.zone);
  if ((s = write_all(w, body->data, body->len, err)) != DPS_OK) return s;
  if (push_page(ch, &p) != DPS_OK)
    return dps__fail(err, DPS_ENOMEM, "out of memory");
  ch->null_count += nulls;
  return DPS_OK;
}

static dps_status flush_group(dps_writer *w, dps_error *err) {
  if (w->staged == 0) return DPS_OK;
  size_t n_cols = w->schema->n;
  if (w->n_groups == w->cap_groups) {
    size_t cap = w->cap_groups ? w->cap_groups * 2 : 8;
    dps_row_group_ref *g = realloc(w->groups, cap * sizeof *g);
    if (g == NULL) return dps__fail(err, DPS_ENOMEM, "out of memory");
    w->groups = g;
    w->cap_groups = cap;
  }
  dps_row_group_ref *g = &w->groups[w->n_groups];
  memset(g, 0, sizeof *g);
  g->row_count = w->staged;
  g->chunks = calloc(n_cols, sizeof *g->chunks);
  g->zones = calloc(n_cols, sizeof *g->zones);
  w->n_groups++;  /* counted now so that dps_writer_free releases it */
  if (g->chunks == NULL || g->zones == NULL)
    return dps__fail(err, DPS_ENOMEM, "out of memory");
  for (size_t c = 0; c < n_cols; c++) {
    dps_type t = w->schema->cols[c].type;
    dps_array_view a;
    dps__column_data_view(&w->stage[c], &a);
    dps_chunk_ref *ch = &g->chunks[c];
    ch->compression = (uint64_t)w->codec[c];
    size_t from = 0, n = w->staged;
    while (from < n) {
      /* A page takes whole vectors up to page_rows values; string pages
       * also stop growing past MAX_PAGE_RAW bytes. */
      size_t cnt = 0, bytes = 0;
      while (from + cnt < n && cnt < w->page_rows) {
        size_t v = n - from - cnt < DPS_VECTOR_SIZE ? n - from - cnt
                                                    : DPS_VECTOR_SIZE;
        if (dps__type_is_var(t)) {
          size_t vb = (size_t)(a.offsets[from + cnt + v] - a.offsets[from + cnt]);
          if (cnt > 0 && bytes + vb > MAX_PAGE_RAW) break;
          bytes += vb;
        }
        cnt += v;
      }
      dps_status s = write_page(w, c, &a, from, cnt, ch, err);
      if (s != DPS_OK) return s;
      from += cnt;
    }
    for (size_t p = 0; p < ch->n_pages; p++)
      dps__zone_merge(t, &g->zones[c], &ch->pages[p].zone);
    dps__column_data_reset(&w->stage[c]);
  }
  w->row_count += w->staged;
  w->staged = 0;
  return DPS_OK;
}

dps_status dps_writer_write(dps_writer *w, const dps_array_view *columns,
                            size_t n_columns, size_t n_rows, dps_error *err) {
  if (w == NULL)
    return dps__fail(err, DPS_EINVAL, "dps_writer_write: writer is NULL");
  if (w->state != W_OPEN)
    return dps__fail(err, DPS_EMISUSE, "%s: the writer is %s: open a new "
                     "writer", w->path,
                     w->state == W_FINISHED ? "finished" : "failed");
  if (n_columns != w->schema->n || (n_rows > 0 && columns == NULL)) {
    /* Refusing later calls too: finishing after a dropped batch would
     * publish a snapshot silently missing rows. */
    w->state = W_FAILED;
    return dps__fail(err, DPS_EINVAL, "%s: expected %zu column arrays (one per "
                     "schema column), found %zu", w->path, w->schema->n,
                     n_columns);
  }
  for (size_t c = 0; c < n_columns; c++) {
    dps_status s = check_column(w, c, &columns[c], n_rows, err);
    if (s != DPS_OK) {
      w->state = W_FAILED;
      return s;
    }
  }
  size_t pos = 0;
  while (pos < n_rows) {
    size_t k = w->rg_rows - w->staged;
    if (k > n_rows - pos) k = n_rows - pos;
    for (size_t c = 0; c < n_columns; c++) {
      if (stage_rows(w, c, &columns[c], pos, k) != DPS_OK) {
        w->state = W_FAILED;
        return dps__fail(err, DPS_ENOMEM, "%s: out of memory staging rows",
                         w->path);
      }
    }
    w->staged += k;
    pos += k;
    if (w->staged == w->rg_rows) {
      dps_status s = flush_group(w, err);
      if (s != DPS_OK) {
        w->state = W_FAILED;
        return s;
      }
    }
  }
  return DPS_OK;
}

static dps_status sync_dir(const char *path) {
  const char *slash = strrchr(path, '/');
  char *dir = slash ? strndup(path, (size_t)(slash - path + 1)) : strdup(".");
  if (dir == NULL) return DPS_ENOMEM;
  int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  free(dir);
  if (fd < 0) return DPS_EIO;
  int rc = fsync(fd);
  close(fd);
  return rc == 0 ? DPS_OK : DPS_EIO;
}

dps_status dps_writer_finish(dps_writer *w, dps_error *err) {
  if (w == NULL)
    return dps__fail(err, DPS_EINVAL, "dps_writer_finish: writer is NULL");
  if (w->state != W_OPEN)
    return dps__fail(err, DPS_EMISUSE, "%s: the writer is %s: nothing more "
                     "to finish", w->path,
                     w->state == W_FINISHED ? "finished already" : "failed");
  dps_status s = flush_group(w, err);
  if (s != DPS_OK) {
    w->state = W_FAILED;
    return s;
  }
  dps_footer f;
  memset(&f, 0, sizeof f);
  f.schema = w->schema;
  f.schema_tag = dps_schema_tag(w->schema);
  f.meta = w->meta;
  f.groups = w->groups;
  f.n_groups = w->n_groups;
  f.row_count = w->row_count;
  char created_by[64];
  snprintf(created_by, sizeof created_by, "dpsnap %s", dps_version_string());
  f.created_by = created_by;
  dps_buf footer = {0};
  if (dps__footer_encode(&f, &footer) != DPS_OK) {
    dps__buf_free(&footer);
    w->state = W_FAILED;
    return dps__fail(err, DPS_ENOMEM, "out of memory encoding the footer");
  }
  uint8_t trailer[DPS_TRAILER_SIZE];
  dps__trailer_encode(trailer, w->offset, footer.len,
                      dps__hash64(footer.data, footer.len));
  s = write_all(w, footer.data, footer.len, err);
  dps__buf_free(&footer);
  if (s == DPS_OK) s = write_all(w, trailer, sizeof trailer, err);
  if (s != DPS_OK) return s;
  if (!w->no_sync && fsync(w->fd) != 0) return io_fail(w, err, "cannot sync");
  if (close(w->fd) != 0) {
    w->fd = -1;
    return io_fail(w, err, "cannot close");
  }
  w->fd = -1;
  if (rename(w->tmp_path, w->path) != 0)
    return io_fail(w, err, "cannot publish (rename)");
  free(w->tmp_path);
  w->tmp_path = NULL;
  w->state = W_FINISHED;
  /* The file is published; a failed directory sync only weakens durability
   * after a power loss, which the caller may want to know. */
  if (!w->no_sync && sync_dir(w->path) != DPS_OK)
    return dps__fail(err, DPS_EIO, "%s: published, but syncing its directory "
                     "failed: %s", w->path, strerror(errno));
  return DPS_OK;
}

void dps_writer_free(dps_writer *w) {
  if (w == NULL) return;
  if (w->fd >= 0) close(w->fd);
  if (w->tmp_path != NULL) unlink(w->tmp_path);  /* abandoned: leave nothing */
  free(w->tmp_path);
  free(w->path);
  if (w->stage != NULL)
    for (size_t c = 0; c < w->schema->n; c++) dps__column_data_free(&w->stage[c]);
  for (size_t g = 0; g < w->n_groups; g++) {
    if (w->groups[g].chunks != NULL)
      for (size_t c = 0; c < w->schema->n; c++) free(w->groups[g].chunks[c].pages);
    free(w->groups[g].chunks);
    free(w->groups[g].zones);
  }
  free(w->groups);
  free(w->stage);
  free(w->codec);
  free(w->level);
  free(w->stage_if_pays);
  free(w->scheme);
  dps_schema_free(w->schema);
  dps__arena_free(&w->arena);
  dps__buf_free(&w->raw);
  dps__buf_free(&w->stored);
  dps__buf_free(&w->alt_raw);
  dps__buf_free(&w->trial);
  free(w);
}

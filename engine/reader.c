/* reader.c - opens a snapshot file, exposes its footer, and reads pages back
 * as batches; dps_reader_verify checks every byte a reader relies on. */
#include "engine/engine.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

struct dps_reader {
  char *path;                  /* as given to dps_reader_open */
  int fd;                      /* open file */
  uint64_t file_size;          /* bytes at open */
  const uint8_t *map;          /* read-only map of the file, or NULL */
  dps_trailer trailer;         /* decoded trailer */
  dps_footer footer;           /* decoded footer */
  dps_column_stats *stats;     /* per column */
  dps_file_info info;          /* file facts */
  dps_pool *pool;              /* scans' threads: the pool is made at open,
                                  threads by the first scan that asks */
};

struct dps_cursor {
  dps_reader *reader;          /* borrowed */
  size_t *cols;                /* projection: schema indexes */
  size_t n;                    /* projected columns */
  size_t next_group;           /* next row group to read */
  struct dps_batch batch;      /* the current batch */
  dps_page_io io;               /* scratch for reading pages */
};

static dps_status pread_all(const dps_reader *r, void *dst, size_t n,
                            uint64_t off, dps_error *err) {
  uint8_t *p = dst;
  size_t done = 0;
  while (done < n) {
    ssize_t got = pread(r->fd, p + done, n - done, (off_t)(off + done));
    if (got < 0 && errno == EINTR) continue;
    if (got < 0)
      return dps__fail(err, DPS_EIO, "%s: cannot read %zu bytes at offset "
                       "%llu: %s", r->path, n, (unsigned long long)off,
                       strerror(errno));
    if (got == 0)
      return DPS_CORRUPT(err, "%s: expected %zu bytes at offset %llu, found "
                         "the end of the file: it was truncated", r->path, n,
                         (unsigned long long)off);
    done += (size_t)got;
  }
  return DPS_OK;
}

static dps_status load_footer(dps_reader *r, dps_error *err) {
  struct stat st;
  if (fstat(r->fd, &st) != 0)
    return dps__fail(err, DPS_EIO, "%s: cannot stat: %s", r->path,
                     strerror(errno));
  if (!S_ISREG(st.st_mode))
    return dps__fail(err, DPS_EIO, "%s: not a regular file", r->path);
  r->file_size = (uint64_t)st.st_size;
  uint8_t header[DPS_HEADER_SIZE], trailer[DPS_TRAILER_SIZE];
  size_t head = r->file_size < DPS_HEADER_SIZE ? (size_t)r->file_size
                                               : DPS_HEADER_SIZE;
  dps_status s = pread_all(r, header, head, 0, err);
  if (s != DPS_OK) return s;
  if (head < 8 || memcmp(header, dps__magic, 8) != 0)  /* [FMT-1] */
    return DPS_CORRUPT(err, "%s: not a dpsnap snapshot: expected the magic "
                       "bytes \\x89DPS\\r\\n\\x1a\\n at offset 0, found %s",
                       r->path, head < 8 ? "a shorter file" : "other bytes");
  if (r->file_size < DPS_HEADER_SIZE + DPS_TRAILER_SIZE)  /* [FMT-3] */
    return DPS_CORRUPT(err, "%s: expected at least %u bytes, found %llu: the "
                       "file is truncated", r->path,
                       DPS_HEADER_SIZE + DPS_TRAILER_SIZE,
                       (unsigned long long)r->file_size);
  s = pread_all(r, trailer, DPS_TRAILER_SIZE, r->file_size - DPS_TRAILER_SIZE,
                err);
  if (s == DPS_OK)
    s = dps__trailer_decode(header, trailer, r->file_size, r->path,
                            &r->trailer, err);
  if (s != DPS_OK) return s;
  size_t n = (size_t)r->trailer.footer_length;
  uint8_t *buf = malloc(n ? n : 1);
  if (buf == NULL) return dps__fail(err, DPS_ENOMEM, "out of memory");
  s = pread_all(r, buf, n, r->trailer.footer_offset, err);
  if (s == DPS_OK) {
    uint64_t got = dps__hash64(buf, n);
    if (got != r->trailer.footer_checksum)  /* [FMT-7] */
      s = dps__fail(err, DPS_ECHECKSUM, "%s: footer (offset %llu, %zu bytes): "
                    "expected checksum %016llx, found %016llx: the file is "
                    "damaged", r->path,
                    (unsigned long long)r->trailer.footer_offset, n,
                    (unsigned long long)r->trailer.footer_checksum,
                    (unsigned long long)got);
  }
  if (s == DPS_OK)
    s = dps__footer_decode(buf, n, r->trailer.footer_offset, r->path,
                           &r->footer, err);
  free(buf);
  return s;
}

typedef struct enc_count {
  const char *name;
  size_t pages;
} enc_count;

static int by_pages(const void *a, const void *b) {
  const enc_count *x = a, *y = b;
  if (x->pages != y->pages) return x->pages > y->pages ? -1 : 1;
  return strcmp(x->name, y->name);
}

static const char *page_tree(const dps_page_ref *pg) {
  return pg->encoding == DPS_PAGE_PLAIN ? "plain"
         : pg->cascade                  ? pg->cascade
                                        : "cascade";
}

static const char *page_codec(const dps_page_ref *pg) {
  return pg->codec == DPS_CODEC_NONE  ? "none"
         : pg->codec == DPS_CODEC_LZ4 ? "lz4"
         : pg->codec == DPS_CODEC_ZSTD ? "zstd"
                                       : "unknown";
}

/* "dict(for)*12 plain*1": each name `name_of` gives a page of column c,
 * with its page count, most used first. */
static const char *summarize_pages(dps_reader *r, size_t c,
                                   const char *(*name_of)(const dps_page_ref *)) {
  size_t cap = 0, n = 0;
  for (size_t g = 0; g < r->footer.n_groups; g++)
    cap += r->footer.groups[g].chunks[c].n_pages;
  enc_count *counts = calloc(cap ? cap : 1, sizeof *counts);
  if (counts == NULL) return NULL;
  for (size_t g = 0; g < r->footer.n_groups; g++) {
    const dps_chunk_ref *ch = &r->footer.groups[g].chunks[c];
    for (size_t p = 0; p < ch->n_pages; p++) {
      const char *name = name_of(&ch->pages[p]);
      size_t k = 0;
      while (k < n && strcmp(counts[k].name, name) != 0) k++;
      if (k == n) counts[n++].name = name;
      counts[k].pages++;
    }
  }
  qsort(counts, n, sizeof *counts, by_pages);
  dps_buf text = {0};
  dps_status s = DPS_OK;
  for (size_t k = 0; s == DPS_OK && k < n; k++) {
    char num[32];
    snprintf(num, sizeof num, "*%zu", counts[k].pages);
    if (k) s = dps__buf_put_u8(&text, ' ');
    if (s == DPS_OK) s = dps__buf_append(&text, counts[k].name, strlen(counts[k].name));
    if (s == DPS_OK) s = dps__buf_append(&text, num, strlen(num));
  }
  const char *summary = s == DPS_OK
      ? dps__arena_strndup(&r->footer.arena, text.data ? (const char *)text.data : "", text.len)
      : NULL;
  free(counts);
  dps__buf_free(&text);
  return summary;
}

static dps_status compute_stats(dps_reader *r, dps_error *err) {
  size_t n_cols = r->footer.schema->n;
  r->stats = calloc(n_cols, sizeof *r->stats);
  if (r->stats == NULL) return dps__fail(err, DPS_ENOMEM, "out of memory");
  for (size_t g = 0; g < r->footer.n_groups; g++) {
    for (size_t c = 0; c < n_cols; c++) {
      const dps_chunk_ref *ch = &r->footer.groups[g].chunks[c];
      dps_column_stats *st = &r->stats[c];
      st->null_count += ch->null_count;
      st->compression = ch->compression == DPS_CODEC_NONE ? DPS_COMPRESSION_NONE
                      : ch->compression == DPS_CODEC_LZ4  ? DPS_COMPRESSION_LZ4
                                                          : DPS_COMPRESSION_ZSTD;
      for (size_t p = 0; p < ch->n_pages; p++) {
        st->data_stored += ch->pages[p].stored_size;
        st->data_raw += ch->pages[p].raw_size;
        st->data_plain += ch->pages[p].plain_size;
        st->page_count++;
      }
    }
  }
  for (size_t c = 0; c < n_cols; c++) {
    r->stats[c].encodings = summarize_pages(r, c, page_tree);
    r->stats[c].codecs = summarize_pages(r, c, page_codec);
    if (r->stats[c].encodings == NULL || r->stats[c].codecs == NULL)
      return dps__fail(err, DPS_ENOMEM, "out of memory");
  }
  for (size_t c = 0; c < n_cols; c++) {
    r->info.data_stored += r->stats[c].data_stored;
    r->info.data_raw += r->stats[c].data_raw;
    r->info.data_plain += r->stats[c].data_plain;
    r->info.page_count += r->stats[c].page_count;
  }
  r->info.file_size = r->file_size;
  r->info.footer_size = r->trailer.footer_length;
  r->info.format_major = r->trailer.major;
  r->info.format_minor = r->trailer.minor;
  r->info.created_by = r->footer.created_by ? r->footer.created_by : "";
  return DPS_OK;
}

dps_status dps_reader_open(dps_reader **out, const char *path,
                           const dps_read_options *opts, dps_error *err) {
  if (out == NULL || path == NULL)
    return dps__fail(err, DPS_EINVAL, "dps_reader_open: out and path are "
                     "required");
  *out = NULL;
  if (opts != NULL && (opts->version != DPS_READ_OPTIONS_VERSION ||
                       (opts->flags & ~DPS_READ_PREAD) != 0))
    return dps__fail(err, DPS_EINVAL, "dps_read_options: expected version %d "
                     "and flags 0 or DPS_READ_PREAD (use "
                     "DPS_READ_OPTIONS_INIT)", DPS_READ_OPTIONS_VERSION);
  dps_reader *r = calloc(1, sizeof *r);
  if (r == NULL) return dps__fail(err, DPS_ENOMEM, "out of memory");
  r->path = strdup(path);
  r->fd = open(path, O_RDONLY | O_CLOEXEC);
  dps_status s;
  if (r->path == NULL) {
    s = dps__fail(err, DPS_ENOMEM, "out of memory");
  } else if (r->fd < 0) {
    s = dps__fail(err, errno == ENOENT ? DPS_EIO : DPS_EIO,
                  "%s: cannot open: %s", path, strerror(errno));
  } else {
    s = load_footer(r, err);
    if (s == DPS_OK) s = compute_stats(r, err);
    bool map = opts == NULL || !(opts->flags & DPS_READ_PREAD);
    if (s == DPS_OK && map && r->file_size > 0 && r->file_size <= SIZE_MAX) {
      /* Any failure to map leaves pread in charge. */
      void *m = mmap(NULL, (size_t)r->file_size, PROT_READ, MAP_PRIVATE,
                     r->fd, 0);
      if (m != MAP_FAILED) r->map = m;
    }
    /* The pool exists from the start (threads come with the first scan
     * that asks): scans running at once never race to create it. */
    if (s == DPS_OK && dps__pool_new(&r->pool) != DPS_OK)
      s = dps__fail(err, DPS_ENOMEM, "out of memory");
  }
  if (s != DPS_OK) {
    dps_reader_free(r);
    return s;
  }
  *out = r;
  return DPS_OK;
}

void dps_reader_free(dps_reader *r) {
  if (r == NULL) return;
  dps__pool_free(r->pool);
  if (r->map != NULL) munmap((void *)(uintptr_t)r->map, (size_t)r->file_size);
  if (r->fd >= 0) close(r->fd);
  dps__footer_free(&r->footer);
  free(r->stats);
  free(r->path);
  free(r);
}

const dps_schema *dps_reader_schema(const dps_reader *r) {
  return r ? r->footer.schema : NULL;
}
uint64_t dps_reader_schema_tag(const dps_reader *r) {
  return r ? r->footer.schema_tag : 0;
}
const dps_snapshot_meta *dps_reader_meta(const dps_reader *r) {
  return r ? &r->footer.meta : NULL;
}
uint64_t dps_reader_row_count(const dps_reader *r) {
  return r ? r->footer.row_count : 0;
}
size_t dps_reader_row_group_count(const dps_reader *r) {
  return r ? r->footer.n_groups : 0;
}

dps_status dps_reader_file_info(const dps_reader *r, dps_file_info *out) {
  if (r == NULL || out == NULL) return DPS_EINVAL;
  *out = r->info;
  return DPS_OK;
}

dps_status dps_reader_column_stats(const dps_reader *r, size_t column,
                                   dps_column_stats *out) {
  if (r == NULL || out == NULL || column >= r->footer.schema->n)
    return DPS_EINVAL;
  *out = r->stats[column];
  return DPS_OK;
}

/* ---- pages --------------------------------------------------------------- */

/* Appends at most `max` bytes of s at *o, stopping before `end`. */
static void name_put(char **o, const char *end, const char *s, size_t max) {
  while (*s && max-- > 0 && *o < end) *(*o)++ = *s++;
}

static void name_put_u64(char **o, const char *end, uint64_t v) {
  char digits[24];
  size_t n = 0;
  do digits[n++] = (char)('0' + v % 10); while ((v /= 10) != 0);
  while (n > 0 && *o < end) *(*o)++ = digits[--n];
}

/* Formatted by hand, not by snprintf: scans name every page they fetch
 * (decoders put the name in their errors), and snprintf showed in their
 * profiles. The text is that of "%s: row group %zu, column \"%.128s\",
 * page %zu (offset %llu)" cut to 511 bytes. */
void dps__reader_page_name(const dps_reader *r, size_t g, size_t c, size_t p,
                           char *where) {
  const dps_page_ref *pg = &r->footer.groups[g].chunks[c].pages[p];
  char *o = where;
  const char *end = where + 511;
  name_put(&o, end, r->path, SIZE_MAX);
  name_put(&o, end, ": row group ", SIZE_MAX);
  name_put_u64(&o, end, g);
  name_put(&o, end, ", column \"", SIZE_MAX);
  name_put(&o, end, r->footer.schema->cols[c].name, 128);
  name_put(&o, end, "\", page ", SIZE_MAX);
  name_put_u64(&o, end, p);
  name_put(&o, end, " (offset ", SIZE_MAX);
  name_put_u64(&o, end, pg->offset);
  name_put(&o, end, ")", SIZE_MAX);
  *o = '\0';
}

dps_pool *dps__reader_pool(dps_reader *r, unsigned threads) {
  if (r->pool != NULL) dps__pool_reserve(r->pool, threads);
  return r->pool;
}

void dps__page_io_free(dps_page_io *io) {
  dps__buf_free(&io->stored);
  dps__buf_free(&io->raw);
  dps__scratch_free(&io->scratch);
}

const dps_footer *dps__reader_footer(const dps_reader *r) { return &r->footer; }
const char *dps__reader_path(const dps_reader *r) { return r->path; }

dps_status dps__reader_fetch_page(dps_reader *r, size_t g, size_t c, size_t p,
                                  dps_page_io *io, const uint8_t **raw_out,
                                  char *where, dps_error *err) {
  const dps_page_ref *pg = &r->footer.groups[g].chunks[c].pages[p];
  dps_buf *stored = &io->stored, *raw = &io->raw;
  dps__reader_page_name(r, g, c, p, where);
  const uint8_t *bytes;
  size_t len = (size_t)pg->stored_size;
  dps_status s;
  if (r->map != NULL && pg->offset <= r->file_size &&
      pg->stored_size <= r->file_size - pg->offset) {
    bytes = r->map + pg->offset;  /* in place */
  } else {
    stored->len = 0;
    s = dps__buf_reserve(stored, len);
    if (s != DPS_OK) return dps__fail(err, s, "%s: out of memory", where);
    s = pread_all(r, stored->data, len, pg->offset, err);
    if (s != DPS_OK) return s;
    stored->len = len;
    bytes = stored->data;
  }
  uint64_t sum = dps__hash64(bytes, len);
  if (sum != pg->checksum)  /* [FMT-10] */
    return dps__fail(err, DPS_ECHECKSUM, "%s: expected checksum %016llx over "
                     "%zu stored bytes, found %016llx: the page is damaged",
                     where, (unsigned long long)pg->checksum, len,
                     (unsigned long long)sum);
  if (pg->encoding != DPS_PAGE_PLAIN && pg->encoding != DPS_PAGE_CASCADE)
    return dps__fail(err, DPS_EVERSION, "%s: page uses encoding %llu, unknown "
                     "to dpsnap %s (reads format %d.%d); the file is format "
                     "%u.%u", where, (unsigned long long)pg->encoding,
                     dps_version_string(), DPS_FORMAT_MAJOR, DPS_FORMAT_MINOR,
                     r->trailer.major, r->trailer.minor);  /* [FMT-5] */
  *raw_out = bytes;
  if (pg->codec != DPS_CODEC_NONE) {
    raw->len = 0;
    s = dps__buf_reserve(raw, (size_t)pg->raw_size);
    if (s != DPS_OK) return dps__fail(err, s, "%s: out of memory", where);
    s = dps__decompress((int)pg->codec, bytes, len, raw->data,
                        (size_t)pg->raw_size, &io->scratch, where, err);
    if (s != DPS_OK) return s;
    *raw_out = raw->data;
  } else if (pg->stored_size != pg->raw_size) {
    return DPS_CORRUPT(err, "%s: expected %llu stored bytes for an "
                       "uncompressed page, found %llu", where,
                       (unsigned long long)pg->raw_size,
                       (unsigned long long)pg->stored_size);
  }
  return DPS_OK;
}

/* Reads, checks and decodes page p of column c in row group g, appending its
 * values to `into`. */
static dps_status load_page(dps_reader *r, size_t g, size_t c, size_t p,
                            dps_page_io *io, bool check_utf8,
                            dps_column_data *into, dps_error *err) {
  const struct dps_column_def *col = &r->footer.schema->cols[c];
  const dps_page_ref *pg = &r->footer.groups[g].chunks[c].pages[p];
  char where[512];
  const uint8_t *bytes = NULL;
  dps_status s = dps__reader_fetch_page(r, g, c, p, io, &bytes, where, err);
  if (s != DPS_OK) return s;
  if (pg->encoding == DPS_PAGE_CASCADE)
    return dps__cascade_decode_page_ex(col->type, bytes, (size_t)pg->raw_size,
                                       (size_t)pg->value_count,
                                       (size_t)pg->null_count, check_utf8,
                                       into, &io->scratch, where, err);
  return dps__plain_decode(col->type, bytes, (size_t)pg->raw_size,
                           (size_t)pg->value_count, (size_t)pg->null_count,
                           check_utf8, into, where, err);
}

dps_status dps__reader_load_page(dps_reader *r, size_t g, size_t c, size_t p,
                                 dps_page_io *io, dps_column_data *into,
                                 dps_error *err) {
  return load_page(r, g, c, p, io, false, into, err);
}

/* ---- batches and cursors -------------------------------------------------- */

size_t dps_batch_row_count(const dps_batch *b) { return b ? b->rows : 0; }
size_t dps_batch_column_count(const dps_batch *b) { return b ? b->n : 0; }

dps_status dps_batch_column(const dps_batch *b, size_t i, dps_array_view *out) {
  if (b == NULL || out == NULL || i >= b->n) return DPS_EINVAL;
  *out = b->views[i];
  return DPS_OK;
}

dps_status dps_cursor_open(dps_cursor **out, dps_reader *r,
                           const size_t *columns, size_t n_columns,
                           dps_error *err) {
  if (out == NULL || r == NULL || (n_columns > 0 && columns == NULL))
    return dps__fail(err, DPS_EINVAL, "dps_cursor_open: NULL argument");
  *out = NULL;
  size_t n_cols = r->footer.schema->n;
  bool all = n_columns == 0;
  size_t n = all ? n_cols : n_columns;
  for (size_t i = 0; !all && i < n; i++)
    if (columns[i] >= n_cols)
      return dps__fail(err, DPS_EINVAL, "%s: column index %zu: expected "
                       "0..%zu", r->path, columns[i], n_cols - 1);
  dps_cursor *c = calloc(1, sizeof *c);
  if (c == NULL) return dps__fail(err, DPS_ENOMEM, "out of memory");
  c->reader = r;
  c->n = n;
  c->cols = calloc(n, sizeof *c->cols);
  c->batch.n = n;
  c->batch.data = calloc(n, sizeof *c->batch.data);
  c->batch.views = calloc(n, sizeof *c->batch.views);
  if (c->cols == NULL || c->batch.data == NULL || c->batch.views == NULL) {
    dps_cursor_free(c);
    return dps__fail(err, DPS_ENOMEM, "out of memory");
  }
  for (size_t i = 0; i < n; i++) c->cols[i] = all ? i : columns[i];
  *out = c;
  return DPS_OK;
}

dps_status dps_cursor_next(dps_cursor *c, const dps_batch **batch,
                           dps_error *err) {
  if (c == NULL || batch == NULL)
    return dps__fail(err, DPS_EINVAL, "dps_cursor_next: NULL argument");
  *batch = NULL;
  dps_reader *r = c->reader;
  if (c->next_group >= r->footer.n_groups) return DPS_OK;
  size_t g = c->next_group;
  for (size_t i = 0; i < c->n; i++) {
    dps_column_data *d = &c->batch.data[i];
    dps__column_data_reset(d);
    const dps_chunk_ref *ch = &r->footer.groups[g].chunks[c->cols[i]];
    for (size_t p = 0; p < ch->n_pages; p++) {
      dps_status s = load_page(r, g, c->cols[i], p, &c->io, false, d, err);
      if (s != DPS_OK) return s;
    }
    if (d->offsets.len == 0 && dps__type_is_var(r->footer.schema->cols[c->cols[i]].type))
      dps__buf_put_u64(&d->offsets, 0);
    dps__column_data_view(d, &c->batch.views[i]);
  }
  c->batch.rows = (size_t)r->footer.groups[g].row_count;
  c->next_group++;
  *batch = &c->batch;
  return DPS_OK;
}

void dps_cursor_free(dps_cursor *c) {
  if (c == NULL) return;
  if (c->batch.data != NULL)
    for (size_t i = 0; i < c->n; i++) dps__column_data_free(&c->batch.data[i]);
  free(c->batch.data);
  free(c->batch.views);
  free(c->cols);
  dps__page_io_free(&c->io);
  free(c);
}

/* ---- verify ----------------------------------------------------------------- */

static uint64_t count_nans(dps_type t, const dps_array_view *a, size_t from,
                           size_t n) {
  uint64_t k = 0;
  for (size_t i = from; i < from + n; i++) {
    if (!dps_array_is_valid(a, i)) continue;
    double d = t == DPS_TYPE_FLOAT32 ? (double)((const float *)a->values)[i]
                                     : ((const double *)a->values)[i];
    k += isnan(d) != 0;
  }
  return k;
}

static dps_status check_zones(const dps_reader *r, size_t g, size_t c,
                              const dps_array_view *a, dps_error *err) {
  const struct dps_column_def *col = &r->footer.schema->cols[c];
  const dps_row_group_ref *grp = &r->footer.groups[g];
  const dps_chunk_ref *ch = &grp->chunks[c];
  size_t from = 0;
  for (size_t p = 0; p < ch->n_pages; p++) {
    const dps_page_ref *pg = &ch->pages[p];
    size_t n = (size_t)pg->value_count;
    if (dps__type_is_float(col->type) &&
        count_nans(col->type, a, from, n) != pg->zone.nan_count)
      return DPS_CORRUPT(err, "%s: row group %zu, column \"%s\", page %zu: "
                         "expected %llu NaN values as the zone map says, "
                         "found another count", r->path, g, col->name, p,
                         (unsigned long long)pg->zone.nan_count);
    for (size_t i = from; i < from + n; i++) {
      if (!dps_array_is_valid(a, i)) continue;
      const char *which = NULL;
      if (!dps__zone_contains(col->type, &pg->zone, a, i)) which = "page";
      else if (!dps__zone_contains(col->type, &grp->zones[c], a, i))
        which = "row group";
      if (which != NULL)
        return DPS_CORRUPT(err, "%s: row group %zu, column \"%s\", page %zu "
                           "(offset %llu): value %zu lies outside the %s zone "
                           "map (min/max)", r->path, g, col->name, p,
                           (unsigned long long)pg->offset, i - from, which);
    }
    from += n;
  }
  return DPS_OK;
}

dps_status dps_reader_verify(dps_reader *r, dps_verify_report *report,
                             dps_error *err) {
  if (r == NULL) return dps__fail(err, DPS_EINVAL, "dps_reader_verify: NULL");
  dps_verify_report rep;
  memset(&rep, 0, sizeof rep);
  dps_page_io io;
  memset(&io, 0, sizeof io);
  dps_column_data d;
  memset(&d, 0, sizeof d);
  dps_status s = DPS_OK;
  for (size_t g = 0; s == DPS_OK && g < r->footer.n_groups; g++) {
    for (size_t c = 0; s == DPS_OK && c < r->footer.schema->n; c++) {
      dps__column_data_reset(&d);
      const dps_chunk_ref *ch = &r->footer.groups[g].chunks[c];
      for (size_t p = 0; s == DPS_OK && p < ch->n_pages; p++) {
        s = load_page(r, g, c, p, &io, true, &d, err);
        if (s == DPS_OK) {
          rep.pages++;
          rep.bytes += ch->pages[p].stored_size;
          rep.values += ch->pages[p].value_count;
        }
      }
      if (s == DPS_OK) {
        if (d.offsets.len == 0 && dps__type_is_var(r->footer.schema->cols[c].type))
          dps__buf_put_u64(&d.offsets, 0);
        dps_array_view a;
        dps__column_data_view(&d, &a);
        s = check_zones(r, g, c, &a, err);
      }
    }
    if (s == DPS_OK) rep.row_groups++;
  }
  dps__column_data_free(&d);
  dps__page_io_free(&io);
  if (report != NULL) *report = rep;
  return s;
}

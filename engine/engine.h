/* engine.h - internals shared by the engine's files (writer, reader). */
#ifndef DPS_ENGINE_H
#define DPS_ENGINE_H

#include "format/format.h"

/* Checks the metadata rules of spec/METADATA.md ([META-1..8]). */
dps_status dps__meta_validate(const dps_snapshot_meta *m, dps_error *err);
/* Deep copy of src into dst; strings and arrays live in the arena. */
dps_status dps__meta_copy(dps_snapshot_meta *dst, const dps_snapshot_meta *src,
                          dps_arena *a, dps_error *err);
/* Current time in microseconds since the epoch, UTC. */
int64_t dps__now_micros(void);

/* ---- reader internals shared with scans (engine/reader.c) ---------------- */

struct dps_batch {
  size_t rows;                 /* rows in the batch */
  size_t n;                    /* projected columns */
  dps_column_data *data;       /* decoded storage per projected column */
  dps_array_view *views;       /* views over `data` */
};

/* One thread's buffers for reading pages. */
typedef struct dps_page_io {
  dps_buf stored;              /* stored page bytes */
  dps_buf raw;                 /* decompressed page bytes */
  dps_scratch scratch;         /* decoders' temporaries */
} dps_page_io;

void dps__page_io_free(dps_page_io *io);
const dps_footer *dps__reader_footer(const dps_reader *r);
/* "path: row group g, column "c", page p (offset N)" into where (512 bytes),
 * as page errors name a page. */
void dps__reader_page_name(const dps_reader *r, size_t g, size_t c, size_t p,
                           char *where);
const char *dps__reader_path(const dps_reader *r);

/* Reads page p of column c in row group g, checks its checksum and
 * decompresses it: *raw (valid until io is used again) holds its raw
 * bytes. `where` (at least 512 bytes) receives the page's name for
 * messages. Safe to call from several threads with distinct io. */
dps_status dps__reader_fetch_page(dps_reader *r, size_t g, size_t c, size_t p,
                                  dps_page_io *io, const uint8_t **raw,
                                  char *where, dps_error *err);
/* Threads for scans (engine/pool.c). dps__pool_run(p, fn, args, size, n)
 * calls fn on each of the n items args[0..n) (each `size` bytes): the
 * calling thread runs the first and every item no pool thread has
 * started by then; it returns when all have returned. Pool threads spin
 * briefly after their last item, then sleep. dps__pool_reserve grows the
 * pool to `threads` threads (fewer if the system refuses). */
typedef struct dps_pool dps_pool;
dps_status dps__pool_new(dps_pool **out);
void dps__pool_reserve(dps_pool *p, unsigned threads);
void dps__pool_run(dps_pool *p, void *(*fn)(void *), void *args, size_t size,
                   size_t n);
void dps__pool_free(dps_pool *p);
/* The reader's pool, grown to at least `threads` threads (fewer if the
 * system refuses; callers then run the items left over themselves). */
dps_pool *dps__reader_pool(dps_reader *r, unsigned threads);

/* Fetches and decodes page p, appending its values to `into`. */
dps_status dps__reader_load_page(dps_reader *r, size_t g, size_t c, size_t p,
                                 dps_page_io *io, dps_column_data *into,
                                 dps_error *err);

#endif

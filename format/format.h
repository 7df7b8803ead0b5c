/*
 * format.h - internals of the format layer: bytes <-> values, no file I/O.
 *
 * Shared across the library's own files (prefix dps__) and by its unit tests;
 * never installed. spec/FORMAT.md is the contract these functions implement.
 */
#ifndef DPS_FORMAT_H
#define DPS_FORMAT_H

#include "dpsnap.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- errors ----------------------------------------------------------- */

/* Records `code` and a printf-style message in err (if non-NULL) and returns
 * code. */
dps_status dps__fail(dps_error *err, dps_status code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* Every rejection of bytes read from a file goes through this macro, so a
 * debug build can tell which check fired (sqlite's SQLITE_CORRUPT_BKPT). */
#ifndef NDEBUG
#  define DPS_CORRUPT(err, ...) dps__corrupt_at((err), __LINE__, __VA_ARGS__)
#else
#  define DPS_CORRUPT(err, ...) dps__fail((err), DPS_ECORRUPT, __VA_ARGS__)
#endif
dps_status dps__corrupt_at(dps_error *err, int line, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* ---- growable byte buffer and arena ------------------------------------ */

typedef struct dps_buf {
  uint8_t *data;  /* bytes, NULL while empty */
  size_t len;     /* bytes in use */
  size_t cap;     /* bytes allocated */
} dps_buf;

void dps__buf_free(dps_buf *b);
dps_status dps__buf_reserve(dps_buf *b, size_t extra);
dps_status dps__buf_append(dps_buf *b, const void *p, size_t n);
dps_status dps__buf_put_u8(dps_buf *b, uint8_t v);
dps_status dps__buf_put_u16(dps_buf *b, uint16_t v);
dps_status dps__buf_put_u32(dps_buf *b, uint32_t v);
dps_status dps__buf_put_u64(dps_buf *b, uint64_t v);
dps_status dps__buf_put_varint(dps_buf *b, uint64_t v);

/* Arena: many small allocations released together. */
typedef struct dps_arena {
  struct dps_arena_block *head;  /* newest block */
} dps_arena;

void *dps__arena_alloc(dps_arena *a, size_t n);   /* zeroed, 16-aligned */

/* Scratch memory for decoding pages: allocations are bump-pointer and all
 * released at once by dps__scratch_reset, which keeps the memory for the
 * next page (so decoding does not fault in fresh pages each time). */
typedef struct dps_scratch {
  uint8_t *base;                     /* main block, 64-aligned */
  size_t cap;                        /* bytes in base */
  size_t used;                       /* bytes handed out of base */
  struct dps_scratch_block *extra;   /* overflow blocks until the reset */
  size_t extra_bytes;                /* bytes in overflow blocks */
  void *zstd;                        /* decompression context, or NULL */
} dps_scratch;

void *dps__scratch_alloc(dps_scratch *s, size_t n);  /* 64-aligned, or NULL */
void dps__scratch_reset(dps_scratch *s);
void dps__scratch_free(dps_scratch *s);
char *dps__arena_strndup(dps_arena *a, const char *s, size_t n);
char *dps__arena_strdup(dps_arena *a, const char *s);  /* NULL -> NULL */
void dps__arena_free(dps_arena *a);

static inline void dps__store_u16(uint8_t *p, uint16_t v) {
  p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8);
}
static inline void dps__store_u32(uint8_t *p, uint32_t v) {
  for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i));
}
static inline void dps__store_u64(uint8_t *p, uint64_t v) {
  for (int i = 0; i < 8; i++) p[i] = (uint8_t)(v >> (8 * i));
}
static inline uint16_t dps__load_u16(const uint8_t *p) {
  return (uint16_t)(p[0] | (p[1] << 8));
}
static inline uint32_t dps__load_u32(const uint8_t *p) {
  return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
         ((uint32_t)p[3] << 24);
}
static inline uint64_t dps__load_u64(const uint8_t *p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; i--) v = (v << 8) | p[i];
  return v;
}

/* ---- checksums --------------------------------------------------------- */

uint64_t dps__hash64(const void *p, size_t n);  /* XXH3-64, seed 0 */

/* ---- UTF-8 ------------------------------------------------------------- */

/* Returns SIZE_MAX when s[0..n) is valid UTF-8 (RFC 3629), else the offset
 * of the first invalid byte. */
size_t dps__utf8_check(const uint8_t *s, size_t n);

/* ---- TLV (spec/FORMAT.md §5) ------------------------------------------- */

/* Appending fields. Strings: NULL writes nothing. */
dps_status dps__tlv_put_uint(dps_buf *b, uint32_t tag, uint64_t v);
dps_status dps__tlv_put_sint(dps_buf *b, uint32_t tag, int64_t v);
dps_status dps__tlv_put_u64(dps_buf *b, uint32_t tag, uint64_t v);
dps_status dps__tlv_put_bytes(dps_buf *b, uint32_t tag, const void *p,
                              size_t n);
dps_status dps__tlv_put_str(dps_buf *b, uint32_t tag, const char *s);
/* Appends `child` (a whole encoded message) as field `tag`. */
dps_status dps__tlv_put_msg(dps_buf *b, uint32_t tag, const dps_buf *child);

/* Reading a message. `file` and `base_offset` only serve error messages:
 * the file the bytes came from and the file offset of p[0]. */
typedef struct dps_tlv_reader {
  const uint8_t *p;      /* next unread byte */
  const uint8_t *end;    /* end of the message */
  const uint8_t *start;  /* first byte of the message */
  uint64_t base_offset;  /* file offset of `start` */
  const char *file;      /* file name for messages */
  const char *what;      /* message name for messages ("footer", "page") */
} dps_tlv_reader;

typedef struct dps_tlv_field {
  uint64_t tag;          /* field tag */
  const uint8_t *value;  /* first value byte */
  size_t length;         /* value bytes */
  uint64_t offset;       /* file offset of the field's tag */
} dps_tlv_field;

void dps__tlv_reader_init(dps_tlv_reader *r, const uint8_t *p, size_t n,
                          uint64_t base_offset, const char *file,
                          const char *what);
/* Reads the next field: 1 = a field, 0 = end of message, or a negative
 * dps_status (DPS_ECORRUPT) when the field is malformed. */
int dps__tlv_next(dps_tlv_reader *r, dps_tlv_field *f, dps_error *err);
/* A reader over a msg field's value. */
void dps__tlv_child(const dps_tlv_reader *parent, const dps_tlv_field *f,
                    dps_tlv_reader *child, const char *what);
dps_status dps__tlv_get_uint(const dps_tlv_reader *r, const dps_tlv_field *f,
                             uint64_t *out, dps_error *err);
dps_status dps__tlv_get_sint(const dps_tlv_reader *r, const dps_tlv_field *f,
                             int64_t *out, dps_error *err);
dps_status dps__tlv_get_u64(const dps_tlv_reader *r, const dps_tlv_field *f,
                            uint64_t *out, dps_error *err);
/* Copies a string field into the arena (NUL-terminated); checks UTF-8. */
dps_status dps__tlv_get_str(const dps_tlv_reader *r, const dps_tlv_field *f,
                            dps_arena *a, const char **out, dps_error *err);

/* Varint decode of p[0..n): bytes used, or 0 when malformed/truncated. */
size_t dps__varint_decode(const uint8_t *p, size_t n, uint64_t *out);

/* ---- schema internals (format/schema.c) --------------------------------- */

struct dps_column_def {
  char *name;
  dps_type type;
  int nullable;
  int precision;
  int scale;
  char *description;
  char **tags;
  size_t n_tags;
};

struct dps_schema {
  struct dps_column_def *cols;  /* columns in order */
  size_t n;                     /* columns used */
  size_t cap;                   /* columns allocated */
};

dps_status dps__schema_copy(dps_schema **out, const dps_schema *src,
                            dps_error *err);
/* Canonical encoding hashed into the schema tag ([FMT-40]). */
dps_status dps__schema_canonical(const dps_schema *s, dps_buf *out);
bool dps__type_valid(uint64_t type);
bool dps__type_is_var(dps_type t);
bool dps__type_is_float(dps_type t);
bool dps__type_is_signed(dps_type t);
const char *dps__check_tag(const char *tag);  /* NULL ok, else the reason */

/* ---- codecs (format/codec.c) -------------------------------------------- */

enum { DPS_CODEC_NONE = 1, DPS_CODEC_LZ4 = 2, DPS_CODEC_ZSTD = 3 };
enum { DPS_PAGE_PLAIN = 0, DPS_PAGE_CASCADE = 1 };

/* Compresses src with `codec` at `level` (0 = default) into out (replacing
 * its contents). */
dps_status dps__compress(int codec, int level, const uint8_t *src, size_t n,
                         dps_buf *out, dps_error *err);
/* Decompresses exactly raw_size bytes into dst ([FMT-12]). `where` prefixes
 * error messages. `scratch` (may be NULL) keeps a zstd context between
 * pages, which spares allocating one per page. */
/* Frees a zstd context kept by dps__decompress (NULL is a no-op). */
void dps__zstd_context_free(void *ctx);
dps_status dps__decompress(int codec, const uint8_t *src, size_t n,
                           uint8_t *dst, size_t raw_size, dps_scratch *scratch,
                           const char *where, dps_error *err);

/* ---- zone maps (format/zone.c) ------------------------------------------ */

#define DPS_ZONE_MAX_BYTES 64

typedef struct dps_zone {
  uint8_t has_min;                  /* min present */
  uint8_t has_max;                  /* max present */
  uint8_t min_len;                  /* bytes of min */
  uint8_t max_len;                  /* bytes of max */
  uint8_t max_unknown;              /* values exist but no upper bound */
  uint8_t min[DPS_ZONE_MAX_BYTES];  /* inclusive lower bound */
  uint8_t max[DPS_ZONE_MAX_BYTES];  /* inclusive upper bound */
  uint64_t nan_count;               /* floats: NaNs seen */
} dps_zone;

/* Zone map of the valid values of `a` rows [from, from + n). */
void dps__zone_compute(dps_type t, const dps_array_view *a, size_t from,
                       size_t n, dps_zone *z);
/* Widens `into` to cover `z`. */
void dps__zone_merge(dps_type t, dps_zone *into, const dps_zone *z);
/* 1 when value row i of `a` lies within `z` (NaN counts separately). */
bool dps__zone_contains(dps_type t, const dps_zone *z, const dps_array_view *a,
                        size_t i);
dps_status dps__zone_encode(const dps_zone *z, dps_buf *out);
dps_status dps__zone_decode(dps_type t, dps_tlv_reader *r, dps_zone *z,
                            dps_error *err);

/* ---- plain encoding (format/plain.c) ------------------------------------ */

/* Raw size of rows [from, from+n) of `a` in plain encoding. */
size_t dps__plain_size(dps_type t, const dps_array_view *a, size_t from,
                       size_t n, size_t nulls);
/* Appends the plain encoding of rows [from, from+n) of `a` to out. */
dps_status dps__plain_encode(dps_type t, const dps_array_view *a, size_t from,
                             size_t n, size_t nulls, dps_buf *out);

/* Decoded column storage that batches point into. */
typedef struct dps_column_data {
  dps_buf validity;   /* bitmap; empty when no nulls */
  dps_buf values;     /* fixed-width values (bool: one byte each) */
  dps_buf offsets;    /* int64 offsets, n + 1 */
  dps_buf data;       /* string bytes */
  size_t length;      /* rows held */
  size_t nulls;       /* null rows held */
} dps_column_data;

/* Appends n rows' validity and counts the n rows; values must already be
 * appended. A NULL bitmap means all valid (nulls == 0) or all null
 * (nulls == n). */
dps_status dps__column_data_add_validity(dps_column_data *c,
                                         const uint8_t *validity, size_t n,
                                         size_t nulls);
/* Appends bits [from, from+n) of an LSB-first bitmap as a new bitmap. */
dps_status dps__bitmap_append(dps_buf *out, const uint8_t *bits, size_t from,
                              size_t n);
size_t dps__count_zero_bits(const uint8_t *bits, size_t n);
void dps__column_data_reset(dps_column_data *c);
void dps__column_data_free(dps_column_data *c);
void dps__column_data_view(const dps_column_data *c, dps_array_view *out);

/* Decodes a plain page of n values (nulls of them null) from raw[0..len),
 * appending to `into`. `where` names the page for messages. Validates sizes
 * ([FMT-13]), the null count ([FMT-14]) and, when check_utf8, UTF-8. */
dps_status dps__plain_decode(dps_type t, const uint8_t *raw, size_t len,
                             size_t n, size_t nulls, bool check_utf8,
                             dps_column_data *into, const char *where,
                             dps_error *err);

/* ---- cascade pages (format/cascade_page.c, spec/FORMAT.md §4.4) --------- */

/* Appends the encoding-1 form of rows [from, from+n) of `a` to out, which
 * holds nothing else of the page before. forced_scheme is a scheme id for
 * the root node or -1 to choose. desc receives the scheme tree, e.g.
 * "dict(fsst(for),for)". */
dps_status dps__cascade_encode_page(dps_type t, const dps_array_view *a,
                                    size_t from, size_t n, size_t nulls,
                                    int forced_scheme, dps_buf *out,
                                    char *desc, size_t desc_size,
                                    dps_error *err);
/* 128-bit integers for exact sums (GCC and Clang; __extension__ keeps
 * -Wpedantic quiet). */
__extension__ typedef __int128 dps_i128;
__extension__ typedef unsigned __int128 dps_u128;

/* The exact sum of an encoding-1 page's n integer values without decoding
 * them one by one, when its root scheme allows (for: the packed offsets
 * and patches; constant; dict: entries times their code counts) and the
 * page has no nulls: *done = true and *sum set. Otherwise *done = false
 * and the caller decodes the page. `t` is an integer or decimal type. */
dps_status dps__cascade_page_sum(dps_type t, const uint8_t *raw, size_t len,
                                 size_t n, size_t nulls, dps_scratch *scratch,
                                 dps_i128 *sum, bool *done, const char *where,
                                 dps_error *err);

/* An encoding-1 page whose values are one frame-of-reference node (root
 * scheme for), without nulls, as its parts: values can be read at any
 * row without decoding the others. Pointers are into the page's bytes. */
typedef struct dps_for_view {
  size_t n;                   /* values */
  unsigned width;             /* bytes per value W (1, 2, 4, 8) */
  bool is_signed;             /* the type's values are signed */
  uint64_t base;              /* frame of reference (W bytes' bits) */
  unsigned bits;              /* packed width b, 0..8W */
  const uint8_t *packed;      /* ceil(n / 1024) vectors of 128 * b bytes */
  uint32_t n_patches;
  const uint8_t *patch_pos;   /* n_patches u32 positions, ascending */
  const uint8_t *patch_val;   /* n_patches values of W bytes */
} dps_for_view;

/* *is_for = true and *v filled when the page (n values, `nulls` of them
 * null) is a single for node without nulls, every field checked. */
dps_status dps__cascade_for_view(dps_type t, const uint8_t *raw, size_t len,
                                 size_t n, size_t nulls, dps_for_view *v,
                                 bool *is_for, const char *where,
                                 dps_error *err);
/* Vector `vec` of a for view, decoded (base added, patches applied) into
 * out: min(1024, n - 1024 * vec) values of the view's width. */
void dps__for_view_vector(const dps_for_view *v, size_t vec, void *out);
/* Offsets (values less the base, in the packed width's own bits) of
 * vector `vec` of a for view, into out (8 KiB, 8-aligned) at the
 * narrowest of 1, 2, 4 or the view's width W bytes that holds them (2 at
 * least when W is 8: see dps__unpack_narrow); returns that width, or 0
 * (out untouched) when patches replace values of the vector. Predicates
 * test offsets against constants less the base. */
unsigned dps__for_view_offsets(const dps_for_view *v, size_t vec, void *out);
/* Values at rows[0..k) - row0 of a for view (rows ascending), as signed
 * 64-bit integers (the type's values sign- or zero-extended; not for
 * unsigned 64-bit values above INT64_MAX, which wrap). */
void dps__for_view_get(const dps_for_view *v, const uint32_t *rows, size_t k,
                       size_t row0, int64_t *out);

/* When an encoding-1 page's values are a dictionary (root scheme dict),
 * decodes only its parts: *is_dict = true, `entries` (reset first) holds
 * the distinct values in ascending order as a column of that many rows,
 * *codes one code per row (in codes_into, n entries, when given; else
 * scratch memory, until the next use of scratch), *validity the page's bitmap inside `raw` or NULL when no row
 * is null. Otherwise *is_dict = false and nothing else is set. */
dps_status dps__cascade_decode_dict(dps_type t, const uint8_t *raw, size_t len,
                                    size_t n, size_t nulls,
                                    dps_column_data *entries,
                                    uint32_t *codes_into,
                                    const uint32_t **codes,
                                    const uint8_t **validity, bool *is_dict,
                                    dps_scratch *scratch, const char *where,
                                    dps_error *err);
/* Decodes an encoding-1 page, appending to `into` like dps__plain_decode. */
dps_status dps__cascade_decode_page(dps_type t, const uint8_t *raw,
                                    size_t len, size_t n, size_t nulls,
                                    bool check_utf8, dps_column_data *into,
                                    const char *where, dps_error *err);
/* The same with the caller's scratch memory (reset here, first). */
dps_status dps__cascade_decode_page_ex(dps_type t, const uint8_t *raw,
                                       size_t len, size_t n, size_t nulls,
                                       bool check_utf8, dps_column_data *into,
                                       dps_scratch *scratch, const char *where,
                                       dps_error *err);
/* Scheme id for a public encoding (AUTO: -1, PLAIN: plain page). */
int dps__scheme_of_encoding(dps_encoding e);

/* ---- footer model (format/footer.c) ------------------------------------- */

typedef struct dps_page_ref {
  uint64_t offset;       /* stored bytes start here */
  uint64_t stored_size;  /* bytes stored */
  uint64_t raw_size;     /* bytes after decompression */
  uint64_t value_count;  /* values in the page */
  uint64_t null_count;   /* nulls in the page */
  uint64_t encoding;     /* DPS_ENCODING_* */
  uint64_t codec;        /* DPS_CODEC_* used */
  uint64_t checksum;     /* XXH3-64 of stored bytes */
  dps_zone zone;         /* bounds of the page's values */
  const char *cascade;   /* encoding 1: scheme tree, or NULL */
  uint64_t plain_size;   /* bytes of the page in plain encoding */
} dps_page_ref;

typedef struct dps_chunk_ref {
  uint64_t compression;  /* codec requested */
  uint64_t null_count;   /* sum of page null counts */
  dps_page_ref *pages;   /* pages in row order */
  size_t n_pages;        /* number of pages */
  size_t cap_pages;      /* writer only: allocated pages */
} dps_chunk_ref;

typedef struct dps_row_group_ref {
  uint64_t row_count;     /* rows */
  const char *location;   /* NULL = this file */
  dps_chunk_ref *chunks;  /* one per column */
  dps_zone *zones;        /* one per column */
} dps_row_group_ref;

typedef struct dps_footer {
  dps_schema *schema;         /* decoded schema (owned) */
  uint64_t schema_tag;        /* stored tag */
  dps_snapshot_meta meta;     /* strings in the arena */
  dps_row_group_ref *groups;  /* row groups in order */
  size_t n_groups;            /* number of row groups */
  uint64_t row_count;         /* total rows */
  const char *created_by;     /* writer identity */
  dps_arena arena;            /* owns the strings and arrays above */
} dps_footer;

/* Header and trailer ([FMT-1..7]). */
#define DPS_HEADER_SIZE 16u
#define DPS_TRAILER_SIZE 40u
extern const uint8_t dps__magic[8];
void dps__header_encode(uint8_t out[DPS_HEADER_SIZE]);
void dps__trailer_encode(uint8_t out[DPS_TRAILER_SIZE], uint64_t footer_offset,
                         uint64_t footer_len, uint64_t footer_checksum);

typedef struct dps_trailer {
  uint64_t footer_offset;
  uint64_t footer_length;
  uint64_t footer_checksum;
  unsigned major;
  unsigned minor;
} dps_trailer;

/* Checks the header and trailer of a file of file_size bytes. */
dps_status dps__trailer_decode(const uint8_t header[DPS_HEADER_SIZE],
                               const uint8_t trailer[DPS_TRAILER_SIZE],
                               uint64_t file_size, const char *file,
                               dps_trailer *out, dps_error *err);

/* Encodes meta (fields in tag order) as a message. */
dps_status dps__meta_encode(const dps_snapshot_meta *m, dps_buf *out);
dps_status dps__meta_decode(dps_tlv_reader *r, dps_arena *a,
                            dps_snapshot_meta *m, dps_error *err);
dps_status dps__schema_encode(const dps_schema *s, dps_buf *out);
dps_status dps__schema_decode(dps_tlv_reader *r, dps_schema **out,
                              dps_error *err);

/* Encodes the whole footer. */
dps_status dps__footer_encode(const dps_footer *f, dps_buf *out);
/* Decodes and validates a footer whose bytes start at file offset
 * footer_offset ([FMT-30..34]). On success *f owns everything; release with
 * dps__footer_free. */
dps_status dps__footer_decode(const uint8_t *p, size_t n,
                              uint64_t footer_offset, const char *file,
                              dps_footer *f, dps_error *err);
void dps__footer_free(dps_footer *f);

#endif /* DPS_FORMAT_H */

/*
 * cascade.h - cascading lightweight encodings (spec/FORMAT.md §4.4).
 *
 * A page of encoding 1 holds its values as one *node*: a scheme id byte and
 * that scheme's bytes, which may embed child nodes (dictionary codes, run
 * lengths, ALP's integers ...) to a depth of DPS_CASCADE_MAX_DEPTH. Each
 * scheme lives in its own file (format/enc_<name>.c) and is registered in
 * the table of format/cascade.c; the encoder picks a scheme per node by
 * encoding samples of the values with every candidate.
 */
#ifndef DPS_CASCADE_H
#define DPS_CASCADE_H

#include "format/format.h"
#include "format/kernels.h"

#define DPS_CASCADE_MAX_DEPTH 3

/* Scheme ids: stored in files, pinned. */
enum {
  DPS_SCHEME_PLAIN = 0,
  DPS_SCHEME_CONSTANT = 1,
  DPS_SCHEME_FOR = 2,       /* frame of reference + bit packing + patches */
  DPS_SCHEME_DELTA = 3,
  DPS_SCHEME_RLE = 4,
  DPS_SCHEME_DICT = 5,
  DPS_SCHEME_ALP = 6,
  DPS_SCHEME_FSST = 7,
  DPS_SCHEME_COUNT = 8
};

/* What a node holds. Integers of every logical type (bool, dates,
 * timestamps and decimals included) are INT of their width; floats are
 * FLOAT; strings and binary are BYTES. */
typedef enum dps_kind { DPS_KIND_INT, DPS_KIND_FLOAT, DPS_KIND_BYTES } dps_kind;

/* n values given to an encoder, or expected from a decoder. */
typedef struct dps_values {
  dps_kind kind;            /* INT, FLOAT or BYTES */
  unsigned width;           /* INT/FLOAT: bytes per value (1, 2, 4, 8) */
  bool is_signed;           /* INT: order values as signed */
  size_t n;                 /* number of values */
  const void *v;            /* INT/FLOAT: n values */
  const int64_t *offsets;   /* BYTES: n + 1 offsets into data */
  const uint8_t *data;      /* BYTES: the bytes */
} dps_values;

/* Encoder state: the output buffer is the whole page, so that packed
 * words can be aligned relative to the page start. */
typedef struct dps_enc {
  int forced_root;          /* scheme forced for the root node, or -1 */
  dps_error *err;           /* where failures are reported */
  char *desc;               /* scheme tree being described, or NULL */
  size_t desc_size;         /* bytes at desc */
  unsigned children[DPS_CASCADE_MAX_DEPTH + 2]; /* per depth: children so far */
} dps_enc;

/* Decoder state for one page. */
typedef struct dps_dec {
  const uint8_t *page;      /* first byte of the page's raw bytes */
  const char *where;        /* "file: row group g, column c, page p" */
  dps_error *err;
  dps_scratch *scratch;     /* temporaries, released after the page */
} dps_dec;

/* Scratch memory for n values of `width` bytes (at least one), released
 * with the page: decoders never free it. NULL when out of memory. */
static inline void *dps__dec_alloc(dps_dec *d, size_t n, size_t width) {
  return dps__scratch_alloc(d->scratch, (n ? n : 1) * width);
}

/* A bounded reader over a node's bytes. */
typedef struct dps_rd {
  const uint8_t *p;         /* next byte */
  const uint8_t *end;       /* end of the node */
} dps_rd;

/* Output of a BYTES decoder. */
typedef struct dps_bytes_out {
  dps_buf *data;            /* bytes are appended here */
  int64_t base;             /* value of data->len when decoding began */
  int64_t *ends;            /* n end offsets (base-relative + base) */
} dps_bytes_out;

typedef struct dps_scheme {
  uint8_t id;               /* DPS_SCHEME_* */
  const char *name;         /* "for", "dict" ... */
  unsigned kinds;           /* bit (1 << kind) for each kind supported */
  bool leaf;                /* has no child nodes: allowed at max depth */
  /* false when the scheme is not worth a trial on these values (RLE
   * without runs) or cannot hold them at all (CONSTANT on varying values;
   * see `holds_any`). */
  bool (*applicable)(const dps_values *v);
  /* true when encode accepts any values of its kinds, so a writer that
   * forces the scheme gets it even where `applicable` says no. */
  bool holds_any;
  /* Appends the scheme's bytes (not the id) for v to out. DPS_EINVAL from
   * a trial means "cannot hold these values": the chooser skips it. */
  dps_status (*encode)(dps_enc *e, const dps_values *v, int depth,
                       dps_buf *out);
  /* Decodes v->n values from rd: INT/FLOAT into out (n values of
   * v->width), BYTES into bout. v->v, offsets and data are unused. */
  dps_status (*decode)(dps_dec *d, dps_rd *rd, const dps_values *v, int depth,
                       void *out, dps_bytes_out *bout);
} dps_scheme;

extern const dps_scheme dps__scheme_plain, dps__scheme_constant,
    dps__scheme_for, dps__scheme_delta, dps__scheme_rle, dps__scheme_dict,
    dps__scheme_alp, dps__scheme_fsst;

/* The value kind of a column type ([FMT-52]). */
dps_kind dps__kind_of_type(dps_type t);

/* The registry, indexed by scheme id; NULL for unknown ids. */
const dps_scheme *dps__scheme_get(unsigned id);
/* Looks a scheme up by name; -1 when unknown. */
int dps__scheme_by_name(const char *name);

/* Encodes v as a node (id byte + bytes) at `depth` (1 = root), choosing the
 * scheme from samples unless e->forced_root applies (depth 1). */
dps_status dps__node_encode(dps_enc *e, const dps_values *v, int depth,
                            dps_buf *out);
/* Encodes v as a child node: u32 length, then the node. */
dps_status dps__child_encode(dps_enc *e, const dps_values *v, int depth,
                             dps_buf *out);
/* Decodes a node of v->n values. */
dps_status dps__node_decode(dps_dec *d, dps_rd *rd, const dps_values *v,
                            int depth, void *out, dps_bytes_out *bout);
/* Decodes a child node (u32 length + node) that must fill its length. */
dps_status dps__child_decode(dps_dec *d, dps_rd *rd, const dps_values *v,
                             int depth, void *out, dps_bytes_out *bout);
/* A dictionary node's parts, as the dictionary scheme reads them: entries
 * in scratch memory (string bytes in the caller's buffer) and one code per
 * value, each checked to be below n. */
typedef struct dps_dict_parts {
  uint32_t n;               /* entries */
  const uint32_t *codes;    /* v->n codes */
  const void *values;       /* INT/FLOAT: n entries of v->width bytes */
  const int64_t *ends;      /* BYTES: n end offsets into text */
  const uint8_t *text;      /* BYTES: the entries' bytes */
} dps_dict_parts;

/* Reads a dictionary node (after its id byte) into parts; BYTES entries'
 * bytes are appended to `bytes`; codes go to `codes` (v->n of them) when
 * given, else to scratch memory. */
dps_status dps__dict_read(dps_dec *d, dps_rd *rd, const dps_values *v,
                          int depth, dps_dict_parts *out, dps_buf *bytes,
                          uint32_t *codes);

/* A for node's fields (after its id byte), every one checked: the bit
 * width, the patch count, the bytes present, and the patch positions
 * ascending and below v->n. */
typedef struct dps_for_node {
  uint64_t base;            /* W bytes' bits */
  unsigned bits;            /* packed width b, 0..8W */
  const uint8_t *packed;    /* ceil(n / 1024) vectors of 128 * b bytes */
  uint32_t n_patches;
  const uint8_t *pos;       /* n_patches u32 positions */
  const uint8_t *val;       /* n_patches values of W bytes */
} dps_for_node;

dps_status dps__for_read(dps_dec *d, dps_rd *rd, const dps_values *v,
                         dps_for_node *f);

/* Sum of a for node's values (after its id byte), exactly, when no value
 * can wrap around its type: *done = false otherwise (nothing is read past
 * what a decode would read). */
dps_status dps__for_sum(dps_dec *d, dps_rd *rd, const dps_values *v,
                        dps_i128 *sum, bool *done);

/* ---- reader helpers: every read is bounds-checked --------------------- */

dps_status dps__rd_fail(dps_dec *d, const dps_rd *rd, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
dps_status dps__rd_u8(dps_dec *d, dps_rd *rd, uint8_t *v, const char *what);
dps_status dps__rd_u32(dps_dec *d, dps_rd *rd, uint32_t *v, const char *what);
dps_status dps__rd_u64(dps_dec *d, dps_rd *rd, uint64_t *v, const char *what);
/* Borrows n bytes. */
dps_status dps__rd_bytes(dps_dec *d, dps_rd *rd, size_t n, const uint8_t **p,
                         const char *what);
/* Reads a pad byte k (0..7) then k zero bytes, after which the position is
 * 8-aligned relative to the page start. */
dps_status dps__rd_align(dps_dec *d, dps_rd *rd);

/* Appends pad byte k and k zeros so that out->len becomes a multiple of 8
 * (out holds the page from its first byte). */
dps_status dps__wr_align(dps_buf *out);
/* Appends an integer of `width` bytes, little-endian. */
dps_status dps__wr_int(dps_buf *out, unsigned width, uint64_t v);

/* Loads value i of an INT/FLOAT array as raw bits (zero-extended). */
uint64_t dps__val_bits(const void *v, unsigned width, size_t i);
/* Stores raw bits as value i. */
void dps__val_store(void *v, unsigned width, size_t i, uint64_t bits);
/* Loads value i as an order-preserving key: signed values are biased so
 * that unsigned comparison of keys orders them. */
uint64_t dps__val_key(const dps_values *v, size_t i);
/* The key's inverse. */
uint64_t dps__key_bits(unsigned width, bool is_signed, uint64_t key);

#endif /* DPS_CASCADE_H */

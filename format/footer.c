/* footer.c - header, trailer and footer (spec/FORMAT.md §2, §3, §6). */
#include "format/format.h"

#include <string.h>

#define TRY(x) do { dps_status s_ = (x); if (s_ != DPS_OK) return s_; } while (0)

const uint8_t dps__magic[8] = {0x89, 'D', 'P', 'S', '\r', '\n', 0x1A, '\n'};

void dps__header_encode(uint8_t out[DPS_HEADER_SIZE]) {
  memcpy(out, dps__magic, 8);
  dps__store_u16(out + 8, DPS_FORMAT_MAJOR);
  dps__store_u16(out + 10, DPS_FORMAT_MINOR);
  memset(out + 12, 0, 4);  /* [FMT-2] */
}

void dps__trailer_encode(uint8_t out[DPS_TRAILER_SIZE], uint64_t footer_offset,
                         uint64_t footer_len, uint64_t footer_checksum) {
  dps__store_u64(out, footer_offset);
  dps__store_u64(out + 8, footer_len);
  dps__store_u64(out + 16, footer_checksum);
  dps__store_u16(out + 24, DPS_FORMAT_MAJOR);
  dps__store_u16(out + 26, DPS_FORMAT_MINOR);
  memset(out + 28, 0, 4);
  memcpy(out + 32, dps__magic, 8);
}

dps_status dps__trailer_decode(const uint8_t header[DPS_HEADER_SIZE],
                               const uint8_t trailer[DPS_TRAILER_SIZE],
                               uint64_t file_size, const char *file,
                               dps_trailer *out, dps_error *err) {
  if (memcmp(header, dps__magic, 8) != 0)  /* [FMT-1] */
    return DPS_CORRUPT(err, "%s: not a dpsnap snapshot: expected the magic "
                       "bytes \\x89DPS\\r\\n\\x1a\\n at offset 0", file);
  unsigned hmaj = dps__load_u16(header + 8), hmin = dps__load_u16(header + 10);
  if (memcmp(trailer + 32, dps__magic, 8) != 0)  /* [FMT-4] */
    return DPS_CORRUPT(err, "%s: expected the trailer magic at offset %llu, "
                       "found other bytes: the file is truncated or damaged",
                       file, (unsigned long long)(file_size - 8));
  out->footer_offset = dps__load_u64(trailer);
  out->footer_length = dps__load_u64(trailer + 8);
  out->footer_checksum = dps__load_u64(trailer + 16);
  out->major = dps__load_u16(trailer + 24);
  out->minor = dps__load_u16(trailer + 26);
  if (hmaj != out->major || hmin != out->minor)  /* [FMT-5] */
    return DPS_CORRUPT(err, "%s: format version in the header (%u.%u, offset "
                       "8) and the trailer (%u.%u, offset %llu) differ", file,
                       hmaj, hmin, out->major, out->minor,
                       (unsigned long long)(file_size - DPS_TRAILER_SIZE + 24));
  if (out->major != DPS_FORMAT_MAJOR)
    return dps__fail(err, DPS_EVERSION, "%s: format version %u.%u is not "
                     "readable by dpsnap %s, which reads format %d.x: use a "
                     "dpsnap release that reads format %u.%u", file,
                     out->major, out->minor, dps_version_string(),
                     DPS_FORMAT_MAJOR, out->major, out->minor);
  uint64_t end = file_size - DPS_TRAILER_SIZE;
  if (out->footer_offset < DPS_HEADER_SIZE || out->footer_offset > end ||
      out->footer_length != end - out->footer_offset)  /* [FMT-6] */
    return DPS_CORRUPT(err, "%s: trailer (offset %llu): expected the footer "
                       "to end at offset %llu, found offset %llu and length "
                       "%llu", file, (unsigned long long)end,
                       (unsigned long long)end,
                       (unsigned long long)out->footer_offset,
                       (unsigned long long)out->footer_length);
  if (out->footer_length > (1ull << 31))
    return DPS_CORRUPT(err, "%s: footer of %llu bytes exceeds the 2 GiB "
                       "limit", file, (unsigned long long)out->footer_length);
  return DPS_OK;
}

/* ---- encode ------------------------------------------------------------ */

static dps_status encode_page(const dps_page_ref *p, dps_buf *out,
                              dps_buf *tmp) {
  dps_buf zone = {0};
  tmp->len = 0;
  dps_status s = dps__tlv_put_uint(tmp, 1, p->offset);
  if (s == DPS_OK) s = dps__tlv_put_uint(tmp, 2, p->stored_size);
  if (s == DPS_OK) s = dps__tlv_put_uint(tmp, 3, p->raw_size);
  if (s == DPS_OK) s = dps__tlv_put_uint(tmp, 4, p->value_count);
  if (s == DPS_OK) s = dps__tlv_put_uint(tmp, 5, p->null_count);
  if (s == DPS_OK) s = dps__tlv_put_uint(tmp, 6, p->encoding);
  if (s == DPS_OK) s = dps__tlv_put_uint(tmp, 7, p->codec);
  if (s == DPS_OK) s = dps__tlv_put_u64(tmp, 8, p->checksum);
  if (s == DPS_OK) s = dps__zone_encode(&p->zone, &zone);
  if (s == DPS_OK) s = dps__tlv_put_msg(tmp, 9, &zone);
  if (s == DPS_OK) s = dps__tlv_put_str(tmp, 10, p->cascade);
  if (s == DPS_OK) s = dps__tlv_put_uint(tmp, 11, p->plain_size);
  if (s == DPS_OK) s = dps__tlv_put_msg(out, 3, tmp);
  dps__buf_free(&zone);
  return s;
}

static dps_status encode_group(const dps_row_group_ref *g, size_t n_cols,
                               dps_buf *out) {
  dps_buf chunk = {0}, page = {0}, zone = {0}, msg = {0};
  dps_status s = dps__tlv_put_uint(&msg, 1, g->row_count);
  if (s == DPS_OK && g->location && g->location[0])
    s = dps__tlv_put_str(&msg, 2, g->location);
  for (size_t c = 0; s == DPS_OK && c < n_cols; c++) {
    const dps_chunk_ref *ch = &g->chunks[c];
    chunk.len = 0;
    s = dps__tlv_put_uint(&chunk, 1, ch->compression);
    if (s == DPS_OK) s = dps__tlv_put_uint(&chunk, 2, ch->null_count);
    for (size_t p = 0; s == DPS_OK && p < ch->n_pages; p++)
      s = encode_page(&ch->pages[p], &chunk, &page);
    if (s == DPS_OK) s = dps__tlv_put_msg(&msg, 3, &chunk);
  }
  for (size_t c = 0; s == DPS_OK && c < n_cols; c++) {
    zone.len = 0;
    s = dps__zone_encode(&g->zones[c], &zone);
    if (s == DPS_OK) s = dps__tlv_put_msg(&msg, 4, &zone);
  }
  if (s == DPS_OK) s = dps__tlv_put_msg(out, 4, &msg);
  dps__buf_free(&chunk);
  dps__buf_free(&page);
  dps__buf_free(&zone);
  dps__buf_free(&msg);
  return s;
}

dps_status dps__footer_encode(const dps_footer *f, dps_buf *out) {
  dps_buf sub = {0};
  dps_status s = dps__schema_encode(f->schema, &sub);
  if (s == DPS_OK) s = dps__tlv_put_msg(out, 1, &sub);
  if (s == DPS_OK) s = dps__tlv_put_u64(out, 2, f->schema_tag);
  sub.len = 0;
  if (s == DPS_OK) s = dps__meta_encode(&f->meta, &sub);
  if (s == DPS_OK) s = dps__tlv_put_msg(out, 3, &sub);
  for (size_t g = 0; s == DPS_OK && g < f->n_groups; g++)
    s = encode_group(&f->groups[g], f->schema->n, out);
  if (s == DPS_OK) s = dps__tlv_put_uint(out, 5, f->row_count);
  if (s == DPS_OK) s = dps__tlv_put_str(out, 6, f->created_by);
  dps__buf_free(&sub);
  return s;
}

/* ---- decode ------------------------------------------------------------ */

typedef struct decode_ctx {
  const char *file;
  uint64_t footer_offset;
  const dps_schema *schema;
  dps_arena *arena;
} decode_ctx;

static size_t count_tag(const dps_tlv_reader *r, uint64_t tag) {
  dps_tlv_reader c = *r;
  dps_tlv_field f;
  size_t n = 0;
  while (dps__tlv_next(&c, &f, NULL) > 0) n += f.tag == tag;
  return n;
}

static dps_status decode_page(const decode_ctx *ctx, dps_tlv_reader *r,
                              dps_type t, dps_page_ref *p, dps_error *err) {
  dps_tlv_field f;
  int got;
  p->encoding = DPS_PAGE_PLAIN;
  p->codec = DPS_CODEC_NONE;
  p->plain_size = UINT64_MAX;  /* absent: the raw size (format 1.0) */
  uint64_t at = r->base_offset;
  unsigned seen = 0;
  while ((got = dps__tlv_next(r, &f, err)) > 0) {
    if (f.tag >= 1 && f.tag <= 9) seen |= 1u << f.tag;
    switch (f.tag) {
      case 1: TRY(dps__tlv_get_uint(r, &f, &p->offset, err)); break;
      case 2: TRY(dps__tlv_get_uint(r, &f, &p->stored_size, err)); break;
      case 3: TRY(dps__tlv_get_uint(r, &f, &p->raw_size, err)); break;
      case 4: TRY(dps__tlv_get_uint(r, &f, &p->value_count, err)); break;
      case 5: TRY(dps__tlv_get_uint(r, &f, &p->null_count, err)); break;
      case 6: TRY(dps__tlv_get_uint(r, &f, &p->encoding, err)); break;
      case 7: TRY(dps__tlv_get_uint(r, &f, &p->codec, err)); break;
      case 8: TRY(dps__tlv_get_u64(r, &f, &p->checksum, err)); break;
      case 9: {
        dps_tlv_reader z;
        dps__tlv_child(r, &f, &z, "zone map");
        TRY(dps__zone_decode(t, &z, &p->zone, err));
        break;
      }
      case 10: TRY(dps__tlv_get_str(r, &f, ctx->arena, &p->cascade, err)); break;
      case 11: TRY(dps__tlv_get_uint(r, &f, &p->plain_size, err)); break;
      default: break;
    }
  }
  if (got < 0) return (dps_status)got;
  if (p->plain_size == UINT64_MAX) p->plain_size = p->raw_size;
  const unsigned required = (1u << 1) | (1u << 2) | (1u << 3) | (1u << 4) |
                            (1u << 8);
  if ((seen & required) != required)
    return DPS_CORRUPT(err, "%s: page entry (offset %llu): expected offset, "
                       "sizes, value count and checksum, found some missing",
                       ctx->file, (unsigned long long)at);
  if (p->offset < DPS_HEADER_SIZE || p->offset > ctx->footer_offset ||
      p->stored_size > ctx->footer_offset - p->offset)  /* [FMT-32] */
    return DPS_CORRUPT(err, "%s: page entry (offset %llu): expected page "
                       "bytes within [16, %llu), found offset %llu size %llu",
                       ctx->file, (unsigned long long)at,
                       (unsigned long long)ctx->footer_offset,
                       (unsigned long long)p->offset,
                       (unsigned long long)p->stored_size);
  if (p->raw_size > (1ull << 31) || p->value_count == 0 ||
      p->value_count > 1024u * 1024u || p->null_count > p->value_count)
    return DPS_CORRUPT(err, "%s: page entry (offset %llu): expected 1..%u "
                       "values, nulls <= values and raw size <= 2 GiB, found "
                       "%llu values, %llu nulls, %llu raw bytes", ctx->file,
                       (unsigned long long)at, 1024u * 1024u,
                       (unsigned long long)p->value_count,
                       (unsigned long long)p->null_count,
                       (unsigned long long)p->raw_size);
  if (p->encoding == DPS_PAGE_PLAIN) {  /* [FMT-13], before any read */
    uint64_t n = p->value_count, bitmap = (n + 7) / 8;
    uint64_t fixed = (p->null_count ? bitmap : 0) +
                     (t == DPS_TYPE_BOOL ? bitmap
                      : dps__type_is_var(t) ? 4 * n : n * dps_type_width(t));
    if (dps__type_is_var(t) ? p->raw_size < fixed : p->raw_size != fixed)
      return DPS_CORRUPT(err, "%s: page entry (offset %llu): expected a raw "
                         "size of %s%llu bytes for %llu plain %s values, "
                         "found %llu", ctx->file, (unsigned long long)at,
                         dps__type_is_var(t) ? "at least " : "",
                         (unsigned long long)fixed, (unsigned long long)n,
                         dps_type_name(t), (unsigned long long)p->raw_size);
  }
  return DPS_OK;
}

static dps_status decode_chunk(const decode_ctx *ctx, dps_tlv_reader *r,
                               size_t col, dps_chunk_ref *ch, dps_error *err) {
  dps_type t = ctx->schema->cols[col].type;
  size_t n = count_tag(r, 3);
  ch->pages = n ? dps__arena_alloc(ctx->arena, n * sizeof *ch->pages) : NULL;
  if (n && ch->pages == NULL) return dps__fail(err, DPS_ENOMEM, "out of memory");
  dps_tlv_field f;
  int got;
  while ((got = dps__tlv_next(r, &f, err)) > 0) {
    if (f.tag == 1) {
      TRY(dps__tlv_get_uint(r, &f, &ch->compression, err));
    } else if (f.tag == 2) {
      TRY(dps__tlv_get_uint(r, &f, &ch->null_count, err));
    } else if (f.tag == 3) {
      dps_tlv_reader c;
      dps__tlv_child(r, &f, &c, "page entry");
      TRY(decode_page(ctx, &c, t, &ch->pages[ch->n_pages++], err));
    }
  }
  return got < 0 ? (dps_status)got : DPS_OK;
}

static dps_status decode_group(const decode_ctx *ctx, dps_tlv_reader *r,
                               size_t gi, bool last, dps_row_group_ref *g,
                               dps_error *err) {
  size_t n_cols = ctx->schema->n;
  uint64_t at = r->base_offset;
  g->chunks = dps__arena_alloc(ctx->arena, n_cols * sizeof *g->chunks);
  g->zones = dps__arena_alloc(ctx->arena, n_cols * sizeof *g->zones);
  if (g->chunks == NULL || g->zones == NULL)
    return dps__fail(err, DPS_ENOMEM, "out of memory");
  size_t n_chunks = 0, n_zones = 0;
  dps_tlv_field f;
  int got;
  while ((got = dps__tlv_next(r, &f, err)) > 0) {
    dps_tlv_reader c;
    if (f.tag == 1) {
      TRY(dps__tlv_get_uint(r, &f, &g->row_count, err));
    } else if (f.tag == 2) {
      TRY(dps__tlv_get_str(r, &f, ctx->arena, &g->location, err));
    } else if (f.tag == 3) {
      if (n_chunks == n_cols)
        return DPS_CORRUPT(err, "%s: row group %zu (offset %llu): expected "
                           "%zu column chunks, found more", ctx->file, gi,
                           (unsigned long long)at, n_cols);
      dps__tlv_child(r, &f, &c, "column chunk");
      TRY(decode_chunk(ctx, &c, n_chunks, &g->chunks[n_chunks], err));
      n_chunks++;
    } else if (f.tag == 4) {
      if (n_zones == n_cols)
        return DPS_CORRUPT(err, "%s: row group %zu (offset %llu): expected "
                           "%zu zone maps, found more", ctx->file, gi,
                           (unsigned long long)at, n_cols);
      dps__tlv_child(r, &f, &c, "zone map");
      TRY(dps__zone_decode(ctx->schema->cols[n_zones].type, &c,
                           &g->zones[n_zones], err));
      n_zones++;
    }
  }
  if (got < 0) return (dps_status)got;
  if (g->location != NULL && g->location[0] != '\0')
    return dps__fail(err, DPS_EVERSION, "%s: row group %zu refers to segment "
                     "\"%s\": shared segments need a newer dpsnap than %s",
                     ctx->file, gi, g->location, dps_version_string());
  if (n_chunks != n_cols || n_zones != n_cols)
    return DPS_CORRUPT(err, "%s: row group %zu (offset %llu): expected %zu "
                       "column chunks and zone maps, found %zu and %zu",
                       ctx->file, gi, (unsigned long long)at, n_cols,
                       n_chunks, n_zones);
  if (g->row_count == 0 || (!last && g->row_count % DPS_VECTOR_SIZE != 0))
    return DPS_CORRUPT(err, "%s: row group %zu (offset %llu): expected a "
                       "positive row count%s, found %llu", ctx->file, gi,
                       (unsigned long long)at,
                       last ? "" : " that is a multiple of 1024",
                       (unsigned long long)g->row_count);
  for (size_t c = 0; c < n_cols; c++) {  /* [FMT-33] */
    const dps_chunk_ref *ch = &g->chunks[c];
    uint64_t values = 0, nulls = 0;
    for (size_t p = 0; p < ch->n_pages; p++) {
      if (p + 1 < ch->n_pages && ch->pages[p].value_count % DPS_VECTOR_SIZE)
        return DPS_CORRUPT(err, "%s: row group %zu, column \"%s\", page %zu: "
                           "expected whole 1024-value vectors, found %llu "
                           "values", ctx->file, gi, ctx->schema->cols[c].name,
                           p, (unsigned long long)ch->pages[p].value_count);
      values += ch->pages[p].value_count;
      nulls += ch->pages[p].null_count;
    }
    if (values != g->row_count || nulls != ch->null_count)
      return DPS_CORRUPT(err, "%s: row group %zu, column \"%s\": expected "
                         "pages holding %llu rows and %llu nulls, found %llu "
                         "and %llu", ctx->file, gi, ctx->schema->cols[c].name,
                         (unsigned long long)g->row_count,
                         (unsigned long long)ch->null_count,
                         (unsigned long long)values, (unsigned long long)nulls);
    if (nulls > 0 && !ctx->schema->cols[c].nullable)
      return DPS_CORRUPT(err, "%s: row group %zu, column \"%s\": expected no "
                         "nulls in a non-nullable column, found %llu",
                         ctx->file, gi, ctx->schema->cols[c].name,
                         (unsigned long long)nulls);
  }
  return DPS_OK;
}

dps_status dps__footer_decode(const uint8_t *p, size_t n,
                              uint64_t footer_offset, const char *file,
                              dps_footer *f, dps_error *err) {
  memset(f, 0, sizeof *f);
  dps_status s = DPS_OK;
  dps_tlv_reader r;
  dps__tlv_reader_init(&r, p, n, footer_offset, file, "footer");
  decode_ctx ctx = {file, footer_offset, NULL, &f->arena};
  dps_tlv_field fld;
  int got;
  bool have_tag = false, have_meta = false, have_rows = false;
  uint64_t row_count = 0;

  /* The schema comes first in tag order but is looked up explicitly so
   * that row groups can be decoded against it whatever the order. */
  while ((got = dps__tlv_next(&r, &fld, err)) > 0) {
    if (fld.tag != 1) continue;
    dps_tlv_reader c;
    dps__tlv_child(&r, &fld, &c, "schema");
    dps_schema_free(f->schema);
    f->schema = NULL;
    if ((s = dps__schema_decode(&c, &f->schema, err)) != DPS_OK) goto fail;
  }
  if (got < 0) { s = (dps_status)got; goto fail; }
  if (f->schema == NULL) {
    s = DPS_CORRUPT(err, "%s: footer (offset %llu): expected a schema, found "
                    "none", file, (unsigned long long)footer_offset);
    goto fail;
  }
  ctx.schema = f->schema;
  dps__tlv_reader_init(&r, p, n, footer_offset, file, "footer");
  size_t n_groups = count_tag(&r, 4);
  if (n_groups) {
    f->groups = dps__arena_alloc(&f->arena, n_groups * sizeof *f->groups);
    if (f->groups == NULL) { s = dps__fail(err, DPS_ENOMEM, "out of memory"); goto fail; }
  }
  while ((got = dps__tlv_next(&r, &fld, err)) > 0) {
    dps_tlv_reader c;
    switch (fld.tag) {
      case 2:
        s = dps__tlv_get_u64(&r, &fld, &f->schema_tag, err);
        have_tag = true;
        break;
      case 3:
        dps__tlv_child(&r, &fld, &c, "metadata");
        s = dps__meta_decode(&c, &f->arena, &f->meta, err);
        have_meta = true;
        break;
      case 4:
        dps__tlv_child(&r, &fld, &c, "row group");
        s = decode_group(&ctx, &c, f->n_groups, f->n_groups + 1 == n_groups,
                         &f->groups[f->n_groups], err);
        f->n_groups++;
        break;
      case 5:
        s = dps__tlv_get_uint(&r, &fld, &row_count, err);
        have_rows = true;
        break;
      case 6:
        s = dps__tlv_get_str(&r, &fld, &f->arena, &f->created_by, err);
        break;
      default: break;
    }
    if (s != DPS_OK) goto fail;
  }
  if (got < 0) { s = (dps_status)got; goto fail; }
  if (!have_tag || !have_meta || !have_rows) {
    s = DPS_CORRUPT(err, "%s: footer (offset %llu): expected schema tag, "
                    "metadata and row count, found %s missing", file,
                    (unsigned long long)footer_offset,
                    !have_tag ? "the schema tag" : !have_meta ? "the metadata"
                                                              : "the row count");
    goto fail;
  }
  if (dps_schema_tag(f->schema) != f->schema_tag) {  /* [FMT-30] */
    s = DPS_CORRUPT(err, "%s: footer: expected schema tag %016llx for the "
                    "stored schema, found %016llx", file,
                    (unsigned long long)dps_schema_tag(f->schema),
                    (unsigned long long)f->schema_tag);
    goto fail;
  }
  uint64_t sum = 0;
  for (size_t g = 0; g < f->n_groups; g++) sum += f->groups[g].row_count;
  if (sum != row_count) {
    s = DPS_CORRUPT(err, "%s: footer: expected a row count of %llu (the sum "
                    "over row groups), found %llu", file,
                    (unsigned long long)sum, (unsigned long long)row_count);
    goto fail;
  }
  f->row_count = row_count;
  return DPS_OK;
fail:
  dps__footer_free(f);
  return s;
}

void dps__footer_free(dps_footer *f) {
  dps_schema_free(f->schema);
  f->schema = NULL;
  dps__arena_free(&f->arena);
  f->groups = NULL;
  f->n_groups = 0;
}

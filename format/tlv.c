/* tlv.c - the tag-length-value encoding of footers (spec/FORMAT.md §5). */
#include "format/format.h"

#include <string.h>

static dps_status put_header(dps_buf *b, uint32_t tag, size_t len) {
  dps_status s = dps__buf_put_varint(b, tag);
  if (s == DPS_OK) s = dps__buf_put_varint(b, (uint64_t)len);
  return s;
}

static size_t varint_len(uint64_t v) {
  size_t n = 1;
  while (v >= 0x80) { v >>= 7; n++; }
  return n;
}

dps_status dps__tlv_put_uint(dps_buf *b, uint32_t tag, uint64_t v) {
  dps_status s = put_header(b, tag, varint_len(v));
  return s == DPS_OK ? dps__buf_put_varint(b, v) : s;
}

dps_status dps__tlv_put_sint(dps_buf *b, uint32_t tag, int64_t v) {
  uint64_t z = ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
  return dps__tlv_put_uint(b, tag, z);
}

dps_status dps__tlv_put_u64(dps_buf *b, uint32_t tag, uint64_t v) {
  dps_status s = put_header(b, tag, 8);
  return s == DPS_OK ? dps__buf_put_u64(b, v) : s;
}

dps_status dps__tlv_put_bytes(dps_buf *b, uint32_t tag, const void *p,
                              size_t n) {
  dps_status s = put_header(b, tag, n);
  return s == DPS_OK ? dps__buf_append(b, p, n) : s;
}

dps_status dps__tlv_put_str(dps_buf *b, uint32_t tag, const char *str) {
  if (str == NULL) return DPS_OK;
  return dps__tlv_put_bytes(b, tag, str, strlen(str));
}

dps_status dps__tlv_put_msg(dps_buf *b, uint32_t tag, const dps_buf *child) {
  return dps__tlv_put_bytes(b, tag, child->data, child->len);
}

size_t dps__varint_decode(const uint8_t *p, size_t n, uint64_t *out) {
  uint64_t v = 0;
  for (size_t i = 0; i < n && i < 10; i++) {
    uint64_t bits = p[i] & 0x7Fu;
    /* The tenth byte may only carry the single remaining bit. */
    if (i == 9 && bits > 1) return 0;
    v |= bits << (7 * i);
    if ((p[i] & 0x80) == 0) {
      *out = v;
      return i + 1;
    }
  }
  return 0;
}

void dps__tlv_reader_init(dps_tlv_reader *r, const uint8_t *p, size_t n,
                          uint64_t base_offset, const char *file,
                          const char *what) {
  r->p = r->start = p;
  r->end = p + n;
  r->base_offset = base_offset;
  r->file = file ? file : "(memory)";
  r->what = what ? what : "message";
}

static uint64_t file_offset(const dps_tlv_reader *r, const uint8_t *p) {
  return r->base_offset + (uint64_t)(p - r->start);
}

int dps__tlv_next(dps_tlv_reader *r, dps_tlv_field *f, dps_error *err) {
  if (r->p == r->end) return 0;
  const uint8_t *at = r->p;
  uint64_t tag, len;
  size_t k = dps__varint_decode(r->p, (size_t)(r->end - r->p), &tag);
  if (k == 0 || tag == 0)
    return DPS_CORRUPT(err, "%s: %s: expected a field tag (varint >= 1), "
                       "found malformed bytes (offset %llu)",
                       r->file, r->what,
                       (unsigned long long)file_offset(r, at));
  r->p += k;
  k = dps__varint_decode(r->p, (size_t)(r->end - r->p), &len);
  if (k == 0)
    return DPS_CORRUPT(err, "%s: %s field %llu: expected a length varint, "
                       "found malformed bytes (offset %llu)",
                       r->file, r->what, (unsigned long long)tag,
                       (unsigned long long)file_offset(r, r->p));
  r->p += k;
  if (len > (uint64_t)(r->end - r->p))
    return DPS_CORRUPT(err, "%s: %s field %llu: expected at most %llu value "
                       "bytes, found length %llu (offset %llu)",
                       r->file, r->what, (unsigned long long)tag,
                       (unsigned long long)(r->end - r->p),
                       (unsigned long long)len,
                       (unsigned long long)file_offset(r, at));
  f->tag = tag;
  f->value = r->p;
  f->length = (size_t)len;
  f->offset = file_offset(r, at);
  r->p += len;
  return 1;
}

void dps__tlv_child(const dps_tlv_reader *parent, const dps_tlv_field *f,
                    dps_tlv_reader *child, const char *what) {
  dps__tlv_reader_init(child, f->value, f->length,
                       file_offset(parent, f->value), parent->file, what);
}

dps_status dps__tlv_get_uint(const dps_tlv_reader *r, const dps_tlv_field *f,
                             uint64_t *out, dps_error *err) {
  if (f->length == 0 || dps__varint_decode(f->value, f->length, out) !=
                            f->length)
    return DPS_CORRUPT(err, "%s: %s field %llu: expected one varint filling "
                       "%zu bytes, found malformed bytes (offset %llu)",
                       r->file, r->what, (unsigned long long)f->tag,
                       f->length, (unsigned long long)f->offset);
  return DPS_OK;
}

dps_status dps__tlv_get_sint(const dps_tlv_reader *r, const dps_tlv_field *f,
                             int64_t *out, dps_error *err) {
  uint64_t z = 0;
  dps_status s = dps__tlv_get_uint(r, f, &z, err);
  if (s == DPS_OK) *out = (int64_t)(z >> 1) ^ -(int64_t)(z & 1);
  return s;
}

dps_status dps__tlv_get_u64(const dps_tlv_reader *r, const dps_tlv_field *f,
                            uint64_t *out, dps_error *err) {
  if (f->length != 8)
    return DPS_CORRUPT(err, "%s: %s field %llu: expected 8 bytes, found %zu "
                       "(offset %llu)", r->file, r->what,
                       (unsigned long long)f->tag, f->length,
                       (unsigned long long)f->offset);
  *out = dps__load_u64(f->value);
  return DPS_OK;
}

dps_status dps__tlv_get_str(const dps_tlv_reader *r, const dps_tlv_field *f,
                            dps_arena *a, const char **out, dps_error *err) {
  size_t bad = dps__utf8_check(f->value, f->length);
  if (bad != SIZE_MAX || memchr(f->value, 0, f->length) != NULL)
    return DPS_CORRUPT(err, "%s: %s field %llu: expected UTF-8 text without "
                       "NUL, found an invalid byte (offset %llu)",
                       r->file, r->what, (unsigned long long)f->tag,
                       (unsigned long long)f->offset);
  char *s = dps__arena_strndup(a, (const char *)f->value, f->length);
  if (s == NULL) return dps__fail(err, DPS_ENOMEM, "out of memory");
  *out = s;
  return DPS_OK;
}

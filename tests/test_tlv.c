/*
 * test_tlv.c - the varint / TLV codec of spec/FORMAT.md §5 and the metadata
 * message of §6.3 (format/tlv.c, format/footer.c).
 *
 * Expected bytes are written out by hand from the spec, never taken from the
 * encoder under test.
 */
#include "testutil.h"

#include <stdlib.h>

/* ---- helpers ------------------------------------------------------------ */

static void buf_eq(const dps_buf *b, const uint8_t *want, size_t n,
                   const char *what) {
  if (b->len != n || (n && memcmp(b->data, want, n) != 0)) {
    char got[256] = "", exp[256] = "";
    for (size_t i = 0; i < b->len && i < 40; i++)
      snprintf(got + strlen(got), sizeof got - strlen(got), "%02x ",
               b->data[i]);
    for (size_t i = 0; i < n && i < 40; i++)
      snprintf(exp + strlen(exp), sizeof exp - strlen(exp), "%02x ", want[i]);
    fail_msg("%s: encoded [%s] (%zu bytes), expected [%s] (%zu bytes)", what,
             got, b->len, exp, n);
  }
}

/* Reads exactly one field from p[0..n) (asserting there is one). */
static void one_field(dps_tlv_reader *r, dps_tlv_field *f, const uint8_t *p,
                      size_t n, uint64_t base) {
  dps_error e;
  tu_err_reset(&e);
  dps__tlv_reader_init(r, p, n, base, "unit.dps", "test");
  int rc = dps__tlv_next(r, f, &e);
  if (rc != 1) fail_msg("dps__tlv_next returned %d: %s", rc, e.message);
}

/* ---- varints ------------------------------------------------------------ */

/* [FMT §5] unsigned LEB128, 7 bits per byte, least significant group first. */
static void test_tlv__varint_round_trip(void **state) {
  (void)state;
  static const struct {
    uint64_t v;
    uint8_t bytes[10];
    size_t n;
  } cases[] = {
      {0, {0x00}, 1},
      {1, {0x01}, 1},
      {127, {0x7F}, 1},
      {128, {0x80, 0x01}, 2},
      {300, {0xAC, 0x02}, 2},
      {16383, {0xFF, 0x7F}, 2},
      {16384, {0x80, 0x80, 0x01}, 3},
      {UINT64_C(0xFFFFFFFF), {0xFF, 0xFF, 0xFF, 0xFF, 0x0F}, 5},
      {UINT64_C(1) << 63,
       {0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01}, 10},
      {UINT64_MAX,
       {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01}, 10},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    dps_buf b = {0};
    char what[64];
    snprintf(what, sizeof what, "varint %llu", (unsigned long long)cases[i].v);
    assert_int_equal(dps__buf_put_varint(&b, cases[i].v), DPS_OK);
    buf_eq(&b, cases[i].bytes, cases[i].n, what);

    uint64_t out = 12345;
    assert_int_equal(dps__varint_decode(cases[i].bytes, cases[i].n, &out),
                     cases[i].n);
    assert_true(out == cases[i].v);

    /* Trailing bytes are not consumed. */
    uint8_t more[12];
    memcpy(more, cases[i].bytes, cases[i].n);
    more[cases[i].n] = 0x55;
    more[cases[i].n + 1] = 0x80;
    out = 0;
    assert_int_equal(dps__varint_decode(more, cases[i].n + 2, &out),
                     cases[i].n);
    assert_true(out == cases[i].v);
    dps__buf_free(&b);
  }

  /* Random values round trip. */
  tu_rng rng;
  tu_rng_seed(&rng, 11);
  for (int i = 0; i < 2000; i++) {
    uint64_t v = tu_rng_next(&rng) >> tu_rng_below(&rng, 64);
    dps_buf b = {0};
    uint64_t out = ~v;
    assert_int_equal(dps__buf_put_varint(&b, v), DPS_OK);
    assert_true(b.len >= 1 && b.len <= 10);
    assert_int_equal(dps__varint_decode(b.data, b.len, &out), b.len);
    assert_true(out == v);
    dps__buf_free(&b);
  }
}

/* [FMT §5] at most 10 bytes, the value MUST fit in 64 bits; [FMT-21] a
 * varint MUST NOT run past its message. */
static void test_tlv__varint_malformed(void **state) {
  (void)state;
  uint8_t eleven[11];
  memset(eleven, 0x80, 10);
  eleven[10] = 0x00;
  uint64_t out = 0;
  assert_int_equal(dps__varint_decode(eleven, 11, &out), 0);

  uint8_t ten_cont[10];
  memset(ten_cont, 0x80, 10);
  assert_int_equal(dps__varint_decode(ten_cont, 10, &out), 0);

  /* Ten bytes whose last carries bits past bit 63. */
  uint8_t overflow[10] = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
                          0xFF, 0xFF, 0xFF, 0xFF, 0x02};
  assert_int_equal(dps__varint_decode(overflow, 10, &out), 0);
  overflow[9] = 0x7F;
  assert_int_equal(dps__varint_decode(overflow, 10, &out), 0);

  uint8_t trunc[3] = {0x80, 0xFF, 0x01};
  assert_int_equal(dps__varint_decode(trunc, 1, &out), 0);
  assert_int_equal(dps__varint_decode(trunc, 2, &out), 0);
  assert_int_equal(dps__varint_decode(trunc, 0, &out), 0);
  /* The same bytes, complete, are fine. */
  assert_int_equal(dps__varint_decode(trunc, 3, &out), 3);
  assert_true(out == (0x00u | (0x7Fu << 7) | (1u << 14)));
}

/* ---- field kinds -------------------------------------------------------- */

/* [FMT §5] tag varint, length varint, value; uint = a varint filling the
 * value. */
static void test_tlv__uint_field_bytes(void **state) {
  (void)state;
  dps_buf b = {0};
  assert_int_equal(dps__tlv_put_uint(&b, 1, 300), DPS_OK);
  assert_int_equal(dps__tlv_put_uint(&b, 200, 0), DPS_OK);
  const uint8_t want[] = {0x01, 0x02, 0xAC, 0x02, 0xC8, 0x01, 0x01, 0x00};
  buf_eq(&b, want, sizeof want, "uint fields");

  dps_tlv_reader r;
  dps_tlv_field f;
  dps_error e;
  tu_err_reset(&e);
  uint64_t v = 0;
  dps__tlv_reader_init(&r, b.data, b.len, 500, "unit.dps", "test");
  assert_int_equal(dps__tlv_next(&r, &f, &e), 1);
  assert_true(f.tag == 1);
  assert_int_equal(f.length, 2);
  assert_true(f.offset == 500);
  TU_OK(dps__tlv_get_uint(&r, &f, &v, &e), &e);
  assert_true(v == 300);
  assert_int_equal(dps__tlv_next(&r, &f, &e), 1);
  assert_true(f.tag == 200);
  assert_true(f.offset == 504);
  TU_OK(dps__tlv_get_uint(&r, &f, &v, &e), &e);
  assert_true(v == 0);
  assert_int_equal(dps__tlv_next(&r, &f, &e), 0);
  assert_int_equal(dps__tlv_next(&r, &f, &e), 0);
  dps__buf_free(&b);
}

/* [FMT §5] sint = zigzag varint (v << 1) ^ (v >> 63). */
static void test_tlv__sint_zigzag(void **state) {
  (void)state;
  static const struct {
    int64_t v;
    uint64_t zz;
  } cases[] = {
      {0, 0},
      {-1, 1},
      {1, 2},
      {-2, 3},
      {2, 4},
      {-64, 127},
      {64, 128},
      {INT64_MAX, UINT64_C(0xFFFFFFFFFFFFFFFE)},
      {INT64_MIN, UINT64_C(0xFFFFFFFFFFFFFFFF)},
      {INT64_MIN + 1, UINT64_C(0xFFFFFFFFFFFFFFFD)},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    dps_buf b = {0};
    assert_int_equal(dps__tlv_put_sint(&b, 7, cases[i].v), DPS_OK);
    /* tag 7, then length, then the zigzag varint */
    assert_true(b.len >= 3);
    assert_int_equal(b.data[0], 7);
    assert_int_equal(b.data[1], b.len - 2);
    uint64_t zz = 0;
    assert_int_equal(dps__varint_decode(b.data + 2, b.len - 2, &zz), b.len - 2);
    if (zz != cases[i].zz)
      fail_msg("sint %lld: zigzag 0x%llx, expected 0x%llx",
               (long long)cases[i].v, (unsigned long long)zz,
               (unsigned long long)cases[i].zz);

    dps_tlv_reader r;
    dps_tlv_field f;
    dps_error e;
    tu_err_reset(&e);
    one_field(&r, &f, b.data, b.len, 0);
    int64_t out = 0;
    TU_OK(dps__tlv_get_sint(&r, &f, &out, &e), &e);
    assert_true(out == cases[i].v);
    dps__buf_free(&b);
  }
}

/* [FMT §5] u64 = exactly 8 bytes, little-endian. */
static void test_tlv__u64_field(void **state) {
  (void)state;
  dps_buf b = {0};
  assert_int_equal(dps__tlv_put_u64(&b, 2, UINT64_C(0x0102030405060708)),
                   DPS_OK);
  const uint8_t want[] = {0x02, 0x08, 0x08, 0x07, 0x06, 0x05,
                          0x04, 0x03, 0x02, 0x01};
  buf_eq(&b, want, sizeof want, "u64 field");
  dps_tlv_reader r;
  dps_tlv_field f;
  dps_error e;
  tu_err_reset(&e);
  one_field(&r, &f, b.data, b.len, 0);
  uint64_t v = 0;
  TU_OK(dps__tlv_get_u64(&r, &f, &v, &e), &e);
  assert_true(v == UINT64_C(0x0102030405060708));
  dps__buf_free(&b);
}

/* [FMT §5] string = UTF-8 bytes without terminator; NULL writes nothing. */
static void test_tlv__str_and_bytes(void **state) {
  (void)state;
  dps_buf b = {0};
  assert_int_equal(dps__tlv_put_str(&b, 3, NULL), DPS_OK);
  assert_int_equal(b.len, 0);
  assert_int_equal(dps__tlv_put_str(&b, 3, ""), DPS_OK);
  assert_int_equal(dps__tlv_put_str(&b, 4, "h\xC3\xA9"), DPS_OK);
  const uint8_t bin[3] = {0x00, 0xFF, 0x00};
  assert_int_equal(dps__tlv_put_bytes(&b, 5, bin, 3), DPS_OK);
  const uint8_t want[] = {0x03, 0x00, 0x04, 0x03, 'h',  0xC3,
                          0xA9, 0x05, 0x03, 0x00, 0xFF, 0x00};
  buf_eq(&b, want, sizeof want, "string fields");

  dps_tlv_reader r;
  dps_tlv_field f;
  dps_error e;
  dps_arena a = {0};
  const char *s = NULL;
  tu_err_reset(&e);
  dps__tlv_reader_init(&r, b.data, b.len, 0, "unit.dps", "test");
  assert_int_equal(dps__tlv_next(&r, &f, &e), 1);
  TU_OK(dps__tlv_get_str(&r, &f, &a, &s, &e), &e);
  assert_non_null(s);
  assert_string_equal(s, "");
  assert_int_equal(dps__tlv_next(&r, &f, &e), 1);
  TU_OK(dps__tlv_get_str(&r, &f, &a, &s, &e), &e);
  assert_string_equal(s, "h\xC3\xA9");
  assert_int_equal(dps__tlv_next(&r, &f, &e), 1);
  assert_true(f.tag == 5);
  assert_int_equal(f.length, 3);
  assert_memory_equal(f.value, bin, 3);
  assert_int_equal(dps__tlv_next(&r, &f, &e), 0);
  dps__arena_free(&a);
  dps__buf_free(&b);
}

/* ---- malformed messages ------------------------------------------------- */

/* [FMT-21] a field's length MUST NOT run past its message: DPS_ECORRUPT with
 * the offset of the field in the file. */
static void test_tlv__length_past_end(void **state) {
  (void)state;
  const uint8_t msg[] = {0x01, 0x05, 'a', 'b'};
  dps_tlv_reader r;
  dps_tlv_field f;
  dps_error e;
  tu_err_reset(&e);
  dps__tlv_reader_init(&r, msg, sizeof msg, 1000, "past-end.dps", "footer");
  assert_int_equal(dps__tlv_next(&r, &f, &e), DPS_ECORRUPT);
  assert_int_equal(e.code, DPS_ECORRUPT);
  TU_HAS(&e, "offset");
  TU_HAS(&e, "1000");
  TU_HAS(&e, "past-end.dps");

  /* A second field overrunning: offset of that field (1000 + 3). */
  const uint8_t msg2[] = {0x01, 0x01, 'x', 0x02, 0x09, 0x00};
  tu_err_reset(&e);
  dps__tlv_reader_init(&r, msg2, sizeof msg2, 1000, "past-end.dps", "footer");
  assert_int_equal(dps__tlv_next(&r, &f, &e), 1);
  assert_int_equal(dps__tlv_next(&r, &f, &e), DPS_ECORRUPT);
  TU_HAS(&e, "offset");
  TU_HAS(&e, "1003");

  /* Nested: the child message is inside its parent, but the child's own
   * field runs past the child (yet not past the parent). */
  const uint8_t outer[] = {0x01, 0x03, 0x01, 0x04, 'z', 0x02, 0x01, 0x07};
  tu_err_reset(&e);
  dps__tlv_reader_init(&r, outer, sizeof outer, 2000, "nested.dps", "footer");
  assert_int_equal(dps__tlv_next(&r, &f, &e), 1);
  assert_int_equal(f.length, 3);
  dps_tlv_reader c;
  dps_tlv_field cf;
  dps__tlv_child(&r, &f, &c, "child");
  assert_int_equal(dps__tlv_next(&c, &cf, &e), DPS_ECORRUPT);
  TU_HAS(&e, "offset");
  TU_HAS(&e, "2002");
  /* The parent carries on past the child. */
  tu_err_reset(&e);
  assert_int_equal(dps__tlv_next(&r, &f, &e), 1);
  assert_true(f.tag == 2);
}

/* [FMT §5] tag >= 1; [FMT-21] varints of tag and length MUST NOT run past
 * the message nor exceed 64 bits. */
static void test_tlv__malformed_field_header(void **state) {
  (void)state;
  static const struct {
    uint8_t b[14];
    size_t n;
    const char *what;
  } cases[] = {
      {{0x81}, 1, "truncated tag varint"},
      {{0x01}, 1, "missing length"},
      {{0x01, 0x80}, 2, "truncated length varint"},
      {{0x00, 0x00}, 2, "tag 0"},
      {{0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01, 0x00},
       12, "11-byte tag"},
      {{0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01}, 11,
       "length 2^64-1"},
      {{0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x02}, 11,
       "length past 64 bits"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    dps_tlv_reader r;
    dps_tlv_field f;
    dps_error e;
    tu_err_reset(&e);
    dps__tlv_reader_init(&r, cases[i].b, cases[i].n, 64, "hdr.dps", "footer");
    int rc = dps__tlv_next(&r, &f, &e);
    if (rc != DPS_ECORRUPT)
      fail_msg("%s: dps__tlv_next returned %d, expected DPS_ECORRUPT",
               cases[i].what, rc);
    TU_HAS(&e, "offset");
    TU_HAS(&e, "hdr.dps");
  }
}

/* [FMT-21] a known field whose value does not have its kind's form is
 * DPS_ECORRUPT, with the offset of the field in the file. */
static void test_tlv__wrong_value_form(void **state) {
  (void)state;
  dps_tlv_reader r;
  dps_tlv_field f;
  dps_error e;
  uint64_t u = 0;
  int64_t s = 0;

  /* u64 of 7 bytes and of 9 bytes */
  const uint8_t u64_7[] = {0x05, 0x00, 0x02, 0x07, 1, 2, 3, 4, 5, 6, 7};
  tu_err_reset(&e);
  dps__tlv_reader_init(&r, u64_7, sizeof u64_7, 300, "form.dps", "footer");
  assert_int_equal(dps__tlv_next(&r, &f, &e), 1);
  assert_int_equal(dps__tlv_next(&r, &f, &e), 1);
  assert_true(f.offset == 302);
  TU_EXPECT(dps__tlv_get_u64(&r, &f, &u, &e), DPS_ECORRUPT, &e);
  TU_HAS(&e, "offset");
  TU_HAS(&e, "302");
  TU_HAS(&e, "form.dps");

  const uint8_t u64_9[] = {0x02, 0x09, 1, 2, 3, 4, 5, 6, 7, 8, 9};
  tu_err_reset(&e);
  one_field(&r, &f, u64_9, sizeof u64_9, 0);
  TU_EXPECT(dps__tlv_get_u64(&r, &f, &u, &e), DPS_ECORRUPT, &e);
  TU_HAS(&e, "offset");

  /* uint whose varint does not fill the value, or is empty, or truncated */
  const uint8_t short_varint[] = {0x02, 0x02, 0x01, 0x00};
  tu_err_reset(&e);
  one_field(&r, &f, short_varint, sizeof short_varint, 0);
  TU_EXPECT(dps__tlv_get_uint(&r, &f, &u, &e), DPS_ECORRUPT, &e);
  TU_HAS(&e, "offset");
  const uint8_t empty_varint[] = {0x02, 0x00};
  tu_err_reset(&e);
  one_field(&r, &f, empty_varint, sizeof empty_varint, 0);
  TU_EXPECT(dps__tlv_get_uint(&r, &f, &u, &e), DPS_ECORRUPT, &e);
  const uint8_t trunc_varint[] = {0x02, 0x01, 0x80};
  tu_err_reset(&e);
  one_field(&r, &f, trunc_varint, sizeof trunc_varint, 0);
  TU_EXPECT(dps__tlv_get_uint(&r, &f, &u, &e), DPS_ECORRUPT, &e);
  tu_err_reset(&e);
  TU_EXPECT(dps__tlv_get_sint(&r, &f, &s, &e), DPS_ECORRUPT, &e);
  const uint8_t long_varint[] = {0x02, 0x0B, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80,
                                 0x80, 0x80, 0x80, 0x80, 0x00};
  tu_err_reset(&e);
  one_field(&r, &f, long_varint, sizeof long_varint, 0);
  TU_EXPECT(dps__tlv_get_uint(&r, &f, &u, &e), DPS_ECORRUPT, &e);

  /* string that is not UTF-8 (overlong '/', lone surrogate, bare 0xFF) */
  const uint8_t *bad[3] = {(const uint8_t *)"\x01\x02\xC0\xAF",
                           (const uint8_t *)"\x01\x03\xED\xA0\x80",
                           (const uint8_t *)"\x01\x01\xFF"};
  const size_t bad_n[3] = {4, 5, 3};
  for (int i = 0; i < 3; i++) {
    dps_arena a = {0};
    const char *str = NULL;
    tu_err_reset(&e);
    one_field(&r, &f, bad[i], bad_n[i], 40);
    TU_EXPECT(dps__tlv_get_str(&r, &f, &a, &str, &e), DPS_ECORRUPT, &e);
    TU_HAS(&e, "offset");
    TU_HAS(&e, "40");
    dps__arena_free(&a);
  }
}

/* [FMT §5] msg = a nested message; child readers see file offsets. */
static void test_tlv__nested_messages(void **state) {
  (void)state;
  dps_buf inner = {0}, mid = {0}, outer = {0};
  assert_int_equal(dps__tlv_put_u64(&inner, 3, UINT64_C(0xDEADBEEFCAFEF00D)),
                   DPS_OK);
  assert_int_equal(dps__tlv_put_str(&mid, 1, "abc"), DPS_OK);
  assert_int_equal(dps__tlv_put_msg(&mid, 2, &inner), DPS_OK);
  assert_int_equal(dps__tlv_put_uint(&outer, 1, 7), DPS_OK);
  assert_int_equal(dps__tlv_put_msg(&outer, 2, &mid), DPS_OK);
  assert_int_equal(dps__tlv_put_uint(&outer, 3, 9), DPS_OK);
  /* By hand: 01 01 07 | 02 11 [01 03 'a' 'b' 'c' 02 0A [03 08 <8 bytes>]] |
   * 03 01 09 */
  const uint8_t want[] = {0x01, 0x01, 0x07, 0x02, 0x11, 0x01, 0x03, 'a',
                          'b',  'c',  0x02, 0x0A, 0x03, 0x08, 0x0D, 0xF0,
                          0xFE, 0xCA, 0xEF, 0xBE, 0xAD, 0xDE, 0x03, 0x01,
                          0x09};
  buf_eq(&outer, want, sizeof want, "nested message");

  dps_tlv_reader r, c1, c2;
  dps_tlv_field f, g, h;
  dps_error e;
  dps_arena a = {0};
  tu_err_reset(&e);
  uint64_t v = 0;
  const char *s = NULL;
  dps__tlv_reader_init(&r, outer.data, outer.len, 100, "nest.dps", "footer");
  assert_int_equal(dps__tlv_next(&r, &f, &e), 1);
  TU_OK(dps__tlv_get_uint(&r, &f, &v, &e), &e);
  assert_true(v == 7);
  assert_int_equal(dps__tlv_next(&r, &f, &e), 1);
  assert_true(f.tag == 2 && f.offset == 103);
  dps__tlv_child(&r, &f, &c1, "mid");
  assert_int_equal(dps__tlv_next(&c1, &g, &e), 1);
  assert_true(g.tag == 1 && g.offset == 105);
  TU_OK(dps__tlv_get_str(&c1, &g, &a, &s, &e), &e);
  assert_string_equal(s, "abc");
  assert_int_equal(dps__tlv_next(&c1, &g, &e), 1);
  assert_true(g.tag == 2 && g.offset == 110);
  dps__tlv_child(&c1, &g, &c2, "inner");
  assert_int_equal(dps__tlv_next(&c2, &h, &e), 1);
  assert_true(h.tag == 3 && h.offset == 112);
  TU_OK(dps__tlv_get_u64(&c2, &h, &v, &e), &e);
  assert_true(v == UINT64_C(0xDEADBEEFCAFEF00D));
  assert_int_equal(dps__tlv_next(&c2, &h, &e), 0);
  assert_int_equal(dps__tlv_next(&c1, &g, &e), 0);
  assert_int_equal(dps__tlv_next(&r, &f, &e), 1);
  TU_OK(dps__tlv_get_uint(&r, &f, &v, &e), &e);
  assert_true(v == 9 && f.offset == 122);
  assert_int_equal(dps__tlv_next(&r, &f, &e), 0);

  /* An empty message has no fields. */
  dps__tlv_reader_init(&r, outer.data, 0, 0, "nest.dps", "footer");
  assert_int_equal(dps__tlv_next(&r, &f, &e), 0);

  dps__arena_free(&a);
  dps__buf_free(&inner);
  dps__buf_free(&mid);
  dps__buf_free(&outer);
}

/* ---- metadata message --------------------------------------------------- */

static void decode_meta(const dps_buf *b, dps_arena *a, dps_snapshot_meta *m) {
  dps_tlv_reader r;
  dps_error e;
  tu_err_reset(&e);
  memset(m, 0, sizeof *m);
  dps__tlv_reader_init(&r, b->data, b->len, 0, "meta.dps", "meta");
  TU_OK(dps__meta_decode(&r, a, m, &e), &e);
}

/* [FMT §6.3] every field round trips; [FMT-23] fields in ascending tag order,
 * so equal metadata encodes to identical bytes. */
static void test_tlv__meta_round_trip(void **state) {
  (void)state;
  dps_snapshot_meta m = tu_meta_full(), back;
  dps_buf b = {0}, b2 = {0};
  dps_arena a = {0};
  assert_int_equal(dps__meta_encode(&m, &b), DPS_OK);
  assert_int_equal(dps__meta_encode(&m, &b2), DPS_OK);
  assert_int_equal(b.len, b2.len);
  assert_memory_equal(b.data, b2.data, b.len);

  /* Top-level tags ascend; repeated input (10) and property (14) are
   * adjacent. */
  dps_tlv_reader r;
  dps_tlv_field f;
  dps_error e;
  tu_err_reset(&e);
  uint64_t last = 0;
  int n_inputs = 0, n_props = 0;
  dps__tlv_reader_init(&r, b.data, b.len, 0, "meta.dps", "meta");
  for (int rc; (rc = dps__tlv_next(&r, &f, &e)) == 1;) {
    assert_true(f.tag >= last);
    last = f.tag;
    n_inputs += f.tag == 10;
    n_props += f.tag == 14;
  }
  assert_int_equal(n_inputs, 2);
  assert_int_equal(n_props, 3);
  assert_true(last == 14);

  decode_meta(&b, &a, &back);
  tu_assert_meta_equal(&m, &back, "meta decode(encode)");
  dps__arena_free(&a);
  dps__buf_free(&b);
  dps__buf_free(&b2);
}

/* Appends a raw field with a tag that does not fit the uint32 put API. */
static void put_raw_field(dps_buf *b, uint64_t tag, const void *p, size_t n) {
  assert_int_equal(dps__buf_put_varint(b, tag), DPS_OK);
  assert_int_equal(dps__buf_put_varint(b, n), DPS_OK);
  assert_int_equal(dps__buf_append(b, p, n), DPS_OK);
}

/* [FMT-20] a reader MUST skip fields whose tag it does not know, at the top
 * of a message and inside nested ones. */
static void test_tlv__meta_unknown_tags_skipped(void **state) {
  (void)state;
  dps_snapshot_meta m = tu_meta_full();
  /* Encode all but the last input, then add it back by hand with unknown
   * fields of every kind inside. */
  dps_lineage_input ins[3];
  memcpy(ins, m.inputs, sizeof ins[0] * 2);
  ins[2].product = "crm.customers";
  ins[2].version = 12;
  ins[2].schema_tag = UINT64_C(0x0123456789ABCDEF);
  ins[2].uri = NULL;
  dps_snapshot_meta enc = m;
  enc.inputs = ins;
  enc.n_inputs = 2;

  dps_buf b = {0};
  assert_int_equal(dps__meta_encode(&enc, &b), DPS_OK);

  /* Unknown top-level fields: bytes, a uint, a nested msg, a huge tag. */
  const uint8_t blob[5] = {0x00, 0x01, 0xFF, 0x80, 0x00};
  assert_int_equal(dps__tlv_put_bytes(&b, 99, blob, sizeof blob), DPS_OK);
  assert_int_equal(dps__tlv_put_uint(&b, 15, 12345), DPS_OK);
  dps_buf nested_unknown = {0};
  assert_int_equal(dps__tlv_put_str(&nested_unknown, 1, "future"), DPS_OK);
  assert_int_equal(dps__tlv_put_u64(&nested_unknown, 2, 42), DPS_OK);
  assert_int_equal(dps__tlv_put_msg(&b, 100, &nested_unknown), DPS_OK);
  put_raw_field(&b, UINT64_C(1) << 40, "zz", 2);
  uint8_t big[1000];
  memset(big, 0xA5, sizeof big);
  assert_int_equal(dps__tlv_put_bytes(&b, 16, big, sizeof big), DPS_OK);

  /* The third input, with unknown fields before, between and after. */
  dps_buf in = {0};
  assert_int_equal(dps__tlv_put_uint(&in, 9, 1), DPS_OK);
  assert_int_equal(dps__tlv_put_str(&in, 1, ins[2].product), DPS_OK);
  assert_int_equal(dps__tlv_put_bytes(&in, 50, blob, sizeof blob), DPS_OK);
  assert_int_equal(dps__tlv_put_uint(&in, 2, ins[2].version), DPS_OK);
  assert_int_equal(dps__tlv_put_u64(&in, 3, ins[2].schema_tag), DPS_OK);
  assert_int_equal(dps__tlv_put_msg(&in, 51, &nested_unknown), DPS_OK);
  assert_int_equal(dps__tlv_put_msg(&b, 10, &in), DPS_OK);

  /* A property with an unknown field inside. */
  dps_buf prop = {0};
  assert_int_equal(dps__tlv_put_str(&prop, 1, "extra"), DPS_OK);
  assert_int_equal(dps__tlv_put_uint(&prop, 3, 77), DPS_OK);
  assert_int_equal(dps__tlv_put_str(&prop, 2, "yes"), DPS_OK);
  assert_int_equal(dps__tlv_put_msg(&b, 14, &prop), DPS_OK);

  dps_snapshot_meta back;
  dps_arena a = {0};
  decode_meta(&b, &a, &back);

  dps_property props[4];
  memcpy(props, m.properties, sizeof props[0] * 3);
  props[3].key = "extra";
  props[3].value = "yes";
  dps_snapshot_meta want = m;
  want.inputs = ins;
  want.n_inputs = 3;
  want.properties = props;
  want.n_properties = 4;
  tu_assert_meta_equal(&want, &back, "meta with unknown fields");

  dps__arena_free(&a);
  dps__buf_free(&b);
  dps__buf_free(&in);
  dps__buf_free(&prop);
  dps__buf_free(&nested_unknown);
}

/* [FMT-22] a non-repeated field that occurs again: the last one is used;
 * [FMT-23] readers accept any order. */
static void test_tlv__meta_any_order_last_wins(void **state) {
  (void)state;
  dps_buf b = {0};
  assert_int_equal(dps__tlv_put_str(&b, 9, "ops@example.org"), DPS_OK);
  assert_int_equal(dps__tlv_put_sint(&b, 7, -5), DPS_OK);
  assert_int_equal(dps__tlv_put_str(&b, 1, "first.product"), DPS_OK);
  assert_int_equal(dps__tlv_put_str(&b, 8, "Ops"), DPS_OK);
  assert_int_equal(dps__tlv_put_uint(&b, 5, 3), DPS_OK);
  assert_int_equal(dps__tlv_put_str(&b, 1, "second.product"), DPS_OK);
  dps_snapshot_meta back;
  dps_arena a = {0};
  decode_meta(&b, &a, &back);
  assert_string_equal(back.product, "second.product");
  assert_string_equal(back.owner_team, "Ops");
  assert_string_equal(back.owner_email, "ops@example.org");
  assert_true(back.created_at == -5);
  assert_true(back.snapshot_version == 3);
  assert_null(back.title);
  assert_int_equal(back.n_inputs, 0);
  dps__arena_free(&a);
  dps__buf_free(&b);
}

/* [FMT-21] a known meta field of the wrong form fails the decode. */
static void test_tlv__meta_bad_known_field(void **state) {
  (void)state;
  dps_snapshot_meta m = tu_meta(), back;
  dps_buf b = {0};
  assert_int_equal(dps__meta_encode(&m, &b), DPS_OK);
  size_t good_len = b.len;
  /* snapshot_version (uint) carried as an 8-byte blob with a varint that
   * does not fill it. */
  const uint8_t bad_uint[2] = {0x01, 0x00};
  assert_int_equal(dps__tlv_put_bytes(&b, 5, bad_uint, 2), DPS_OK);
  dps_tlv_reader r;
  dps_error e;
  dps_arena a = {0};
  tu_err_reset(&e);
  dps__tlv_reader_init(&r, b.data, b.len, 4096, "bad-meta.dps", "meta");
  TU_EXPECT(dps__meta_decode(&r, &a, &back, &e), DPS_ECORRUPT, &e);
  TU_HAS(&e, "offset");
  char off[32];
  snprintf(off, sizeof off, "%zu", 4096 + good_len);
  TU_HAS(&e, off);
  dps__arena_free(&a);

  /* An input's schema_tag (u64) of 4 bytes. */
  b.len = good_len;
  dps_buf in = {0};
  assert_int_equal(dps__tlv_put_str(&in, 1, "a.b"), DPS_OK);
  assert_int_equal(dps__tlv_put_bytes(&in, 3, "abcd", 4), DPS_OK);
  assert_int_equal(dps__tlv_put_msg(&b, 10, &in), DPS_OK);
  memset(&a, 0, sizeof a);
  tu_err_reset(&e);
  dps__tlv_reader_init(&r, b.data, b.len, 0, "bad-meta.dps", "meta");
  TU_EXPECT(dps__meta_decode(&r, &a, &back, &e), DPS_ECORRUPT, &e);
  TU_HAS(&e, "offset");
  dps__arena_free(&a);
  dps__buf_free(&in);
  dps__buf_free(&b);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_tlv__varint_round_trip),
      cmocka_unit_test(test_tlv__varint_malformed),
      cmocka_unit_test(test_tlv__uint_field_bytes),
      cmocka_unit_test(test_tlv__sint_zigzag),
      cmocka_unit_test(test_tlv__u64_field),
      cmocka_unit_test(test_tlv__str_and_bytes),
      cmocka_unit_test(test_tlv__length_past_end),
      cmocka_unit_test(test_tlv__malformed_field_header),
      cmocka_unit_test(test_tlv__wrong_value_form),
      cmocka_unit_test(test_tlv__nested_messages),
      cmocka_unit_test(test_tlv__meta_round_trip),
      cmocka_unit_test(test_tlv__meta_unknown_tags_skipped),
      cmocka_unit_test(test_tlv__meta_any_order_last_wins),
      cmocka_unit_test(test_tlv__meta_bad_known_field),
  };
  return TU_RUN(tests, NULL, NULL);
}

/* buf.c - growable byte buffers and an arena for decoded metadata. */
#include "format/format.h"

#include <stdlib.h>
#include <string.h>

void dps__buf_free(dps_buf *b) {
  free(b->data);
  b->data = NULL;
  b->len = b->cap = 0;
}

dps_status dps__buf_reserve(dps_buf *b, size_t extra) {
  if (extra <= b->cap - b->len) return DPS_OK;
  if (extra > SIZE_MAX / 2 - b->len) return DPS_ENOMEM;
  size_t cap = b->cap ? b->cap : 64;
  while (cap - b->len < extra) cap *= 2;
  uint8_t *p = realloc(b->data, cap);
  if (p == NULL) return DPS_ENOMEM;
  b->data = p;
  b->cap = cap;
  return DPS_OK;
}

dps_status dps__buf_append(dps_buf *b, const void *p, size_t n) {
  if (n == 0) return DPS_OK;
  dps_status s = dps__buf_reserve(b, n);
  if (s != DPS_OK) return s;
  memcpy(b->data + b->len, p, n);
  b->len += n;
  return DPS_OK;
}

dps_status dps__buf_put_u8(dps_buf *b, uint8_t v) {
  return dps__buf_append(b, &v, 1);
}

dps_status dps__buf_put_u16(dps_buf *b, uint16_t v) {
  uint8_t t[2];
  dps__store_u16(t, v);
  return dps__buf_append(b, t, 2);
}

dps_status dps__buf_put_u32(dps_buf *b, uint32_t v) {
  uint8_t t[4];
  dps__store_u32(t, v);
  return dps__buf_append(b, t, 4);
}

dps_status dps__buf_put_u64(dps_buf *b, uint64_t v) {
  uint8_t t[8];
  dps__store_u64(t, v);
  return dps__buf_append(b, t, 8);
}

dps_status dps__buf_put_varint(dps_buf *b, uint64_t v) {
  uint8_t t[10];
  size_t n = 0;
  while (v >= 0x80) {
    t[n++] = (uint8_t)(v | 0x80);
    v >>= 7;
  }
  t[n++] = (uint8_t)v;
  return dps__buf_append(b, t, n);
}

/* ---- arena ------------------------------------------------------------- */

struct dps_arena_block {
  struct dps_arena_block *next;
  size_t used;
  size_t size;
  _Alignas(16) unsigned char bytes[];
};

#define ARENA_BLOCK 8192u

void *dps__arena_alloc(dps_arena *a, size_t n) {
  n = (n + 15u) & ~(size_t)15u;
  if (n == 0) n = 16;
  struct dps_arena_block *b = a->head;
  if (b == NULL || b->size - b->used < n) {
    size_t size = n > ARENA_BLOCK ? n : ARENA_BLOCK;
    if (size > SIZE_MAX - sizeof *b) return NULL;
    b = calloc(1, sizeof *b + size);
    if (b == NULL) return NULL;
    b->size = size;
    b->next = a->head;
    a->head = b;
  }
  void *p = b->bytes + b->used;
  b->used += n;
  return p;
}

char *dps__arena_strndup(dps_arena *a, const char *s, size_t n) {
  if (n == SIZE_MAX) return NULL;
  char *p = dps__arena_alloc(a, n + 1);
  if (p == NULL) return NULL;
  if (n) memcpy(p, s, n);
  p[n] = '\0';
  return p;
}

char *dps__arena_strdup(dps_arena *a, const char *s) {
  return s == NULL ? NULL : dps__arena_strndup(a, s, strlen(s));
}

void dps__arena_free(dps_arena *a) {
  struct dps_arena_block *b = a->head;
  while (b != NULL) {
    struct dps_arena_block *next = b->next;
    free(b);
    b = next;
  }
  a->head = NULL;
}

/* ---- scratch ------------------------------------------------------------ */

struct dps_scratch_block {
  struct dps_scratch_block *next;
  _Alignas(64) unsigned char bytes[];
};

#if defined(__SANITIZE_ADDRESS__)
#  define DPS_ASAN 1
#elif defined(__has_feature)
#  if __has_feature(address_sanitizer)
#    define DPS_ASAN 1
#  endif
#endif

void *dps__scratch_alloc(dps_scratch *s, size_t n) {
  if (n > SIZE_MAX - 128) return NULL;
#ifdef DPS_ASAN
  /* Under AddressSanitizer every allocation is its own block of exactly
   * n bytes, so an overrun is caught instead of landing in the next one. */
  void *mem = NULL;
  if (posix_memalign(&mem, 64, sizeof(struct dps_scratch_block) + (n ? n : 1)) != 0)
    return NULL;
  struct dps_scratch_block *blk = mem;
  blk->next = s->extra;
  s->extra = blk;
  return blk->bytes;
#endif
  n = (n + 63) & ~(size_t)63;
  if (n == 0) n = 64;
  if (s->cap - s->used >= n) {
    void *p = s->base + s->used;
    s->used += n;
    return p;
  }
  /* Overflow until the next reset, which grows the main block to fit. */
  struct dps_scratch_block *b = aligned_alloc(64, ((sizeof *b + n) + 63) & ~(size_t)63);
  if (b == NULL) return NULL;
  b->next = s->extra;
  s->extra = b;
  s->extra_bytes += n;
  return b->bytes;
}

void dps__scratch_reset(dps_scratch *s) {
  if (s->extra != NULL) {
    size_t want = s->cap + s->extra_bytes;
    while (s->extra != NULL) {
      struct dps_scratch_block *next = s->extra->next;
      free(s->extra);
      s->extra = next;
    }
    s->extra_bytes = 0;
    free(s->base);
    want = (want + 63) & ~(size_t)63;
    s->base = want ? aligned_alloc(64, want) : NULL;
    s->cap = s->base ? want : 0;
  }
  s->used = 0;
}

void dps__scratch_free(dps_scratch *s) {
  dps__scratch_reset(s);
  dps__zstd_context_free(s->zstd);
  s->zstd = NULL;
  free(s->base);
  s->base = NULL;
  s->cap = 0;
}

/* utf8.c - UTF-8 validation (RFC 3629) and the XXH3 checksum wrapper. */
#include "format/format.h"

#include <xxhash.h>

uint64_t dps__hash64(const void *p, size_t n) { return XXH3_64bits(p, n); }

size_t dps__utf8_check(const uint8_t *s, size_t n) {
  size_t i = 0;
  while (i < n) {
    /* ASCII runs dominate real data: skip them eight bytes at a time. */
    while (i + 8 <= n) {
      uint64_t w = dps__load_u64(s + i);
      if (w & 0x8080808080808080ull) break;
      i += 8;
    }
    if (i >= n) break;
    uint8_t c = s[i];
    if (c < 0x80) { i++; continue; }
    size_t len;
    uint32_t cp;
    if (c >= 0xC2 && c <= 0xDF) { len = 2; cp = c & 0x1Fu; }
    else if (c >= 0xE0 && c <= 0xEF) { len = 3; cp = c & 0x0Fu; }
    else if (c >= 0xF0 && c <= 0xF4) { len = 4; cp = c & 0x07u; }
    else return i;  /* continuation byte, overlong lead or > U+10FFFF */
    if (len > n - i) return i;
    for (size_t k = 1; k < len; k++) {
      if ((s[i + k] & 0xC0) != 0x80) return i;
      cp = (cp << 6) | (s[i + k] & 0x3Fu);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
        cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
      return i;
    i += len;
  }
  return SIZE_MAX;
}

/* codec.c - page compression stages: none, lz4 block, zstd frame. */
#include "format/format.h"

#include <lz4.h>
#include <lz4hc.h>
#include <string.h>
#include <zstd.h>

const char *dps_compression_name(dps_compression c) {
  switch (c) {
    case DPS_COMPRESSION_DEFAULT: return "default";
    case DPS_COMPRESSION_NONE: return "none";
    case DPS_COMPRESSION_LZ4: return "lz4";
    case DPS_COMPRESSION_ZSTD: return "zstd";
    default: return "unknown";
  }
}

dps_status dps__compress(int codec, int level, const uint8_t *src, size_t n,
                         dps_buf *out, dps_error *err) {
  out->len = 0;
  if (codec == DPS_CODEC_NONE) {
    dps_status s = dps__buf_append(out, src, n);
    return s == DPS_OK ? s : dps__fail(err, s, "out of memory");
  }
  if (codec == DPS_CODEC_LZ4) {
    if (n > (size_t)LZ4_MAX_INPUT_SIZE)
      return dps__fail(err, DPS_EINVAL, "page of %zu bytes exceeds lz4's "
                       "limit of %d bytes", n, LZ4_MAX_INPUT_SIZE);
    int bound = LZ4_compressBound((int)n);
    if (dps__buf_reserve(out, (size_t)bound) != DPS_OK)
      return dps__fail(err, DPS_ENOMEM, "out of memory");
    /* Levels from LZ4HC_CLEVEL_MIN up select lz4 HC: slower to write,
     * smaller, and read by the same decoder. */
    int got = level >= LZ4HC_CLEVEL_MIN
                  ? LZ4_compress_HC((const char *)src, (char *)out->data,
                                    (int)n, bound, level)
                  : LZ4_compress_default((const char *)src,
                                         (char *)out->data, (int)n, bound);
    if (got <= 0 && n > 0)
      return dps__fail(err, DPS_EINVAL, "lz4 compression failed");
    out->len = (size_t)got;
    return DPS_OK;
  }
  if (codec == DPS_CODEC_ZSTD) {
    size_t bound = ZSTD_compressBound(n);
    if (dps__buf_reserve(out, bound) != DPS_OK)
      return dps__fail(err, DPS_ENOMEM, "out of memory");
    size_t got = ZSTD_compress(out->data, bound, src, n, level ? level : 3);
    if (ZSTD_isError(got))
      return dps__fail(err, DPS_EINVAL, "zstd compression failed: %s",
                       ZSTD_getErrorName(got));
    out->len = got;
    return DPS_OK;
  }
  return dps__fail(err, DPS_EINVAL, "unknown codec %d", codec);
}

void dps__zstd_context_free(void *ctx) { ZSTD_freeDCtx(ctx); }

dps_status dps__decompress(int codec, const uint8_t *src, size_t n,
                           uint8_t *dst, size_t raw_size, dps_scratch *scratch,
                           const char *where, dps_error *err) {
  switch (codec) {
    case DPS_CODEC_NONE:
      if (n != raw_size)
        return DPS_CORRUPT(err, "%s: expected %zu stored bytes for an "
                           "uncompressed page, found %zu", where, raw_size, n);
      if (n) memcpy(dst, src, n);
      return DPS_OK;
    case DPS_CODEC_LZ4: {
      if (n > (size_t)INT32_MAX || raw_size > (size_t)INT32_MAX)
        return DPS_CORRUPT(err, "%s: lz4 page too large", where);
      int got = LZ4_decompress_safe((const char *)src, (char *)dst, (int)n,
                                    (int)raw_size);
      if (got < 0 || (size_t)got != raw_size)
        return DPS_CORRUPT(err, "%s: expected an lz4 block of %zu bytes, "
                           "found %s", where, raw_size,
                           got < 0 ? "malformed lz4 data" : "a shorter block");
      return DPS_OK;
    }
    case DPS_CODEC_ZSTD: {
      unsigned long long content = ZSTD_getFrameContentSize(src, n);
      if (content != raw_size)
        return DPS_CORRUPT(err, "%s: expected a zstd frame of %zu bytes, "
                           "found a frame header saying %lld", where, raw_size,
                           (long long)content);
      if (scratch != NULL && scratch->zstd == NULL)
        scratch->zstd = ZSTD_createDCtx();  /* NULL: the one-shot call */
      size_t got = scratch != NULL && scratch->zstd != NULL
                       ? ZSTD_decompressDCtx(scratch->zstd, dst, raw_size, src, n)
                       : ZSTD_decompress(dst, raw_size, src, n);
      if (ZSTD_isError(got))
        return DPS_CORRUPT(err, "%s: zstd: %s", where, ZSTD_getErrorName(got));
      if (got != raw_size)
        return DPS_CORRUPT(err, "%s: expected %zu bytes from zstd, found %zu",
                           where, raw_size, got);
      return DPS_OK;
    }
    default:
      return dps__fail(err, DPS_EVERSION, "%s: page uses codec %d, unknown "
                       "to this reader (dpsnap %s reads format %d.%d)", where,
                       codec, dps_version_string(), DPS_FORMAT_MAJOR,
                       DPS_FORMAT_MINOR);
  }
}

/*
 * infer.c - values from CSV text, and the type inference of `import`.
 *
 * Every parser takes a pointer and a length (CSV fields are not
 * NUL-terminated) and is strict: no surrounding blanks, no thousands
 * separators, nothing after the value. Inference calls the same parsers as
 * the conversion, so a column inferred as a type always converts.
 */
#include "cli.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static int is_digit(char c) { return c >= '0' && c <= '9'; }

static int lower(char c) {
  return (c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c;
}

/* Case-insensitive comparison of p[0..n) with a lower-case word. */
static int word_is(const char *p, size_t n, const char *word) {
  size_t len = strlen(word);
  if (n != len) return 0;
  for (size_t i = 0; i < n; i++)
    if (lower(p[i]) != word[i]) return 0;
  return 1;
}

int cli_parse_bool(const char *p, size_t n, uint8_t *out) {
  if (word_is(p, n, "true")) {
    *out = 1;
    return CLI_PARSE_OK;
  }
  if (word_is(p, n, "false")) {
    *out = 0;
    return CLI_PARSE_OK;
  }
  return CLI_PARSE_SYNTAX;
}

/* Digits of an optionally signed integer into a magnitude; RANGE when it
 * does not fit 64 bits. */
static int parse_magnitude(const char *p, size_t n, int *neg, uint64_t *mag) {
  size_t i = 0;
  uint64_t v = 0;
  int overflow = 0;
  *neg = 0;
  if (n > 0 && (p[0] == '-' || p[0] == '+')) {
    *neg = p[0] == '-';
    i = 1;
  }
  if (i == n) return CLI_PARSE_SYNTAX;
  for (; i < n; i++) {
    if (!is_digit(p[i])) return CLI_PARSE_SYNTAX;
    unsigned d = (unsigned)(p[i] - '0');
    if (v > (UINT64_MAX - d) / 10) overflow = 1;
    else v = v * 10 + d;
  }
  *mag = v;
  return overflow ? CLI_PARSE_RANGE : CLI_PARSE_OK;
}

int cli_parse_int64(const char *p, size_t n, int64_t *out) {
  int neg;
  uint64_t mag;
  int rc = parse_magnitude(p, n, &neg, &mag);
  if (rc != CLI_PARSE_OK) return rc;
  if (neg) {
    if (mag > (uint64_t)INT64_MAX + 1u) return CLI_PARSE_RANGE;
    *out = mag == (uint64_t)INT64_MAX + 1u ? INT64_MIN : -(int64_t)mag;
  } else {
    if (mag > (uint64_t)INT64_MAX) return CLI_PARSE_RANGE;
    *out = (int64_t)mag;
  }
  return CLI_PARSE_OK;
}

int cli_parse_uint64(const char *p, size_t n, uint64_t *out) {
  int neg;
  uint64_t mag;
  int rc = parse_magnitude(p, n, &neg, &mag);
  if (rc != CLI_PARSE_OK) return rc;
  if (neg && mag != 0) return CLI_PARSE_RANGE;
  *out = mag;
  return CLI_PARSE_OK;
}

/* Checks the float grammar we accept -- [+-](digits[.digits]|.digits)
 * [e[+-]digits], inf, infinity, nan -- and copies the text NUL-terminated
 * into buf for strtod. strtod alone would also take hex floats, leading
 * blanks and locale-specific forms. */
static int float_text(const char *p, size_t n, char *buf, size_t cap,
                      int *special) {
  size_t i = 0, digits = 0;
  *special = 0;
  if (n == 0 || n >= cap) return CLI_PARSE_SYNTAX;
  if (p[0] == '-' || p[0] == '+') i = 1;
  if (word_is(p + i, n - i, "inf") || word_is(p + i, n - i, "infinity") ||
      word_is(p + i, n - i, "nan")) {
    *special = 1;
  } else {
    while (i < n && is_digit(p[i])) i++, digits++;
    if (i < n && p[i] == '.') {
      i++;
      while (i < n && is_digit(p[i])) i++, digits++;
    }
    if (digits == 0) return CLI_PARSE_SYNTAX;
    if (i < n && (p[i] == 'e' || p[i] == 'E')) {
      size_t exp_digits = 0;
      i++;
      if (i < n && (p[i] == '-' || p[i] == '+')) i++;
      while (i < n && is_digit(p[i])) i++, exp_digits++;
      if (exp_digits == 0) return CLI_PARSE_SYNTAX;
    }
    if (i != n) return CLI_PARSE_SYNTAX;
  }
  memcpy(buf, p, n);
  buf[n] = '\0';
  return CLI_PARSE_OK;
}

/* Longer numbers than this are refused: no float needs 400 digits, and a
 * fixed buffer keeps the per-value path free of allocation. */
#define FLOAT_TEXT_MAX 400

int cli_parse_float64(const char *p, size_t n, double *out) {
  char buf[FLOAT_TEXT_MAX];
  int special;
  if (float_text(p, n, buf, sizeof buf, &special) != CLI_PARSE_OK)
    return CLI_PARSE_SYNTAX;
  errno = 0;
  double v = strtod(buf, NULL);
  /* A finite text that overflows is an error rather than a silent inf;
   * underflow to a subnormal or zero keeps the nearest value. */
  if (!special && isinf(v)) return CLI_PARSE_RANGE;
  *out = v;
  return CLI_PARSE_OK;
}

int cli_parse_float32(const char *p, size_t n, float *out) {
  char buf[FLOAT_TEXT_MAX];
  int special;
  if (float_text(p, n, buf, sizeof buf, &special) != CLI_PARSE_OK)
    return CLI_PARSE_SYNTAX;
  float v = strtof(buf, NULL);
  if (!special && isinf(v)) return CLI_PARSE_RANGE;
  *out = v;
  return CLI_PARSE_OK;
}

static int two_digits(const char *p, unsigned *out) {
  if (!is_digit(p[0]) || !is_digit(p[1])) return -1;
  *out = (unsigned)(p[0] - '0') * 10 + (unsigned)(p[1] - '0');
  return 0;
}

static unsigned days_in_month(int64_t y, unsigned m) {
  static const unsigned days[12] = {31, 28, 31, 30, 31, 30,
                                    31, 31, 30, 31, 30, 31};
  if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)) return 29;
  return days[m - 1];
}

/* YYYY-MM-DD at p (exactly 10 bytes available) into days since epoch. */
static int parse_ymd(const char *p, int64_t *days) {
  unsigned hi, lo, m, d;
  if (two_digits(p, &hi) || two_digits(p + 2, &lo) || p[4] != '-' ||
      two_digits(p + 5, &m) || p[7] != '-' || two_digits(p + 8, &d))
    return CLI_PARSE_SYNTAX;
  int64_t y = (int64_t)(hi * 100 + lo);
  if (m < 1 || m > 12 || d < 1 || d > days_in_month(y, m))
    return CLI_PARSE_RANGE;
  *days = cli_days_from_civil(y, m, d);
  return CLI_PARSE_OK;
}

int cli_parse_date(const char *p, size_t n, int32_t *out) {
  int64_t days;
  if (n != 10) return CLI_PARSE_SYNTAX;
  int rc = parse_ymd(p, &days);
  if (rc != CLI_PARSE_OK) return rc;
  *out = (int32_t)days;  /* years 0000..9999 are far inside int32 days */
  return CLI_PARSE_OK;
}

int cli_parse_timestamp(const char *p, size_t n, int64_t *out) {
  int64_t days;
  unsigned hh, mi, ss = 0;
  int64_t frac = 0, offset_s = 0;
  size_t i;
  if (n < 10) return CLI_PARSE_SYNTAX;
  int rc = parse_ymd(p, &days);
  if (rc != CLI_PARSE_OK) return rc;
  if (n == 10) {
    *out = days * 86400 * 1000000;
    return CLI_PARSE_OK;
  }
  if (n < 16 || (p[10] != 'T' && p[10] != ' ') || two_digits(p + 11, &hh) ||
      p[13] != ':' || two_digits(p + 14, &mi))
    return CLI_PARSE_SYNTAX;
  i = 16;
  if (i < n && p[i] == ':') {
    if (i + 3 > n || two_digits(p + i + 1, &ss)) return CLI_PARSE_SYNTAX;
    i += 3;
    if (i < n && p[i] == '.') {
      size_t digits = 0;
      i++;
      while (i < n && is_digit(p[i]) && digits < 6) {
        frac = frac * 10 + (p[i] - '0');
        i++, digits++;
      }
      if (digits == 0 || (i < n && is_digit(p[i]))) return CLI_PARSE_SYNTAX;
      while (digits++ < 6) frac *= 10;
    }
  }
  if (i < n) {
    if (p[i] == 'Z' && i + 1 == n) {
      i++;
    } else if ((p[i] == '+' || p[i] == '-') && i + 6 == n) {
      unsigned oh, om;
      if (two_digits(p + i + 1, &oh) || p[i + 3] != ':' ||
          two_digits(p + i + 4, &om))
        return CLI_PARSE_SYNTAX;
      if (oh > 23 || om > 59) return CLI_PARSE_RANGE;
      offset_s = (int64_t)(oh * 3600 + om * 60);
      if (p[i] == '-') offset_s = -offset_s;
      i = n;
    } else {
      return CLI_PARSE_SYNTAX;
    }
  }
  if (hh > 23 || mi > 59 || ss > 59) return CLI_PARSE_RANGE;
  int64_t secs = days * 86400 + (int64_t)(hh * 3600 + mi * 60 + ss) - offset_s;
  *out = secs * 1000000 + frac;
  return CLI_PARSE_OK;
}

int cli_parse_decimal(const char *p, size_t n, int precision, int scale,
                      int64_t *out, int *why) {
  size_t i = 0;
  int neg = 0, int_digits = 0, frac_digits = 0, any = 0;
  int64_t v = 0;
  *why = 0;
  if (n > 0 && (p[0] == '-' || p[0] == '+')) {
    neg = p[0] == '-';
    i = 1;
  }
  /* Leading zeros carry no precision. */
  while (i < n && p[i] == '0') i++, any = 1;
  for (; i < n && is_digit(p[i]); i++) {
    any = 1;
    if (++int_digits + scale > precision) {
      *why = CLI_DECIMAL_INTEGER;
      return CLI_PARSE_RANGE;
    }
    v = v * 10 + (p[i] - '0');
  }
  if (i < n && p[i] == '.') {
    i++;
    for (; i < n && is_digit(p[i]); i++) {
      any = 1;
      if (++frac_digits > scale) {
        *why = CLI_DECIMAL_FRACTION;
        /* Keep scanning so that "1.2x" is reported as a syntax error. */
        while (i < n && is_digit(p[i])) i++;
        if (i != n) return CLI_PARSE_SYNTAX;
        return CLI_PARSE_RANGE;
      }
      v = v * 10 + (p[i] - '0');
    }
  }
  if (!any || i != n) return CLI_PARSE_SYNTAX;
  /* At most 18 digits in all, so v * 10^k stays below 10^18. */
  for (; frac_digits < scale; frac_digits++) v *= 10;
  *out = neg ? -v : v;
  return CLI_PARSE_OK;
}

static int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

int cli_parse_binary(const char *p, size_t n, cli_buf *out) {
  if (n < 2 || p[0] != '\\' || p[1] != 'x' || n % 2 != 0)
    return CLI_PARSE_SYNTAX;
  cli_buf_reserve(out, (n - 2) / 2);
  for (size_t i = 2; i < n; i += 2) {
    int hi = hex_value(p[i]), lo = hex_value(p[i + 1]);
    if (hi < 0 || lo < 0) return CLI_PARSE_SYNTAX;
    out->data[out->len++] = (char)(hi * 16 + lo);
  }
  return CLI_PARSE_OK;
}

/* "007" or "-00.5": a zero that carries no value. Inference leaves such
 * columns as strings so that codes like ZIP 01234 keep their zeros. */
static int redundant_zero(const char *p, size_t n) {
  size_t i = (n > 0 && (p[0] == '-' || p[0] == '+')) ? 1 : 0;
  return i + 1 < n && p[i] == '0' && is_digit(p[i + 1]);
}

unsigned cli_infer_narrow(unsigned cand, const char *p, size_t n) {
  if (n == 0) return 0;  /* a quoted "" is an empty string */
  if (cand & CLI_CAND_BOOL) {
    uint8_t b;
    if (cli_parse_bool(p, n, &b) != CLI_PARSE_OK) cand &= ~CLI_CAND_BOOL;
  }
  if (cand & (CLI_CAND_INT64 | CLI_CAND_FLOAT64)) {
    int64_t i64;
    double f64;
    if (redundant_zero(p, n)) {
      cand &= ~(CLI_CAND_INT64 | CLI_CAND_FLOAT64);
    } else if ((cand & CLI_CAND_INT64) &&
               cli_parse_int64(p, n, &i64) == CLI_PARSE_OK) {
      /* an int64 is also a float64: nothing to remove */
    } else {
      cand &= ~CLI_CAND_INT64;
      if ((cand & CLI_CAND_FLOAT64) &&
          cli_parse_float64(p, n, &f64) != CLI_PARSE_OK)
        cand &= ~CLI_CAND_FLOAT64;
    }
  }
  if (cand & (CLI_CAND_DATE | CLI_CAND_TIMESTAMP)) {
    int32_t d;
    int64_t ts;
    if (n < 10 || p[4] != '-') {
      cand &= ~(CLI_CAND_DATE | CLI_CAND_TIMESTAMP);
    } else if ((cand & CLI_CAND_DATE) &&
               cli_parse_date(p, n, &d) == CLI_PARSE_OK) {
      /* a date is also a timestamp (midnight UTC) */
    } else {
      cand &= ~CLI_CAND_DATE;
      if ((cand & CLI_CAND_TIMESTAMP) &&
          cli_parse_timestamp(p, n, &ts) != CLI_PARSE_OK)
        cand &= ~CLI_CAND_TIMESTAMP;
    }
  }
  return cand;
}

dps_type cli_infer_type(unsigned cand) {
  if (cand & CLI_CAND_BOOL) return DPS_TYPE_BOOL;
  if (cand & CLI_CAND_INT64) return DPS_TYPE_INT64;
  if (cand & CLI_CAND_FLOAT64) return DPS_TYPE_FLOAT64;
  if (cand & CLI_CAND_DATE) return DPS_TYPE_DATE;
  if (cand & CLI_CAND_TIMESTAMP) return DPS_TYPE_TIMESTAMP;
  return DPS_TYPE_STRING;
}

/*
 * expr.c - the --where and --agg languages of `dpsnap scan`: a tokenizer
 * and a recursive-descent parser that builds dps_query nodes directly.
 *
 * The library checks names and types again when the scan opens; checking
 * them here as well is what lets a message point at the character where
 * the problem is, which the library, seeing only nodes, cannot do.
 */
#include "expr.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* Nesting deeper than this is refused rather than risking the stack. */
#define MAX_DEPTH 200
/* Longest token shown in a message, in bytes. */
#define TOKEN_SHOWN_MAX 40

/* ---------------------------------------------------------------------- */
/* Tokens                                                                 */
/* ---------------------------------------------------------------------- */

typedef enum tok_kind {
  T_END,     /* end of the text */
  T_IDENT,   /* bare name or keyword */
  T_QIDENT,  /* "double-quoted" name */
  T_STRING,  /* 'single-quoted' string */
  T_NUMBER,  /* digits[.digits][e[+-]digits] */
  T_LPAREN, T_RPAREN, T_COMMA,
  T_EQ, T_NE, T_LT, T_LE, T_GT, T_GE,
  T_PLUS, T_MINUS, T_STAR,
  T_BAD      /* what the tokenizer could not read; value says why */
} tok_kind;

typedef struct token {
  tok_kind kind;     /* what it is */
  size_t start;      /* first byte in the text */
  size_t len;        /* bytes as written */
  char *value;       /* names and strings unescaped, NUL-terminated (they
                        may hold NULs: see value_len); T_BAD: the problem */
  size_t value_len;  /* bytes of value */
} token;

typedef struct parser {
  const char *what;          /* "--where" or "--agg", for messages */
  const char *text;          /* the expression */
  dps_query *q;              /* receives the nodes */
  const dps_schema *schema;  /* names and types */
  token *toks;               /* every token, T_END last */
  size_t n_toks;             /* tokens in toks */
  size_t cap_toks;           /* allocated entries of toks */
  size_t at;                 /* next token */
  int depth;                 /* current nesting */
  cli_buf *msg;              /* receives the first error */
  int failed;                /* an error was reported */
  char shown[4][TOKEN_SHOWN_MAX + 16]; /* tokens quoted for messages */
  unsigned next_shown;       /* next entry of shown to fill */
} parser;

static int is_alpha(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
         c >= 0x80;
}
static int is_digit(unsigned char c) { return c >= '0' && c <= '9'; }
static int is_space(unsigned char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
         c == '\v';
}
static char lower(char c) {
  return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

static void push(parser *p, token t) {
  if (p->n_toks == p->cap_toks) {
    p->cap_toks = p->cap_toks != 0 ? p->cap_toks * 2 : 32;
    p->toks = cli_realloc(p->toks, p->cap_toks * sizeof *p->toks);
  }
  p->toks[p->n_toks++] = t;
}

static void set_bad(token *t, const char *why) {
  t->kind = T_BAD;
  t->value = cli_strndup(why, strlen(why));
  t->value_len = strlen(why);
}

/* A quoted string or name starting at s[i] (the quote); a doubled quote
 * stands for one. Returns the index after the closing quote, or 0 when
 * there is none. */
static size_t lex_quoted(const char *s, size_t i, size_t n, cli_buf *out) {
  char q = s[i++];
  while (i < n) {
    if (s[i] == q) {
      if (i + 1 < n && s[i + 1] == q) {
        cli_buf_putc(out, q);
        i += 2;
        continue;
      }
      return i + 1;
    }
    cli_buf_putc(out, s[i++]);
  }
  return 0;
}

/* Reads the whole text into tokens. A token the tokenizer cannot read
 * becomes T_BAD followed by T_END, so that the parser reports whichever
 * problem comes first in the text. */
static void lex(parser *p) {
  const char *s = p->text;
  size_t n = strlen(s), i = 0;
  for (;;) {
    while (i < n && is_space((unsigned char)s[i])) i++;
    token t = {T_END, i, 0, NULL, 0};
    if (i >= n) {
      push(p, t);
      return;
    }
    unsigned char c = (unsigned char)s[i];
    unsigned char c1 = i + 1 < n ? (unsigned char)s[i + 1] : 0;
    size_t j = i + 1;
    if (is_alpha(c)) {
      while (j < n && (is_alpha((unsigned char)s[j]) ||
                       is_digit((unsigned char)s[j]) || s[j] == '.'))
        j++;
      t.kind = T_IDENT;
      t.value = cli_strndup(s + i, j - i);
      t.value_len = j - i;
    } else if (is_digit(c) || (c == '.' && is_digit(c1))) {
      j = i;
      while (j < n && is_digit((unsigned char)s[j])) j++;
      if (j < n && s[j] == '.') {
        j++;
        while (j < n && is_digit((unsigned char)s[j])) j++;
      }
      int ok = 1;
      if (j < n && (s[j] == 'e' || s[j] == 'E')) {
        size_t k = j + 1;
        if (k < n && (s[k] == '+' || s[k] == '-')) k++;
        if (k < n && is_digit((unsigned char)s[k])) {
          while (k < n && is_digit((unsigned char)s[k])) k++;
          j = k;
        } else {
          ok = 0;
        }
      }
      /* "12abc" or "1e": one malformed token rather than two odd ones. */
      while (j < n && (is_alpha((unsigned char)s[j]) ||
                       is_digit((unsigned char)s[j]) || s[j] == '.')) {
        ok = 0;
        j++;
      }
      t.kind = T_NUMBER;
      t.value = cli_strndup(s + i, j - i);
      t.value_len = j - i;
      if (!ok) {
        free(t.value);
        set_bad(&t, "malformed number: expected digits, an optional "
                    "fraction and an optional exponent, as in 24, 0.05, "
                    "2.5e-3");
      }
    } else if (c == '\'' || c == '"') {
      cli_buf v = {NULL, 0, 0};
      size_t end = lex_quoted(s, i, n, &v);
      if (end == 0) {
        cli_buf_free(&v);
        j = n;
        set_bad(&t, c == '\'' ? "the string starting here has no closing "
                                "quote (write '' for a quote inside it)"
                              : "the name starting here has no closing "
                                "double quote");
      } else {
        j = end;
        t.kind = c == '\'' ? T_STRING : T_QIDENT;
        t.value_len = v.len;
        t.value = cli_strndup(v.data != NULL ? v.data : "", v.len);
        cli_buf_free(&v);
        if (t.kind == T_QIDENT && t.value_len == 0)
          set_bad(&t, "empty column name \"\"");
      }
    } else {
      switch (c) {
        case '(': t.kind = T_LPAREN; break;
        case ')': t.kind = T_RPAREN; break;
        case ',': t.kind = T_COMMA; break;
        case '+': t.kind = T_PLUS; break;
        case '-': t.kind = T_MINUS; break;
        case '*': t.kind = T_STAR; break;
        case '=':
          t.kind = T_EQ;
          if (c1 == '=') j++;
          break;
        case '!':
          if (c1 == '=') {
            t.kind = T_NE;
            j++;
          } else {
            set_bad(&t, "'!' alone is not an operator: use != or not");
          }
          break;
        case '<':
          t.kind = c1 == '=' ? T_LE : c1 == '>' ? T_NE : T_LT;
          j += t.kind != T_LT;
          break;
        case '>':
          t.kind = c1 == '=' ? T_GE : T_GT;
          j += t.kind == T_GE;
          break;
        default: {
          char why[80];
          if (c >= 0x20 && c < 0x7F)
            snprintf(why, sizeof why, "unexpected character '%c'", c);
          else
            snprintf(why, sizeof why, "unexpected byte 0x%02x", c);
          set_bad(&t, why);
          break;
        }
      }
    }
    t.len = j - i;
    push(p, t);
    if (t.kind == T_BAD) {
      token end = {T_END, n, 0, NULL, 0};
      push(p, end);
      return;
    }
    i = j;
  }
}

static token *peek(parser *p) { return &p->toks[p->at]; }
static token *peek_at(parser *p, size_t k) {
  size_t i = p->at + k;
  return &p->toks[i < p->n_toks ? i : p->n_toks - 1];
}
static token *next(parser *p) {
  token *t = &p->toks[p->at];
  if (t->kind != T_END) p->at++;
  return t;
}

/* A bare word equal to `kw`, case-insensitively. */
static int is_kw(const token *t, const char *kw) {
  if (t->kind != T_IDENT || t->value_len != strlen(kw)) return 0;
  for (size_t i = 0; i < t->value_len; i++)
    if (lower(t->value[i]) != kw[i]) return 0;
  return 1;
}

/* Words that cannot name a column without double quotes. */
static int is_reserved(const token *t) {
  static const char *const words[] = {"and", "or", "not", "between", "in",
                                      "is", "null", "true", "false"};
  for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
    if (is_kw(t, words[i])) return 1;
  return 0;
}

/* ---------------------------------------------------------------------- */
/* Messages                                                               */
/* ---------------------------------------------------------------------- */

/* 1-based character (not byte) position of byte `at`. */
static size_t char_pos(const parser *p, size_t at) {
  size_t pos = 1;
  for (size_t i = 0; i < at && p->text[i] != '\0'; i++)
    pos += ((unsigned char)p->text[i] & 0xC0) != 0x80;
  return pos;
}

/* The token as written, quoted for a message; valid until four more
 * calls. */
static const char *shown(parser *p, const token *t) {
  char *s = p->shown[p->next_shown++ & 3];
  size_t cap = sizeof p->shown[0];
  if (t->kind == T_END) {
    snprintf(s, cap, "the end of the expression");
    return s;
  }
  size_t n = t->len;
  const char *suffix = "";
  if (n > TOKEN_SHOWN_MAX) {
    n = TOKEN_SHOWN_MAX;
    while (n > 0 && ((unsigned char)p->text[t->start + n] & 0xC0) == 0x80)
      n--;
    suffix = "...";
  }
  /* Strings and quoted names carry their own quotes. */
  const char *q = (t->kind == T_STRING || t->kind == T_QIDENT) ? "" : "'";
  snprintf(s, cap, "%s%.*s%s%s", q, (int)n, p->text + t->start, suffix, q);
  return s;
}

/* Records the first error: "<what>: at N: <message>", then the text with
 * a caret under position N. */
static void fail(parser *p, size_t at, const char *fmt, ...) CLI_PRINTF(3, 4);
static void fail(parser *p, size_t at, const char *fmt, ...) {
  if (p->failed) return;
  p->failed = 1;
  size_t pos = char_pos(p, at);
  cli_buf_printf(p->msg, "%s: at %zu: ", p->what, pos);
  va_list ap;
  va_start(ap, fmt);
  int len = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (len > 0) {
    cli_buf_reserve(p->msg, (size_t)len + 1);
    va_start(ap, fmt);
    vsnprintf(p->msg->data + p->msg->len, (size_t)len + 1, fmt, ap);
    va_end(ap);
    p->msg->len += (size_t)len;
  }
  cli_buf_puts(p->msg, "\n  ");
  for (const char *c = p->text; *c != '\0'; c++)
    cli_buf_putc(p->msg, ((unsigned char)*c < 0x20 || *c == 0x7F) ? ' ' : *c);
  cli_buf_puts(p->msg, "\n  ");
  for (size_t i = 1; i < pos; i++) cli_buf_putc(p->msg, ' ');
  cli_buf_putc(p->msg, '^');
}

/* "expected <what> after <previous token>, found <current token>", or the
 * tokenizer's complaint when the current token is one it could not read. */
static void expected(parser *p, const char *what) {
  const token *t = peek(p);
  if (t->kind == T_BAD) {
    fail(p, t->start, "%s", t->value);
  } else if (p->at == 0) {
    fail(p, t->start, "expected %s, found %s", what, shown(p, t));
  } else {
    const char *prev = shown(p, &p->toks[p->at - 1]);
    fail(p, t->start, "expected %s after %s, found %s", what, prev,
         shown(p, t));
  }
}

void cli_buf_nearest_columns(cli_buf *b, const dps_schema *schema,
                             const char *name) {
  size_t n = dps_schema_column_count(schema), len = strlen(name);
  size_t best[3], score[3], k = 0;
  char *want = cli_strndup(name, len);
  for (size_t i = 0; i < len; i++) want[i] = lower(want[i]);
  size_t limit = len / 2 > 2 ? len / 2 : 2;
  for (size_t i = 0; i < n; i++) {
    dps_column_view c;
    if (dps_schema_column(schema, i, &c) != DPS_OK) continue;
    char *have = cli_strndup(c.name, strlen(c.name));
    for (char *h = have; *h != '\0'; h++) *h = lower(*h);
    size_t d = cli_edit_distance(want, have);
    /* "shipdate" is near "l_shipdate" however long the prefix is. */
    int inside = len >= 3 && strstr(have, want) != NULL;
    free(have);
    if (d > limit && !inside) continue;
    /* Insertion into the three best, by distance then schema order. */
    size_t slot = k;
    while (slot > 0 && score[slot - 1] > d) slot--;
    if (slot >= 3) continue;
    for (size_t m = (k < 3 ? k : 2); m > slot; m--) {
      best[m] = best[m - 1];
      score[m] = score[m - 1];
    }
    best[slot] = i;
    score[slot] = d;
    if (k < 3) k++;
  }
  free(want);
  if (k == 0) {
    cli_buf_puts(b, "; the columns are: ");
    cli_buf_column_list(b, schema);
    return;
  }
  cli_buf_puts(b, "; nearest: ");
  for (size_t i = 0; i < k; i++) {
    dps_column_view c;
    dps_schema_column(schema, best[i], &c);
    cli_buf_printf(b, "%s%s", i != 0 ? ", " : "", c.name);
  }
}

/* ---------------------------------------------------------------------- */
/* Operands: columns and literals                                         */
/* ---------------------------------------------------------------------- */

typedef enum lit_kind {
  L_INT, L_UINT, L_DEC, L_FLOAT, L_DATE, L_TS, L_STRING, L_BOOL
} lit_kind;

/* What a column type compares with (spec/SCAN.md [SCAN-5]). */
typedef enum col_class { C_NUMBER, C_TIME, C_TEXT, C_BOOL } col_class;

typedef struct operand {
  int is_column;          /* column, else literal */
  size_t start, end;      /* bytes of the operand in the text */
  dps_column_view col;    /* a column: name and type (borrowed) */
  lit_kind kind;          /* a literal: */
  int64_t i;              /*   INT, DEC (unscaled), DATE, TS, BOOL */
  uint64_t u;             /*   UINT */
  double f;               /*   FLOAT */
  int scale;              /*   DEC */
  const char *s;          /*   STRING bytes (the token's) */
  size_t len;             /*   STRING length */
} operand;

static col_class class_of(dps_type t) {
  switch (t) {
    case DPS_TYPE_DATE: case DPS_TYPE_TIMESTAMP: return C_TIME;
    case DPS_TYPE_STRING: case DPS_TYPE_BINARY: return C_TEXT;
    case DPS_TYPE_BOOL: return C_BOOL;
    default: return C_NUMBER;
  }
}

static int is_number_kind(lit_kind k) {
  return k == L_INT || k == L_UINT || k == L_DEC || k == L_FLOAT;
}

/* Resolves the name token t (T_IDENT or T_QIDENT) in the schema. */
static int column_of(parser *p, const token *t, operand *o) {
  memset(o, 0, sizeof *o);
  o->is_column = 1;
  o->start = t->start;
  o->end = t->start + t->len;
  long idx = strlen(t->value) == t->value_len
                 ? dps_schema_find(p->schema, t->value)
                 : -1;
  if (idx < 0 || dps_schema_column(p->schema, (size_t)idx, &o->col) != DPS_OK) {
    cli_buf near = {NULL, 0, 0};
    cli_buf_nearest_columns(&near, p->schema, t->value);
    fail(p, t->start, "unknown column '%s'%s", t->value, cli_buf_cstr(&near));
    cli_buf_free(&near);
    return -1;
  }
  return 0;
}

/* Why a date or timestamp text does not parse, for a message. */
static void time_problem(const char *s, size_t n, int timestamp, char *out,
                         size_t cap) {
  int32_t d;
  int64_t ts;
  int rc = timestamp ? cli_parse_timestamp(s, n, &ts)
                     : cli_parse_date(s, n, &d);
  if (rc == CLI_PARSE_SYNTAX) {
    snprintf(out, cap, "expected %s",
             timestamp ? "'YYYY-MM-DD[ hh:mm[:ss[.ffffff]]][Z]'"
                       : "'YYYY-MM-DD'");
    return;
  }
  /* A range error comes after the YYYY-MM-DD shape was checked. */
  unsigned m = (unsigned)(s[5] - '0') * 10 + (unsigned)(s[6] - '0');
  unsigned day = (unsigned)(s[8] - '0') * 10 + (unsigned)(s[9] - '0');
  if (m < 1 || m > 12) {
    snprintf(out, cap, "month %02u is not 01..12", m);
  } else if (n == 10 || cli_parse_date(s, 10, &d) != CLI_PARSE_OK) {
    snprintf(out, cap, "%.7s has no day %02u", s, day);
  } else {
    snprintf(out, cap, "the time is out of range (hours 00..23, minutes "
                       "and seconds 00..59)");
  }
}

/* A number token (negated when `neg`) as the narrowest exact literal:
 * int64, else uint64; with a fraction an exact decimal of up to 18
 * significant digits and scale 18, else a double; with an exponent a
 * double. */
static int number_of(parser *p, const token *t, int neg, size_t start,
                     operand *o) {
  const char *s = t->value;
  memset(o, 0, sizeof *o);
  o->start = start;
  o->end = t->start + t->len;
  int has_exp = strchr(s, 'e') != NULL || strchr(s, 'E') != NULL;
  const char *dot = strchr(s, '.');
  if (!has_exp) {
    uint64_t mag = 0;
    int digits = 0, scale = 0, overflow = 0;
    for (const char *c = s; *c != '\0'; c++) {
      if (*c == '.') continue;
      unsigned d = (unsigned)(*c - '0');
      if (dot != NULL && c > dot) scale++;
      if (digits == 0 && d == 0) continue;  /* leading zeros */
      digits++;
      if (mag > (UINT64_MAX - d) / 10) overflow = 1;
      else mag = mag * 10 + d;
    }
    if (dot == NULL) {
      if (overflow || (neg && mag > (uint64_t)INT64_MAX + 1)) {
        fail(p, start, "the integer %s%s does not fit in 64 bits (%s); "
             "write it with an exponent (1e20) for a float", neg ? "-" : "",
             s, neg ? "-9223372036854775808 is the least" :
                      "18446744073709551615 is the largest");
        return -1;
      }
      if (neg) {
        o->kind = L_INT;
        o->i = mag == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)mag;
      } else if (mag <= (uint64_t)INT64_MAX) {
        o->kind = L_INT;
        o->i = (int64_t)mag;
      } else {
        o->kind = L_UINT;
        o->u = mag;
      }
      return 0;
    }
    if (digits <= 18 && scale <= 18 && !overflow) {
      o->kind = L_DEC;
      o->i = neg ? -(int64_t)mag : (int64_t)mag;
      o->scale = scale;
      return 0;
    }
  }
  errno = 0;
  double v = strtod(s, NULL);
  if (isinf(v)) {
    fail(p, start, "the number %s%s is too large for a double", neg ? "-" : "",
         s);
    return -1;
  }
  o->kind = L_FLOAT;
  o->f = neg ? -v : v;
  return 0;
}

/* Is the current token the start of a literal? */
static int at_literal(parser *p) {
  const token *t = peek(p), *t1 = peek_at(p, 1);
  if (t->kind == T_STRING || t->kind == T_NUMBER || t->kind == T_MINUS)
    return 1;
  if ((is_kw(t, "date") || is_kw(t, "timestamp")) && t1->kind == T_STRING)
    return 1;
  return is_kw(t, "true") || is_kw(t, "false") || is_kw(t, "inf") ||
         is_kw(t, "nan");
}

/* A literal at the current token (at_literal holds). */
static int parse_literal_here(parser *p, operand *o) {
  token *t = next(p);
  memset(o, 0, sizeof *o);
  o->start = t->start;
  o->end = t->start + t->len;
  if (t->kind == T_MINUS) {
    token *u = peek(p);
    if (u->kind == T_NUMBER) {
      next(p);
      return number_of(p, u, 1, t->start, o);
    }
    if (is_kw(u, "inf")) {
      next(p);
      o->end = u->start + u->len;
      o->kind = L_FLOAT;
      o->f = -INFINITY;
      return 0;
    }
    expected(p, "a number");
    return -1;
  }
  if (t->kind == T_NUMBER) return number_of(p, t, 0, t->start, o);
  if (t->kind == T_STRING) {
    o->kind = L_STRING;
    o->s = t->value;
    o->len = t->value_len;
    return 0;
  }
  if (is_kw(t, "true") || is_kw(t, "false")) {
    o->kind = L_BOOL;
    o->i = is_kw(t, "true");
    return 0;
  }
  if (is_kw(t, "inf") || is_kw(t, "nan")) {
    o->kind = L_FLOAT;
    o->f = is_kw(t, "inf") ? INFINITY : NAN;
    return 0;
  }
  /* date '...' or timestamp '...' */
  int timestamp = is_kw(t, "timestamp");
  token *str = next(p);
  o->end = str->start + str->len;
  int rc;
  if (timestamp) {
    o->kind = L_TS;
    rc = cli_parse_timestamp(str->value, str->value_len, &o->i);
  } else {
    int32_t d = 0;
    o->kind = L_DATE;
    rc = cli_parse_date(str->value, str->value_len, &d);
    o->i = d;
  }
  if (rc != CLI_PARSE_OK) {
    char why[120];
    time_problem(str->value, str->value_len, timestamp, why, sizeof why);
    fail(p, t->start, "bad %s literal %s: %s",
         timestamp ? "timestamp" : "date", shown(p, str), why);
    return -1;
  }
  return 0;
}

/* A literal where one is required: "expected a literal after X". */
static int parse_literal(parser *p, operand *o) {
  if (!at_literal(p)) {
    expected(p, "a literal");
    return -1;
  }
  return parse_literal_here(p, o);
}

/* A column or a literal; `what` says which the context wants. */
static int parse_operand(parser *p, operand *o, const char *what) {
  token *t = peek(p);
  if (at_literal(p)) return parse_literal_here(p, o);
  if (t->kind == T_QIDENT || (t->kind == T_IDENT && !is_reserved(t))) {
    next(p);
    return column_of(p, t, o);
  }
  expected(p, what);
  return -1;
}

/* The operand as written: a column quoted ('l_tax'), a literal as is
 * ('abc', date '1994-01-01', -3). */
static const char *operand_text(parser *p, const operand *o) {
  token t = {o->is_column ? T_IDENT : T_STRING, o->start, o->end - o->start,
             NULL, 0};
  return shown(p, &t);
}

static const char *lit_noun(lit_kind k) {
  switch (k) {
    case L_DATE: case L_TS: return "the literal";
    case L_STRING: return "the string";
    case L_BOOL: return "the boolean";
    default: return "the number";
  }
}

/* What a column class compares with, for messages. */
static const char *takes(col_class cls) {
  switch (cls) {
    case C_NUMBER:
      return "numeric columns compare with numbers such as 24, -3, 0.05 or "
             "1e3";
    case C_TIME:
      return "date and timestamp columns compare with date 'YYYY-MM-DD' or "
             "timestamp 'YYYY-MM-DD hh:mm:ss'";
    case C_TEXT:
      return "string and binary columns compare with 'quoted strings'";
    default:
      return "bool columns compare with true or false";
  }
}

/* Checks literal l against column c (spec/SCAN.md [SCAN-5]); a plain
 * string against a date or timestamp column is read as one. */
static int check_literal(parser *p, const operand *c, operand *l) {
  col_class cls = class_of(c->col.type);
  int ok;
  switch (cls) {
    case C_NUMBER: ok = is_number_kind(l->kind); break;
    case C_TIME: ok = l->kind == L_DATE || l->kind == L_TS ||
                      l->kind == L_STRING; break;
    case C_TEXT: ok = l->kind == L_STRING; break;
    default: ok = l->kind == L_BOOL; break;
  }
  cli_buf type = {NULL, 0, 0};
  cli_buf_type(&type, &c->col);
  if (!ok) {
    fail(p, l->start, "cannot compare column '%s' (%s) with %s %s: %s",
         c->col.name, cli_buf_cstr(&type), lit_noun(l->kind),
         operand_text(p, l), takes(cls));
    cli_buf_free(&type);
    return -1;
  }
  if (cls == C_TIME && l->kind == L_STRING) {
    int32_t d = 0;
    int64_t ts = 0;
    int as_date = c->col.type == DPS_TYPE_DATE && l->len == 10;
    int rc = as_date ? cli_parse_date(l->s, l->len, &d)
                     : cli_parse_timestamp(l->s, l->len, &ts);
    if (rc != CLI_PARSE_OK) {
      char why[120];
      time_problem(l->s, l->len, !as_date, why, sizeof why);
      fail(p, l->start, "%s is not a %s for column '%s' (%s): %s",
           operand_text(p, l), as_date ? "date" : "timestamp", c->col.name,
           cli_buf_cstr(&type), why);
      cli_buf_free(&type);
      return -1;
    }
    l->kind = as_date ? L_DATE : L_TS;
    l->i = as_date ? d : ts;
  }
  cli_buf_free(&type);
  return 0;
}

static dps_node *node_of(parser *p, const operand *o) {
  if (o->is_column) return dps_q_column(p->q, o->col.name);
  switch (o->kind) {
    case L_INT: return dps_q_int(p->q, o->i);
    case L_UINT: return dps_q_uint(p->q, o->u);
    case L_DEC: return dps_q_decimal(p->q, o->i, o->scale);
    case L_FLOAT: return dps_q_float(p->q, o->f);
    case L_DATE: return dps_q_date(p->q, (int32_t)o->i);
    case L_TS: return dps_q_timestamp(p->q, o->i);
    case L_STRING: return dps_q_string(p->q, o->s, o->len);
    case L_BOOL: return dps_q_bool(p->q, (int)o->i);
  }
  return NULL;
}

/* ---------------------------------------------------------------------- */
/* --where                                                                */
/* ---------------------------------------------------------------------- */

static dps_node *parse_or(parser *p);

static int cmp_of(tok_kind k, dps_cmp_op *op) {
  switch (k) {
    case T_EQ: *op = DPS_EQ; return 1;
    case T_NE: *op = DPS_NE; return 1;
    case T_LT: *op = DPS_LT; return 1;
    case T_LE: *op = DPS_LE; return 1;
    case T_GT: *op = DPS_GT; return 1;
    case T_GE: *op = DPS_GE; return 1;
    default: return 0;
  }
}

static int need(parser *p, tok_kind k, const char *what) {
  if (peek(p)->kind != k) {
    expected(p, what);
    return -1;
  }
  next(p);
  return 0;
}

/* starts_with(column, 'prefix') */
static dps_node *parse_starts_with(parser *p) {
  next(p);
  next(p);  /* '(' */
  operand c, l;
  if (parse_operand(p, &c, "a string column")) return NULL;
  if (!c.is_column) {
    fail(p, c.start, "starts_with takes a column first, found %s",
         operand_text(p, &c));
    return NULL;
  }
  if (class_of(c.col.type) != C_TEXT) {
    fail(p, c.start, "starts_with needs a string or binary column; '%s' is "
         "%s", c.col.name, dps_type_name(c.col.type));
    return NULL;
  }
  if (need(p, T_COMMA, "',' and the prefix")) return NULL;
  if (parse_literal(p, &l)) return NULL;
  if (l.kind != L_STRING) {
    fail(p, l.start, "starts_with takes a 'quoted string' prefix, found %s",
         operand_text(p, &l));
    return NULL;
  }
  if (need(p, T_RPAREN, "')' to close starts_with(")) return NULL;
  return dps_q_starts_with(p->q, node_of(p, &c), node_of(p, &l));
}

/* Operators that take a column on their left. */
static int need_column(parser *p, const operand *a, const token *op) {
  if (a->is_column) return 0;
  fail(p, a->start, "%s needs a column on its left, found %s", shown(p, op),
       operand_text(p, a));
  return -1;
}

/* Consumes the ')' that closes the '(' at `open`, or fails saying so. */
static int close_paren(parser *p, const token *open) {
  if (peek(p)->kind != T_RPAREN) {
    char what[64];
    snprintf(what, sizeof what, "')' to close the '(' at %zu",
             char_pos(p, open->start));
    expected(p, what);
    return -1;
  }
  next(p);
  return 0;
}

static dps_node *parse_pred(parser *p) {
  token *t = peek(p);
  if (t->kind == T_LPAREN) {
    next(p);
    dps_node *n = parse_or(p);
    if (p->failed) return NULL;
    if (close_paren(p, t)) return NULL;
    return n;
  }
  if (is_kw(t, "starts_with") && peek_at(p, 1)->kind == T_LPAREN)
    return parse_starts_with(p);

  operand a;
  if (parse_operand(p, &a, "a column or a literal")) return NULL;
  token *op = peek(p);
  dps_cmp_op cop;
  if (cmp_of(op->kind, &cop)) {
    next(p);
    operand b;
    if (parse_operand(p, &b, a.is_column ? "a literal" : "a column"))
      return NULL;
    if (a.is_column && b.is_column) {
      fail(p, b.start, "a comparison takes a column and a literal, found "
           "two columns ('%s' and '%s')", a.col.name, b.col.name);
      return NULL;
    }
    if (!a.is_column && !b.is_column) {
      fail(p, a.start, "a comparison takes a column and a literal, found "
           "two literals");
      return NULL;
    }
    if (check_literal(p, a.is_column ? &a : &b, a.is_column ? &b : &a))
      return NULL;
    return dps_q_cmp(p->q, cop, node_of(p, &a), node_of(p, &b));
  }

  int negate = 0;
  if (is_kw(op, "not") &&
      (is_kw(peek_at(p, 1), "in") || is_kw(peek_at(p, 1), "between"))) {
    negate = 1;
    next(p);
    op = peek(p);
  }
  dps_node *n = NULL;
  if (is_kw(op, "between")) {
    if (need_column(p, &a, op)) return NULL;
    next(p);
    operand lo, hi;
    if (parse_literal(p, &lo) || check_literal(p, &a, &lo)) return NULL;
    if (!is_kw(peek(p), "and")) {
      expected(p, "'and' (x between LOW and HIGH)");
      return NULL;
    }
    next(p);
    if (parse_literal(p, &hi) || check_literal(p, &a, &hi)) return NULL;
    n = dps_q_between(p->q, node_of(p, &a), node_of(p, &lo), node_of(p, &hi));
  } else if (is_kw(op, "in")) {
    if (need_column(p, &a, op)) return NULL;
    next(p);
    if (need(p, T_LPAREN, "'(' and a list of literals")) return NULL;
    dps_node **items = NULL;
    size_t k = 0, cap = 0;
    for (;;) {
      operand l;
      if (parse_literal(p, &l) || check_literal(p, &a, &l)) {
        free(items);
        return NULL;
      }
      if (k == cap) {
        cap = cap != 0 ? cap * 2 : 8;
        items = cli_realloc(items, cap * sizeof *items);
      }
      items[k++] = node_of(p, &l);
      if (peek(p)->kind == T_COMMA) {
        next(p);
        continue;
      }
      if (peek(p)->kind == T_RPAREN) {
        next(p);
        break;
      }
      expected(p, "',' or ')'");
      free(items);
      return NULL;
    }
    n = dps_q_in(p->q, node_of(p, &a), items, k);
    free(items);
  } else if (is_kw(op, "is")) {
    if (need_column(p, &a, op)) return NULL;
    next(p);
    int not_null = is_kw(peek(p), "not");
    if (not_null) next(p);
    if (!is_kw(peek(p), "null")) {
      expected(p, not_null ? "'null'" : "'null' or 'not null'");
      return NULL;
    }
    next(p);
    return not_null ? dps_q_is_not_null(p->q, node_of(p, &a))
                    : dps_q_is_null(p->q, node_of(p, &a));
  } else if (a.is_column && a.col.type == DPS_TYPE_BOOL &&
             (op->kind == T_END || op->kind == T_RPAREN || is_kw(op, "and") ||
              is_kw(op, "or"))) {
    /* A bool column alone is a predicate: flag means flag = true. */
    return dps_q_cmp(p->q, DPS_EQ, node_of(p, &a), dps_q_bool(p->q, 1));
  } else {
    expected(p, a.is_column
                    ? "a comparison (= != < <= > >=), between, in, not in "
                      "or is [not] null"
                    : "a comparison (= != < <= > >=) with a column");
    return NULL;
  }
  return negate ? dps_q_not(p->q, n) : n;
}

static int enter(parser *p) {
  if (++p->depth <= MAX_DEPTH) return 0;
  fail(p, peek(p)->start, "the expression nests deeper than %d levels",
       MAX_DEPTH);
  return -1;
}

static dps_node *parse_not(parser *p) {
  if (enter(p)) return NULL;
  dps_node *n;
  if (is_kw(peek(p), "not")) {
    next(p);
    n = parse_not(p);
    if (!p->failed) n = dps_q_not(p->q, n);
  } else {
    n = parse_pred(p);
  }
  p->depth--;
  return p->failed ? NULL : n;
}

static dps_node *parse_and(parser *p) {
  dps_node *a = parse_not(p);
  while (!p->failed && is_kw(peek(p), "and")) {
    next(p);
    dps_node *b = parse_not(p);
    if (p->failed) return NULL;
    a = dps_q_and(p->q, a, b);
  }
  return p->failed ? NULL : a;
}

static dps_node *parse_or(parser *p) {
  if (enter(p)) return NULL;
  dps_node *a = parse_and(p);
  while (!p->failed && is_kw(peek(p), "or")) {
    next(p);
    dps_node *b = parse_and(p);
    if (p->failed) break;
    a = dps_q_or(p->q, a, b);
  }
  p->depth--;
  return p->failed ? NULL : a;
}

static void parser_init(parser *p, const char *what, dps_query *q,
                        const dps_schema *schema, const char *text,
                        cli_buf *msg) {
  memset(p, 0, sizeof *p);
  p->what = what;
  p->text = text;
  p->q = q;
  p->schema = schema;
  p->msg = msg;
  lex(p);
}

static void parser_free(parser *p) {
  for (size_t i = 0; i < p->n_toks; i++) free(p->toks[i].value);
  free(p->toks);
}

int cli_expr_where(dps_query *q, const dps_schema *schema, const char *text,
                   dps_node **out, cli_buf *msg) {
  parser p;
  parser_init(&p, "--where", q, schema, text, msg);
  dps_node *n = parse_or(&p);
  if (!p.failed && peek(&p)->kind != T_END)
    expected(&p, "'and', 'or' or the end of the expression");
  int failed = p.failed;
  parser_free(&p);
  if (failed) return -1;
  *out = n;
  return 0;
}

/* ---------------------------------------------------------------------- */
/* --agg                                                                  */
/* ---------------------------------------------------------------------- */

/* What an arithmetic expression is, for type checks. */
typedef struct arith_info {
  int numeric;         /* of a numeric type */
  int is_column;       /* a bare column: col is set */
  dps_column_view col; /* that column */
  size_t start;        /* first byte in the text */
} arith_info;

static dps_node *parse_sum(parser *p, arith_info *info);

/* Both sides of an arithmetic operator must be numbers. */
static int check_arith(parser *p, const arith_info *side, const token *op) {
  if (side->numeric) return 0;
  fail(p, side->start, "%s needs numbers; '%s' is %s", shown(p, op),
       side->col.name, dps_type_name(side->col.type));
  return -1;
}

static dps_node *parse_factor(parser *p, arith_info *info) {
  token *t = peek(p);
  memset(info, 0, sizeof *info);
  info->start = t->start;
  if (t->kind == T_LPAREN) {
    if (enter(p)) return NULL;
    next(p);
    dps_node *n = parse_sum(p, info);
    p->depth--;
    info->start = t->start;
    if (p->failed) return NULL;
    if (close_paren(p, t)) return NULL;
    return n;
  }
  if (t->kind == T_NUMBER ||
      (t->kind == T_MINUS && peek_at(p, 1)->kind == T_NUMBER)) {
    operand o;
    if (parse_literal_here(p, &o)) return NULL;
    info->numeric = 1;
    return node_of(p, &o);
  }
  if (t->kind == T_MINUS) {
    if (enter(p)) return NULL;
    next(p);
    arith_info inner;
    dps_node *n = parse_factor(p, &inner);
    p->depth--;
    if (p->failed || check_arith(p, &inner, t)) return NULL;
    info->numeric = 1;
    return dps_q_arith(p->q, DPS_SUB, dps_q_int(p->q, 0), n);
  }
  if (t->kind == T_IDENT || t->kind == T_QIDENT) {
    operand o;
    next(p);
    if (column_of(p, t, &o)) return NULL;
    info->is_column = 1;
    info->col = o.col;
    info->numeric = class_of(o.col.type) == C_NUMBER;
    return node_of(p, &o);
  }
  expected(p, "a column, a number or '('");
  return NULL;
}

static dps_node *parse_term(parser *p, arith_info *info) {
  dps_node *a = parse_factor(p, info);
  while (!p->failed && peek(p)->kind == T_STAR) {
    token *op = next(p);
    arith_info rhs;
    dps_node *b = parse_factor(p, &rhs);
    if (p->failed || check_arith(p, info, op) || check_arith(p, &rhs, op))
      return NULL;
    a = dps_q_arith(p->q, DPS_MUL, a, b);
    info->numeric = 1;
    info->is_column = 0;
  }
  return p->failed ? NULL : a;
}

static dps_node *parse_sum(parser *p, arith_info *info) {
  dps_node *a = parse_term(p, info);
  while (!p->failed &&
         (peek(p)->kind == T_PLUS || peek(p)->kind == T_MINUS)) {
    token *op = next(p);
    arith_info rhs;
    dps_node *b = parse_term(p, &rhs);
    if (p->failed || check_arith(p, info, op) || check_arith(p, &rhs, op))
      return NULL;
    a = dps_q_arith(p->q, op->kind == T_PLUS ? DPS_ADD : DPS_SUB, a, b);
    info->numeric = 1;
    info->is_column = 0;
  }
  return p->failed ? NULL : a;
}

void cli_agg_list_free(cli_agg_list *list) {
  for (size_t i = 0; i < list->n; i++) free(list->labels[i]);
  free(list->labels);
  free(list->aggs);
  free(list->numeric);
  memset(list, 0, sizeof *list);
}

int cli_expr_aggs(dps_query *q, const dps_schema *schema, const char *text,
                  cli_agg_list *out, cli_buf *msg) {
  static const struct {
    const char *name;
    dps_agg_fn fn;
  } fns[] = {{"count", DPS_AGG_COUNT}, {"sum", DPS_AGG_SUM},
             {"min", DPS_AGG_MIN},     {"max", DPS_AGG_MAX},
             {"avg", DPS_AGG_AVG}};
  parser p;
  size_t cap = 0;
  memset(out, 0, sizeof *out);
  parser_init(&p, "--agg", q, schema, text, msg);
  for (;;) {
    token *f = peek(&p);
    dps_agg_fn fn = 0;
    for (size_t i = 0; i < sizeof fns / sizeof fns[0]; i++)
      if (is_kw(f, fns[i].name)) fn = fns[i].fn;
    if (fn == 0) {
      expected(&p, "an aggregate: count(*), count(x), sum(x), min(x), "
                   "max(x) or avg(x)");
      break;
    }
    next(&p);
    if (need(&p, T_LPAREN, "'('")) break;
    dps_node *arg = NULL;
    arith_info info;
    memset(&info, 0, sizeof info);
    if (fn == DPS_AGG_COUNT && peek(&p)->kind == T_STAR) {
      next(&p);
      fn = DPS_AGG_COUNT_STAR;
    } else {
      arg = parse_sum(&p, &info);
      if (p.failed) break;
      if ((fn == DPS_AGG_SUM || fn == DPS_AGG_AVG) && !info.numeric) {
        fail(&p, info.start, "%.*s needs a numeric argument; '%s' is %s "
             "(count, min and max take any column)", (int)f->len,
             text + f->start, info.col.name, dps_type_name(info.col.type));
        break;
      }
    }
    char close[48];
    snprintf(close, sizeof close, "')' to close %.*s(", (int)f->len,
             text + f->start);
    if (peek(&p)->kind != T_RPAREN) {
      expected(&p, close);
      break;
    }
    token *r = next(&p);
    if (out->n == cap) {
      cap = cap != 0 ? cap * 2 : 4;
      out->aggs = cli_realloc(out->aggs, cap * sizeof *out->aggs);
      out->labels = cli_realloc(out->labels, cap * sizeof *out->labels);
      out->numeric = cli_realloc(out->numeric, cap * sizeof *out->numeric);
    }
    out->aggs[out->n].fn = fn;
    out->aggs[out->n].arg = arg;
    out->labels[out->n] =
        cli_strndup(text + f->start, r->start + r->len - f->start);
    out->numeric[out->n] =
        (fn == DPS_AGG_MIN || fn == DPS_AGG_MAX) ? info.numeric : 1;
    out->n++;
    if (peek(&p)->kind == T_END) break;
    if (need(&p, T_COMMA, "',' and another aggregate, or the end")) break;
  }
  int failed = p.failed;
  parser_free(&p);
  if (failed) {
    cli_agg_list_free(out);
    return -1;
  }
  return 0;
}

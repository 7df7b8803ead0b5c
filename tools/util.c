/*
 * util.c - messages, option parsing, buffers, input files, UTF-8 and
 * calendar helpers of the dpsnap tool.
 */
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---------------------------------------------------------------------- */
/* Messages                                                               */
/* ---------------------------------------------------------------------- */

void cli_error(const char *fmt, ...) {
  va_list ap;
  fputs("dpsnap: ", stderr);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
}

int cli_usage(const char *cmd, const char *fmt, ...) {
  va_list ap;
  fprintf(stderr, "dpsnap: %s: ", cmd);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fprintf(stderr, "\n(see 'dpsnap %s --help')\n", cmd);
  return CLI_EXIT_USAGE;
}

void cli_lib_error(const char *path, const dps_error *err, int code) {
  const char *msg = (err != NULL && err->message[0] != '\0')
                        ? err->message
                        : dps_strerror(code);
  size_t n = path != NULL ? strlen(path) : 0;
  if (path == NULL || (strncmp(msg, path, n) == 0 && msg[n] == ':'))
    cli_error("%s", msg);
  else
    cli_error("%s: %s", path, msg);
}

void cli_oom(void) {
  fputs("dpsnap: out of memory\n", stderr);
  exit(CLI_EXIT_DATA);
}

void *cli_malloc(size_t size) {
  void *p = malloc(size != 0 ? size : 1);
  if (p == NULL) cli_oom();
  return p;
}

void *cli_calloc(size_t count, size_t size) {
  void *p = calloc(count != 0 ? count : 1, size != 0 ? size : 1);
  if (p == NULL) cli_oom();
  return p;
}

void *cli_realloc(void *ptr, size_t size) {
  void *p = realloc(ptr, size != 0 ? size : 1);
  if (p == NULL) cli_oom();
  return p;
}

char *cli_strndup(const char *s, size_t n) {
  char *p = cli_malloc(n + 1);
  memcpy(p, s, n);
  p[n] = '\0';
  return p;
}

/* ---------------------------------------------------------------------- */
/* Options                                                                */
/* ---------------------------------------------------------------------- */

static const cli_option *find_long(const cli_option *opts, size_t n,
                                   const char *name, size_t len) {
  for (size_t i = 0; i < n; i++)
    if (strlen(opts[i].name) == len && memcmp(opts[i].name, name, len) == 0)
      return &opts[i];
  return NULL;
}

int cli_parse_args(const char *cmd, int argc, char **argv,
                   const cli_option *opts, size_t n_opts,
                   const char **pos, size_t max_pos, size_t *n_pos) {
  int options_done = 0;
  *n_pos = 0;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    const cli_option *o = NULL;
    const char *inline_value = NULL;
    if (!options_done && strcmp(a, "--") == 0) {
      options_done = 1;
      continue;
    }
    if (!options_done && (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0))
      return CLI_HELP;
    if (!options_done && a[0] == '-' && a[1] == '-') {
      const char *eq = strchr(a + 2, '=');
      size_t len = eq != NULL ? (size_t)(eq - (a + 2)) : strlen(a + 2);
      o = find_long(opts, n_opts, a + 2, len);
      if (o == NULL)
        return cli_usage(cmd, "unknown option '%.*s'", (int)(len + 2), a);
      if (eq != NULL) inline_value = eq + 1;
    } else if (!options_done && a[0] == '-' && a[1] != '\0') {
      for (size_t k = 0; k < n_opts; k++)
        if (opts[k].short_name != 0 && a[1] == opts[k].short_name &&
            a[2] == '\0')
          o = &opts[k];
      if (o == NULL) return cli_usage(cmd, "unknown option '%s'", a);
    }
    if (o == NULL) {
      if (*n_pos == max_pos)
        return cli_usage(cmd, "unexpected argument '%s'", a);
      pos[(*n_pos)++] = a;
      continue;
    }
    if (o->flag != NULL) {
      if (inline_value != NULL)
        return cli_usage(cmd, "option '--%s' takes no value", o->name);
      *o->flag = 1;
      continue;
    }
    if (inline_value == NULL) {
      if (i + 1 >= argc)
        return cli_usage(cmd, "option '%s' needs a value", a);
      inline_value = argv[++i];
    }
    *o->value = inline_value;
  }
  return CLI_EXIT_OK;
}

int cli_parse_u64(const char *s, uint64_t *out) {
  uint64_t v = 0;
  if (s == NULL || *s == '\0') return -1;
  for (; *s != '\0'; s++) {
    if (*s < '0' || *s > '9') return -1;
    unsigned d = (unsigned)(*s - '0');
    if (v > (UINT64_MAX - d) / 10) return -1;
    v = v * 10 + d;
  }
  *out = v;
  return 0;
}

/* ---------------------------------------------------------------------- */
/* Buffers and output                                                     */
/* ---------------------------------------------------------------------- */

void cli_buf_reserve(cli_buf *b, size_t extra) {
  if (b->cap - b->len >= extra) return;
  size_t cap = b->cap != 0 ? b->cap : 256;
  while (cap - b->len < extra) {
    if (cap > SIZE_MAX / 2) cli_oom();
    cap *= 2;
  }
  b->data = cli_realloc(b->data, cap);
  b->cap = cap;
}

void cli_buf_append(cli_buf *b, const void *p, size_t n) {
  if (n == 0) return;
  cli_buf_reserve(b, n);
  memcpy(b->data + b->len, p, n);
  b->len += n;
}

void cli_buf_puts(cli_buf *b, const char *s) {
  cli_buf_append(b, s, strlen(s));
}

void cli_buf_printf(cli_buf *b, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (n < 0) return;
  cli_buf_reserve(b, (size_t)n + 1);
  va_start(ap, fmt);
  vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
  va_end(ap);
  b->len += (size_t)n;
}

const char *cli_buf_cstr(cli_buf *b) {
  cli_buf_reserve(b, 1);
  b->data[b->len] = '\0';
  return b->data;
}

void cli_buf_free(cli_buf *b) {
  free(b->data);
  b->data = NULL;
  b->len = b->cap = 0;
}

void cli_out_init(cli_out *o, FILE *fp, const char *name) {
  o->fp = fp;
  o->name = name;
  o->buf = (cli_buf){NULL, 0, 0};
  o->failed = 0;
}

static void out_flush(cli_out *o) {
  if (o->buf.len != 0 && o->failed == 0) {
    if (fwrite(o->buf.data, 1, o->buf.len, o->fp) != o->buf.len)
      o->failed = errno != 0 ? errno : EIO;
  }
  o->buf.len = 0;
}

void cli_out_maybe_flush(cli_out *o) {
  if (o->buf.len >= (1u << 20)) out_flush(o);
}

int cli_out_finish(cli_out *o) {
  out_flush(o);
  if (o->failed == 0 && fflush(o->fp) != 0)
    o->failed = errno != 0 ? errno : EIO;
  cli_buf_free(&o->buf);
  if (o->failed != 0) {
    cli_error("%s: write failed: %s", o->name, strerror(o->failed));
    return -1;
  }
  return 0;
}

/* ---------------------------------------------------------------------- */
/* Input files                                                            */
/* ---------------------------------------------------------------------- */

/* Reads a stream to its end: pipes and stdin cannot be mapped, and import
 * needs the whole input for its two passes. */
static int read_all(cli_file *f, int fd, const char *path) {
  cli_buf b = {NULL, 0, 0};
  for (;;) {
    cli_buf_reserve(&b, 1u << 16);
    ssize_t n = read(fd, b.data + b.len, b.cap - b.len);
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      cli_error("%s: cannot read: %s", path, strerror(errno));
      cli_buf_free(&b);
      return -1;
    }
    b.len += (size_t)n;
  }
  f->heap = b.data;
  f->data = b.data != NULL ? b.data : "";
  f->size = b.len;
  return 0;
}

int cli_file_load(cli_file *f, const char *path) {
  struct stat st;
  int fd;
  f->data = "";
  f->size = 0;
  f->map = NULL;
  f->heap = NULL;
  if (strcmp(path, "-") == 0) return read_all(f, STDIN_FILENO, "standard input");
  fd = open(path, O_RDONLY);
  if (fd < 0) {
    cli_error("%s: cannot open: %s", path, strerror(errno));
    return -1;
  }
  if (fstat(fd, &st) != 0) {
    cli_error("%s: cannot stat: %s", path, strerror(errno));
    close(fd);
    return -1;
  }
  if (S_ISDIR(st.st_mode)) {
    cli_error("%s: is a directory, expected a file", path);
    close(fd);
    return -1;
  }
  if (S_ISREG(st.st_mode) && st.st_size > 0) {
    void *m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (m != MAP_FAILED) {
      /* Both passes read the file front to back. */
      (void)madvise(m, (size_t)st.st_size, MADV_SEQUENTIAL);
      f->map = m;
      f->data = m;
      f->size = (size_t)st.st_size;
      close(fd);
      return 0;
    }
  }
  int rc = read_all(f, fd, path);
  close(fd);
  return rc;
}

void cli_file_release(cli_file *f) {
  if (f->map != NULL) munmap(f->map, f->size);
  free(f->heap);
  f->map = NULL;
  f->heap = NULL;
  f->data = "";
  f->size = 0;
}

/* ---------------------------------------------------------------------- */
/* Text                                                                   */
/* ---------------------------------------------------------------------- */

size_t cli_utf8_check(const uint8_t *p, size_t n) {
  size_t i = 0;
  while (i < n) {
    /* Most text is ASCII: skip it eight bytes at a time. */
    while (i + 8 <= n) {
      uint64_t w;
      memcpy(&w, p + i, 8);
      if ((w & 0x8080808080808080ull) != 0) break;
      i += 8;
    }
    if (i >= n) break;
    uint8_t c = p[i];
    if (c < 0x80) {
      i++;
      continue;
    }
    size_t len;
    uint8_t lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) {
      len = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3;
      if (c == 0xE0) lo = 0xA0;       /* overlong */
      else if (c == 0xED) hi = 0x9F;  /* surrogates */
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4;
      if (c == 0xF0) lo = 0x90;       /* overlong */
      else if (c == 0xF4) hi = 0x8F;  /* above U+10FFFF */
    } else {
      return i;
    }
    if (i + len > n) return i;
    if (p[i + 1] < lo || p[i + 1] > hi) return i;
    for (size_t k = 2; k < len; k++)
      if (p[i + k] < 0x80 || p[i + k] > 0xBF) return i;
    i += len;
  }
  return n;
}

void cli_buf_quote(cli_buf *b, const char *p, size_t n) {
  /* Long values are cut: the message must stay readable on a terminal. */
  const size_t max = 80;
  size_t i = 0;
  cli_buf_putc(b, '"');
  while (i < n && i < max) {
    uint8_t c = (uint8_t)p[i];
    if (c == '"' || c == '\\') {
      cli_buf_putc(b, '\\');
      cli_buf_putc(b, (char)c);
      i++;
    } else if (c == '\n') {
      cli_buf_puts(b, "\\n");
      i++;
    } else if (c == '\r') {
      cli_buf_puts(b, "\\r");
      i++;
    } else if (c == '\t') {
      cli_buf_puts(b, "\\t");
      i++;
    } else if (c < 0x20 || c == 0x7F) {
      cli_buf_printf(b, "\\x%02x", c);
      i++;
    } else if (c < 0x80) {
      cli_buf_putc(b, (char)c);
      i++;
    } else {
      size_t ok = cli_utf8_check((const uint8_t *)p + i, n - i);
      if (ok == 0) {
        cli_buf_printf(b, "\\x%02x", c);
        i++;
      } else {
        /* Copy the valid run up to the next invalid byte or the cut. */
        size_t take = ok;
        if (i + take > max) {
          take = max - i;
          while (take > 0 && ((uint8_t)p[i + take] & 0xC0) == 0x80) take--;
          if (take == 0) break;
        }
        cli_buf_append(b, p + i, take);
        i += take;
      }
    }
  }
  cli_buf_putc(b, '"');
  if (i < n) cli_buf_printf(b, "... (%zu bytes)", n);
}

size_t cli_edit_distance(const char *a, const char *b) {
  size_t la = strlen(a), lb = strlen(b);
  size_t *row = cli_malloc((lb + 1) * sizeof *row);
  for (size_t j = 0; j <= lb; j++) row[j] = j;
  for (size_t i = 1; i <= la; i++) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= lb; j++) {
      size_t up = row[j];
      size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      size_t best = diag + cost;
      if (up + 1 < best) best = up + 1;
      if (row[j - 1] + 1 < best) best = row[j - 1] + 1;
      row[j] = best;
      diag = up;
    }
  }
  size_t d = row[lb];
  free(row);
  return d;
}

void cli_buf_column_list(cli_buf *b, const dps_schema *schema) {
  size_t n = dps_schema_column_count(schema);
  for (size_t i = 0; i < n; i++) {
    dps_column_view c;
    if (dps_schema_column(schema, i, &c) != DPS_OK) continue;
    if (i != 0) cli_buf_puts(b, ", ");
    cli_buf_puts(b, c.name);
  }
}

/* ---------------------------------------------------------------------- */
/* Calendar                                                               */
/* ---------------------------------------------------------------------- */

/* Both conversions count in 400-year eras of 146097 days, shifting the
 * year to start in March so that the leap day is the last day of a year;
 * this keeps them exact for negative years without tables. */
int64_t cli_days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  int64_t yoe = y - era * 400;                                  /* 0..399 */
  int64_t mp = m > 2 ? (int64_t)m - 3 : (int64_t)m + 9;         /* 0..11 */
  int64_t doy = (153 * mp + 2) / 5 + (int64_t)d - 1;            /* 0..365 */
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;          /* 0..146096 */
  return era * 146097 + doe - 719468;
}

void cli_civil_from_days(int64_t days, int64_t *y, unsigned *m, unsigned *d) {
  int64_t z = days + 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  int64_t doe = z - era * 146097;                               /* 0..146096 */
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);        /* 0..365 */
  int64_t mp = (5 * doy + 2) / 153;                             /* 0..11 */
  *d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
  *m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
  *y = yoe + era * 400 + (*m <= 2);
}

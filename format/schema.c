/* schema.c - schema objects, type names and the schema tag ([FMT-40]). */
#include "format/format.h"

#include <stdlib.h>
#include <string.h>

static const char *const type_names[] = {
  NULL, "bool", "int8", "int16", "int32", "int64", "uint8", "uint16",
  "uint32", "uint64", "float32", "float64", "date", "timestamp", "decimal",
  "string", "binary"};
#define N_TYPE_NAMES (sizeof type_names / sizeof type_names[0])

bool dps__type_valid(uint64_t type) {
  return type >= DPS_TYPE_BOOL && type <= DPS_TYPE_BINARY;
}

bool dps__type_is_var(dps_type t) {
  return t == DPS_TYPE_STRING || t == DPS_TYPE_BINARY;
}

bool dps__type_is_float(dps_type t) {
  return t == DPS_TYPE_FLOAT32 || t == DPS_TYPE_FLOAT64;
}

bool dps__type_is_signed(dps_type t) {
  switch (t) {
    case DPS_TYPE_INT8: case DPS_TYPE_INT16: case DPS_TYPE_INT32:
    case DPS_TYPE_INT64: case DPS_TYPE_DATE: case DPS_TYPE_TIMESTAMP:
    case DPS_TYPE_DECIMAL:
      return true;
    default:
      return false;
  }
}

const char *dps_type_name(dps_type type) {
  return dps__type_valid((uint64_t)type) ? type_names[type] : "unknown";
}

dps_status dps_type_from_name(dps_type *out, const char *name) {
  if (out == NULL || name == NULL) return DPS_EINVAL;
  for (size_t i = 1; i < N_TYPE_NAMES; i++) {
    if (strcmp(type_names[i], name) == 0) {
      *out = (dps_type)i;
      return DPS_OK;
    }
  }
  return DPS_ENOTFOUND;
}

size_t dps_type_width(dps_type type) {
  switch (type) {
    case DPS_TYPE_BOOL: case DPS_TYPE_INT8: case DPS_TYPE_UINT8: return 1;
    case DPS_TYPE_INT16: case DPS_TYPE_UINT16: return 2;
    case DPS_TYPE_INT32: case DPS_TYPE_UINT32: case DPS_TYPE_FLOAT32:
    case DPS_TYPE_DATE: return 4;
    case DPS_TYPE_INT64: case DPS_TYPE_UINT64: case DPS_TYPE_FLOAT64:
    case DPS_TYPE_TIMESTAMP: case DPS_TYPE_DECIMAL: return 8;
    default: return 0;
  }
}

const char *dps__check_tag(const char *tag) {
  size_t n = strlen(tag);
  if (n == 0 || n > 64) return "a tag has 1 to 64 characters";
  for (size_t i = 0; i < n; i++) {
    char c = tag[i];
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
          c == ':' || c == '.' || c == '-'))
      return "a tag uses only a-z 0-9 _ : . -";
  }
  return NULL;
}

dps_status dps_schema_new(dps_schema **out, dps_error *err) {
  if (out == NULL) return dps__fail(err, DPS_EINVAL, "dps_schema_new: out is NULL");
  *out = calloc(1, sizeof **out);
  if (*out == NULL) return dps__fail(err, DPS_ENOMEM, "out of memory");
  return DPS_OK;
}

static void column_free(struct dps_column_def *c) {
  free(c->name);
  free(c->description);
  for (size_t i = 0; i < c->n_tags; i++) free(c->tags[i]);
  free(c->tags);
}

void dps_schema_free(dps_schema *schema) {
  if (schema == NULL) return;
  for (size_t i = 0; i < schema->n; i++) column_free(&schema->cols[i]);
  free(schema->cols);
  free(schema);
}

static char *dup_or_null(const char *s, bool *fail) {
  if (s == NULL) return NULL;
  char *p = strdup(s);
  if (p == NULL) *fail = true;
  return p;
}

dps_status dps_schema_add_column(dps_schema *schema,
                                 const dps_column_view *col, dps_error *err) {
  if (schema == NULL || col == NULL)
    return dps__fail(err, DPS_EINVAL, "dps_schema_add_column: NULL argument");
  if (col->name == NULL || col->name[0] == '\0')
    return dps__fail(err, DPS_EINVAL, "column %zu: expected a name, found "
                     "an empty one", schema->n + 1);
  size_t len = strlen(col->name);
  if (len > 255 || dps__utf8_check((const uint8_t *)col->name, len) != SIZE_MAX)
    return dps__fail(err, DPS_EINVAL, "column \"%.64s\": expected a name of "
                     "1 to 255 bytes of UTF-8", col->name);
  if (schema->n >= 32767)
    return dps__fail(err, DPS_EINVAL, "column \"%s\": a schema holds at most "
                     "32767 columns", col->name);
  if (dps_schema_find(schema, col->name) >= 0)
    return dps__fail(err, DPS_EINVAL, "column \"%s\": expected a unique name, "
                     "found it twice", col->name);
  if (!dps__type_valid((uint64_t)col->type))
    return dps__fail(err, DPS_EINVAL, "column \"%s\": unknown type %d",
                     col->name, (int)col->type);
  if (col->type == DPS_TYPE_DECIMAL) {
    if (col->precision < 1 || col->precision > DPS_DECIMAL_MAX_PRECISION ||
        col->scale < 0 || col->scale > col->precision)
      return dps__fail(err, DPS_EINVAL, "column \"%s\": expected decimal(P,S) "
                       "with 1 <= P <= 18 and 0 <= S <= P, found decimal(%d,%d)",
                       col->name, col->precision, col->scale);
  } else if (col->precision != 0 || col->scale != 0) {
    return dps__fail(err, DPS_EINVAL, "column \"%s\": precision and scale "
                     "apply to decimal columns only", col->name);
  }
  if (col->description != NULL &&
      dps__utf8_check((const uint8_t *)col->description,
                      strlen(col->description)) != SIZE_MAX)
    return dps__fail(err, DPS_EINVAL, "column \"%s\": description is not "
                     "valid UTF-8", col->name);
  if (col->n_tags > 0 && col->tags == NULL)
    return dps__fail(err, DPS_EINVAL, "column \"%s\": n_tags is %zu but tags "
                     "is NULL", col->name, col->n_tags);
  for (size_t i = 0; i < col->n_tags; i++) {
    const char *why = col->tags[i] ? dps__check_tag(col->tags[i]) : "NULL tag";
    if (why != NULL)
      return dps__fail(err, DPS_EINVAL, "column \"%s\": tag \"%.64s\": %s",
                       col->name, col->tags[i] ? col->tags[i] : "", why);
  }

  if (schema->n == schema->cap) {
    size_t cap = schema->cap ? schema->cap * 2 : 8;
    struct dps_column_def *cols = realloc(schema->cols, cap * sizeof *cols);
    if (cols == NULL) return dps__fail(err, DPS_ENOMEM, "out of memory");
    schema->cols = cols;
    schema->cap = cap;
  }
  struct dps_column_def c = {0};
  bool fail = false;
  c.name = dup_or_null(col->name, &fail);
  c.type = col->type;
  c.nullable = col->nullable != 0;
  c.precision = col->type == DPS_TYPE_DECIMAL ? col->precision : 0;
  c.scale = col->type == DPS_TYPE_DECIMAL ? col->scale : 0;
  c.description = dup_or_null(col->description, &fail);
  if (col->n_tags > 0) {
    c.tags = calloc(col->n_tags, sizeof *c.tags);
    if (c.tags == NULL) fail = true;
    for (size_t i = 0; c.tags != NULL && i < col->n_tags; i++) {
      c.tags[i] = dup_or_null(col->tags[i], &fail);
      c.n_tags = i + 1;
    }
  }
  if (fail) {
    column_free(&c);
    return dps__fail(err, DPS_ENOMEM, "out of memory");
  }
  schema->cols[schema->n++] = c;
  return DPS_OK;
}

size_t dps_schema_column_count(const dps_schema *schema) {
  return schema ? schema->n : 0;
}

dps_status dps_schema_column(const dps_schema *schema, size_t index,
                             dps_column_view *out) {
  if (schema == NULL || out == NULL || index >= schema->n) return DPS_EINVAL;
  const struct dps_column_def *c = &schema->cols[index];
  out->name = c->name;
  out->type = c->type;
  out->nullable = c->nullable;
  out->precision = c->precision;
  out->scale = c->scale;
  out->description = c->description;
  out->tags = (const char *const *)c->tags;
  out->n_tags = c->n_tags;
  return DPS_OK;
}

long dps_schema_find(const dps_schema *schema, const char *name) {
  if (schema == NULL || name == NULL) return -1;
  for (size_t i = 0; i < schema->n; i++)
    if (strcmp(schema->cols[i].name, name) == 0) return (long)i;
  return -1;
}

dps_status dps__schema_copy(dps_schema **out, const dps_schema *src,
                            dps_error *err) {
  dps_status s = dps_schema_new(out, err);
  for (size_t i = 0; s == DPS_OK && i < src->n; i++) {
    dps_column_view v;
    dps_schema_column(src, i, &v);
    s = dps_schema_add_column(*out, &v, err);
  }
  if (s != DPS_OK) {
    dps_schema_free(*out);
    *out = NULL;
  }
  return s;
}

dps_status dps__schema_canonical(const dps_schema *s, dps_buf *out) {
  static const char prefix[16] = {'d', 'p', 's', 'n', 'a', 'p', '.', 's',
                                  'c', 'h', 'e', 'm', 'a', '.', 'v', '1'};
  dps_status st = dps__buf_append(out, prefix, sizeof prefix);
  if (st == DPS_OK) st = dps__buf_put_varint(out, s->n);
  for (size_t i = 0; st == DPS_OK && i < s->n; i++) {
    const struct dps_column_def *c = &s->cols[i];
    size_t len = strlen(c->name);
    uint8_t tail[4] = {(uint8_t)c->type, (uint8_t)(c->nullable != 0),
                       (uint8_t)c->precision, (uint8_t)c->scale};
    st = dps__buf_put_varint(out, len);
    if (st == DPS_OK) st = dps__buf_append(out, c->name, len);
    if (st == DPS_OK) st = dps__buf_append(out, tail, sizeof tail);
  }
  return st;
}

uint64_t dps_schema_tag(const dps_schema *schema) {
  if (schema == NULL) return 0;
  dps_buf b = {0};
  uint64_t tag = 0;
  if (dps__schema_canonical(schema, &b) == DPS_OK)
    tag = dps__hash64(b.data, b.len);
  dps__buf_free(&b);
  return tag;
}

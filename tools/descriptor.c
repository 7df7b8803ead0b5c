/*
 * descriptor.c - the JSON side of the tool: reading an import descriptor
 * and printing metadata and schemas as JSON (spec/METADATA.md §2, §3).
 *
 * A descriptor is the metadata object `dpsnap meta` prints, so the output
 * of `meta` can be fed back to `import` to make a snapshot with the same
 * metadata; its `schema_tag` is ignored because the writer computes it.
 */
#include "cli.h"

#include <inttypes.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------------- */
/* Types and time as text                                                 */
/* ---------------------------------------------------------------------- */

static const struct {
  const char *name;
  dps_type type;
} type_names[] = {
    {"bool", DPS_TYPE_BOOL},       {"int8", DPS_TYPE_INT8},
    {"int16", DPS_TYPE_INT16},     {"int32", DPS_TYPE_INT32},
    {"int64", DPS_TYPE_INT64},     {"uint8", DPS_TYPE_UINT8},
    {"uint16", DPS_TYPE_UINT16},   {"uint32", DPS_TYPE_UINT32},
    {"uint64", DPS_TYPE_UINT64},   {"float32", DPS_TYPE_FLOAT32},
    {"float64", DPS_TYPE_FLOAT64}, {"date", DPS_TYPE_DATE},
    {"timestamp", DPS_TYPE_TIMESTAMP}, {"string", DPS_TYPE_STRING},
    {"binary", DPS_TYPE_BINARY},
};

static int parse_small_int(const char **s, int *out) {
  int v = 0, digits = 0;
  while (**s == ' ') (*s)++;
  while (**s >= '0' && **s <= '9' && digits < 4) {
    v = v * 10 + (**s - '0');
    (*s)++, digits++;
  }
  while (**s == ' ') (*s)++;
  *out = v;
  return digits > 0 && digits < 4 ? 0 : -1;
}

int cli_type_parse(const char *s, dps_type *type, int *precision,
                   int *scale) {
  *precision = 0;
  *scale = 0;
  for (size_t i = 0; i < sizeof type_names / sizeof type_names[0]; i++)
    if (strcmp(s, type_names[i].name) == 0) {
      *type = type_names[i].type;
      return 0;
    }
  if (strncmp(s, "decimal(", 8) == 0) {
    const char *p = s + 8;
    int pr, sc = 0;
    if (parse_small_int(&p, &pr) != 0) return -1;
    if (*p == ',') {
      p++;
      if (parse_small_int(&p, &sc) != 0) return -1;
    }
    if (strcmp(p, ")") != 0) return -1;
    if (pr < 1 || pr > DPS_DECIMAL_MAX_PRECISION || sc > pr) return -1;
    *type = DPS_TYPE_DECIMAL;
    *precision = pr;
    *scale = sc;
    return 0;
  }
  return -1;
}

void cli_buf_type(cli_buf *b, const dps_column_view *col) {
  if (col->type == DPS_TYPE_DECIMAL)
    cli_buf_printf(b, "decimal(%d,%d)", col->precision, col->scale);
  else
    cli_buf_puts(b, dps_type_name(col->type));
}

static void put2(cli_buf *b, unsigned v) {
  char s[2] = {(char)('0' + v / 10), (char)('0' + v % 10)};
  cli_buf_append(b, s, 2);
}

static void put_year(cli_buf *b, int64_t y) {
  if (y >= 0 && y <= 9999) {
    char s[4] = {(char)('0' + y / 1000), (char)('0' + y / 100 % 10),
                 (char)('0' + y / 10 % 10), (char)('0' + y % 10)};
    cli_buf_append(b, s, 4);
  } else {
    /* ISO 8601 expanded years keep far-off values readable and ordered. */
    cli_buf_printf(b, "%+05" PRId64, y);
  }
}

void cli_buf_date(cli_buf *b, int64_t days) {
  int64_t y;
  unsigned m, d;
  cli_civil_from_days(days, &y, &m, &d);
  put_year(b, y);
  cli_buf_putc(b, '-');
  put2(b, m);
  cli_buf_putc(b, '-');
  put2(b, d);
}

void cli_buf_timestamp(cli_buf *b, int64_t micros, int always_fraction) {
  const int64_t per_day = INT64_C(86400000000);
  int64_t days = micros / per_day, rem = micros % per_day;
  if (rem < 0) {
    rem += per_day;
    days--;
  }
  int64_t secs = rem / 1000000, frac = rem % 1000000;
  cli_buf_date(b, days);
  cli_buf_putc(b, 'T');
  put2(b, (unsigned)(secs / 3600));
  cli_buf_putc(b, ':');
  put2(b, (unsigned)(secs / 60 % 60));
  cli_buf_putc(b, ':');
  put2(b, (unsigned)(secs % 60));
  if (frac != 0 || always_fraction) {
    char s[7];
    s[0] = '.';
    for (int i = 6; i >= 1; i--) {
      s[i] = (char)('0' + frac % 10);
      frac /= 10;
    }
    cli_buf_append(b, s, 7);
  }
  cli_buf_putc(b, 'Z');
}

/* ---------------------------------------------------------------------- */
/* Reading a descriptor                                                   */
/* ---------------------------------------------------------------------- */

static const char *json_kind(const json_t *v) {
  switch (json_typeof(v)) {
    case JSON_OBJECT: return "an object";
    case JSON_ARRAY: return "an array";
    case JSON_STRING: return "a string";
    case JSON_INTEGER: return "an integer";
    case JSON_REAL: return "a real number";
    case JSON_TRUE:
    case JSON_FALSE: return "a boolean";
    case JSON_NULL: return "null";
  }
  return "something else";
}

/* Context for messages: the file and the JSON path of the value. */
typedef struct desc_ctx {
  const char *file;
} desc_ctx;

static int wrong_kind(const desc_ctx *c, const char *where, const char *want,
                      const json_t *v) {
  cli_error("%s: \"%s\": expected %s, found %s", c->file, where, want,
            json_kind(v));
  return -1;
}

/* Rejects keys a section does not know: a misspelt "onwer" must not be
 * dropped silently from a product's metadata. */
static int check_keys(const desc_ctx *c, const char *where, json_t *obj,
                      const char *const *known) {
  const char *key;
  json_t *v;
  json_object_foreach(obj, key, v) {
    int ok = 0;
    for (size_t i = 0; known[i] != NULL; i++)
      if (strcmp(key, known[i]) == 0) ok = 1;
    if (!ok) {
      cli_buf list = {NULL, 0, 0};
      for (size_t i = 0; known[i] != NULL; i++) {
        if (i != 0) cli_buf_puts(&list, ", ");
        cli_buf_puts(&list, known[i]);
      }
      cli_error("%s: %s%sunknown key \"%s\"; expected one of: %s", c->file,
                where != NULL ? where : "", where != NULL ? ": " : "", key,
                cli_buf_cstr(&list));
      cli_buf_free(&list);
      return -1;
    }
  }
  return 0;
}

/* Optional string member: *out = NULL when absent or null. */
static int get_string(const desc_ctx *c, json_t *obj, const char *key,
                      const char *where, const char **out) {
  json_t *v = json_object_get(obj, key);
  *out = NULL;
  if (v == NULL || json_is_null(v)) return 0;
  if (!json_is_string(v)) return wrong_kind(c, where, "a string", v);
  *out = json_string_value(v);
  return 0;
}

static int get_u64(const desc_ctx *c, json_t *obj, const char *key,
                   const char *where, uint64_t *out) {
  json_t *v = json_object_get(obj, key);
  if (v == NULL || json_is_null(v)) return 0;
  if (!json_is_integer(v) || json_integer_value(v) < 0)
    return wrong_kind(c, where, "a non-negative integer", v);
  *out = (uint64_t)json_integer_value(v);
  return 0;
}

static int parse_hex64(const char *s, uint64_t *out) {
  uint64_t v = 0;
  size_t n = strlen(s);
  if (n == 0 || n > 16) return -1;
  for (size_t i = 0; i < n; i++) {
    char ch = s[i];
    unsigned d;
    if (ch >= '0' && ch <= '9') d = (unsigned)(ch - '0');
    else if (ch >= 'a' && ch <= 'f') d = (unsigned)(ch - 'a' + 10);
    else if (ch >= 'A' && ch <= 'F') d = (unsigned)(ch - 'A' + 10);
    else return -1;
    v = v << 4 | d;
  }
  *out = v;
  return 0;
}

static int load_owner(const desc_ctx *c, cli_descriptor *d, json_t *owner) {
  static const char *const keys[] = {"team", "email", NULL};
  if (owner == NULL || json_is_null(owner)) return 0;
  if (!json_is_object(owner)) return wrong_kind(c, "owner", "an object", owner);
  if (check_keys(c, "\"owner\"", owner, keys) != 0) return -1;
  if (get_string(c, owner, "team", "owner.team", &d->meta.owner_team) != 0 ||
      get_string(c, owner, "email", "owner.email", &d->meta.owner_email) != 0)
    return -1;
  return 0;
}

static int load_inputs(const desc_ctx *c, cli_descriptor *d, json_t *inputs) {
  static const char *const keys[] = {"uri", "product", "version",
                                     "schema_tag", NULL};
  char where[64];
  if (inputs == NULL || json_is_null(inputs)) return 0;
  if (!json_is_array(inputs))
    return wrong_kind(c, "lineage.inputs", "an array", inputs);
  size_t n = json_array_size(inputs);
  d->inputs = cli_calloc(n, sizeof *d->inputs);
  for (size_t i = 0; i < n; i++) {
    json_t *in = json_array_get(inputs, i);
    dps_lineage_input *li = &d->inputs[i];
    const char *tag = NULL;
    snprintf(where, sizeof where, "lineage.inputs[%zu]", i);
    if (!json_is_object(in)) return wrong_kind(c, where, "an object", in);
    snprintf(where, sizeof where, "\"lineage.inputs[%zu]\"", i);
    if (check_keys(c, where, in, keys) != 0) return -1;
    snprintf(where, sizeof where, "lineage.inputs[%zu]", i);
    if (get_string(c, in, "uri", where, &li->uri) != 0 ||
        get_string(c, in, "product", where, &li->product) != 0 ||
        get_u64(c, in, "version", where, &li->version) != 0 ||
        get_string(c, in, "schema_tag", where, &tag) != 0)
      return -1;
    if (tag != NULL && parse_hex64(tag, &li->schema_tag) != 0) {
      cli_error("%s: \"%s.schema_tag\": expected up to 16 hex digits, "
                "found \"%s\"", c->file, where, tag);
      return -1;
    }
    if (li->uri == NULL && li->product == NULL) {
      cli_error("%s: \"%s\": an input needs a \"uri\" (an external source) "
                "or a \"product\" (another data product)", c->file, where);
      return -1;
    }
  }
  d->meta.inputs = d->inputs;
  d->meta.n_inputs = n;
  return 0;
}

static int load_lineage(const desc_ctx *c, cli_descriptor *d, json_t *lin) {
  static const char *const keys[] = {"inputs", "job", "run_id",
                                     "code_version", NULL};
  if (lin == NULL || json_is_null(lin)) return 0;
  if (!json_is_object(lin)) return wrong_kind(c, "lineage", "an object", lin);
  if (check_keys(c, "\"lineage\"", lin, keys) != 0) return -1;
  if (load_inputs(c, d, json_object_get(lin, "inputs")) != 0 ||
      get_string(c, lin, "job", "lineage.job", &d->meta.job_name) != 0 ||
      get_string(c, lin, "run_id", "lineage.run_id", &d->meta.run_id) != 0 ||
      get_string(c, lin, "code_version", "lineage.code_version",
                 &d->meta.code_version) != 0)
    return -1;
  return 0;
}

static int load_properties(const desc_ctx *c, cli_descriptor *d,
                           json_t *props) {
  const char *key;
  json_t *v;
  size_t i = 0;
  if (props == NULL || json_is_null(props)) return 0;
  if (!json_is_object(props))
    return wrong_kind(c, "properties", "an object", props);
  d->properties = cli_calloc(json_object_size(props), sizeof *d->properties);
  json_object_foreach(props, key, v) {
    if (!json_is_string(v)) {
      cli_error("%s: \"properties.%s\": expected a string (quote numbers: "
                "\"100000\"), found %s", c->file, key, json_kind(v));
      return -1;
    }
    d->properties[i].key = key;
    d->properties[i].value = json_string_value(v);
    i++;
  }
  d->meta.properties = d->properties;
  d->meta.n_properties = i;
  return 0;
}

static int load_columns(const desc_ctx *c, cli_descriptor *d, json_t *cols) {
  static const char *const keys[] = {"name", "type", "nullable",
                                     "description", "tags", NULL};
  char where[300];
  if (cols == NULL || json_is_null(cols)) return 0;
  if (!json_is_array(cols)) return wrong_kind(c, "columns", "an array", cols);
  size_t n = json_array_size(cols);
  d->columns = cli_calloc(n, sizeof *d->columns);
  d->n_columns = n;
  for (size_t i = 0; i < n; i++) {
    json_t *e = json_array_get(cols, i);
    cli_column_spec *s = &d->columns[i];
    const char *type = NULL;
    s->nullable = 1;
    snprintf(where, sizeof where, "columns[%zu]", i);
    if (!json_is_object(e)) return wrong_kind(c, where, "an object", e);
    if (get_string(c, e, "name", where, &s->name) != 0) return -1;
    if (s->name == NULL) {
      cli_error("%s: \"%s\": a column entry needs a \"name\" (a CSV header "
                "name)", c->file, where);
      return -1;
    }
    snprintf(where, sizeof where, "column \"%.200s\"", s->name);
    if (check_keys(c, where, e, keys) != 0) return -1;
    for (size_t k = 0; k < i; k++)
      if (strcmp(d->columns[k].name, s->name) == 0) {
        cli_error("%s: column \"%s\" is described twice in \"columns\"",
                  c->file, s->name);
        return -1;
      }
    snprintf(where, sizeof where, "columns[%zu].type", i);
    if (get_string(c, e, "type", where, &type) != 0) return -1;
    if (type != NULL) {
      if (cli_type_parse(type, &s->type, &s->precision, &s->scale) != 0) {
        cli_error("%s: column \"%s\": unknown type \"%s\"; expected bool, "
                  "int8, int16, int32, int64, uint8, uint16, uint32, uint64, "
                  "float32, float64, date, timestamp, string, binary or "
                  "decimal(P,S) with 1 <= P <= %d and 0 <= S <= P",
                  c->file, s->name, type, DPS_DECIMAL_MAX_PRECISION);
        return -1;
      }
      s->has_type = 1;
    }
    json_t *nullable = json_object_get(e, "nullable");
    snprintf(where, sizeof where, "columns[%zu].nullable", i);
    if (nullable != NULL && !json_is_null(nullable)) {
      if (!json_is_boolean(nullable))
        return wrong_kind(c, where, "true or false", nullable);
      s->nullable = json_is_true(nullable);
    }
    snprintf(where, sizeof where, "columns[%zu].description", i);
    if (get_string(c, e, "description", where, &s->description) != 0)
      return -1;
    json_t *tags = json_object_get(e, "tags");
    snprintf(where, sizeof where, "columns[%zu].tags", i);
    if (tags != NULL && !json_is_null(tags)) {
      if (!json_is_array(tags)) return wrong_kind(c, where, "an array", tags);
      s->n_tags = json_array_size(tags);
      s->tags = cli_calloc(s->n_tags, sizeof *s->tags);
      for (size_t k = 0; k < s->n_tags; k++) {
        json_t *t = json_array_get(tags, k);
        if (!json_is_string(t))
          return wrong_kind(c, where, "an array of strings", t);
        s->tags[k] = json_string_value(t);
      }
    }
  }
  return 0;
}

void cli_descriptor_init(cli_descriptor *d) {
  static const dps_snapshot_meta init = DPS_SNAPSHOT_META_INIT;
  memset(d, 0, sizeof *d);
  d->meta = init;
}

int cli_descriptor_load(cli_descriptor *d, const char *path) {
  static const char *const keys[] = {
      "product", "title", "description", "semver", "snapshot_version",
      "parent_version", "created_at", "owner", "lineage", "properties",
      "columns", "schema_tag", NULL};
  desc_ctx c = {path};
  cli_file f;
  json_error_t jerr;
  const char *created = NULL;
  cli_descriptor_init(d);
  if (cli_file_load(&f, path) != 0) return -1;
  json_t *root = json_loadb(f.data, f.size, JSON_REJECT_DUPLICATES, &jerr);
  cli_file_release(&f);
  if (root == NULL) {
    cli_error("%s: line %d, column %d: invalid JSON: %s", path, jerr.line,
              jerr.column, jerr.text);
    return -1;
  }
  d->json = root;
  if (!json_is_object(root)) {
    cli_error("%s: expected a JSON object (the snapshot's metadata, "
              "spec/METADATA.md §3), found %s", path, json_kind(root));
    return -1;
  }
  if (check_keys(&c, NULL, root, keys) != 0) return -1;
  dps_snapshot_meta *m = &d->meta;
  if (get_string(&c, root, "product", "product", &m->product) != 0 ||
      get_string(&c, root, "title", "title", &m->title) != 0 ||
      get_string(&c, root, "description", "description", &m->description) ||
      get_string(&c, root, "semver", "semver", &m->semver) != 0 ||
      get_u64(&c, root, "snapshot_version", "snapshot_version",
              &m->snapshot_version) != 0 ||
      get_u64(&c, root, "parent_version", "parent_version",
              &m->parent_version) != 0 ||
      get_string(&c, root, "created_at", "created_at", &created) != 0 ||
      load_owner(&c, d, json_object_get(root, "owner")) != 0 ||
      load_lineage(&c, d, json_object_get(root, "lineage")) != 0 ||
      load_properties(&c, d, json_object_get(root, "properties")) != 0 ||
      load_columns(&c, d, json_object_get(root, "columns")) != 0)
    return -1;
  if (created != NULL &&
      cli_parse_timestamp(created, strlen(created), &m->created_at) != 0) {
    cli_error("%s: \"created_at\": expected an ISO 8601 time like "
              "\"2026-11-24T23:50:00Z\", found \"%s\"", path, created);
    return -1;
  }
  return 0;
}

int cli_descriptor_set_owner(cli_descriptor *d, const char *owner) {
  const char *lt = strrchr(owner, '<');
  size_t n = strlen(owner);
  while (n > 0 && owner[n - 1] == ' ') n--;
  if (lt == NULL || n == 0 || owner[n - 1] != '>') return -1;
  const char *team_end = lt;
  while (team_end > owner && team_end[-1] == ' ') team_end--;
  const char *team = owner;
  while (team < team_end && *team == ' ') team++;
  const char *email = lt + 1;
  size_t email_len = (size_t)(owner + n - 1 - email);
  if (team == team_end || email_len == 0) return -1;
  size_t team_len = (size_t)(team_end - team);
  free(d->owner_copy);
  d->owner_copy = cli_malloc(team_len + email_len + 2);
  memcpy(d->owner_copy, team, team_len);
  d->owner_copy[team_len] = '\0';
  memcpy(d->owner_copy + team_len + 1, email, email_len);
  d->owner_copy[team_len + 1 + email_len] = '\0';
  d->meta.owner_team = d->owner_copy;
  d->meta.owner_email = d->owner_copy + team_len + 1;
  return 0;
}

void cli_descriptor_free(cli_descriptor *d) {
  for (size_t i = 0; i < d->n_columns; i++) free(d->columns[i].tags);
  free(d->columns);
  free(d->inputs);
  free(d->properties);
  free(d->owner_copy);
  json_decref((json_t *)d->json);
  memset(d, 0, sizeof *d);
}

/* ---------------------------------------------------------------------- */
/* Metadata as JSON                                                       */
/* ---------------------------------------------------------------------- */

/* jansson refuses strings that are not UTF-8. The library checks what it
 * writes, but a damaged or foreign file could still hold such bytes: show
 * them as U+FFFD rather than dropping the key. */
static json_t *jstr(const char *s) {
  json_t *v = json_string(s);
  if (v != NULL) return v;
  cli_buf b = {NULL, 0, 0};
  size_t n = strlen(s), i = 0;
  while (i < n) {
    size_t ok = cli_utf8_check((const uint8_t *)s + i, n - i);
    cli_buf_append(&b, s + i, ok);
    i += ok;
    if (i < n) {
      cli_buf_puts(&b, "\xEF\xBF\xBD");
      i++;
    }
  }
  v = json_string(cli_buf_cstr(&b));
  cli_buf_free(&b);
  return v != NULL ? v : json_string("");
}

static void set_str(json_t *obj, const char *key, const char *s) {
  if (s != NULL && s[0] != '\0') json_object_set_new(obj, key, jstr(s));
}

static json_t *ju64(uint64_t v) {
  /* jansson integers are signed 64-bit; larger values keep every digit as
   * a string rather than being rounded through a double. */
  if (v <= (uint64_t)INT64_MAX) return json_integer((json_int_t)v);
  char s[24];
  snprintf(s, sizeof s, "%" PRIu64, v);
  return json_string(s);
}

static json_t *jhex(uint64_t v) {
  char s[17];
  snprintf(s, sizeof s, "%016" PRIx64, v);
  return json_string(s);
}

void *cli_json_columns(const dps_schema *schema) {
  json_t *arr = json_array();
  cli_buf type = {NULL, 0, 0};
  size_t n = dps_schema_column_count(schema);
  for (size_t i = 0; i < n; i++) {
    dps_column_view c;
    if (dps_schema_column(schema, i, &c) != DPS_OK) continue;
    json_t *o = json_object();
    type.len = 0;
    cli_buf_type(&type, &c);
    json_object_set_new(o, "name", jstr(c.name));
    json_object_set_new(o, "type", json_string(cli_buf_cstr(&type)));
    json_object_set_new(o, "nullable", json_boolean(c.nullable));
    set_str(o, "description", c.description);
    if (c.n_tags > 0) {
      json_t *tags = json_array();
      for (size_t k = 0; k < c.n_tags; k++)
        json_array_append_new(tags, jstr(c.tags[k]));
      json_object_set_new(o, "tags", tags);
    }
    json_array_append_new(arr, o);
  }
  cli_buf_free(&type);
  return arr;
}

void *cli_json_meta(const dps_reader *reader) {
  const dps_snapshot_meta *m = dps_reader_meta(reader);
  json_t *o = json_object();
  cli_buf b = {NULL, 0, 0};
  set_str(o, "product", m->product);
  set_str(o, "title", m->title);
  set_str(o, "description", m->description);
  set_str(o, "semver", m->semver);
  if (m->snapshot_version != 0)
    json_object_set_new(o, "snapshot_version", ju64(m->snapshot_version));
  if (m->parent_version != 0)
    json_object_set_new(o, "parent_version", ju64(m->parent_version));
  cli_buf_timestamp(&b, m->created_at, 1);
  json_object_set_new(o, "created_at", json_string(cli_buf_cstr(&b)));
  cli_buf_free(&b);
  if ((m->owner_team != NULL && m->owner_team[0] != '\0') ||
      (m->owner_email != NULL && m->owner_email[0] != '\0')) {
    json_t *owner = json_object();
    set_str(owner, "team", m->owner_team);
    set_str(owner, "email", m->owner_email);
    json_object_set_new(o, "owner", owner);
  }
  json_t *lin = json_object();
  if (m->n_inputs > 0) {
    json_t *inputs = json_array();
    for (size_t i = 0; i < m->n_inputs; i++) {
      const dps_lineage_input *in = &m->inputs[i];
      json_t *e = json_object();
      set_str(e, "product", in->product);
      if (in->version != 0) json_object_set_new(e, "version", ju64(in->version));
      if (in->schema_tag != 0)
        json_object_set_new(e, "schema_tag", jhex(in->schema_tag));
      set_str(e, "uri", in->uri);
      json_array_append_new(inputs, e);
    }
    json_object_set_new(lin, "inputs", inputs);
  }
  set_str(lin, "job", m->job_name);
  set_str(lin, "run_id", m->run_id);
  set_str(lin, "code_version", m->code_version);
  if (json_object_size(lin) > 0) json_object_set_new(o, "lineage", lin);
  else json_decref(lin);
  if (m->n_properties > 0) {
    json_t *props = json_object();
    for (size_t i = 0; i < m->n_properties; i++)
      json_object_set_new(props, m->properties[i].key,
                          jstr(m->properties[i].value != NULL
                                   ? m->properties[i].value : ""));
    json_object_set_new(o, "properties", props);
  }
  json_object_set_new(o, "schema_tag", jhex(dps_reader_schema_tag(reader)));
  json_object_set_new(o, "columns", cli_json_columns(dps_reader_schema(reader)));
  return o;
}

int cli_json_print(void *json) {
  char *s = json_dumps((json_t *)json, JSON_INDENT(2) | JSON_PRESERVE_ORDER |
                                     JSON_REAL_PRECISION(10));
  json_decref((json_t *)json);
  if (s == NULL) cli_oom();
  cli_out out;
  cli_out_init(&out, stdout, "standard output");
  cli_buf_puts(&out.buf, s);
  cli_buf_putc(&out.buf, '\n');
  free(s);
  return cli_out_finish(&out);
}

/* meta.c - checks and copies of snapshot metadata (spec/METADATA.md). */
#include "engine/engine.h"

#include <string.h>
#include <time.h>

int64_t dps__now_micros(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static bool is_id_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-';
}

/* [META-1] domain.name: two or more dot-separated parts of [a-z0-9_-]. */
static const char *product_problem(const char *p) {
  size_t n = strlen(p), parts = 1, part_len = 0;
  if (n < 3 || n > 255) return "3 to 255 characters";
  for (size_t i = 0; i < n; i++) {
    if (p[i] == '.') {
      if (part_len == 0) return "no empty part between dots";
      parts++;
      part_len = 0;
    } else if (!is_id_char(p[i])) {
      return "only a-z 0-9 _ - and dots";
    } else {
      if (part_len == 0 && (p[i] == '_' || p[i] == '-'))
        return "each part starting with a letter or digit";
      part_len++;
    }
  }
  if (part_len == 0) return "no empty part after the last dot";
  if (parts < 2) return "the form domain.name";
  return NULL;
}

static bool numeric_id(const char *s, size_t n) {
  if (n == 0) return false;
  for (size_t i = 0; i < n; i++)
    if (s[i] < '0' || s[i] > '9') return false;
  return n == 1 || s[0] != '0';
}

static bool ident_list(const char *s, size_t n, bool numeric_rules) {
  /* dot-separated non-empty identifiers of [0-9A-Za-z-] */
  size_t start = 0;
  for (size_t i = 0; i <= n; i++) {
    if (i == n || s[i] == '.') {
      if (i == start) return false;
      bool all_digits = true;
      for (size_t k = start; k < i; k++) {
        char c = s[k];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
              (c >= 'A' && c <= 'Z') || c == '-'))
          return false;
        if (c < '0' || c > '9') all_digits = false;
      }
      if (numeric_rules && all_digits && !numeric_id(s + start, i - start))
        return false;
      start = i + 1;
    }
  }
  return true;
}

/* [META-2] SemVer 2.0.0. */
static bool semver_ok(const char *v) {
  const char *p = v;
  for (int k = 0; k < 3; k++) {
    const char *q = p;
    while (*q >= '0' && *q <= '9') q++;
    if (!numeric_id(p, (size_t)(q - p))) return false;
    p = q;
    if (k < 2) {
      if (*p != '.') return false;
      p++;
    }
  }
  if (*p == '-') {
    const char *q = ++p;
    while (*q && *q != '+') q++;
    if (!ident_list(p, (size_t)(q - p), true)) return false;
    p = q;
  }
  if (*p == '+') {
    p++;
    if (!ident_list(p, strlen(p), false)) return false;
    p += strlen(p);
  }
  return *p == '\0';
}

static bool email_ok(const char *e) {
  const char *at = strchr(e, '@');
  if (at == NULL || at == e || strchr(at + 1, '@') != NULL) return false;
  const char *dom = at + 1;
  if (*dom == '\0' || *dom == '.') return false;
  for (const char *c = e; *c; c++)
    if ((unsigned char)*c <= ' ' || *c == '<' || *c == '>') return false;
  return true;
}

static bool blank(const char *s) { return s == NULL || s[0] == '\0'; }

static dps_status check_text(const char *field, const char *s, dps_error *err) {
  if (s != NULL && dps__utf8_check((const uint8_t *)s, strlen(s)) != SIZE_MAX)
    return dps__fail(err, DPS_EINVAL, "metadata field %s: expected UTF-8 "
                     "text, found an invalid byte", field);
  return DPS_OK;
}

dps_status dps__meta_validate(const dps_snapshot_meta *m, dps_error *err) {
  if (m == NULL)
    return dps__fail(err, DPS_EPOLICY, "snapshot metadata missing: a snapshot "
                     "needs a product id (domain.name) and an owner (team and "
                     "email)");
  if (m->version != DPS_SNAPSHOT_META_VERSION)
    return dps__fail(err, DPS_EINVAL, "dps_snapshot_meta.version: expected "
                     "%d (use DPS_SNAPSHOT_META_INIT), found %u",
                     DPS_SNAPSHOT_META_VERSION, m->version);
  if (blank(m->product))  /* [META-8] */
    return dps__fail(err, DPS_EPOLICY, "snapshot has no product id: set "
                     "product to \"domain.name\" (e.g. \"sales.orders\")");
  if (blank(m->owner_team))
    return dps__fail(err, DPS_EPOLICY, "product %s has no owner: set the "
                     "owner team (and owner email) of the snapshot",
                     m->product);
  if (blank(m->owner_email))
    return dps__fail(err, DPS_EPOLICY, "product %s has no owner email: set "
                     "an address where the owning team can be reached",
                     m->product);
  const char *why = product_problem(m->product);
  if (why != NULL)
    return dps__fail(err, DPS_EINVAL, "product id \"%.255s\": expected %s "
                     "(e.g. \"sales.orders\")", m->product, why);
  if (!email_ok(m->owner_email))
    return dps__fail(err, DPS_EINVAL, "owner email \"%.255s\": expected an "
                     "address like team@example.org", m->owner_email);
  if (m->semver != NULL && !semver_ok(m->semver))
    return dps__fail(err, DPS_EINVAL, "semver \"%.64s\": expected "
                     "MAJOR.MINOR.PATCH (e.g. \"1.4.0\")", m->semver);
  if (m->snapshot_version && m->parent_version >= m->snapshot_version)
    return dps__fail(err, DPS_EINVAL, "parent version %llu: expected less "
                     "than the snapshot version %llu",
                     (unsigned long long)m->parent_version,
                     (unsigned long long)m->snapshot_version);
  const char *names[] = {"title", "description", "owner_team", "job_name",
                         "run_id", "code_version"};
  const char *vals[] = {m->title, m->description, m->owner_team, m->job_name,
                        m->run_id, m->code_version};
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
    dps_status s = check_text(names[i], vals[i], err);
    if (s != DPS_OK) return s;
  }
  if (m->n_inputs && m->inputs == NULL)
    return dps__fail(err, DPS_EINVAL, "n_inputs is %zu but inputs is NULL",
                     m->n_inputs);
  for (size_t i = 0; i < m->n_inputs; i++) {  /* [META-6] */
    const dps_lineage_input *in = &m->inputs[i];
    if (blank(in->product) && blank(in->uri))
      return dps__fail(err, DPS_EINVAL, "lineage input %zu: expected a "
                       "product (domain.name) or a URI, found neither", i + 1);
    if (!blank(in->product) && (why = product_problem(in->product)) != NULL)
      return dps__fail(err, DPS_EINVAL, "lineage input %zu: product id "
                       "\"%.255s\": expected %s", i + 1, in->product, why);
    dps_status s = check_text("lineage uri", in->uri, err);
    if (s != DPS_OK) return s;
  }
  if (m->n_properties && m->properties == NULL)
    return dps__fail(err, DPS_EINVAL, "n_properties is %zu but properties is "
                     "NULL", m->n_properties);
  for (size_t i = 0; i < m->n_properties; i++) {  /* [META-7] */
    const dps_property *p = &m->properties[i];
    if (blank(p->key))
      return dps__fail(err, DPS_EINVAL, "property %zu: expected a non-empty "
                       "key", i + 1);
    for (size_t k = 0; k < i; k++)
      if (strcmp(m->properties[k].key, p->key) == 0)
        return dps__fail(err, DPS_EINVAL, "property \"%.128s\": expected "
                         "unique keys, found it twice", p->key);
    dps_status s = check_text("property key", p->key, err);
    if (s == DPS_OK) s = check_text("property value", p->value, err);
    if (s != DPS_OK) return s;
  }
  return DPS_OK;
}

dps_status dps__meta_copy(dps_snapshot_meta *dst, const dps_snapshot_meta *src,
                          dps_arena *a, dps_error *err) {
  bool fail = false;
#define DUP(field)                                              \
  do {                                                          \
    dst->field = dps__arena_strdup(a, src->field);              \
    if (src->field != NULL && dst->field == NULL) fail = true;  \
  } while (0)
  *dst = *src;
  DUP(product); DUP(title); DUP(description); DUP(semver);
  DUP(owner_team); DUP(owner_email); DUP(job_name); DUP(run_id);
  DUP(code_version);
  dps_lineage_input *in = NULL;
  dps_property *pr = NULL;
  if (src->n_inputs) {
    in = dps__arena_alloc(a, src->n_inputs * sizeof *in);
    if (in == NULL) fail = true;
    for (size_t i = 0; in != NULL && i < src->n_inputs; i++) {
      in[i] = src->inputs[i];
      in[i].product = dps__arena_strdup(a, src->inputs[i].product);
      in[i].uri = dps__arena_strdup(a, src->inputs[i].uri);
    }
  }
  if (src->n_properties) {
    pr = dps__arena_alloc(a, src->n_properties * sizeof *pr);
    if (pr == NULL) fail = true;
    for (size_t i = 0; pr != NULL && i < src->n_properties; i++) {
      pr[i].key = dps__arena_strdup(a, src->properties[i].key);
      pr[i].value = dps__arena_strdup(a, src->properties[i].value
                                             ? src->properties[i].value : "");
    }
  }
#undef DUP
  dst->inputs = in;
  dst->properties = pr;
  return fail ? dps__fail(err, DPS_ENOMEM, "out of memory") : DPS_OK;
}

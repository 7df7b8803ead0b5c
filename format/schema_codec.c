/* schema_codec.c - schema and metadata messages of the footer
 * (spec/FORMAT.md §6.2, §6.3). */
#include "format/format.h"

#include <string.h>

#define TRY(x) do { dps_status s_ = (x); if (s_ != DPS_OK) return s_; } while (0)

dps_status dps__schema_encode(const dps_schema *s, dps_buf *out) {
  dps_buf col = {0};
  dps_status st = DPS_OK;
  for (size_t i = 0; st == DPS_OK && i < s->n; i++) {
    const struct dps_column_def *c = &s->cols[i];
    col.len = 0;
    st = dps__tlv_put_str(&col, 1, c->name);
    if (st == DPS_OK) st = dps__tlv_put_uint(&col, 2, (uint64_t)c->type);
    if (st == DPS_OK) st = dps__tlv_put_uint(&col, 3, (uint64_t)c->nullable);
    if (st == DPS_OK && c->type == DPS_TYPE_DECIMAL) {
      st = dps__tlv_put_uint(&col, 4, (uint64_t)c->precision);
      if (st == DPS_OK) st = dps__tlv_put_uint(&col, 5, (uint64_t)c->scale);
    }
    if (st == DPS_OK) st = dps__tlv_put_str(&col, 6, c->description);
    for (size_t k = 0; st == DPS_OK && k < c->n_tags; k++)
      st = dps__tlv_put_str(&col, 7, c->tags[k]);
    if (st == DPS_OK) st = dps__tlv_put_msg(out, 1, &col);
  }
  dps__buf_free(&col);
  return st;
}

static dps_status decode_column(dps_tlv_reader *r, dps_schema *schema,
                                dps_error *err) {
  dps_arena a = {0};
  dps_column_view v;
  memset(&v, 0, sizeof v);
  const char *tags[256];
  size_t n_tags = 0;
  uint64_t type = 0, u;
  int got = 0;
  dps_tlv_field f;
  dps_status st = DPS_OK;
  uint64_t at = r->base_offset;
  while (st == DPS_OK && (got = dps__tlv_next(r, &f, err)) > 0) {
    switch (f.tag) {
      case 1: st = dps__tlv_get_str(r, &f, &a, &v.name, err); break;
      case 2: st = dps__tlv_get_uint(r, &f, &type, err); break;
      case 3:
        st = dps__tlv_get_uint(r, &f, &u, err);
        v.nullable = u != 0;
        break;
      case 4:
        st = dps__tlv_get_uint(r, &f, &u, err);
        v.precision = u > 64 ? 64 : (int)u;
        break;
      case 5:
        st = dps__tlv_get_uint(r, &f, &u, err);
        v.scale = u > 64 ? 64 : (int)u;
        break;
      case 6: st = dps__tlv_get_str(r, &f, &a, &v.description, err); break;
      case 7:
        if (n_tags == 256) {
          st = DPS_CORRUPT(err, "%s: column: expected at most 256 tags "
                           "(offset %llu)", r->file,
                           (unsigned long long)f.offset);
          break;
        }
        st = dps__tlv_get_str(r, &f, &a, &tags[n_tags++], err);
        break;
      default: break;  /* [FMT-20] unknown fields are skipped */
    }
  }
  if (st == DPS_OK && got < 0) st = (dps_status)got;
  if (st == DPS_OK) {
    if (!dps__type_valid(type)) {
      st = DPS_CORRUPT(err, "%s: column %zu: expected a type id 1..16, found "
                       "%llu (offset %llu)", r->file, schema->n + 1,
                       (unsigned long long)type, (unsigned long long)at);
    } else {
      v.type = (dps_type)type;
      v.tags = tags;
      v.n_tags = n_tags;
      dps_error sub;
      st = dps_schema_add_column(schema, &v, &sub);
      if (st == DPS_EINVAL)
        st = DPS_CORRUPT(err, "%s: stored schema (offset %llu): %s", r->file,
                         (unsigned long long)at, sub.message);
      else if (st != DPS_OK)
        dps__fail(err, st, "%s", sub.message);
    }
  }
  dps__arena_free(&a);
  return st;
}

dps_status dps__schema_decode(dps_tlv_reader *r, dps_schema **out,
                              dps_error *err) {
  dps_status st = dps_schema_new(out, err);
  dps_tlv_field f;
  int got = 0;
  while (st == DPS_OK && (got = dps__tlv_next(r, &f, err)) > 0) {
    if (f.tag != 1) continue;
    dps_tlv_reader c;
    dps__tlv_child(r, &f, &c, "column");
    st = decode_column(&c, *out, err);
  }
  if (st == DPS_OK && got < 0) st = (dps_status)got;
  if (st == DPS_OK && (*out)->n == 0)
    st = DPS_CORRUPT(err, "%s: schema: expected at least one column, found "
                     "none", r->file);
  if (st != DPS_OK) {
    dps_schema_free(*out);
    *out = NULL;
  }
  return st;
}

dps_status dps__meta_encode(const dps_snapshot_meta *m, dps_buf *out) {
  dps_buf sub = {0};
  dps_status st = dps__tlv_put_str(out, 1, m->product);
  if (st == DPS_OK) st = dps__tlv_put_str(out, 2, m->title);
  if (st == DPS_OK) st = dps__tlv_put_str(out, 3, m->description);
  if (st == DPS_OK) st = dps__tlv_put_str(out, 4, m->semver);
  if (st == DPS_OK && m->snapshot_version)
    st = dps__tlv_put_uint(out, 5, m->snapshot_version);
  if (st == DPS_OK && m->parent_version)
    st = dps__tlv_put_uint(out, 6, m->parent_version);
  if (st == DPS_OK) st = dps__tlv_put_sint(out, 7, m->created_at);
  if (st == DPS_OK) st = dps__tlv_put_str(out, 8, m->owner_team);
  if (st == DPS_OK) st = dps__tlv_put_str(out, 9, m->owner_email);
  for (size_t i = 0; st == DPS_OK && i < m->n_inputs; i++) {
    const dps_lineage_input *in = &m->inputs[i];
    sub.len = 0;
    st = dps__tlv_put_str(&sub, 1, in->product);
    if (st == DPS_OK && in->version) st = dps__tlv_put_uint(&sub, 2, in->version);
    if (st == DPS_OK && in->schema_tag) st = dps__tlv_put_u64(&sub, 3, in->schema_tag);
    if (st == DPS_OK) st = dps__tlv_put_str(&sub, 4, in->uri);
    if (st == DPS_OK) st = dps__tlv_put_msg(out, 10, &sub);
  }
  if (st == DPS_OK) st = dps__tlv_put_str(out, 11, m->job_name);
  if (st == DPS_OK) st = dps__tlv_put_str(out, 12, m->run_id);
  if (st == DPS_OK) st = dps__tlv_put_str(out, 13, m->code_version);
  for (size_t i = 0; st == DPS_OK && i < m->n_properties; i++) {
    sub.len = 0;
    st = dps__tlv_put_str(&sub, 1, m->properties[i].key);
    if (st == DPS_OK) st = dps__tlv_put_str(&sub, 2, m->properties[i].value ?
                                            m->properties[i].value : "");
    if (st == DPS_OK) st = dps__tlv_put_msg(out, 14, &sub);
  }
  dps__buf_free(&sub);
  return st;
}

/* Counts the occurrences of `tag` in a message so arrays can be sized. */
static size_t count_tag(const dps_tlv_reader *r, uint64_t tag) {
  dps_tlv_reader c = *r;
  dps_tlv_field f;
  size_t n = 0;
  while (dps__tlv_next(&c, &f, NULL) > 0) n += f.tag == tag;
  return n;
}

dps_status dps__meta_decode(dps_tlv_reader *r, dps_arena *a,
                            dps_snapshot_meta *m, dps_error *err) {
  memset(m, 0, sizeof *m);
  m->version = DPS_SNAPSHOT_META_VERSION;
  size_t n_in = count_tag(r, 10), n_prop = count_tag(r, 14);
  dps_lineage_input *inputs = n_in ? dps__arena_alloc(a, n_in * sizeof *inputs) : NULL;
  dps_property *props = n_prop ? dps__arena_alloc(a, n_prop * sizeof *props) : NULL;
  if ((n_in && inputs == NULL) || (n_prop && props == NULL))
    return dps__fail(err, DPS_ENOMEM, "out of memory");
  m->inputs = inputs;
  m->properties = props;
  dps_tlv_field f;
  int got;
  while ((got = dps__tlv_next(r, &f, err)) > 0) {
    switch (f.tag) {
      case 1: TRY(dps__tlv_get_str(r, &f, a, &m->product, err)); break;
      case 2: TRY(dps__tlv_get_str(r, &f, a, &m->title, err)); break;
      case 3: TRY(dps__tlv_get_str(r, &f, a, &m->description, err)); break;
      case 4: TRY(dps__tlv_get_str(r, &f, a, &m->semver, err)); break;
      case 5: TRY(dps__tlv_get_uint(r, &f, &m->snapshot_version, err)); break;
      case 6: TRY(dps__tlv_get_uint(r, &f, &m->parent_version, err)); break;
      case 7: TRY(dps__tlv_get_sint(r, &f, &m->created_at, err)); break;
      case 8: TRY(dps__tlv_get_str(r, &f, a, &m->owner_team, err)); break;
      case 9: TRY(dps__tlv_get_str(r, &f, a, &m->owner_email, err)); break;
      case 10: {
        dps_lineage_input *in = &inputs[m->n_inputs++];
        dps_tlv_reader c;
        dps__tlv_child(r, &f, &c, "lineage input");
        dps_tlv_field g;
        int got2;
        while ((got2 = dps__tlv_next(&c, &g, err)) > 0) {
          if (g.tag == 1) TRY(dps__tlv_get_str(&c, &g, a, &in->product, err));
          else if (g.tag == 2) TRY(dps__tlv_get_uint(&c, &g, &in->version, err));
          else if (g.tag == 3) TRY(dps__tlv_get_u64(&c, &g, &in->schema_tag, err));
          else if (g.tag == 4) TRY(dps__tlv_get_str(&c, &g, a, &in->uri, err));
        }
        if (got2 < 0) return (dps_status)got2;
        break;
      }
      case 11: TRY(dps__tlv_get_str(r, &f, a, &m->job_name, err)); break;
      case 12: TRY(dps__tlv_get_str(r, &f, a, &m->run_id, err)); break;
      case 13: TRY(dps__tlv_get_str(r, &f, a, &m->code_version, err)); break;
      case 14: {
        dps_property *p = &props[m->n_properties++];
        dps_tlv_reader c;
        dps__tlv_child(r, &f, &c, "property");
        dps_tlv_field g;
        int got2;
        while ((got2 = dps__tlv_next(&c, &g, err)) > 0) {
          if (g.tag == 1) TRY(dps__tlv_get_str(&c, &g, a, &p->key, err));
          else if (g.tag == 2) TRY(dps__tlv_get_str(&c, &g, a, &p->value, err));
        }
        if (got2 < 0) return (dps_status)got2;
        if (p->key == NULL) p->key = "";
        if (p->value == NULL) p->value = "";
        break;
      }
      default: break;  /* [FMT-20] */
    }
  }
  return got < 0 ? (dps_status)got : DPS_OK;
}

/* Write a snapshot of the product sales.orders, then read it back. */
#include <dpsnap.h>
#include <stdio.h>

int main(void) {
  dps_error err = {0};
  dps_schema *schema = NULL;
  dps_writer *writer = NULL;
  dps_reader *reader = NULL;
  dps_cursor *cursor = NULL;
  int rc = 1;

  const char *pii[] = {"pii"};
  dps_column_view id = {"order_id", DPS_TYPE_INT64, 0, 0, 0, "Order number", NULL, 0};
  dps_column_view email = {"email", DPS_TYPE_STRING, 1, 0, 0, "Buyer", pii, 1};
  dps_column_view total = {"total", DPS_TYPE_DECIMAL, 0, 10, 2, "EUR", NULL, 0};
  if (dps_schema_new(&schema, &err) || dps_schema_add_column(schema, &id, &err) ||
      dps_schema_add_column(schema, &email, &err) ||
      dps_schema_add_column(schema, &total, &err))
    goto done;

  dps_snapshot_meta meta = DPS_SNAPSHOT_META_INIT;
  meta.product = "sales.orders";
  meta.semver = "1.0.0";
  meta.owner_team = "Sales engineering";
  meta.owner_email = "sales-data@example.org";
  dps_lineage_input input = {NULL, 0, 0, "postgres://crm/orders"};
  meta.inputs = &input;
  meta.n_inputs = 1;

  /* Three rows; the second buyer is unknown (null). */
  int64_t ids[] = {1001, 1002, 1003};
  int64_t offsets[] = {0, 13, 13, 26};
  const char *bytes = "ana@mail.testbob@mail.test";
  uint8_t email_valid[] = {0x05}; /* rows 0 and 2 valid */
  int64_t cents[] = {1999, 500, 123456};
  dps_array_view cols[3] = {
      {3, NULL, ids, NULL, NULL},
      {3, email_valid, NULL, offsets, (const uint8_t *)bytes},
      {3, NULL, cents, NULL, NULL}};
  if (dps_writer_open(&writer, "orders.dps", schema, &meta, NULL, &err) ||
      dps_writer_write(writer, cols, 3, 3, &err) ||
      dps_writer_finish(writer, &err))
    goto done;

  if (dps_reader_open(&reader, "orders.dps", NULL, &err) ||
      dps_cursor_open(&cursor, reader, NULL, 0, &err))
    goto done;
  printf("%s, owner %s, schema tag %016llx\n", dps_reader_meta(reader)->product,
         dps_reader_meta(reader)->owner_team,
         (unsigned long long)dps_reader_schema_tag(reader));
  const dps_batch *batch;
  while (dps_cursor_next(cursor, &batch, &err) == DPS_OK && batch != NULL) {
    dps_array_view o, e, t;
    dps_batch_column(batch, 0, &o);
    dps_batch_column(batch, 1, &e);
    dps_batch_column(batch, 2, &t);
    for (size_t i = 0; i < dps_batch_row_count(batch); i++) {
      int64_t c = ((const int64_t *)t.values)[i];
      if (dps_array_is_valid(&e, i))
        printf("%lld %.*s %lld.%02lld\n", (long long)((const int64_t *)o.values)[i],
               (int)(e.offsets[i + 1] - e.offsets[i]), (const char *)e.data + e.offsets[i],
               (long long)(c / 100), (long long)(c % 100));
      else
        printf("%lld NULL %lld.%02lld\n", (long long)((const int64_t *)o.values)[i],
               (long long)(c / 100), (long long)(c % 100));
    }
  }
  rc = err.code != 0;
done:
  if (err.code != 0) fprintf(stderr, "error: %s\n", err.message);
  dps_cursor_free(cursor);
  dps_reader_free(reader);
  dps_writer_free(writer);
  dps_schema_free(schema);
  return rc;
}

/* engine.h - internals shared by the engine's files (writer, reader). */
#ifndef DPS_ENGINE_H
#define DPS_ENGINE_H

#include "format/format.h"

/* Checks the metadata rules of spec/METADATA.md ([META-1..8]). */
dps_status dps__meta_validate(const dps_snapshot_meta *m, dps_error *err);
/* Deep copy of src into dst; strings and arrays live in the arena. */
dps_status dps__meta_copy(dps_snapshot_meta *dst, const dps_snapshot_meta *src,
                          dps_arena *a, dps_error *err);
/* Current time in microseconds since the epoch, UTC. */
int64_t dps__now_micros(void);

#endif

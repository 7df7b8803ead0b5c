/* error.c - status codes, messages and version queries. */
#include "format/format.h"

#include <stdio.h>
#include <string.h>

#ifndef DPS_VERSION_STRING
#  define DPS_VERSION_STRING "0.1.0"
#endif

unsigned dps_version_number(void) { return DPS_VERSION_NUMBER; }

const char *dps_version_string(void) { return DPS_VERSION_STRING; }

const char *dps_strerror(int code) {
  switch (code) {
    case DPS_OK: return "ok";
    case DPS_EINVAL: return "invalid argument or value";
    case DPS_ENOMEM: return "out of memory";
    case DPS_EIO: return "input/output error";
    case DPS_ECORRUPT: return "corrupt or not a snapshot";
    case DPS_ECHECKSUM: return "checksum mismatch";
    case DPS_EVERSION: return "unsupported format version";
    case DPS_ENOTFOUND: return "not found";
    case DPS_ECONFLICT: return "conflicting commit";
    case DPS_EPOLICY: return "refused by policy";
    case DPS_EMISUSE: return "API misuse";
    default: return "unknown error";
  }
}

static dps_status vfail(dps_error *err, dps_status code, const char *fmt,
                        va_list ap) {
  if (err != NULL) {
    err->code = (int)code;
    vsnprintf(err->message, sizeof err->message, fmt, ap);
  }
  return code;
}

dps_status dps__fail(dps_error *err, dps_status code, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vfail(err, code, fmt, ap);
  va_end(ap);
  return code;
}

dps_status dps__corrupt_at(dps_error *err, int line, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vfail(err, DPS_ECORRUPT, fmt, ap);
  va_end(ap);
  if (err != NULL) {
    /* Debug builds name the check that fired, for whoever fixes the writer. */
    size_t used = strlen(err->message);
    if (used + 24 < sizeof err->message)
      snprintf(err->message + used, sizeof err->message - used,
               " [format check %d]", line);
  }
  return DPS_ECORRUPT;
}

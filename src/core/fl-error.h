/* fl-error.h: the one error domain of the Frameloom core.
 *
 * Every failure that reaches a user is a GError in FL_ERROR whose message is one
 * sentence: what failed, on which file or address, and why.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define FL_ERROR (fl_error_quark ())

typedef enum
{
  FL_ERROR_FAILED,        /* anything without a better code */
  FL_ERROR_INVALID_ARGUMENT, /* bad option value: size, port, count */
  FL_ERROR_ADDRESS,       /* address cannot be parsed or resolved */
  FL_ERROR_ADDRESS_IN_USE,
  FL_ERROR_ADDRESS_NOT_AVAILABLE,
  FL_ERROR_CONNECT,       /* connect refused, unreachable, timed out */
  FL_ERROR_NETWORK,       /* reset, timeout or other failure mid-transfer */
  FL_ERROR_TOO_LARGE,     /* input exceeds a size cap */
  FL_ERROR_INVALID_PNG,
  FL_ERROR_INVALID_GIF,
  FL_ERROR_IO,            /* local file system failure */
  FL_ERROR_NO_SPACE,      /* ENOSPC/EDQUOT */
  FL_ERROR_NO_DESCRIPTORS, /* EMFILE/ENFILE: our own shortage, worth a retry later */
  FL_ERROR_WORKER,        /* a worker process failed or died */
  FL_ERROR_CANCELLED,
} FlErrorCode;

GQuark      fl_error_quark (void);

/* Call before starting threads that may report errors (the core does it for
 * its own): it makes GLib's lazily created error state exist before them. */
void        fl_error_prepare_threads (void);

/* Maps an errno value to the closest FlErrorCode (I/O context). */
FlErrorCode fl_error_code_from_errno (int errsv);

/* A short lower-case reason for errno, as users read it: "address already in use". */
const char *fl_strerror (int errsv);

G_END_DECLS

/* fl-check-client-private.h: one client check run, shared by its two parts:
 * the run and what the server saw (fl-check-client.c), and the files the
 * client left (fl-check-client-files.c). */
#pragma once

#include "fl-check-client.h"
#include "fl-check-private.h"
#include "fl-check-proc.h"
#include "fl-check-process.h"
#include "fl-server.h"
#include "fl-sync.h"

G_BEGIN_DECLS

/* One connection as the server saw it. */
typedef struct
{
  gint64 t0, t1;   /* accepted, closed (monotonic us) */
  guint32 hash;    /* of the image sent (fl_image_hash) */
  gboolean sent;   /* in full */
} FlServedConnection;

/* One frame file the client wrote, as read back. */
typedef struct
{
  gboolean present, valid;
  guint width, height;
  guint32 hash;        /* fl_image_hash */
  guint8 *rgba;        /* the pixels, for frames of up to 64x64; else NULL */
  char *error;         /* why it is not valid */
} FlClientFrame;

struct _FlCheckClient
{
  FlCheckClientConfig config;  /* strings not owned */
  guint n_frames;
  char *working_dir, *frames_dir;
  FlEvents *own_events, *events;
  guint reader;
  FlServer *server;
  gint end_requested;

  FlMutex lock;                 /* guards connections, the reader's */
  GArray *connections;         /* FlServedConnection, in the order they ended */

  /* The run, once it ended. */
  FlChecker checker;
  gint64 run_start;            /* monotonic us */
  gint64 real_offset;          /* g_get_real_time () - g_get_monotonic_time () */
  gint64 run_end;
  gint64 first_accept, last_close; /* of the connections; 0 when none */
  GHashTable *sent_hashes;     /* hash -> images sent with it */
  FlCheckProcess *process;
  FlChildSampler *children;
  FlSocketSampler *sockets;
  gboolean exited, timed_out;
  int exit_status;
  char *gif_path;              /* the GIF found, or NULL */
  gint64 gif_written;          /* its mtime, monotonic us; 0: unknown */
  FlClientFrame *frames;       /* n_frames, once read */
};

/* Looks for the GIF (the configured one, else the newest .gif in the working
 * folder modified since the run started); sets gif_path and gif_written. */
gboolean fl_check_client_find_gif (FlCheckClient *checker);
/* Reads the frames back and checks them against what was sent. */
void     fl_check_client_frames (FlCheckClient *checker);
/* The GIF's checks (after the frames'). */
void     fl_check_client_gif (FlCheckClient *checker);
void     fl_check_client_frames_free (FlCheckClient *checker);

G_END_DECLS

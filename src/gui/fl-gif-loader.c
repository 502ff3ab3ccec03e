/* fl-gif-loader.c: a GIF opened on a bare pthread, its result handed back through a GSource. */
#include "fl-gif-loader.h"

#include "fl-sync.h"

#include <glib/gi18n.h>
#include <pthread.h>

/* Opening happens on a thread of its own, handed over without GTask: GTask's
 * thread pool and GMainContext pass memory between threads under GLib's futex
 * locks, which ThreadSanitizer cannot see, so every FlGif made on the pool and
 * read here would be reported as a race. A LoadJob is a GSource on the main
 * context: the thread sets done under an FlMutex and wakes the context; the
 * source's dispatch joins the thread (pthread_join orders everything the thread
 * wrote before what follows) and only then reads the result. The thread is a
 * bare pthread, created and joined from this file, so that TSan sees both
 * even when told to ignore what uninstrumented libraries (GLib) do. */
typedef struct _LoadJob
{
  GSource source;
  FlMutex lock;               /* guards done */
  gboolean done;
  gboolean started;           /* thread runs or must be joined; main thread only */
  pthread_t thread;
  GMainContext *context;      /* set before the thread starts */
  char *path;                 /* set before the thread starts */
  GCancellable *cancellable;
  FlGif *gif;                 /* the result: read after the join */
  GError *error;
  FlGifLoadFunc func;         /* main thread only; NULL once cancelled */
  gpointer user_data;
} LoadJob;

struct _FlGifLoad
{
  LoadJob job;
};

static gboolean
load_job_done (LoadJob *job)
{
  gboolean done;

  fl_mutex_lock (&job->lock);
  done = job->done;
  fl_mutex_unlock (&job->lock);
  return done;
}

static gboolean
load_job_prepare (GSource *source, int *timeout)
{
  *timeout = -1;
  return load_job_done ((LoadJob *) source);
}

static gboolean
load_job_check (GSource *source)
{
  return load_job_done ((LoadJob *) source);
}

static gboolean
load_job_dispatch (GSource *source, GSourceFunc callback, gpointer user_data)
{
  LoadJob *job = (LoadJob *) source;

  if (job->started)
    {
      pthread_join (job->thread, NULL);
      job->started = FALSE;
    }
  if (job->func != NULL)
    job->func (g_steal_pointer (&job->gif), g_steal_pointer (&job->error), job->user_data);
  return G_SOURCE_REMOVE;
}

static void
load_job_finalize (GSource *source)
{
  LoadJob *job = (LoadJob *) source;

  /* Normally joined by dispatch; a context freed with the job pending waits. */
  if (job->started)
    pthread_join (job->thread, NULL);
  fl_mutex_clear (&job->lock);
  g_main_context_unref (job->context);
  g_free (job->path);
  g_clear_object (&job->cancellable);
  g_clear_pointer (&job->gif, fl_gif_unref);
  g_clear_error (&job->error);
}

static GSourceFuncs load_job_funcs = {
  load_job_prepare, load_job_check, load_job_dispatch, load_job_finalize, NULL, NULL,
};

static gpointer
load_thread (gpointer data)
{
  LoadJob *job = data;
  GMainContext *context = job->context;
  GError *error = NULL;
  gint64 start = g_get_monotonic_time ();
  FlGif *gif = fl_gif_new_from_file (job->path, NULL, job->cancellable, &error);

  if (gif != NULL)
    g_debug ("%s: %u frames decoded in %.1f ms, %" G_GSIZE_FORMAT " KiB", job->path,
             fl_gif_get_n_frames (gif), (g_get_monotonic_time () - start) / 1000.0,
             fl_gif_get_memory_size (gif) / 1024);
  fl_mutex_lock (&job->lock);
  job->gif = gif;
  job->error = error;
  job->done = TRUE;
  fl_mutex_unlock (&job->lock);
  /* job may be dispatched from here on, but not finalized: that waits for
   * the join, so context (a reference the job holds) is still alive. */
  g_main_context_wakeup (context);
  return NULL;
}

/* Its thread ends on its own and its source, which the main context owns,
 * joins it and frees it. */
void
fl_gif_load_cancel (FlGifLoad *load)
{
  if (load == NULL)
    return;
  g_cancellable_cancel (load->job.cancellable);
  load->job.func = NULL;
}

FlGifLoad *
fl_gif_load_start (GFile *file, FlGifLoadFunc func, gpointer user_data)
{
  LoadJob *job = (LoadJob *) g_source_new (&load_job_funcs, sizeof (FlGifLoad));

  g_source_set_static_name (&job->source, "FlGifLoad");
  fl_mutex_init (&job->lock);
  job->context = g_main_context_ref_thread_default ();
  job->path = g_file_get_path (file);
  job->cancellable = g_cancellable_new ();
  job->func = func;
  job->user_data = user_data;
  if (job->path == NULL)
    {
      g_autofree char *uri = g_file_get_uri (file);

      job->error = g_error_new (G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                                _("Could not open “%s”: only local files can be opened."), uri);
      job->done = TRUE;
    }
  else if (pthread_create (&job->thread, NULL, load_thread, job) == 0)
    job->started = TRUE;
  else
    {
      g_autofree char *display = g_filename_display_name (job->path);

      job->error = g_error_new (G_IO_ERROR, G_IO_ERROR_FAILED,
                                _("Could not open “%s”: no thread could be started to read it."),
                                display);
      job->done = TRUE;
    }
  g_source_attach (&job->source, job->context);
  /* The main context owns it: it is freed once dispatched (or with the context). */
  g_source_unref (&job->source);
  return (FlGifLoad *) job;
}

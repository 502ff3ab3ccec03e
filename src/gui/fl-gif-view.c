/* fl-gif-view.c: FlGifPaintable in a GtkPicture plus its playback controls. */
#include "fl-gif-view.h"

#include "fl-frame-paintable.h"
#include "fl-sync.h"

#include <glib/gi18n.h>
#include <pthread.h>

struct _FlGifView
{
  GtkWidget parent_instance;

  FlGifPaintable *paintable;
  FlFramePaintable *live_paintable;
  guint live_frames;      /* shown since the live view started; 0: not live */
  struct _LoadJob *job;   /* the open in progress, or NULL */
  char *error;

  GtkStack *stack;
  GtkScrolledWindow *scroller;
  GtkPicture *picture;
  GtkPicture *live_picture;
  GtkLabel *placeholder_label;
  GtkLabel *error_label;
  GtkToggleButton *play_button;
  GtkScale *frame_scale;
  GtkAdjustment *frame_adjustment;
  GtkLabel *counter_label;
  GtkDropDown *speed_dropdown;
  GtkDropDown *zoom_dropdown;
  GtkWidget *controls;
};

G_DEFINE_FINAL_TYPE (FlGifView, fl_gif_view, GTK_TYPE_WIDGET)

static const double speeds[] = { 0.25, 0.5, 1.0, 2.0, 4.0 };
static const guint zooms[] = { 0, 1, 2, 4, 8, 16, 32 }; /* 0: fit the area */
/* GTK 4.8 draws a cairo node into an image surface as large as the whole node,
 * however little of it the scroller shows, then copies it about four more times
 * on its way to a GL texture: a 4096x4096 GIF at 32x asked for 3.6 GB. So the
 * zoom stops where the enlarged picture reaches 2048x2048 pixels' worth (16 MiB,
 * about 80 MiB in GTK), and a GIF larger than that even at 1x is fitted to the
 * window. See FL_GIF_VIEW_MEMORY_BUDGET_BYTES. */
#define MAX_ZOOMED_PIXELS (G_GUINT64_CONSTANT (2048) * 2048)

static void
update_counter (FlGifView *self)
{
  guint n = fl_gif_paintable_get_n_frames (self->paintable);
  guint frame = fl_gif_paintable_get_frame (self->paintable);
  g_autofree char *text = NULL;

  /* The live view owns the counter until it ends. */
  if (self->live_frames > 0)
    return;
  text = n ? g_strdup_printf ("%u / %u", frame + 1, n) : g_strdup ("0 / 0");
  gtk_label_set_text (self->counter_label, text);
  gtk_adjustment_configure (self->frame_adjustment, frame, 0, MAX (n, 1) - 1, 1, 10, 0);
  gtk_widget_set_sensitive (self->controls, n > 0);
}

static void
on_frame_notify (FlGifView *self)
{
  update_counter (self);
}

static void
on_playing_notify (FlGifView *self)
{
  gboolean playing = fl_gif_paintable_get_playing (self->paintable);

  gtk_toggle_button_set_active (self->play_button, playing);
  gtk_button_set_icon_name (GTK_BUTTON (self->play_button),
                            playing ? "media-playback-pause-symbolic"
                                    : "media-playback-start-symbolic");
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->play_button), playing ? _("Pause") : _("Play"));
}

static void
on_play_toggled (FlGifView *self)
{
  fl_gif_paintable_set_playing (self->paintable, gtk_toggle_button_get_active (self->play_button));
}

static void
on_frame_value_changed (FlGifView *self)
{
  guint value = (guint) gtk_adjustment_get_value (self->frame_adjustment);

  if (value != fl_gif_paintable_get_frame (self->paintable))
    fl_gif_paintable_set_frame (self->paintable, value);
}

static void
on_speed_selected (FlGifView *self)
{
  guint i = gtk_drop_down_get_selected (self->speed_dropdown);

  if (i < G_N_ELEMENTS (speeds))
    fl_gif_paintable_set_speed (self->paintable, speeds[i]);
}

static void
apply_zoom (FlGifView *self)
{
  guint i = gtk_drop_down_get_selected (self->zoom_dropdown);
  guint zoom = i < G_N_ELEMENTS (zooms) ? zooms[i] : 0;
  int w = gdk_paintable_get_intrinsic_width (GDK_PAINTABLE (self->paintable));
  int h = gdk_paintable_get_intrinsic_height (GDK_PAINTABLE (self->paintable));
  GtkWidget *picture = GTK_WIDGET (self->picture);

  while (zoom > 1 && (guint64) w * zoom * h * zoom > MAX_ZOOMED_PIXELS)
    zoom /= 2;
  if (zoom == 1 && (guint64) w * h > MAX_ZOOMED_PIXELS)
    zoom = 0;
  if (zoom == 0)
    {
      gtk_widget_set_size_request (picture, -1, -1);
      gtk_widget_set_halign (picture, GTK_ALIGN_FILL);
      gtk_widget_set_valign (picture, GTK_ALIGN_FILL);
      gtk_picture_set_can_shrink (self->picture, TRUE);
    }
  else
    {
      gtk_widget_set_size_request (picture, MIN (w * (int) zoom, 16384),
                                   MIN (h * (int) zoom, 16384));
      gtk_widget_set_halign (picture, GTK_ALIGN_CENTER);
      gtk_widget_set_valign (picture, GTK_ALIGN_CENTER);
      gtk_picture_set_can_shrink (self->picture, FALSE);
    }
}

static void
show_error (FlGifView *self, const char *message)
{
  g_free (self->error);
  self->error = g_strdup (message);
  gtk_label_set_text (self->error_label, message);
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), message != NULL);
}

/* Decoding happens on a thread of its own, handed over without GTask: GTask's
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
  FlGifView *view;            /* main thread only; NULL once superseded */
} LoadJob;

static void on_loaded (FlGifView *self, LoadJob *job);

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
  if (job->view != NULL)
    {
      job->view->job = NULL;
      on_loaded (job->view, job);
    }
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

/* Takes job's result (the thread joined): shows the GIF and plays it, or the
 * sentence. */
static void
on_loaded (FlGifView *self, LoadJob *job)
{
  g_autoptr (FlGif) gif = g_steal_pointer (&job->gif);
  g_autoptr (GError) error = g_steal_pointer (&job->error);

  if (gif == NULL)
    {
      fl_gif_view_end_live (self);
      show_error (self, error->message);
      return;
    }
  show_error (self, NULL);
  fl_gif_view_end_live (self);
  fl_gif_paintable_set_gif (self->paintable, gif);
  gtk_stack_set_visible_child (self->stack, GTK_WIDGET (self->scroller));
  apply_zoom (self);
  update_counter (self);
  fl_gif_paintable_set_playing (self->paintable, TRUE);
}

/* Cancels the open in progress; its thread ends on its own and its source,
 * which the main context owns, joins it and frees it. */
static void
cancel_load (FlGifView *self)
{
  if (self->job == NULL)
    return;
  g_cancellable_cancel (self->job->cancellable);
  self->job->view = NULL;
  self->job = NULL;
}

void
fl_gif_view_open (FlGifView *self, GFile *file)
{
  LoadJob *job;

  g_return_if_fail (FL_IS_GIF_VIEW (self));
  cancel_load (self);
  job = (LoadJob *) g_source_new (&load_job_funcs, sizeof (LoadJob));
  g_source_set_static_name (&job->source, "FlGifView load");
  fl_mutex_init (&job->lock);
  job->context = g_main_context_ref_thread_default ();
  job->path = g_file_get_path (file);
  job->cancellable = g_cancellable_new ();
  job->view = self;
  self->job = job;
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
  g_source_unref (&job->source);
}

void
fl_gif_view_show_live_frame (FlGifView *self, const FlImage *image, guint index, guint total)
{
  g_autofree char *text = NULL;

  g_return_if_fail (FL_IS_GIF_VIEW (self));

  if (self->live_frames++ == 0)
    {
      /* The GIF underneath waits, paused, for the run's result. */
      fl_gif_paintable_set_playing (self->paintable, FALSE);
      gtk_widget_set_sensitive (self->controls, FALSE);
      gtk_stack_set_visible_child (self->stack, GTK_WIDGET (self->live_picture));
    }
  fl_frame_paintable_set_image (self->live_paintable, image);
  /* TRANSLATORS: while a run downloads: "Frame 1234 of 5000" */
  text = g_strdup_printf (_("Frame %u of %u"), index + 1, total);
  gtk_label_set_text (self->counter_label, text);
}

void
fl_gif_view_end_live (FlGifView *self)
{
  g_return_if_fail (FL_IS_GIF_VIEW (self));

  if (self->live_frames == 0)
    return;
  self->live_frames = 0;
  fl_frame_paintable_set_image (self->live_paintable, NULL);
  gtk_stack_set_visible_child (self->stack,
                               fl_gif_paintable_get_n_frames (self->paintable) > 0
                                 ? GTK_WIDGET (self->scroller)
                                 : GTK_WIDGET (self->placeholder_label));
  update_counter (self);
}

guint
fl_gif_view_get_live_frames (FlGifView *self)
{
  return self->live_frames;
}

void
fl_gif_view_toggle_playing (FlGifView *self)
{
  fl_gif_paintable_set_playing (self->paintable,
                                !fl_gif_paintable_get_playing (self->paintable));
}

FlGifPaintable *
fl_gif_view_get_paintable (FlGifView *self)
{
  return self->paintable;
}

const char *
fl_gif_view_get_error (FlGifView *self)
{
  return self->error;
}

static gboolean
on_drop (GtkDropTarget *target, const GValue *value, double x, double y, gpointer user_data)
{
  FlGifView *self = user_data;

  if (!G_VALUE_HOLDS (value, G_TYPE_FILE))
    return FALSE;
  fl_gif_view_open (self, g_value_get_object (value));
  return TRUE;
}

static void
fl_gif_view_dispose (GObject *object)
{
  FlGifView *self = FL_GIF_VIEW (object);

  cancel_load (self);
  gtk_widget_dispose_template (GTK_WIDGET (self), FL_TYPE_GIF_VIEW);
  /* The template's unnamed root box is ours to unparent. */
  for (GtkWidget *child; (child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL;)
    gtk_widget_unparent (child);
  g_clear_object (&self->paintable);
  g_clear_object (&self->live_paintable);
  g_clear_pointer (&self->error, g_free);
  G_OBJECT_CLASS (fl_gif_view_parent_class)->dispose (object);
}

static void
fl_gif_view_class_init (FlGifViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = fl_gif_view_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/frameloom/Frameloom/fl-gif-view.ui");
  gtk_widget_class_bind_template_child (widget_class, FlGifView, stack);
  gtk_widget_class_bind_template_child (widget_class, FlGifView, scroller);
  gtk_widget_class_bind_template_child (widget_class, FlGifView, picture);
  gtk_widget_class_bind_template_child (widget_class, FlGifView, live_picture);
  gtk_widget_class_bind_template_child (widget_class, FlGifView, placeholder_label);
  gtk_widget_class_bind_template_child (widget_class, FlGifView, error_label);
  gtk_widget_class_bind_template_child (widget_class, FlGifView, play_button);
  gtk_widget_class_bind_template_child (widget_class, FlGifView, frame_scale);
  gtk_widget_class_bind_template_child (widget_class, FlGifView, frame_adjustment);
  gtk_widget_class_bind_template_child (widget_class, FlGifView, counter_label);
  gtk_widget_class_bind_template_child (widget_class, FlGifView, speed_dropdown);
  gtk_widget_class_bind_template_child (widget_class, FlGifView, zoom_dropdown);
  gtk_widget_class_bind_template_child (widget_class, FlGifView, controls);
  gtk_widget_class_bind_template_callback (widget_class, on_play_toggled);
  gtk_widget_class_bind_template_callback (widget_class, on_frame_value_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_speed_selected);
  gtk_widget_class_bind_template_callback (widget_class, apply_zoom);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "flgifview");
}

static void
fl_gif_view_init (FlGifView *self)
{
  GtkDropTarget *drop;

  gtk_widget_init_template (GTK_WIDGET (self));
  self->paintable = fl_gif_paintable_new ();
  gtk_picture_set_paintable (self->picture, GDK_PAINTABLE (self->paintable));
  self->live_paintable = fl_frame_paintable_new ();
  gtk_picture_set_paintable (self->live_picture, GDK_PAINTABLE (self->live_paintable));
  g_signal_connect_object (self->paintable, "notify::frame", G_CALLBACK (on_frame_notify), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->paintable, "notify::n-frames", G_CALLBACK (on_frame_notify),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->paintable, "notify::playing", G_CALLBACK (on_playing_notify),
                           self, G_CONNECT_SWAPPED);
  gtk_drop_down_set_selected (self->speed_dropdown, 2);

  drop = gtk_drop_target_new (G_TYPE_FILE, GDK_ACTION_COPY);
  g_signal_connect (drop, "drop", G_CALLBACK (on_drop), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drop));
  update_counter (self);
}

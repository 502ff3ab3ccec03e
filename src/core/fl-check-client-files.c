/* fl-check-client-files.c: what the client left on disk: its frames, against
 * the images the server sent, and its GIF, against its frames. */
#include "fl-check-client-private.h"

#include "fl-file.h"
#include "fl-gif-reader.h"
#include "fl-png.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* The core has no text domain of its own: it shares the programs' one. */
#define _(text) g_dgettext (FL_GETTEXT_PACKAGE, text)

/* Frames larger than this are checked for their hash only, not pixel by pixel. */
#define MAX_KEPT_PIXELS 4096u
/* A frame of the GIF this close to its frame (mean per channel) is taken as
 * that frame, lossily encoded, rather than another one. */
#define LOSSY_MEAN_ERROR 16.0
/* Quantising a frame's colours to 256 moves none further than this. */
#define LOSSY_MAX_ERROR 48u

gboolean
fl_check_client_find_gif (FlCheckClient *checker)
{
  gint64 since = checker->run_start + checker->real_offset - G_USEC_PER_SEC;
  g_autoptr (GDir) dir = NULL;
  const char *name;
  gint64 newest = 0;
  struct stat st;

  g_clear_pointer (&checker->gif_path, g_free);
  checker->gif_written = 0;
  if (checker->config.gif_path != NULL)
    {
      if (stat (checker->config.gif_path, &st) != 0 || !S_ISREG (st.st_mode))
        return FALSE;
      checker->gif_path = g_strdup (checker->config.gif_path);
      checker->gif_written = st.st_mtim.tv_sec * G_USEC_PER_SEC + st.st_mtim.tv_nsec / 1000
                             - checker->real_offset;
      return TRUE;
    }
  dir = g_dir_open (checker->working_dir, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = NULL;
      gint64 mtime;

      if (!g_str_has_suffix (name, ".gif") && !g_str_has_suffix (name, ".GIF"))
        continue;
      path = g_build_filename (checker->working_dir, name, NULL);
      if (stat (path, &st) != 0 || !S_ISREG (st.st_mode))
        continue;
      mtime = st.st_mtim.tv_sec * G_USEC_PER_SEC + st.st_mtim.tv_nsec / 1000;
      if (mtime >= since && mtime > newest)
        {
          newest = mtime;
          g_free (checker->gif_path);
          checker->gif_path = g_steal_pointer (&path);
        }
    }
  if (checker->gif_path != NULL)
    checker->gif_written = newest - checker->real_offset;
  return checker->gif_path != NULL;
}

static void
read_frame (FlCheckClient *checker, guint index, FlClientFrame *frame)
{
  g_autofree char *name = g_strdup_printf ("%u.png", index);
  g_autofree char *path = g_build_filename (checker->frames_dir, name, NULL);
  g_autofree guint8 *data = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (FlImage) image = NULL;
  FlPngLimits limits;
  gsize length;

  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    return;
  frame->present = TRUE;
  fl_png_limits_init_default (&limits);
  if (!fl_file_read (path, limits.max_bytes, &data, &length, &error)
      || (image = fl_png_decode (data, length, &limits, &error)) == NULL)
    {
      frame->error = g_strdup (error->message);
      return;
    }
  frame->valid = TRUE;
  frame->width = image->width;
  frame->height = image->height;
  frame->hash = fl_image_hash (image);
  if ((gsize) image->width * image->height <= MAX_KEPT_PIXELS)
    frame->rgba = g_memdup2 (image->pixels, fl_image_byte_size (image));
}

void
fl_check_client_frames_free (FlCheckClient *checker)
{
  for (guint i = 0; checker->frames != NULL && i < checker->n_frames; i++)
    {
      g_free (checker->frames[i].rgba);
      g_free (checker->frames[i].error);
    }
  g_clear_pointer (&checker->frames, g_free);
}

void
fl_check_client_frames (FlCheckClient *checker)
{
  FlChecker *c = &checker->checker;
  g_autoptr (GHashTable) seen = g_hash_table_new (NULL, NULL);
  guint n = checker->n_frames, missing = 0, invalid = 0, foreign = 0, repeated = 0;
  guint first_missing = 0, first_invalid = 0, first_foreign = 0, first_repeated = 0;
  g_autofree char *shown = g_filename_display_name (checker->frames_dir);

  fl_checker_begin (c, "frames", _("Writes every frame, as it was sent"));
  checker->frames = g_new0 (FlClientFrame, n);
  for (guint i = 0; i < n && !fl_checker_cancelled (c); i++)
    {
      FlClientFrame *frame = &checker->frames[i];
      gpointer key;

      read_frame (checker, i, frame);
      key = GUINT_TO_POINTER (frame->hash);
      if (!frame->present && missing++ == 0)
        first_missing = i;
      else if (frame->present && !frame->valid && invalid++ == 0)
        first_invalid = i;
      else if (frame->valid && !g_hash_table_contains (checker->sent_hashes, key)
               && foreign++ == 0)
        first_foreign = i;
      else if (frame->valid && g_hash_table_contains (seen, key) && repeated++ == 0)
        first_repeated = i;
      if (frame->valid)
        g_hash_table_add (seen, key);
    }
  fl_checker_figure (c, "missing", missing);
  fl_checker_figure (c, "invalid", invalid);
  fl_checker_figure (c, "not_sent", foreign);
  fl_checker_figure (c, "repeated", repeated);
  if (missing == n)
    fl_checker_end (c, FL_CHECK_FAIL, _("No frame is in %s (0.png to %u.png)."), shown, n - 1);
  else if (missing > 0)
    fl_checker_end (c, FL_CHECK_FAIL, _("%u of the %u frames are missing in %s, the first %u.png."),
                    missing, n, shown, first_missing);
  else if (invalid > 0)
    fl_checker_end (c, FL_CHECK_FAIL, _("%u frames are not valid PNGs, the first %u.png: %s."),
                    invalid, first_invalid, checker->frames[first_invalid].error);
  else if (foreign > 0)
    fl_checker_end (c, FL_CHECK_FAIL,
                    _("%u frames are no image the server sent, the first %u.png: left from "
                      "another run, or changed on the way."), foreign, first_foreign);
  else if (repeated > 0)
    fl_checker_end (c, FL_CHECK_FAIL,
                    _("%u frames repeat another frame, the first %u.png: each frame is its own "
                      "image."), repeated, first_repeated);
  else
    fl_checker_end (c, FL_CHECK_PASS,
                    _("All %u frames are in %s, each an image the server sent, no two alike."),
                    n, shown);
}

typedef struct
{
  guint compared, in_place, exact, out_of_place, unmatched;
  guint first_out, first_out_shows, first_unmatched;
  guint64 pixels, differing, error_sum;
  guint max_error;
} Comparison;

/* Frame k of the GIF (canvas RGBA) against frames/k.png; when it is not that
 * frame, which frame it is, if any. */
static void
compare_frame (FlCheckClient *checker, GHashTable *by_hash, guint k, const guint8 *rgba,
               guint width, guint height, Comparison *cmp)
{
  const FlClientFrame *frame = &checker->frames[k];
  gsize n = (gsize) width * height;
  guint64 error = 0, differing = 0;
  guint worst = 0;
  guint32 hash = FL_IMAGE_HASH_INIT;
  gpointer found;

  cmp->compared++;
  for (gsize p = 0; p < n; p++)
    hash = fl_image_hash_update (hash, rgba + 4 * p, 3);
  if (frame->rgba != NULL && frame->width == width && frame->height == height)
    {
      for (gsize p = 0; p < 4 * n; p++)
        {
          guint d = (guint) ABS ((int) rgba[p] - (int) frame->rgba[p]);

          error += d;
          worst = MAX (worst, d);
        }
      for (gsize p = 0; p < n; p++)
        differing += memcmp (rgba + 4 * p, frame->rgba + 4 * p, 4) != 0;
    }
  else
    error = G_MAXUINT64;
  if (error != G_MAXUINT64 && (double) error / (4.0 * n) <= LOSSY_MEAN_ERROR)
    {
      cmp->in_place++;
      cmp->exact += differing == 0;
      cmp->pixels += n;
      cmp->differing += differing;
      cmp->error_sum += error;
      cmp->max_error = MAX (cmp->max_error, worst);
    }
  else if (g_hash_table_lookup_extended (by_hash, GUINT_TO_POINTER (hash), NULL, &found))
    {
      if (cmp->out_of_place++ == 0)
        {
          cmp->first_out = k;
          cmp->first_out_shows = GPOINTER_TO_UINT (found);
        }
    }
  else if (cmp->unmatched++ == 0)
    cmp->first_unmatched = k;
}

static gboolean
compare_gif (FlCheckClient *checker, FlGif *gif, Comparison *cmp)
{
  g_autoptr (GHashTable) by_hash = g_hash_table_new (NULL, NULL);
  g_autoptr (FlGifCanvas) canvas = fl_gif_canvas_new (gif);
  guint width = fl_gif_get_width (gif), height = fl_gif_get_height (gif);
  guint n = MIN (fl_gif_get_n_frames (gif), checker->n_frames);
  g_autofree guint8 *rgba = g_malloc ((gsize) width * height * 4);

  memset (cmp, 0, sizeof *cmp);
  for (guint i = checker->n_frames; i-- > 0;)
    if (checker->frames[i].valid)
      g_hash_table_insert (by_hash, GUINT_TO_POINTER (checker->frames[i].hash),
                           GUINT_TO_POINTER (i));
  for (guint k = 0; k < n; k++)
    {
      if (g_cancellable_is_cancelled (checker->checker.cancellable))
        return FALSE;
      fl_gif_pixels_to_rgba (fl_gif_canvas_render (canvas, k), (gsize) width * height, rgba);
      compare_frame (checker, by_hash, k, rgba, width, height, cmp);
    }
  return TRUE;
}

static void
check_order (FlCheckClient *checker, const Comparison *cmp)
{
  FlChecker *c = &checker->checker;

  fl_checker_begin (c, "gif-order", _("The GIF's frames are the frames, in order"));
  fl_checker_figure (c, "in_place", cmp->in_place);
  fl_checker_figure (c, "out_of_place", cmp->out_of_place);
  fl_checker_figure (c, "unmatched", cmp->unmatched);
  if (cmp->out_of_place > 0)
    fl_checker_end (c, FL_CHECK_FAIL,
                    _("%u of the GIF's frames are out of place: its frame %u shows %u.png: the "
                      "frames go into the GIF in the order of their numbers (as text, 10.png "
                      "sorts before 2.png)."), cmp->out_of_place, cmp->first_out,
                    cmp->first_out_shows);
  else if (cmp->unmatched > 0)
    fl_checker_end (c, FL_CHECK_FAIL,
                    _("%u of the GIF's frames match no frame, the first its frame %u."),
                    cmp->unmatched, cmp->first_unmatched);
  else
    fl_checker_end (c, FL_CHECK_PASS, _("Frame k of the GIF is k.png, for all %u frames."),
                    cmp->compared);
}

static void
check_pixels (FlCheckClient *checker, const Comparison *cmp)
{
  FlChecker *c = &checker->checker;
  double share = cmp->pixels ? 100.0 * cmp->differing / cmp->pixels : 0;

  fl_checker_begin (c, "gif-pixels", _("The GIF's pixels are the frames'"));
  fl_checker_figure (c, "exact_frames", cmp->exact);
  fl_checker_figure (c, "differing_pixels_percent", share);
  fl_checker_figure (c, "max_error", cmp->max_error);
  if (cmp->in_place == 0)
    fl_checker_end (c, FL_CHECK_SKIP, _("Not run: no frame of the GIF is in its place."));
  else if (cmp->exact == cmp->in_place)
    fl_checker_end (c, FL_CHECK_PASS, _("All %u frames compared are exact, pixel for pixel."),
                    cmp->in_place);
  else if (share <= 50 && cmp->max_error <= LOSSY_MAX_ERROR)
    fl_checker_end (c, FL_CHECK_PASS,
                    _("%.1f%% of the pixels differ from the frames' (%u of %u frames are exact), "
                      "by up to %u of 255: lossy, as a quantising encoder is."), share,
                    cmp->exact, cmp->in_place, cmp->max_error);
  else
    fl_checker_end (c, FL_CHECK_WARN,
                    _("%.1f%% of the pixels differ from the frames' (%u of %u frames are exact), "
                      "by up to %u of 255: more than quantising to 256 colours explains."), share,
                    cmp->exact, cmp->in_place, cmp->max_error);
}

static void
check_timing (FlCheckClient *checker, FlGif *gif)
{
  FlChecker *c = &checker->checker;
  guint n = fl_gif_get_n_frames (gif), other = 0, first_cs = fl_gif_get_frame_delay_cs (gif, 0);
  int loop = fl_gif_get_loop_count (gif);

  fl_checker_begin (c, "gif-timing", _("The lab's delay and loop"));
  for (guint i = 0; i < n; i++)
    other += fl_gif_get_frame_delay_cs (gif, i) * 10 != FL_CHECK_LAB_DELAY_MS;
  fl_checker_figure (c, "delay_ms", first_cs * 10.0);
  fl_checker_figure (c, "loop", loop);
  if (other > 0)
    fl_checker_end (c, FL_CHECK_WARN,
                    _("%u of the %u frames do not show for the lab's %u ms (the first shows for "
                      "%u ms)."), other, n, FL_CHECK_LAB_DELAY_MS, first_cs * 10);
  else if (loop != 0)
    fl_checker_end (c, FL_CHECK_WARN, "%s",
                    loop < 0 ? _("The GIF plays once (it has no loop extension); the lab's loops "
                                 "forever.")
                             : _("The GIF repeats a set number of times; the lab's loops "
                                 "forever."));
  else
    fl_checker_end (c, FL_CHECK_PASS,
                    _("Every frame shows for %u ms and the GIF loops forever, as the lab's does."),
                    FL_CHECK_LAB_DELAY_MS);
}

static void
skip_gif_checks (FlChecker *c, const char *reason)
{
  fl_checker_skip (c, "gif-order", _("The GIF's frames are the frames, in order"), reason);
  fl_checker_skip (c, "gif-pixels", _("The GIF's pixels are the frames'"), reason);
  fl_checker_skip (c, "gif-timing", _("The lab's delay and loop"), reason);
}

/* The gif check itself; returns the GIF when its frames can be compared. */
static FlGif *
check_gif_file (FlCheckClient *checker)
{
  FlChecker *c = &checker->checker;
  g_autoptr (GError) error = NULL;
  g_autoptr (FlGif) gif = NULL;
  g_autofree char *dir = g_filename_display_name (checker->working_dir);
  g_autofree char *note = NULL;
  g_autofree char *shown = NULL;
  guint frames;

  fl_checker_begin (c, "gif", _("Makes one GIF of the frames"));
  if (checker->gif_path == NULL)
    {
      fl_checker_end (c, FL_CHECK_FAIL, _("No GIF was written in %s during the run."), dir);
      return NULL;
    }
  shown = g_filename_display_name (checker->gif_path);
  gif = fl_gif_new_from_file (checker->gif_path, NULL, c->cancellable, &error);
  if (gif == NULL)
    {
      fl_checker_end (c, FL_CHECK_FAIL, "%s", error->message);
      return NULL;
    }
  frames = fl_gif_get_n_frames (gif);
  note = fl_gif_describe_trailing (gif);
  fl_checker_figure (c, "frames", frames);
  if (note != NULL)
    {
      FlGifTrailing trailing;

      fl_gif_get_trailing (gif, &trailing);
      if (trailing.n_gifs > 1)
        fl_checker_end (c, FL_CHECK_FAIL,
                        _("%s: %s The parts of a GIF made in parts must be joined as frames, "
                          "not as files."), shown, note);
      else
        fl_checker_end (c, FL_CHECK_WARN, "%s: %s", shown, note);
    }
  else if (frames != checker->n_frames)
    fl_checker_end (c, FL_CHECK_FAIL, _("%s holds %u frames, not %u."), shown, frames,
                    checker->n_frames);
  else
    fl_checker_end (c, FL_CHECK_PASS, _("%s is a valid GIF of %u frames of %ux%u."), shown,
                    frames, fl_gif_get_width (gif), fl_gif_get_height (gif));
  return g_steal_pointer (&gif);
}

void
fl_check_client_gif (FlCheckClient *checker)
{
  g_autoptr (FlGif) gif = check_gif_file (checker);
  Comparison cmp;

  if (gif == NULL)
    {
      skip_gif_checks (&checker->checker, checker->gif_path == NULL
                                            ? _("Not run: there is no GIF.")
                                            : _("Not run: the GIF cannot be read."));
      return;
    }
  if (!compare_gif (checker, gif, &cmp))
    return;
  check_order (checker, &cmp);
  check_pixels (checker, &cmp);
  check_timing (checker, gif);
}

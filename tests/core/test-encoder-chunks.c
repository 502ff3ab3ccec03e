/* test-encoder-chunks.c: chunked assembly: identical bytes for any split, bounded
 * memory in the parent, a consistent live view of the workers, clean failures. */
#include "test-encoder.h"

#include "fl-error.h"

#include <gif_lib.h>
#include <string.h>

/* What the parent may hold beyond max_held_bytes (fl-encoder.c): one read of
 * 256 KiB plus a partial record per worker. */
#define READ_SLACK (256u * 1024u)

static void
encode_config_ok (const FlEncodeConfig *config, FlEncodeResult *result)
{
  g_autoptr (GError) error = NULL;

  g_assert_true (fl_encode_gif (config, NULL, result, &error));
  g_assert_no_error (error);
  fl_test_assert_no_children ();
}

/* Only the GIF and the frames are left: no temporary file next to the output. */
static void
assert_no_temporaries (const char *dir)
{
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  g_assert_nonnull (d);
  while ((name = g_dir_read_name (d)) != NULL)
    g_assert_true (g_str_has_suffix (name, ".png") || g_str_equal (name, "out.gif"));
}

/* Every P and every chunk size give the same bytes, and the number of chunks
 * follows the requested size. */
static void
test_chunk_identity (Fixture *f, gconstpointer data)
{
  g_autofree char *reference = NULL;
  g_autoptr (GError) error = NULL;
  const guint chunk_frames[] = { 0, 1, 7, 1000 };

  g_assert_true (fl_test_make_frames (f->dir, 0, 150, 10, 10, 3, 0, 21, &error));
  g_assert_true (fl_test_make_frames (f->dir, 150, 50, 13, 7, 4, 0, 22, &error));
  g_assert_true (fl_test_make_frames (f->dir, 200, 40, 33, 20, 3, 0, 23, &error));
  g_assert_no_error (error);
  for (guint p = 1; p <= 4; p++)
    for (guint c = 0; c < G_N_ELEMENTS (chunk_frames); c++)
      {
        FlEncodeConfig config;
        FlEncodeResult result;
        g_autofree char *sum = NULL;

        /* Every P with every size would be slow under the sanitizers. */
        if ((p + c) % 2 == 1 && c != 0)
          continue;

        fl_test_config_init (&config, f->dir, 240, p, f->gif);
        config.chunk_frames = chunk_frames[c];
        encode_config_ok (&config, &result);
        sum = fl_test_file_sha256 (f->gif);
        if (reference == NULL)
          reference = g_strdup (sum);
        g_test_message ("P=%u chunk=%u: %" G_GUINT64_FORMAT " chunks, %s", p, chunk_frames[c],
                        result.chunks, sum);
        g_assert_cmpstr (sum, ==, reference);
        g_assert_cmpuint (result.frames, ==, 240);
        if (chunk_frames[c] != 0)
          g_assert_cmpuint (result.chunks, ==,
                            MAX ((240 + chunk_frames[c] - 1) / chunk_frames[c], p));
        else
          g_assert_cmpuint (result.chunks, >=, p);
      }
  assert_no_temporaries (f->dir);
}

/* The parent holds at most max_held_bytes (plus a read) whatever the frame
 * count, although the workers produce far more than that ahead of their turn. */
static void
test_bounded_memory (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  const gsize budget = 32 * 1024;
  guint64 peaks[2];

  /* 48x48 noise: about 3 KB of GIF a frame, 1.9 MB in all. */
  g_assert_true (fl_test_make_frames (f->dir, 0, 600, 48, 48, 3, 0, 31, &error));
  g_assert_no_error (error);
  /* 150 frames with 2 workers, then 600 with 3. */
  for (guint run = 0; run < 2; run++)
    {
      const guint n = run == 0 ? 150 : 600, p = 2 + run;
      const guint64 bound = budget + READ_SLACK + p * 16 * 1024;
      FlEncodeConfig config;
      FlEncodeResult result;

      fl_test_config_init (&config, f->dir, n, p, f->gif);
      config.chunk_frames = 8;
      config.max_held_bytes = budget;
      encode_config_ok (&config, &result);
      g_test_message ("%u frames, P=%u: %" G_GUINT64_FORMAT " bytes of GIF, held at most %"
                      G_GUINT64_FORMAT, n, p, result.bytes, result.peak_held_bytes);
      g_assert_cmpuint (result.peak_held_bytes, >, 0);
      g_assert_cmpuint (result.peak_held_bytes, <=, bound);
      peaks[run] = result.peak_held_bytes;
      /* The bound means something: the GIF is several times larger. */
      if (run == 1)
        g_assert_cmpuint (result.bytes, >, 4 * bound);
    }
  /* Four times the frames, not four times the memory. */
  g_assert_cmpuint (peaks[1], <, 2 * peaks[0] + READ_SLACK);

  /* The default budget (8 MiB) with automatic chunks stays under it as well. */
  {
    FlEncodeConfig config;
    FlEncodeResult result;

    fl_test_config_init (&config, f->dir, 600, 2, f->gif);
    encode_config_ok (&config, &result);
    g_test_message ("default: %" G_GUINT64_FORMAT " chunks, held at most %" G_GUINT64_FORMAT,
                    result.chunks, result.peak_held_bytes);
    g_assert_cmpuint (result.chunks, >, 2);
    g_assert_cmpuint (result.peak_held_bytes, <=, 8u * 1024 * 1024 + READ_SLACK + 2 * 16 * 1024);
  }
}

/* The chunk events tell a consistent story: each worker runs one chunk at a
 * time, started with nothing done, done rising, ended with every frame done,
 * inside its hand-out and its end, with no more phase time than it took; the
 * chunks cover every frame once. */
static void
check_chunks (GArray *events, guint n_frames, guint processes)
{
  g_autofree guint8 *covered = g_new0 (guint8, n_frames);
  g_autofree FlEvent *current = g_new0 (FlEvent, processes);
  g_autofree gboolean *open = g_new0 (gboolean, processes);
  guint ranges = 0;
  guint64 decode_us = 0;

  for (guint i = 0; i < events->len; i++)
    {
      const FlEvent *event = &g_array_index (events, FlEvent, i);
      FlEvent *now;

      if (event->kind != FL_EVENT_CHUNK_STARTED && event->kind != FL_EVENT_CHUNK_PROGRESS
          && event->kind != FL_EVENT_CHUNK_ENCODED)
        continue;
      g_assert_cmpuint (event->track, <, processes);
      now = &current[event->track];
      g_assert_cmpuint (event->chunk.count, >, 0);
      g_assert_cmpuint (event->chunk.done, <=, event->chunk.count);
      g_assert_cmpuint (event->chunk.first + event->chunk.count, <=, n_frames);
      if (event->kind == FL_EVENT_CHUNK_STARTED)
        {
          g_assert_false (open[event->track]);
          g_assert_cmpuint (event->chunk.done, ==, 0);
          for (guint f = event->chunk.first; f < event->chunk.first + event->chunk.count; f++)
            {
              g_assert_cmpuint (covered[f], ==, 0);
              covered[f] = 1;
            }
          *now = *event;
          open[event->track] = TRUE;
          ranges++;
          continue;
        }
      g_assert_true (open[event->track]);
      g_assert_cmpuint (event->chunk.index, ==, now->chunk.index);
      g_assert_cmpuint (event->chunk.first, ==, now->chunk.first);
      g_assert_cmpuint (event->chunk.count, ==, now->chunk.count);
      if (event->kind == FL_EVENT_CHUNK_PROGRESS)
        g_assert_cmpuint (event->chunk.done, >, now->chunk.done);
      else
        {
          /* The worker's own clock, between hand-out and the DONE record. */
          g_assert_cmpuint (event->chunk.done, ==, event->chunk.count);
          g_assert_cmpint (event->t0, >=, now->t0);
          g_assert_cmpint (event->t1, >=, event->t0);
          g_assert_cmpuint ((guint64) event->chunk.decode_us + event->chunk.quantise_us
                              + event->chunk.compress_us, <=, event->t1 - event->t0 + 3);
          decode_us += event->chunk.decode_us;
          open[event->track] = FALSE;
        }
      now->chunk.done = event->chunk.done;
    }
  for (guint w = 0; w < processes; w++)
    g_assert_false (open[w]);
  for (guint f = 0; f < n_frames; f++)
    g_assert_cmpuint (covered[f], ==, 1);
  /* 400 PNG files do not decode in no time. */
  g_assert_cmpuint (decode_us, >, 0);
  g_test_message ("%u events, %u ranges", events->len, ranges);
}

static void
test_worker_progress (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  const guint chunk_frames[] = { 0, 1, 9 };

  g_assert_true (fl_test_make_frames (f->dir, 0, 400, 10, 10, 3, 0, 41, &error));
  g_assert_no_error (error);
  for (guint p = 1; p <= 3; p++)
    for (guint c = 0; c < G_N_ELEMENTS (chunk_frames); c++)
      {
        g_autoptr (FlEvents) events = fl_events_new (0);
        g_autoptr (FlEventLog) log = fl_event_log_new (events);
        g_autoptr (GArray) seen = NULL;
        FlEncodeConfig config;
        FlEncodeResult result;

        fl_test_config_init (&config, f->dir, 400, p, f->gif);
        config.chunk_frames = chunk_frames[c];
        config.events = events;
        encode_config_ok (&config, &result);
        seen = fl_event_log_dup (log);
        check_chunks (seen, 400, p);
      }
}

/* With many small chunks a dying worker is named with the chunk it was on, and
 * nothing is left behind. */
static void
test_chunk_failures (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  FlEncodeConfig config;

  g_assert_true (fl_test_make_frames (f->dir, 0, 200, 10, 10, 3, 0, 51, &error));
  g_assert_no_error (error);
  g_setenv ("FRAMELOOM_GIF_WORKER_TEST_KILL_AT", "137", TRUE);
  for (guint p = 1; p <= 3; p++)
    {
      g_autoptr (GError) failure = NULL;
      g_autoptr (GRegex) regex = NULL;
      g_autofree char *pattern = NULL;

      fl_test_config_init (&config, f->dir, 200, p, f->gif);
      config.chunk_frames = 10;
      g_assert_false (fl_encode_gif (&config, NULL, NULL, &failure));
      g_assert_error (failure, FL_ERROR, FL_ERROR_WORKER);
      g_test_message ("%s", failure->message);
      pattern = g_strdup_printf ("^GIF worker [1-%u] \\(frames 130-139\\) was killed by signal 9$",
                                 p);
      g_assert_true (g_regex_match_simple (pattern, failure->message, 0, 0));
      g_assert_false (g_file_test (f->gif, G_FILE_TEST_EXISTS));
      fl_test_assert_no_children ();
      assert_no_temporaries (f->dir);
    }
  g_unsetenv ("FRAMELOOM_GIF_WORKER_TEST_KILL_AT");

  /* A frame chunk of one is named as one frame. */
  g_setenv ("FRAMELOOM_GIF_WORKER_TEST_KILL_AT", "42", TRUE);
  {
    g_autoptr (GError) failure = NULL;

    fl_test_config_init (&config, f->dir, 200, 1, f->gif);
    config.chunk_frames = 1;
    g_assert_false (fl_encode_gif (&config, NULL, NULL, &failure));
    g_assert_cmpstr (failure->message, ==, "GIF worker 1 (frame 42) was killed by signal 9");
    fl_test_assert_no_children ();
  }
  g_unsetenv ("FRAMELOOM_GIF_WORKER_TEST_KILL_AT");
  assert_no_temporaries (f->dir);
}

/* A cancel while later chunks are held and one worker hangs: every worker is
 * killed and reaped, no file is left. */
static void
test_chunk_cancel (Fixture *f, gconstpointer data)
{
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  g_autoptr (GError) error = NULL;
  FlEncodeConfig config;
  GThread *thread;

  g_assert_true (fl_test_make_frames (f->dir, 0, 300, 10, 10, 3, 0, 61, &error));
  g_assert_no_error (error);
  g_setenv ("FRAMELOOM_GIF_WORKER_TEST_HANG_AT", "25", TRUE);
  fl_test_config_init (&config, f->dir, 300, 3, f->gif);
  config.chunk_frames = 10;
  thread = fl_test_cancel_later (cancellable, 200);
  g_assert_false (fl_encode_gif (&config, cancellable, NULL, &error));
  g_thread_join (thread);
  g_unsetenv ("FRAMELOOM_GIF_WORKER_TEST_HANG_AT");
  g_assert_error (error, FL_ERROR, FL_ERROR_CANCELLED);
  g_assert_false (g_file_test (f->gif, G_FILE_TEST_EXISTS));
  fl_test_assert_no_children ();
  assert_no_temporaries (f->dir);
}

/* A big frame end to end: 1024x1024 noise is quantised, the screen is its size,
 * and giflib reads it back; a 1024x1024 frame of few colours stays exact. */
static void
test_big_frames (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  FlEncodeConfig config;
  FlEncodeResult result;
  GifFileType *reader;
  int code = 0;

  g_assert_true (fl_test_make_frames (f->dir, 0, 2, 1024, 1024, 3, 0, 71, &error));
  g_assert_true (fl_test_make_frames (f->dir, 2, 2, 1024, 1024, 3, 200, 72, &error));
  g_assert_no_error (error);
  fl_test_config_init (&config, f->dir, 4, 2, f->gif);
  encode_config_ok (&config, &result);
  g_assert_cmpuint (result.quantised_frames, ==, 2);
  g_assert_cmpuint (result.screen_width, ==, 1024);
  g_assert_cmpuint (result.screen_height, ==, 1024);
  /* At least 4 frames a chunk, at least a chunk per worker. */
  g_assert_cmpuint (result.chunks, ==, 2);
  reader = DGifOpenFileName (f->gif, &code);
  g_assert_nonnull (reader);
  g_assert_cmpint (DGifSlurp (reader), ==, GIF_OK);
  g_assert_cmpint (reader->ImageCount, ==, 4);
  for (int i = 0; i < 4; i++)
    {
      g_assert_cmpint (reader->SavedImages[i].ImageDesc.Width, ==, 1024);
      g_assert_cmpint (reader->SavedImages[i].ImageDesc.Height, ==, 1024);
      g_assert_cmpint (reader->SavedImages[i].ImageDesc.ColorMap->ColorCount, ==, 256);
    }
  g_assert_cmpint (DGifCloseFile (reader, &code), ==, GIF_OK);
}

void
fl_test_add_chunk_tests (void)
{
  FL_TEST_ADD_FIXTURE ("/encoder/chunks/identity", test_chunk_identity);
  FL_TEST_ADD_FIXTURE ("/encoder/chunks/bounded-memory", test_bounded_memory);
  FL_TEST_ADD_FIXTURE ("/encoder/chunks/events", test_worker_progress);
  FL_TEST_ADD_FIXTURE ("/encoder/chunks/failures", test_chunk_failures);
  FL_TEST_ADD_FIXTURE ("/encoder/chunks/cancel", test_chunk_cancel);
  FL_TEST_ADD_FIXTURE ("/encoder/chunks/big-frames", test_big_frames);
}

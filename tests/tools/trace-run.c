/* trace-run: runs the pipeline once through the core's event stream into a
 * trace file, so that a script test can parse what fl-trace writes after a
 * real run. Usage: trace-run PORT FRAMES THREADS PROCESSES DIR TRACE.json
 * (frames into DIR/frames, the GIF DIR/out.gif). Exit 0, or 1 with the
 * sentence on stderr. */
#include "fl-pipeline.h"
#include "fl-trace.h"

#include <stdio.h>
#include <stdlib.h>

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (FlEvents) events = NULL;
  g_autofree char *frames = NULL;
  g_autofree char *gif = NULL;
  FlPipelineConfig config = { 0 };
  FlTraceWriter *writer;
  gboolean ok;

  if (argc != 7)
    {
      fprintf (stderr, "usage: trace-run PORT FRAMES THREADS PROCESSES DIR TRACE.json\n");
      return 2;
    }
  frames = g_build_filename (argv[5], "frames", NULL);
  gif = g_build_filename (argv[5], "out.gif", NULL);
  config.download.host = "127.0.0.1";
  config.download.port = (guint) atoi (argv[1]);
  config.download.n_frames = (guint) atoi (argv[2]);
  config.download.threads = (guint) atoi (argv[3]);
  config.download.frames_dir = frames;
  config.encode.processes = (guint) atoi (argv[4]);
  config.encode.output = gif;
  config.run_download = config.run_encode = TRUE;

  writer = fl_trace_writer_new (argv[6], "frameloom-client", &error);
  if (writer == NULL)
    {
      fprintf (stderr, "%s\n", error->message);
      return 1;
    }
  events = fl_events_new (0);
  fl_events_add_reader (events, fl_trace_writer_add, writer, NULL);
  config.events = events;
  ok = fl_pipeline_run (&config, NULL, NULL, &error);
  /* The run flushed its events: the writer has them all. */
  g_clear_pointer (&events, fl_events_free);
  if (!ok)
    {
      fl_trace_writer_abort (writer);
      fprintf (stderr, "%s\n", error->message);
      return 1;
    }
  if (!fl_trace_writer_close (writer, &error))
    {
      fprintf (stderr, "%s\n", error->message);
      return 1;
    }
  return 0;
}

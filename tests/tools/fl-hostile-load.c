/* fl-hostile-load: the hostile-suite clients as a program, for the CLI tests.
 *
 *   fl-hostile-load PORT sequential N [WxH [UNIQUE]]
 *   fl-hostile-load PORT concurrent N [ROUNDS [RETRY_SECONDS [WxH]]]
 *   fl-hostile-load PORT vanish N | reset N | junk N BYTES
 *
 * Prints one line of key=value counts on stdout and exits 0; judging them is the
 * caller's job. Python would need minutes for what this does in seconds.
 */
#include "fl-test-load.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

static guint64
number (const char *text)
{
  guint64 value = 0;

  if (!g_ascii_string_to_unsigned (text, 10, 0, G_MAXUINT32, &value, NULL))
    {
      fprintf (stderr, "fl-hostile-load: \"%s\" is not a number\n", text);
      exit (2);
    }
  return value;
}

static void
parse_size (const char *text, FlLoadOptions *options)
{
  if (sscanf (text, "%ux%u", &options->width, &options->height) != 2)
    {
      fprintf (stderr, "fl-hostile-load: \"%s\" is not WxH\n", text);
      exit (2);
    }
}

int
main (int argc, char **argv)
{
  FlLoadOptions options = { .width = 10, .height = 10 };
  FlLoadResult result = { 0 };
  const char *mode;
  guint64 n;

  /* The peers may reset us; a client that dies of SIGPIPE would prove nothing. */
  signal (SIGPIPE, SIG_IGN);
  if (argc < 4)
    {
      fprintf (stderr, "usage: fl-hostile-load PORT MODE N [ARGS]\n");
      return 2;
    }
  options.port = (guint) number (argv[1]);
  mode = argv[2];
  n = number (argv[3]);
  if (g_str_equal (mode, "sequential"))
    {
      if (argc > 4)
        parse_size (argv[4], &options);
      if (argc > 5)
        options.unique_window = (guint) number (argv[5]);
      fl_load_sequential (&options, n, &result);
    }
  else if (g_str_equal (mode, "concurrent"))
    {
      guint64 rounds = argc > 4 ? number (argv[4]) : 1;
      if (argc > 5)
        options.retry_seconds = (guint) number (argv[5]);
      if (argc > 6)
        parse_size (argv[6], &options);
      for (guint64 r = 0; r < rounds; r++)
        fl_load_concurrent (&options, (guint) n, &result);
    }
  else if (g_str_equal (mode, "vanish") || g_str_equal (mode, "reset"))
    fl_load_vanish (options.port, (guint) n, g_str_equal (mode, "reset"));
  else if (g_str_equal (mode, "junk") && argc > 4)
    result.served = fl_load_junk (options.port, (guint) n, number (argv[4]));
  else
    {
      fprintf (stderr, "fl-hostile-load: unknown mode \"%s\"\n", mode);
      return 2;
    }
  printf ("served=%" G_GUINT64_FORMAT " invalid=%" G_GUINT64_FORMAT " failed=%" G_GUINT64_FORMAT
          " retries=%" G_GUINT64_FORMAT " duplicates=%" G_GUINT64_FORMAT " seconds=%.3f\n",
          result.served, result.invalid, result.failed, result.retries, result.duplicates,
          result.seconds);
  return 0;
}

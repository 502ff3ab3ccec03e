/* fl-check-process.c: the student's program under a pseudo-terminal, and /proc. */
#include "fl-check-process.h"

#include "fl-error.h"
#include "fl-sync.h"

#include <errno.h>
#include <fcntl.h>
#include <glib-unix.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

extern char **environ;

#define MAX_LINES 100000u
#define MAX_LINE_BYTES 1024u
#define ERROR_TAIL_BYTES 8192u

struct _FlCheckProcess
{
  char *command;
  pid_t pid;
  gboolean exited;
  int status;
  int out_fd, err_fd; /* the terminal's master side, the stderr pipe */
  int wake[2];
  GThread *reader;
  FlMutex lock;        /* guards what follows */
  GPtrArray *lines;
  guint n_lines;
  GString *partial;
  GString *error_tail;
  gboolean drained;    /* the reader read both outputs to their end */
};

static void
add_output (FlCheckProcess *process, const char *data, gsize length)
{
  fl_mutex_lock (&process->lock);
  for (gsize i = 0; i < length; i++)
    {
      if (data[i] == '\n')
        {
          if (process->lines->len < MAX_LINES)
            g_ptr_array_add (process->lines, g_strndup (process->partial->str,
                                                        MIN (process->partial->len,
                                                             MAX_LINE_BYTES)));
          process->n_lines++;
          g_string_truncate (process->partial, 0);
        }
      else if (data[i] != '\r')
        g_string_append_c (process->partial, data[i]);
    }
  fl_mutex_unlock (&process->lock);
}

static void
add_error (FlCheckProcess *process, const char *data, gsize length)
{
  fl_mutex_lock (&process->lock);
  g_string_append_len (process->error_tail, data, (gssize) length);
  if (process->error_tail->len > ERROR_TAIL_BYTES)
    g_string_erase (process->error_tail, 0, (gssize) (process->error_tail->len
                                                      - ERROR_TAIL_BYTES));
  fl_mutex_unlock (&process->lock);
}

/* Drains stdout and stderr until both end (the terminal's master reads EIO
 * once no process holds its other side) or the wake pipe says stop. */
static gpointer
reader_thread (gpointer data)
{
  FlCheckProcess *process = data;
  struct pollfd fds[3] = {
    { process->out_fd, POLLIN, 0 },
    { process->err_fd, POLLIN, 0 },
    { process->wake[0], POLLIN, 0 },
  };
  char buffer[4096];

  while (fds[0].fd >= 0 || fds[1].fd >= 0)
    {
      if (poll (fds, 3, -1) < 0)
        {
          if (errno == EINTR)
            continue;
          break;
        }
      if (fds[2].revents != 0)
        break;
      for (int i = 0; i < 2; i++)
        {
          ssize_t n;

          if (fds[i].fd < 0 || fds[i].revents == 0)
            continue;
          n = read (fds[i].fd, buffer, sizeof buffer);
          if (n > 0 && i == 0)
            add_output (process, buffer, (gsize) n);
          else if (n > 0)
            add_error (process, buffer, (gsize) n);
          else if (n == 0 || (errno != EINTR && errno != EAGAIN))
            fds[i].fd = -1;
        }
    }
  fl_mutex_lock (&process->lock);
  process->drained = TRUE;
  fl_mutex_unlock (&process->lock);
  return NULL;
}

gboolean
fl_check_process_wait_output (FlCheckProcess *process, guint timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  gboolean drained;

  for (;;)
    {
      fl_mutex_lock (&process->lock);
      drained = process->drained;
      fl_mutex_unlock (&process->lock);
      if (drained || g_get_monotonic_time () >= deadline)
        return drained;
      g_usleep (5000);
    }
}

/* A terminal whose other side becomes the program's stdout: raw, so that
 * "\n" stays "\n". Returns the master; *slave gets the other side. */
static int
open_terminal (int *slave, GError **error)
{
  int master = posix_openpt (O_RDWR | O_NOCTTY | O_CLOEXEC);
  struct termios attrs;
  const char *name;

  if (master < 0 || grantpt (master) != 0 || unlockpt (master) != 0
      || (name = ptsname (master)) == NULL
      || (*slave = open (name, O_RDWR | O_NOCTTY | O_CLOEXEC)) < 0)
    {
      int errsv = errno;

      if (master >= 0)
        close (master);
      g_set_error (error, FL_ERROR, FL_ERROR_FAILED,
                   "Could not open a pseudo-terminal for the program's output: %s",
                   fl_strerror (errsv));
      return -1;
    }
  if (tcgetattr (*slave, &attrs) == 0)
    {
      cfmakeraw (&attrs);
      tcsetattr (*slave, TCSANOW, &attrs);
    }
  return master;
}

static int
spawn (FlCheckProcess *process, char **argv, const char *working_dir, int out, int err)
{
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attr;
  sigset_t empty, defaults;
  int null_fd = open ("/dev/null", O_RDONLY | O_CLOEXEC);
  int rc;

  posix_spawn_file_actions_init (&actions);
  if (null_fd >= 0)
    posix_spawn_file_actions_adddup2 (&actions, null_fd, STDIN_FILENO);
  posix_spawn_file_actions_adddup2 (&actions, out, STDOUT_FILENO);
  posix_spawn_file_actions_adddup2 (&actions, err, STDERR_FILENO);
  if (working_dir != NULL)
    posix_spawn_file_actions_addchdir_np (&actions, working_dir);
  posix_spawnattr_init (&attr);
  sigemptyset (&empty);
  /* What a shell gives its children, whatever the checker blocks or ignores:
   * a server that dies of SIGPIPE must be seen to. */
  sigemptyset (&defaults);
  sigaddset (&defaults, SIGPIPE);
  sigaddset (&defaults, SIGINT);
  sigaddset (&defaults, SIGTERM);
  sigaddset (&defaults, SIGQUIT);
  sigaddset (&defaults, SIGCHLD);
  posix_spawnattr_setsigmask (&attr, &empty);
  posix_spawnattr_setsigdefault (&attr, &defaults);
  posix_spawnattr_setpgroup (&attr, 0);
  posix_spawnattr_setflags (&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF
                                     | POSIX_SPAWN_SETPGROUP);
  rc = posix_spawnp (&process->pid, argv[0], &actions, &attr, argv, environ);
  posix_spawnattr_destroy (&attr);
  posix_spawn_file_actions_destroy (&actions);
  if (null_fd >= 0)
    close (null_fd);
  return rc;
}

FlCheckProcess *
fl_check_process_start (const char *command, const char *working_dir, GError **error)
{
  g_autoptr (GError) parse_error = NULL;
  g_auto (GStrv) argv = NULL;
  FlCheckProcess *process;
  int slave = -1, err_pipe[2], rc;

  if (!g_shell_parse_argv (command, NULL, &argv, &parse_error))
    {
      g_set_error (error, FL_ERROR, FL_ERROR_INVALID_ARGUMENT,
                   "The command “%s” cannot be split into words: %s", command,
                   parse_error->message);
      return NULL;
    }
  process = g_new0 (FlCheckProcess, 1);
  process->command = g_strdup (command);
  process->out_fd = process->err_fd = process->wake[0] = process->wake[1] = -1;
  fl_mutex_init (&process->lock);
  process->lines = g_ptr_array_new_with_free_func (g_free);
  process->partial = g_string_new (NULL);
  process->error_tail = g_string_new (NULL);
  process->out_fd = open_terminal (&slave, error);
  if (process->out_fd < 0 || !g_unix_open_pipe (err_pipe, FD_CLOEXEC, error)
      || !g_unix_open_pipe (process->wake, FD_CLOEXEC, error))
    {
      if (slave >= 0)
        close (slave);
      process->exited = TRUE;
      fl_check_process_free (process, 0);
      return NULL;
    }
  process->err_fd = err_pipe[0];
  rc = spawn (process, argv, working_dir, slave, err_pipe[1]);
  close (slave);
  close (err_pipe[1]);
  if (rc != 0)
    {
      g_set_error (error, FL_ERROR, FL_ERROR_FAILED, "Could not start “%s”: %s", command,
                   fl_strerror (rc));
      process->exited = TRUE;
      fl_check_process_free (process, 0);
      return NULL;
    }
  process->reader = g_thread_new ("check-output", reader_thread, process);
  return process;
}

pid_t
fl_check_process_get_pid (FlCheckProcess *process)
{
  return process->pid;
}

gboolean
fl_check_process_running (FlCheckProcess *process)
{
  int status;

  if (!process->exited && waitpid (process->pid, &status, WNOHANG) == process->pid)
    {
      process->exited = TRUE;
      process->status = status;
    }
  return !process->exited;
}

void
fl_check_process_signal (FlCheckProcess *process, int sig)
{
  if (fl_check_process_running (process))
    kill (-process->pid, sig);
}

gboolean
fl_check_process_wait (FlCheckProcess *process, guint timeout_ms, int *status)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  while (fl_check_process_running (process) && g_get_monotonic_time () < deadline)
    g_usleep (5000);
  if (process->exited && status != NULL)
    *status = process->status;
  return process->exited;
}

char *
fl_check_describe_wait_status (int status)
{
  if (WIFEXITED (status))
    return g_strdup_printf ("exit status %d", WEXITSTATUS (status));
  if (WIFSIGNALED (status))
    {
      const char *abbrev = sigabbrev_np (WTERMSIG (status));

      return abbrev != NULL ? g_strdup_printf ("killed by SIG%s", abbrev)
                            : g_strdup_printf ("killed by signal %d", WTERMSIG (status));
    }
  return g_strdup_printf ("wait status %d", status);
}

char **
fl_check_process_get_lines (FlCheckProcess *process, guint *n_lines)
{
  char **lines;

  fl_mutex_lock (&process->lock);
  lines = g_new (char *, process->lines->len + 1);
  for (guint i = 0; i < process->lines->len; i++)
    lines[i] = g_strdup (process->lines->pdata[i]);
  lines[process->lines->len] = NULL;
  if (n_lines != NULL)
    *n_lines = process->n_lines;
  fl_mutex_unlock (&process->lock);
  return lines;
}

char *
fl_check_process_last_error_line (FlCheckProcess *process)
{
  g_auto (GStrv) lines = NULL;
  char *last = NULL;

  fl_mutex_lock (&process->lock);
  lines = g_strsplit (process->error_tail->str, "\n", -1);
  fl_mutex_unlock (&process->lock);
  for (guint i = 0; lines[i] != NULL; i++)
    if (g_strstrip (lines[i])[0] != '\0')
      last = lines[i];
  return g_strdup (last);
}

void
fl_check_process_free (FlCheckProcess *process, guint grace_ms)
{
  if (process == NULL)
    return;
  if (!process->exited)
    {
      fl_check_process_signal (process, SIGINT);
      if (!fl_check_process_wait (process, grace_ms, NULL))
        {
          fl_check_process_signal (process, SIGKILL);
          fl_check_process_wait (process, 10000, NULL);
        }
    }
  if (process->reader != NULL)
    {
      /* Output still held by a grandchild must not hold the checker. */
      if (process->wake[1] >= 0 && write (process->wake[1], "x", 1) < 0)
        g_warning ("Could not stop the output reader: %s", g_strerror (errno));
      g_thread_join (process->reader);
    }
  for (int i = 0; i < 2; i++)
    if (process->wake[i] >= 0)
      close (process->wake[i]);
  if (process->out_fd >= 0)
    close (process->out_fd);
  if (process->err_fd >= 0)
    close (process->err_fd);
  fl_mutex_clear (&process->lock);
  g_ptr_array_unref (process->lines);
  g_string_free (process->partial, TRUE);
  g_string_free (process->error_tail, TRUE);
  g_free (process->command);
  g_free (process);
}

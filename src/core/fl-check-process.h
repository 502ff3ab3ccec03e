/* fl-check-process.h: a student's program run by the checker, and what
 * /proc says about processes, threads and sockets. Private to the checks.
 *
 * The program is started as a terminal would start it: its own process group
 * (Ctrl-C is SIGINT to the group), default signal dispositions and an empty
 * signal mask whatever the checker has, stdin on /dev/null, and stdout on a
 * pseudo-terminal, so that its C library or Python buffers lines as they do on
 * a terminal and the lines are seen as they are printed. stderr is a pipe. One
 * thread drains both, so a chatty program never blocks on its output.
 */
#pragma once

#include <glib.h>
#include <sys/types.h>

G_BEGIN_DECLS

typedef struct _FlCheckProcess FlCheckProcess;

/* Splits command as a shell would (no shell runs it) and starts it in
 * working_dir (NULL: the current folder), with posix_spawnp. The error is one
 * sentence naming the command. */
FlCheckProcess *fl_check_process_start (const char *command, const char *working_dir,
                                        GError **error);
pid_t    fl_check_process_get_pid (FlCheckProcess *process);
/* TRUE until the process has exited (it is reaped then). */
gboolean fl_check_process_running (FlCheckProcess *process);
/* Sends sig to the process group. */
void     fl_check_process_signal (FlCheckProcess *process, int sig);
/* Waits up to timeout_ms for the exit; TRUE when it exited (the wait status in
 * *status when non-NULL). */
gboolean fl_check_process_wait (FlCheckProcess *process, guint timeout_ms, int *status);
/* "exit status 1", "killed by SIGINT": untranslated, for evidence. */
char    *fl_check_describe_wait_status (int status);
/* Waits until everything the program wrote has been read (its outputs ended:
 * it and every process it started have exited), at most timeout_ms; FALSE
 * when it has not by then. An exited program's last lines may still be in
 * transit when waitpid says it ended. */
gboolean fl_check_process_wait_output (FlCheckProcess *process, guint timeout_ms);
/* The lines printed on stdout so far (at most the first 100000; "\r" dropped),
 * a NULL-terminated copy; and how many in all. */
char   **fl_check_process_get_lines (FlCheckProcess *process, guint *n_lines);
/* The last non-empty line of stderr so far, or NULL. */
char    *fl_check_process_last_error_line (FlCheckProcess *process);
/* Sends SIGINT, then SIGKILL after grace_ms, waits for the exit and frees. */
void     fl_check_process_free (FlCheckProcess *process, guint grace_ms);

G_END_DECLS

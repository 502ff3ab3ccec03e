/* test-file: fl-file.c: files written atomically (bytes, modes, what is never
 * replaced, no temporary left behind), the bounded readers with their errors
 * and sentences, the output checks, stale temporaries, folders, fd writes. */
#include "fl-error.h"
#include "fl-file.h"
#include "fl-test-util.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct
{
  char *dir;
} Fixture;

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  f->dir = fl_test_make_dir ("fl-test-file-XXXXXX");
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  fl_test_remove_tree (f->dir);
  g_free (f->dir);
}

static char *
path_in (Fixture *f, const char *name)
{
  return g_build_filename (f->dir, name, NULL);
}

static void
put (const char *path, const char *text, gsize length)
{
  g_assert_true (g_file_set_contents (path, text, (gssize) length, NULL));
}

static int
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

/* The names in the fixture's folder, sorted, joined by spaces. */
static char *
listing (Fixture *f)
{
  g_autoptr (GDir) dir = g_dir_open (f->dir, 0, NULL);
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  while ((name = g_dir_read_name (dir)) != NULL)
    g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_names);
  g_ptr_array_add (names, NULL);
  return g_strjoinv (" ", (char **) names->pdata);
}

static void
assert_listing (Fixture *f, const char *expected)
{
  g_autofree char *names = listing (f);

  g_assert_cmpstr (names, ==, expected);
}

static void
assert_contents (const char *path, const char *expected, gsize expected_length)
{
  g_autofree char *contents = NULL;
  gsize length = 0;

  g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
  g_assert_cmpmem (contents, length, expected, expected_length);
}

/* fl_file_read of path with the limit max gives exactly the n bytes expected. */
static void
assert_read (const char *path, gsize max, const char *expected, gsize n)
{
  g_autofree guint8 *contents = NULL;
  g_autoptr (GError) error = NULL;
  gsize length = 0;

  g_assert_true (fl_file_read (path, max, &contents, &length, &error));
  g_assert_no_error (error);
  g_assert_cmpmem (contents, length, expected, n);
}

/* fl_file_read of path with the limit max fails with code and "Could not read PATH: reason". */
static void
assert_read_fails (const char *path, gsize max, int code, const char *reason)
{
  g_autofree char *expected = g_strdup_printf ("Could not read %s: %s", path, reason);
  g_autoptr (GError) error = NULL;
  guint8 *contents = NULL;
  gsize length = 0;

  g_assert_false (fl_file_read (path, max, &contents, &length, &error));
  g_assert_error (error, FL_ERROR, code);
  g_assert_cmpstr (error->message, ==, expected);
  g_assert_null (contents);
}

static void
test_read (Fixture *f, gconstpointer data)
{
  g_autofree char *path = path_in (f, "a.bin");
  g_autofree char *empty = path_in (f, "empty");
  g_autofree char *five = path_in (f, "five");

  put (path, "abc\0def", 7);
  assert_read (path, 1024, "abc\0def", 7);
  put (empty, "", 0);
  assert_read (empty, 1024, "", 0);
  /* Exactly the limit is fine; one byte more is not. */
  put (five, "12345", 5);
  assert_read (five, 5, "12345", 5);
  assert_read_fails (five, 4, FL_ERROR_TOO_LARGE, "it is larger than 4 bytes");
}

static void
test_read_not_regular (Fixture *f, gconstpointer data)
{
  g_autofree char *missing = path_in (f, "missing");
  g_autofree char *fifo = path_in (f, "fifo");

  assert_read_fails (missing, 1024, FL_ERROR_IO, "no such file or directory");
  assert_read_fails (f->dir, 1024, FL_ERROR_IO, "it is a folder, not a regular file");
  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);
  /* Refused at once, not waited on for a writer. */
  assert_read_fails (fifo, 1024, FL_ERROR_IO, "it is a FIFO, not a regular file");
}

static void
test_read_reusing (Fixture *f, gconstpointer data)
{
  g_autofree char *big = path_in (f, "big");
  g_autofree char *small = path_in (f, "small");
  g_autofree char *fifo = path_in (f, "fifo");
  g_autofree char *sub = path_in (f, "sub");
  g_autofree char *data_big = g_malloc (200 * 1024);
  g_autoptr (GError) error = NULL;
  FlFileBuffer buffer = { NULL, 0 };
  gsize length = 0, capacity;
  int dir_fd;

  for (gsize i = 0; i < 200 * 1024; i++)
    data_big[i] = (char) (i * 7 + i / 251);
  put (big, data_big, 200 * 1024);
  put (small, "xyz", 3);
  dir_fd = open (f->dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
  g_assert_cmpint (dir_fd, >=, 0);

  /* Names inside the open folder; the buffer grows, then serves a smaller file. */
  g_assert_true (fl_file_read_reusing (dir_fd, "big", "frames/big", 1 << 20, &buffer, &length,
                                       &error));
  g_assert_no_error (error);
  g_assert_cmpmem (buffer.data, length, data_big, 200 * 1024);
  capacity = buffer.capacity;
  g_assert_cmpuint (capacity, >, 200 * 1024);
  g_assert_true (fl_file_read_reusing (dir_fd, "small", "frames/small", 1 << 20, &buffer, &length,
                                       NULL));
  g_assert_cmpmem (buffer.data, length, "xyz", 3);
  g_assert_cmpuint (buffer.capacity, ==, capacity);
  /* AT_FDCWD and a whole path. */
  g_assert_true (fl_file_read_reusing (AT_FDCWD, small, small, 1 << 20, &buffer, &length, NULL));
  g_assert_cmpmem (buffer.data, length, "xyz", 3);

  /* The errors name the path given, not the name inside the folder. */
  g_assert_false (fl_file_read_reusing (dir_fd, "big", "frames/big", 1000, &buffer, &length,
                                        &error));
  g_assert_error (error, FL_ERROR, FL_ERROR_TOO_LARGE);
  g_assert_cmpstr (error->message, ==, "Could not read frames/big: it is larger than 1000 bytes");
  g_clear_error (&error);
  g_assert_false (fl_file_read_reusing (dir_fd, "9.png", "frames/9.png", 1000, &buffer, &length,
                                        &error));
  g_assert_error (error, FL_ERROR, (gint) fl_error_code_from_errno (ENOENT));
  g_assert_cmpstr (error->message, ==, "Could not read frames/9.png: no such file or directory");
  g_clear_error (&error);
  g_assert_cmpint (g_mkdir (sub, 0700), ==, 0);
  g_assert_false (fl_file_read_reusing (dir_fd, "sub", "frames/sub", 1000, &buffer, &length,
                                        &error));
  g_assert_cmpstr (error->message, ==, "Could not read frames/sub: is a directory");
  g_clear_error (&error);
  /* A FIFO with no writer never blocks the reader: it reads as empty. */
  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);
  g_assert_true (fl_file_read_reusing (dir_fd, "fifo", "frames/fifo", 1000, &buffer, &length,
                                       NULL));
  g_assert_cmpuint (length, ==, 0);

  fl_file_buffer_clear (&buffer);
  g_assert_null (buffer.data);
  g_assert_cmpuint (buffer.capacity, ==, 0);
  close (dir_fd);
}

static void
test_atomic_write (Fixture *f, gconstpointer data)
{
  g_autofree char *path = path_in (f, "out.gif");
  g_autoptr (GError) error = NULL;
  FlAtomicFile *file;
  struct stat st;

  put (path, "old", 3);
  g_assert_cmpint (chmod (path, 0640), ==, 0);
  file = fl_atomic_file_new (path, &error);
  g_assert_no_error (error);
  g_assert_true (fl_atomic_file_write (file, "hello", 5));
  g_assert_true (fl_atomic_file_write (file, ", you", 5));
  g_assert_true (fl_atomic_file_pwrite (file, "J", 1, 0));
  g_assert_cmpuint (fl_atomic_file_get_size (file), ==, 10);
  /* Until the commit a reader sees the old file. */
  assert_contents (path, "old", 3);
  g_assert_true (fl_atomic_file_commit (file, &error));
  g_assert_no_error (error);
  assert_contents (path, "Jello, you", 10);
  g_assert_cmpint (stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0640);
  assert_listing (f, "out.gif");
}

static void
test_atomic_abort (Fixture *f, gconstpointer data)
{
  g_autofree char *path = path_in (f, "keep.txt");
  FlAtomicFile *file;

  put (path, "kept", 4);
  file = fl_atomic_file_new (path, NULL);
  g_assert_nonnull (file);
  g_assert_true (fl_atomic_file_write (file, "lost", 4));
  fl_atomic_file_abort (file);
  assert_contents (path, "kept", 4);
  assert_listing (f, "keep.txt");
}

static void
test_write_atomic_at (Fixture *f, gconstpointer data)
{
  g_autofree char *path = path_in (f, "7.png");
  int dir_fd = open (f->dir, O_PATH | O_DIRECTORY | O_CLOEXEC);

  g_assert_true (fl_file_write_atomic_at (dir_fd, "frames/7.png", "7.png", "\x89PNG", 4, NULL));
  assert_contents (path, "\x89PNG", 4);
  close (dir_fd);
}

static void
assert_not_replaced (const char *path, const char *kind)
{
  g_autofree char *expected = g_strdup_printf (
    "Could not write %s: it is %s, and only a regular file is ever replaced", path, kind);
  g_autoptr (GError) error = NULL;

  g_assert_false (fl_file_check_replaceable (path, &error));
  g_assert_error (error, FL_ERROR, FL_ERROR_IO);
  g_assert_cmpstr (error->message, ==, expected);
  g_clear_error (&error);
  g_assert_false (fl_file_write_atomic (path, "x", 1, &error));
  g_assert_error (error, FL_ERROR, FL_ERROR_IO);
  g_assert_cmpstr (error->message, ==, expected);
}

static void
test_never_replaced (Fixture *f, gconstpointer data)
{
  g_autofree char *sub = path_in (f, "sub");
  g_autofree char *link = path_in (f, "link");
  g_autofree char *fifo = path_in (f, "fifo");
  g_autofree char *target = path_in (f, "target");

  g_assert_cmpint (g_mkdir (sub, 0700), ==, 0);
  put (target, "target", 6);
  g_assert_cmpint (symlink (target, link), ==, 0);
  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);
  assert_not_replaced (sub, "a folder");
  assert_not_replaced (link, "a symbolic link");
  assert_not_replaced (fifo, "a FIFO");
  /* Nothing was written through the link. */
  assert_contents (target, "target", 6);
  g_assert_true (fl_file_check_replaceable (target, NULL));
}

static void
test_check_output (Fixture *f, gconstpointer data)
{
  g_autofree char *plain = path_in (f, "plain");
  g_autofree char *under_plain = g_build_filename (plain, "a.gif", NULL);
  g_autofree char *missing = g_build_filename (f->dir, "no", "a.gif", NULL);
  g_autofree char *missing_dir = path_in (f, "no");
  g_autofree char *expected = NULL;
  g_autofree char *fine = path_in (f, "a.gif");
  g_autoptr (GError) error = NULL;

  g_assert_false (fl_file_check_output ("", &error));
  g_assert_error (error, FL_ERROR, FL_ERROR_INVALID_ARGUMENT);
  g_assert_cmpstr (error->message, ==, "The file name is empty");
  g_clear_error (&error);

  g_assert_false (fl_file_check_output (missing, &error));
  g_assert_error (error, FL_ERROR, FL_ERROR_IO);
  expected = g_strdup_printf ("Could not write %s: its folder %s does not exist", missing,
                              missing_dir);
  g_assert_cmpstr (error->message, ==, expected);
  g_clear_error (&error);
  g_clear_pointer (&expected, g_free);

  put (plain, "", 0);
  g_assert_false (fl_file_check_output (under_plain, &error));
  expected = g_strdup_printf ("Could not write %s: %s is a regular file, not a folder",
                              under_plain, plain);
  g_assert_cmpstr (error->message, ==, expected);
  g_clear_error (&error);

  g_assert_true (fl_file_check_output (fine, &error));
  g_assert_no_error (error);
}

static void
test_describe_type (void)
{
  g_assert_cmpstr (fl_file_describe_type (S_IFREG), ==, "a regular file");
  g_assert_cmpstr (fl_file_describe_type (S_IFDIR), ==, "a folder");
  g_assert_cmpstr (fl_file_describe_type (S_IFLNK), ==, "a symbolic link");
  g_assert_cmpstr (fl_file_describe_type (S_IFIFO), ==, "a FIFO");
  g_assert_cmpstr (fl_file_describe_type (S_IFSOCK), ==, "a socket");
  g_assert_cmpstr (fl_file_describe_type (S_IFCHR), ==, "a device");
  g_assert_cmpstr (fl_file_describe_type (S_IFBLK), ==, "a device");
}

static void
test_stale_temporaries (Fixture *f, gconstpointer data)
{
  /* No process ever has this PID (the kernel's pid_max is far below it). */
  g_autofree char *dead = path_in (f, ".out.gif.tmp-2147483646-abc123");
  g_autofree char *alive_name = g_strdup_printf (".out.gif.tmp-%d-abc123", (int) getpid ());
  g_autofree char *alive = path_in (f, alive_name);
  g_autofree char *other = path_in (f, ".other.gif.tmp-2147483646-abc123");
  g_autofree char *frame = path_in (f, ".3.png.tmp-1-abc");
  g_autofree char *expected = NULL;

  put (dead, "", 0);
  put (alive, "", 0);
  put (other, "", 0);
  put (frame, "", 0);
  /* Of out.gif's temporaries only the one whose process is gone. */
  g_assert_cmpuint (fl_file_remove_stale_temporaries (f->dir, "out.gif", FALSE), ==, 1);
  expected = g_strdup_printf (".3.png.tmp-1-abc .other.gif.tmp-2147483646-abc123 %s",
                              alive_name);
  assert_listing (f, expected);
  /* Frames: every frame temporary, whoever wrote it (the caller holds the lock). */
  g_assert_cmpuint (fl_file_remove_stale_temporaries (f->dir, NULL, TRUE), ==, 1);
  g_clear_pointer (&expected, g_free);
  expected = g_strdup_printf (".other.gif.tmp-2147483646-abc123 %s", alive_name);
  assert_listing (f, expected);
  g_assert_cmpuint (fl_file_remove_stale_temporaries ("/nonexistent-fl-dir", NULL, FALSE), ==, 0);
}

static void
test_ensure_dir (Fixture *f, gconstpointer data)
{
  g_autofree char *nested = g_build_filename (f->dir, "a", "b", "c", NULL);
  g_autofree char *plain = path_in (f, "plain");
  g_autofree char *under_plain = g_build_filename (plain, "x", NULL);
  g_autofree char *expected = NULL;
  g_autoptr (GError) error = NULL;

  g_assert_true (fl_file_ensure_dir (nested, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_test (nested, G_FILE_TEST_IS_DIR));
  g_assert_true (fl_file_ensure_dir (nested, &error));
  put (plain, "", 0);
  g_assert_false (fl_file_ensure_dir (under_plain, &error));
  g_assert_error (error, FL_ERROR, FL_ERROR_IO);
  expected = g_strdup_printf ("Could not create the folder %s: not a directory", under_plain);
  g_assert_cmpstr (error->message, ==, expected);
}

static void
test_fd_write_all (void)
{
  char buffer[16] = { 0 };
  int fds[2];

  g_assert_cmpint (pipe (fds), ==, 0);
  g_assert_cmpint (fl_fd_write_all (fds[1], "all of it", 9), ==, 0);
  g_assert_cmpint (read (fds[0], buffer, sizeof buffer), ==, 9);
  g_assert_cmpstr (buffer, ==, "all of it");
  close (fds[0]);
  close (fds[1]);
  g_assert_cmpint (fl_fd_write_all (fds[1], "x", 1), ==, EBADF);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define ADD(name, func) \
  g_test_add (name, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/file/read", test_read);
  ADD ("/file/read-not-regular", test_read_not_regular);
  ADD ("/file/read-reusing", test_read_reusing);
  ADD ("/file/atomic-write", test_atomic_write);
  ADD ("/file/atomic-abort", test_atomic_abort);
  ADD ("/file/write-atomic-at", test_write_atomic_at);
  ADD ("/file/never-replaced", test_never_replaced);
  ADD ("/file/check-output", test_check_output);
  ADD ("/file/stale-temporaries", test_stale_temporaries);
  ADD ("/file/ensure-dir", test_ensure_dir);
#undef ADD
  g_test_add_func ("/file/describe-type", test_describe_type);
  g_test_add_func ("/file/fd-write-all", test_fd_write_all);
  return g_test_run ();
}

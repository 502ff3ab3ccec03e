/* fl-process.c: standard descriptors and SIGPIPE. */
#include "fl-process.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

void
fl_process_init (void)
{
  struct sigaction ignore = { .sa_handler = SIG_IGN };

  for (int fd = 0; fd <= 2; fd++)
    if (fcntl (fd, F_GETFD) < 0 && errno == EBADF)
      {
        /* open returns the lowest free number: this one, since those below
         * are open by now. Nothing sensible is left to do if /dev/null is
         * missing: go on, the numbers stay free. */
        int null = open ("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY);
        if (null >= 0 && null != fd)
          {
            dup2 (null, fd);
            close (null);
          }
      }
  sigemptyset (&ignore.sa_mask);
  sigaction (SIGPIPE, &ignore, NULL);
}

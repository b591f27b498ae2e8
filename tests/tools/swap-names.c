/* swap-names DIR A B: exchange the names A and B in DIR (renameat2
 * RENAME_EXCHANGE) as fast as possible, forever: the host side of a race
 * against the runtime, which must never trust a name in the rootfs twice.
 * An exchange is atomic, so both names always exist and the race is decided
 * by timing alone, not by a window in which one of them is missing. */
#include <fcntl.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef RENAME_EXCHANGE
#define RENAME_EXCHANGE (1 << 1)
#endif

int
main (int argc, char **argv)
{
  int dir;

  if (argc != 4)
    {
      fprintf (stderr, "usage: swap-names DIR A B\n");
      return 2;
    }
  dir = open (argv[1], O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (dir < 0)
    {
      perror (argv[1]);
      return 1;
    }
  for (;;)
    if (syscall (SYS_renameat2, dir, argv[2], dir, argv[3], RENAME_EXCHANGE) < 0)
      {
        perror ("renameat2");
        return 1;
      }
}

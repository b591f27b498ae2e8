#include "loopback.h"

#include <errno.h>
#include <net/if.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include "src/base/util.h"

int
netns_loopback_up (tong_error *err)
{
  _cleanup_close_ int sock = socket (AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  struct ifreq ifr = { 0 };

  if (sock < 0)
    return tong_err (err, errno, "bring up the loopback device: socket");
  strcpy (ifr.ifr_name, "lo");
  if (ioctl (sock, SIOCGIFFLAGS, &ifr) < 0)
    return tong_err (err, errno, "bring up the loopback device: read its flags");
  if (ifr.ifr_flags & IFF_UP)
    return 0;
  ifr.ifr_flags |= IFF_UP;
  if (ioctl (sock, SIOCSIFFLAGS, &ifr) < 0)
    return tong_err (err, errno, "bring up the loopback device");
  return 0;
}

/*
 * node-capture: runs node with CAP_NET_RAW for a non-root user (the container image, docs/operations.md).
 *
 * Installed with the file capability cap_net_raw+p (permitted, not effective): exec'ing it puts NET_RAW in this
 * process's permitted set when the bounding set holds NET_RAW and no_new_privs is not set. It then raises NET_RAW
 * into the inheritable and ambient sets (prctl PR_CAP_AMBIENT_RAISE) and execs NODE_PATH with the same arguments:
 * node has no file capability, so the ambient set becomes its permitted and effective sets (live capture works)
 * and node does not run in secure-execution mode. When NET_RAW is not permitted, node runs without it and live
 * capture reports the permission error itself.
 *
 * Contract: argv is passed to node unchanged (argv[0] becomes "node"); the environment is passed unchanged;
 * exit status 127 with a one-line message when node cannot be executed. The program to run is fixed at compile
 * time (-DNODE_PATH=...), never taken from the environment: whoever may run this file gets NET_RAW for node only.
 * No library beyond libc: the capability calls are raw syscalls.
 */
#include <errno.h>
#include <linux/capability.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef NODE_PATH
#define NODE_PATH "/usr/local/bin/node"
#endif

/* Raises CAP_NET_RAW into the ambient set when it is permitted; returns 1 when raised, 0 otherwise. */
static int raise_net_raw(void) {
  struct __user_cap_header_struct header = { _LINUX_CAPABILITY_VERSION_3, 0 };
  struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];
  const unsigned bit = CAP_TO_MASK(CAP_NET_RAW);
  const unsigned word = CAP_TO_INDEX(CAP_NET_RAW);
  memset(data, 0, sizeof data);
  if (syscall(SYS_capget, &header, data) != 0) return 0;
  if (!(data[word].permitted & bit)) return 0;
  data[word].inheritable |= bit; /* ambient capabilities must be permitted and inheritable */
  if (syscall(SYS_capset, &header, data) != 0) return 0;
  return prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_NET_RAW, 0, 0) == 0;
}

int main(int argc, char **argv) {
  static char node_name[] = "node";
  (void)argc;
  raise_net_raw();
  argv[0] = node_name;
  execv(NODE_PATH, argv);
  fprintf(stderr, "node-capture: cannot run %s: %s\n", NODE_PATH, strerror(errno));
  return 127;
}

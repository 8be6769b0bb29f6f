/*
 * The pod sandbox process of the one-node cluster (the image registry.k8s.io/pause:$PAUSE_VERSION that
 * hack/cluster/images.sh packs). It holds the pod's namespaces open and does nothing else: it sleeps
 * until SIGINT or SIGTERM, then exits 0, and as the pid 1 of a pod that shares its process namespace
 * it reaps every child that is reparented to it. Built static by hack/cluster/build.sh
 * (gcc -Os -static), so the image needs no libc.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef PAUSE_VERSION
#define PAUSE_VERSION "unknown"
#endif

static void say(const char *message) {
  /* write(2) is async-signal-safe; stdio is not. */
  ssize_t ignored = write(STDERR_FILENO, message, strlen(message));
  (void)ignored;
}

static void on_stop(int signal_number) {
  say(signal_number == SIGTERM ? "pause: SIGTERM, exiting\n" : "pause: SIGINT, exiting\n");
  _exit(0);
}

static void on_child(int signal_number) {
  (void)signal_number;
  int saved_errno = errno;
  /* One SIGCHLD may stand for several exited children. */
  while (waitpid(-1, NULL, WNOHANG) > 0) {
  }
  errno = saved_errno;
}

static int handle(int signal_number, void (*handler)(int), int flags) {
  struct sigaction action;
  memset(&action, 0, sizeof action);
  action.sa_handler = handler;
  action.sa_flags = flags;
  sigemptyset(&action.sa_mask);
  return sigaction(signal_number, &action, NULL);
}

int main(int argc, char **argv) {
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "-v") == 0 || strcmp(argv[i], "--version") == 0) {
      printf("pause %s (replistore, static)\n", PAUSE_VERSION);
      return 0;
    }
    if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
      printf("usage: %s [-v]\nSleeps until SIGINT or SIGTERM and reaps its children.\n", argv[0]);
      return 0;
    }
    fprintf(stderr, "pause: unknown argument %s (usage: %s [-v])\n", argv[i], argv[0]);
    return 2;
  }
  if (getpid() != 1) {
    say("pause: warning: not running as pid 1, so no orphans are reparented to it\n");
  }
  if (handle(SIGINT, on_stop, 0) != 0 || handle(SIGTERM, on_stop, 0) != 0 ||
      handle(SIGCHLD, on_child, SA_NOCLDSTOP | SA_RESTART) != 0) {
    perror("pause: sigaction");
    return 1;
  }
  for (;;) {
    pause();
  }
}

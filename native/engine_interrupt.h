// Interrupting long native calls (a full-grid evaluation at a large p can take minutes).
//
// Node runs JavaScript signal handlers only between JavaScript turns, so a SIGINT or SIGTERM that arrives during
// a long native call used to wait for the call to end. An InterruptWatch, alive for the duration of such a call,
// installs a handler for SIGINT, SIGTERM and SIGHUP that records the signal and forwards it to whatever handled it
// before (libuv's handler, which wakes the JavaScript listeners once the call returns, or the default action,
// which ends the process at once). The call's loops check `interrupted()` between chunks of work and stop; the
// binding then throws a JavaScript error naming the signal. The watch restores the previous handlers when it ends.
#pragma once

#include <signal.h>

#include <atomic>

namespace grokcheck {

class InterruptWatch {
 public:
  InterruptWatch();
  ~InterruptWatch();
  InterruptWatch(const InterruptWatch&) = delete;
  InterruptWatch& operator=(const InterruptWatch&) = delete;

  // The signal that arrived during the watch (0: none).
  static int signal_received() { return pending_.load(std::memory_order_relaxed); }
  // A signal arrived while a watch is alive (outside a watch: never).
  static bool interrupted() { return depth_.load(std::memory_order_relaxed) > 0 && signal_received() != 0; }

 private:
  static void handler(int sig, siginfo_t* info, void* context);
  static std::atomic<int> pending_;
  static std::atomic<int> depth_;  // nested watches install only once
  static struct sigaction previous_[3];
};

// Thrown out of a computation that stopped because a signal arrived.
struct Interrupted {
  int signal;
};

// "interrupted by SIGTERM" for the JavaScript error.
const char* signal_name(int sig);

}  // namespace grokcheck

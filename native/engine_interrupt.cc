#include "engine_interrupt.h"

#include <cstring>

namespace grokcheck {

namespace {
constexpr int kSignals[3] = {SIGINT, SIGTERM, SIGHUP};
int slot_of(int sig) {
  for (int i = 0; i < 3; i++)
    if (kSignals[i] == sig) return i;
  return -1;
}
}  // namespace

std::atomic<int> InterruptWatch::pending_{0};
std::atomic<int> InterruptWatch::depth_{0};
struct sigaction InterruptWatch::previous_[3];

InterruptWatch::InterruptWatch() {
  if (depth_.fetch_add(1) != 0) return;
  pending_.store(0);
  struct sigaction ours;
  std::memset(&ours, 0, sizeof ours);
  ours.sa_sigaction = &InterruptWatch::handler;
  ours.sa_flags = SA_SIGINFO | SA_RESTART;
  sigemptyset(&ours.sa_mask);
  for (int i = 0; i < 3; i++) sigaction(kSignals[i], &ours, &previous_[i]);
}

InterruptWatch::~InterruptWatch() {
  if (depth_.fetch_sub(1) != 1) return;
  for (int i = 0; i < 3; i++) sigaction(kSignals[i], &previous_[i], nullptr);
}

void InterruptWatch::handler(int sig, siginfo_t* info, void* context) {
  pending_.store(sig, std::memory_order_relaxed);
  const int slot = slot_of(sig);
  if (slot < 0) return;
  const struct sigaction& before = previous_[slot];
  if (before.sa_flags & SA_SIGINFO) {
    if (before.sa_sigaction) before.sa_sigaction(sig, info, context);
  } else if (before.sa_handler == SIG_DFL) {
    // Nobody listens: the default action (end the process), as without the watch.
    signal(sig, SIG_DFL);
    raise(sig);
  } else if (before.sa_handler != SIG_IGN) {
    before.sa_handler(sig);
  }
}

const char* signal_name(int sig) {
  switch (sig) {
    case SIGINT: return "interrupted by SIGINT";
    case SIGTERM: return "interrupted by SIGTERM";
    case SIGHUP: return "interrupted by SIGHUP";
    default: return "interrupted by a signal";
  }
}

}  // namespace grokcheck

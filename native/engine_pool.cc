#include "engine_pool.h"

#include <algorithm>
#include <chrono>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
static inline void cpu_relax() { _mm_pause(); }
#else
static inline void cpu_relax() {}
#endif

namespace grokcheck {

namespace {
// A worker keeps polling this long after its last job before it sleeps: a training step issues dozens of
// parallel loops a few microseconds apart, and a futex wake-up costs more than the gap. It yields its core
// between polls, so that on a busy machine the polling does not take time from the thread with work to do.
constexpr auto kSpinBeforeSleep = std::chrono::microseconds(300);
constexpr int kPollsPerYield = 16;
// Layout of state_: generation << 32 | tasks << 16 | next index.
constexpr int kMaxTasks = 0xFFFF;
inline uint64_t generation_of(uint64_t s) { return s >> 32; }
inline int tasks_of(uint64_t s) { return int((s >> 16) & 0xFFFF); }
inline int index_of(uint64_t s) { return int(s & 0xFFFF); }
}  // namespace

ThreadPool::ThreadPool(int threads, Denormals denormals) : denormals_(denormals) {
  for (int i = 1; i < threads; i++)
    workers_.emplace_back([this] {
      set_denormals(denormals_);
      worker_loop();
    });
}

ThreadPool::~ThreadPool() {
  stop_.store(true);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    wake_.notify_all();
  }
  for (auto& w : workers_) w.join();
}

void ThreadPool::run(int tasks, const std::function<void(int)>& fn) {
  if (tasks <= 0) return;
  if (!parallel() || tasks == 1) {
    for (int i = 0; i < tasks; i++) fn(i);
    return;
  }
  for (int first = 0; first < tasks; first += kMaxTasks) {
    const int count = std::min(kMaxTasks, tasks - first);
    if (first == 0 && count == tasks) run_parallel(tasks, fn);
    else run_parallel(count, [&](int i) { fn(first + i); });
  }
}

void ThreadPool::run_parallel(int tasks, const std::function<void(int)>& fn) {
  job_.store(&fn, std::memory_order_relaxed);
  done_.store(0, std::memory_order_relaxed);
  const uint64_t generation = generation_of(state_.load(std::memory_order_relaxed)) + 1;
  // seq_cst store (publishing job_ and the reset done_), then seq_cst load of sleepers_: pairs with the worker's
  // increment-then-check, so a worker is either woken here or sees the new generation before it sleeps.
  state_.store(generation << 32 | uint64_t(tasks) << 16);
  if (sleepers_.load() > 0) {
    std::lock_guard<std::mutex> lock(mutex_);
    wake_.notify_all();
  }
  drain(generation);
  // Tasks claimed by workers may still be running.
  int polls = 0;
  while (done_.load(std::memory_order_acquire) != tasks) {
    if (++polls % kPollsPerYield != 0) cpu_relax();
    else std::this_thread::yield();  // a worker may be preempted (the cores are shared): let it run
  }
}

void ThreadPool::run_ranges(long n, long grain, const std::function<void(long, long)>& fn) {
  if (n <= 0) return;
  if (grain < 1) grain = 1;
  const long tasks = (n + grain - 1) / grain;
  run(int(tasks), [&](int t) {
    const long begin = long(t) * grain;
    fn(begin, begin + grain < n ? begin + grain : n);
  });
}

void ThreadPool::drain(uint64_t generation) {
  for (;;) {
    uint64_t s = state_.load(std::memory_order_acquire);
    if (generation_of(s) != generation || index_of(s) >= tasks_of(s)) return;
    if (state_.compare_exchange_weak(s, s + 1, std::memory_order_acq_rel, std::memory_order_acquire)) {
      // The claimed task belongs to `generation`, which cannot finish before this task does, so job_ is its job.
      (*job_.load(std::memory_order_relaxed))(index_of(s));
      done_.fetch_add(1, std::memory_order_release);
    }
  }
}

void ThreadPool::worker_loop() {
  uint64_t seen = 0;
  for (;;) {
    uint64_t generation = 0;
    auto idle_since = std::chrono::steady_clock::now();
    int polls = 0;
    for (;;) {
      if (stop_.load(std::memory_order_acquire)) return;
      generation = generation_of(state_.load(std::memory_order_acquire));
      if (generation != seen) break;
      if (++polls % kPollsPerYield != 0) cpu_relax();
      else std::this_thread::yield();
      if (polls % 256 != 0 || std::chrono::steady_clock::now() - idle_since < kSpinBeforeSleep) continue;
      std::unique_lock<std::mutex> lock(mutex_);
      sleepers_.fetch_add(1);
      wake_.wait(lock, [&] { return stop_.load() || generation_of(state_.load()) != seen; });
      sleepers_.fetch_sub(1);
      idle_since = std::chrono::steady_clock::now();
    }
    seen = generation;
    drain(generation);
  }
}

namespace {
double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}
}  // namespace

bool ThreadTuner::parallel_next() const {
  if (!enabled_) return false;
  switch (phase_) {
    case Phase::ProbeParallel: return true;
    case Phase::ProbeAlone: return false;
    default: return settled_parallel_;
  }
}

void ThreadTuner::record(double seconds) {  // per example
  if (!enabled_) return;
  steps_in_phase_++;
  switch (phase_) {
    case Phase::ProbeParallel:
      parallel_times_.push_back(seconds);
      if (steps_in_phase_ == kProbeSteps) {
        phase_ = Phase::ProbeAlone;
        steps_in_phase_ = 0;
      }
      break;
    case Phase::ProbeAlone:
      alone_times_.push_back(seconds);
      if (steps_in_phase_ == kProbeSteps) {
        settled_parallel_ = median(parallel_times_) <= median(alone_times_);
        parallel_times_.clear();
        alone_times_.clear();
        phase_ = Phase::Settled;
        steps_in_phase_ = 0;
      }
      break;
    case Phase::Settled:
      if (steps_in_phase_ == kSettledSteps) {
        phase_ = Phase::ProbeParallel;
        steps_in_phase_ = 0;
      }
      break;
  }
}

}  // namespace grokcheck

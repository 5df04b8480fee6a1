#include "engine_pool.h"

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
// parallel loops a few microseconds apart, and a futex wake-up costs more than the gap.
constexpr auto kSpinBeforeSleep = std::chrono::microseconds(300);
constexpr uint64_t kIndexMask = 0xFFFFFFFFull;
}  // namespace

ThreadPool::ThreadPool(int threads) {
  for (int i = 1; i < threads; i++) workers_.emplace_back([this] { worker_loop(); });
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
  if (workers_.empty() || tasks == 1) {
    for (int i = 0; i < tasks; i++) fn(i);
    return;
  }
  job_.store(&fn, std::memory_order_relaxed);
  job_tasks_.store(tasks, std::memory_order_relaxed);
  done_.store(0, std::memory_order_relaxed);
  const uint64_t generation = (state_.load(std::memory_order_relaxed) >> 32) + 1;
  // seq_cst store, then seq_cst load of sleepers_: pairs with the worker's increment-then-check, so a worker
  // is either woken here or sees the new generation before it sleeps.
  state_.store(generation << 32);
  if (sleepers_.load() > 0) {
    std::lock_guard<std::mutex> lock(mutex_);
    wake_.notify_all();
  }
  drain(generation);
  // Tasks claimed by workers may still be running.
  int polls = 0;
  while (done_.load(std::memory_order_acquire) != tasks) {
    if (++polls < 4096) cpu_relax();
    else std::this_thread::yield();  // a worker was preempted (the cores are shared): give it the core
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
    if ((s >> 32) != generation) return;
    const int index = int(s & kIndexMask);
    if (index >= job_tasks_.load(std::memory_order_relaxed)) return;
    if (state_.compare_exchange_weak(s, s + 1, std::memory_order_acq_rel, std::memory_order_acquire)) {
      // The claimed task belongs to `generation`, which cannot finish before this task does, so job_ is its job.
      (*job_.load(std::memory_order_relaxed))(index);
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
      generation = state_.load(std::memory_order_acquire) >> 32;
      if (generation != seen) break;
      cpu_relax();
      if (++polls % 256 != 0 || std::chrono::steady_clock::now() - idle_since < kSpinBeforeSleep) continue;
      std::unique_lock<std::mutex> lock(mutex_);
      sleepers_.fetch_add(1);
      wake_.wait(lock, [&] { return stop_.load() || (state_.load() >> 32) != seen; });
      sleepers_.fetch_sub(1);
      idle_since = std::chrono::steady_clock::now();
    }
    seen = generation;
    drain(generation);
  }
}

}  // namespace grokcheck

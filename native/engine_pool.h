// A small persistent thread pool for the engine's parallel loops.
//
// run(tasks, fn) calls fn(i) once for every i in [0, tasks), spread over the calling thread and the workers.
// Which thread runs which task is decided at run time (first come, first served), so every caller splits work
// into tasks whose results do not depend on who computes them or in which order: each task writes its own
// outputs and every reduction inside a task runs in a fixed order. That is what makes the engine's results
// bit-identical whatever the thread count (shared/spec/design.md, "Runs").
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace grokcheck {

class ThreadPool {
 public:
  // threads >= 1: the calling thread plus threads - 1 workers.
  explicit ThreadPool(int threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int threads() const { return int(workers_.size()) + 1; }

  // Runs fn(0..tasks-1) and returns when all have finished.
  void run(int tasks, const std::function<void(int)>& fn);

  // Runs fn(begin, end) over [0, n) cut into ranges of `grain` items (the last one shorter).
  void run_ranges(long n, long grain, const std::function<void(long, long)>& fn);

 private:
  void worker_loop();
  // Claims and runs tasks of the current job until none is left; returns when the job is drained.
  void drain(uint64_t generation);

  std::vector<std::thread> workers_;
  // state_ = generation << 32 | next task index. Claiming a task is a CAS on it, so a worker that wakes up
  // late can never claim a task of a job that is already over.
  std::atomic<uint64_t> state_{0};
  std::atomic<const std::function<void(int)>*> job_{nullptr};
  std::atomic<int> job_tasks_{0};
  std::atomic<int> done_{0};
  std::atomic<bool> stop_{false};
  std::atomic<int> sleepers_{0};
  std::mutex mutex_;
  std::condition_variable wake_;
};

}  // namespace grokcheck

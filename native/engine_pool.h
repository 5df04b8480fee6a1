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

#include "engine_fpmode.h"

namespace grokcheck {

class ThreadPool {
 public:
  // threads >= 1: the calling thread plus threads - 1 workers, whose floating-point mode is `denormals` for
  // their whole life (engine_fpmode.h; the caller sets its own with a FloatModeScope around each call).
  explicit ThreadPool(int threads, Denormals denormals);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int threads() const { return int(workers_.size()) + 1; }
  Denormals denormals() const { return denormals_; }

  // Whether the workers take part (true) or the caller runs every task alone (false); see ThreadTuner.
  void set_parallel(bool parallel) { parallel_ = parallel; }
  bool parallel() const { return parallel_ && !workers_.empty(); }

  // Runs fn(0..tasks-1) and returns when all have finished.
  void run(int tasks, const std::function<void(int)>& fn);

  // Runs fn(begin, end) over [0, n) cut into ranges of `grain` items (the last one shorter).
  void run_ranges(long n, long grain, const std::function<void(long, long)>& fn);

 private:
  void worker_loop();
  // Runs one job of at most kMaxTasks tasks on all threads.
  void run_parallel(int tasks, const std::function<void(int)>& fn);
  // Claims and runs tasks of the current job until none is left; returns when the job is drained.
  void drain(uint64_t generation);

  std::vector<std::thread> workers_;
  // state_ = generation (32 bits) | task count (16 bits) | next task index (16 bits). Claiming a task is a CAS
  // on the whole word, checked against the count in the same word, so a worker still looking at an older job
  // can never claim a task of it that does not exist nor a task of a newer one.
  std::atomic<uint64_t> state_{0};
  std::atomic<const std::function<void(int)>*> job_{nullptr};
  std::atomic<int> done_{0};
  std::atomic<bool> stop_{false};
  std::atomic<int> sleepers_{0};
  std::mutex mutex_;
  std::condition_variable wake_;
  bool parallel_ = true;
  Denormals denormals_;
};

// Decides from the timings of repeated units of work (training steps, evaluation chunks) whether the pool's
// workers help.
//
// Results never depend on the thread count, so this is a free choice. On an idle machine all threads win; when
// other processes keep the cores busy, each of the ~100 parallel loops of a step ends waiting for whichever of
// our threads the OS has preempted, and one thread can be twice as fast (measured on the 2-core target machine
// while other jobs ran). So: time kProbeSteps units with all threads and kProbeSteps alone, keep the faster
// (by median time per example) for kSettledSteps units, then measure again.
class ThreadTuner {
 public:
  static constexpr int kProbeSteps = 4;
  static constexpr int kSettledSteps = 100;

  explicit ThreadTuner(int threads) : enabled_(threads > 1) {}
  // Whether the next unit should run with all threads.
  bool parallel_next() const;
  // The time the unit took per example.
  void record(double seconds_per_example);

 private:
  enum class Phase { ProbeParallel, ProbeAlone, Settled };
  bool enabled_;
  Phase phase_ = Phase::ProbeParallel;
  int steps_in_phase_ = 0;
  bool settled_parallel_ = true;
  std::vector<double> parallel_times_, alone_times_;
};

}  // namespace grokcheck

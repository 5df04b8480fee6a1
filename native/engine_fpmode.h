// The floating-point mode of a thread: what happens to subnormal ("denormal") floats, the one place that sets it.
//
// Under strong weight decay the weights and activations shrink into the subnormal range, and Intel cores (and
// some AMD operations) take a microcode assist of ~100 cycles on every subnormal operand or result; a decayed
// small-profile run took 11x longer on a Xeon because of it. `Flush` sets flush-to-zero (results that would be
// subnormal become +-0) and denormals-are-zero (subnormal inputs are read as +-0): MXCSR bits 15 and 6 on
// x86-64, which govern SSE, AVX, AVX2 and AVX-512 alike; FPCR.FZ on arm64 (which does both). `Keep` clears
// them: IEEE gradual underflow, as PyTorch does by default. Elsewhere both are no-ops (the portable build keeps
// whatever the thread has).
//
// The mode is per thread. Every thread that does engine or Fourier-kernel arithmetic sets it: the thread pool's
// workers for their whole life (they run nothing else), the calling (JavaScript) thread only inside each native
// call, through FloatModeScope, which restores the caller's mode on return so that V8's own arithmetic is
// never affected.
#pragma once

#include <cstdint>

#if defined(__x86_64__) || defined(__i386__)
#include <xmmintrin.h>
#endif

namespace grokcheck {

enum class Denormals : int { Flush = 0, Keep = 1 };

#if defined(__x86_64__) || defined(__i386__)
constexpr unsigned kFlushBits = 0x8000u | 0x0040u;  // FTZ | DAZ
inline uint64_t float_mode() { return _mm_getcsr(); }
inline void set_float_mode(uint64_t mode) { _mm_setcsr(static_cast<unsigned>(mode)); }
inline uint64_t with_denormals(uint64_t mode, Denormals d) { return d == Denormals::Flush ? (mode | kFlushBits) : (mode & ~uint64_t(kFlushBits)); }
#elif defined(__aarch64__)
constexpr uint64_t kFlushBits = uint64_t(1) << 24;  // FPCR.FZ
inline uint64_t float_mode() {
  uint64_t fpcr;
  __asm__ __volatile__("mrs %0, fpcr" : "=r"(fpcr));
  return fpcr;
}
inline void set_float_mode(uint64_t mode) { __asm__ __volatile__("msr fpcr, %0" : : "r"(mode)); }
inline uint64_t with_denormals(uint64_t mode, Denormals d) { return d == Denormals::Flush ? (mode | kFlushBits) : (mode & ~kFlushBits); }
#else
inline uint64_t float_mode() { return 0; }
inline void set_float_mode(uint64_t) {}
inline uint64_t with_denormals(uint64_t mode, Denormals) { return mode; }
#endif

// Sets the calling thread's denormal mode for good (thread-pool workers).
inline void set_denormals(Denormals d) { set_float_mode(with_denormals(float_mode(), d)); }

// Sets the calling thread's denormal mode for the lifetime of the scope, then restores the previous mode.
class FloatModeScope {
 public:
  explicit FloatModeScope(Denormals d) : saved_(float_mode()) { set_float_mode(with_denormals(saved_, d)); }
  ~FloatModeScope() { set_float_mode(saved_); }
  FloatModeScope(const FloatModeScope&) = delete;
  FloatModeScope& operator=(const FloatModeScope&) = delete;

 private:
  uint64_t saved_;
};

// "flush" / "keep", as the JavaScript side names them.
inline const char* denormals_name(Denormals d) { return d == Denormals::Flush ? "flush" : "keep"; }

}  // namespace grokcheck

// Standalone check that the three implementations of engine_simd.h (AVX-512, AVX2 + FMA, portable) give the
// same bits. Not part of the addon (binding.gyp compiles native/*.cc only). Build it once per implementation
// and compare the outputs, which must be identical apart from the "simd" line:
//
//   cd native/check
//   F="-std=c++17 -O3 -march=native -fno-math-errno"
//   g++ $F simd_check.cc ../engine_vecmath.cc -o /tmp/check-avx512                               # if the CPU has it
//   g++ $F -mno-avx512f simd_check.cc ../engine_vecmath.cc -o /tmp/check-avx2
//   g++ $F -mno-avx512f -mno-avx2 -mno-fma simd_check.cc ../engine_vecmath.cc -o /tmp/check-portable
//   for b in avx512 avx2 portable; do /tmp/check-$b > /tmp/check-$b.txt; done; diff /tmp/check-avx2.txt /tmp/check-portable.txt
//
// Each build also checks on its own (exit status 1 on failure):
// - scale_pow2 against std::ldexp, bit for bit, for every integral n in [-252, 254] and many a in the range
//   where the header documents the AVX2 version as exact, subnormal results included (the AVX-512 build checks
//   _mm512_scalef_ps, the portable build std::ldexp itself, over the same inputs);
// - load_n / store_n / store_n_branching / keep_first never touch memory beyond p + n (the vector ends at an
//   inaccessible page: reading past it crashes) and the stores write nothing past p + n.
// The hashes cover every operation on random and special inputs (signed zeros, subnormals, inf, NaN), and
// vecmath's exp, erf, gelu and gelu_derivative, which use scale_pow2, lookup, select and copysign.
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

#include "../engine_simd.h"
#include "../engine_vecmath.h"

using namespace grokcheck;
using simd::F16;
using simd::I16;
using simd::kLanes;

namespace {

uint32_t bits(float x) {
  uint32_t u;
  std::memcpy(&u, &x, 4);
  return u;
}
float from_bits(uint32_t u) {
  float x;
  std::memcpy(&x, &u, 4);
  return x;
}

// FNV-1a over the bits of every lane. Every NaN counts as one value: the portable build's std::fma (libm's,
// when compiled without FMA) propagates a different NaN payload than vfmadd when two operands are NaN.
struct Hash {
  uint64_t h = 1469598103934665603ull;
  void add(uint32_t u) {
    for (int b = 0; b < 4; b++) h = (h ^ ((u >> (8 * b)) & 0xFF)) * 1099511628211ull;
  }
  void add(F16 v) {
    float out[kLanes];
    simd::store(out, v);
    for (float x : out) add(x);
  }
  void add(I16 v) {
    int32_t out[kLanes];
    std::memcpy(out, &v, sizeof out);  // I16 is 16 int32 lanes in order in every implementation
    for (int32_t x : out) add(uint32_t(x));
  }
  void add(float x) { add(std::isnan(x) ? 0x7FC00000u : bits(x)); }
};

// Random inputs are made from integers and bit patterns only: GCC contracts float a * b + c into an fma when
// the target has FMA (-ffp-contract=fast is its default, also for intrinsics), so std::uniform_real_distribution
// would give the builds with and without FMA different inputs.
// A float in [lo, hi] for positive lo < hi (positive floats are ordered like their bit patterns).
float between(std::mt19937& rng, float lo, float hi) { return from_bits(bits(lo) + uint32_t(rng() % (bits(hi) - bits(lo) + 1))); }
// A multiple of 2^-16 in [-range, range).
float fixed_point(std::mt19937& rng, int range) { return float(int(rng() % uint32_t(2 * range * 65536)) - range * 65536) * 0x1p-16f; }

// Inputs: special values and random floats of every magnitude (random bit patterns and a few ranges).
std::vector<float> make_inputs(std::mt19937& rng, int count) {
  const float inf = std::numeric_limits<float>::infinity();
  std::vector<float> v = {0.0f, -0.0f, 1.0f, -1.0f, 0.5f, 1.5f, 2.5f, -2.5f, 3.999f, 4.0f, 15.9f, 16.0f,
                          inf, -inf, std::numeric_limits<float>::quiet_NaN(), -std::numeric_limits<float>::quiet_NaN(),
                          std::numeric_limits<float>::denorm_min(), -std::numeric_limits<float>::denorm_min(),
                          std::numeric_limits<float>::min(), std::numeric_limits<float>::max(), -104.0f, 88.7f, 89.0f, -105.0f};
  while (int(v.size()) < count) {
    switch (v.size() % 4) {
      case 0: v.push_back(from_bits(uint32_t(rng()))); break;  // any bit pattern, NaNs included
      case 1: v.push_back(fixed_point(rng, 8)); break;
      case 2: v.push_back(fixed_point(rng, 120)); break;
      default: v.push_back(float(int(rng() % 33) - 16) * 0.5f); break;  // ties and integers for the comparisons
    }
  }
  return v;
}

// Every lane of a*2^n against std::ldexp over the documented exact range; returns the number of mismatches.
long check_scale_pow2(std::mt19937& rng) {
  std::vector<float> as = {0.0f, -0.0f, 1.0f, -1.0f, 1.5f, 0.70710677f, 1.4142135f, 1.9999999f, -1.9999999f,
                           std::numeric_limits<float>::infinity(), -std::numeric_limits<float>::infinity()};
  while (as.size() < 4002) {
    as.push_back(between(rng, 0.69f, 1.45f));  // exp's polynomial
    as.push_back(-between(rng, 1.0f, 2.0f));
    as.push_back(between(rng, 0x1p-50f, 0x1p60f));
  }
  long mismatches = 0, checked = 0, subnormal = 0;
  for (size_t i = 0; i + kLanes <= as.size(); i += kLanes) {
    const F16 a = simd::load(&as[i]);
    for (int n = -252; n <= 254; n++) {
      float out[kLanes];
      simd::store(out, simd::scale_pow2(a, simd::splat(float(n))));
      for (int l = 0; l < kLanes; l++) {
        const float x = as[i + l];
        // The documented exact range: a is 0 or inf, or |a| * 2^floor(n/2) is a normal float.
        const bool in_range = x == 0.0f || std::isinf(x) || std::fabs(std::ldexp(double(x), n >> 1)) >= 0x1p-126;
        if (!in_range) continue;
        const float want = std::ldexp(x, n);
        checked++;
        if (want != 0.0f && std::fabs(want) < std::numeric_limits<float>::min()) subnormal++;
        if (bits(out[l]) != bits(want)) {
          if (mismatches++ < 10)
            std::printf("scale_pow2 MISMATCH a=%a n=%d got %a want %a\n", double(x), n, double(out[l]), double(want));
        }
      }
    }
  }
  std::printf("scale_pow2 vs std::ldexp: %ld lanes checked (%ld subnormal results), %ld mismatches\n", checked,
              subnormal, mismatches);
  return mismatches;
}

// load_n / store_n / store_n_branching / keep_first at the end of an accessible page: touching p[n] or beyond would crash.
long check_bounds() {
  const long page = sysconf(_SC_PAGESIZE);
  char* mem = static_cast<char*>(mmap(nullptr, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
  if (mem == MAP_FAILED || mprotect(mem + page, page, PROT_NONE) != 0) {
    std::printf("bounds: mmap failed\n");
    return 1;
  }
  float* end = reinterpret_cast<float*>(mem + page);
  long failures = 0;
  for (int n = 0; n <= kLanes; n++) {
    float* p = end - n;
    for (int i = 0; i < n; i++) p[i] = float(i + 1);
    const F16 v = simd::load_n(p, n);  // crashes if it reads p[n]
    float lanes[kLanes];
    simd::store(lanes, v);
    for (int i = 0; i < kLanes; i++)
      if (bits(lanes[i]) != bits(i < n ? float(i + 1) : 0.0f)) failures++;
    simd::store(lanes, simd::keep_first(simd::splat(-7.0f), n));
    for (int i = 0; i < kLanes; i++)
      if (bits(lanes[i]) != bits(i < n ? -7.0f : 0.0f)) failures++;
    simd::store_n(p, simd::splat(5.0f), n);  // crashes if it writes p[n]
    for (int i = 0; i < n; i++)
      if (p[i] != 5.0f) failures++;
    // Writes nothing past n inside accessible memory either.
    float buf[2 * kLanes];
    for (float& x : buf) x = -1.0f;
    simd::store_n(buf, simd::splat(5.0f), n);
    for (int i = 0; i < 2 * kLanes; i++)
      if (buf[i] != (i < n ? 5.0f : -1.0f)) failures++;
    // store_n_branching: the same contract.
    simd::store_n_branching(p, simd::splat(6.0f), n);  // crashes if it writes p[n]
    for (int i = 0; i < n; i++)
      if (p[i] != 6.0f) failures++;
    for (float& x : buf) x = -1.0f;
    simd::store_n_branching(buf, simd::splat(6.0f), n);
    for (int i = 0; i < 2 * kLanes; i++)
      if (buf[i] != (i < n ? 6.0f : -1.0f)) failures++;
  }
  // A width known at compile time (plain loads and stores in the AVX2 build) ends at the page as well.
  {
    float* p = end - kLanes;
    for (int i = 0; i < kLanes; i++) p[i] = float(i + 1);
    float lanes[kLanes];
    simd::store(lanes, simd::load_n(p, kLanes));
    for (int i = 0; i < kLanes; i++)
      if (lanes[i] != float(i + 1)) failures++;
    simd::store_n(p, simd::splat(7.0f), kLanes);
    for (int i = 0; i < kLanes; i++)
      if (p[i] != 7.0f) failures++;
  }
  munmap(mem, 2 * page);
  std::printf("load_n/store_n/keep_first bounds: %ld failures\n", failures);
  return failures;
}

}  // namespace

int main() {
  std::printf("simd %s\n", GROKCHECK_SIMD_NAME);
  std::mt19937 rng(12345);
  long failures = check_scale_pow2(rng) + check_bounds();

  const std::vector<float> x = make_inputs(rng, 1 << 16);
  std::vector<float> y = make_inputs(rng, 1 << 16);
  std::shuffle(y.begin(), y.end(), rng);
  std::vector<float> z = make_inputs(rng, 1 << 16);
  std::shuffle(z.begin(), z.end(), rng);
  std::vector<float> idx(x.size()), g(x.size()), e(x.size()), p(x.size());
  for (size_t i = 0; i < x.size(); i++) {
    idx[i] = float(rng() % 16);
    g[i] = fixed_point(rng, 12);
    e[i] = fixed_point(rng, 110);
    p[i] = between(rng, 0.7f, 1.5f);
  }
  // n for scale_pow2 in the range the header documents (integral, [-252, 254]).
  std::vector<float> nn(x.size());
  for (size_t i = 0; i < x.size(); i++) nn[i] = float(int(rng() % 507) - 252);

  const char* names[] = {"add", "sub", "mul", "div", "fma", "sqrt", "max", "min", "abs", "copysign", "round_nearest",
                         "to_int", "min_int", "to_float", "lookup", "lt/select", "ge/select", "reduce_add", "reduce_max",
                         "keep_first", "sum/dot/axpy", "exp", "erf", "gelu", "gelu_derivative", "scale_pow2 exp-range"};
  constexpr int kOps = sizeof names / sizeof names[0];
  Hash h[kOps];
  for (size_t i = 0; i + kLanes <= x.size(); i += kLanes) {
    const F16 a = simd::load(&x[i]), b = simd::load(&y[i]), c = simd::load(&z[i]);
    h[0].add(a + b);
    h[1].add(a - b);
    h[2].add(a * b);
    h[3].add(a / b);
    h[4].add(simd::fma(a, b, c));
    h[5].add(simd::sqrt(a));
    h[6].add(simd::max(a, b));
    h[7].add(simd::min(a, b));
    h[8].add(simd::abs(a));
    h[9].add(simd::copysign(a, b));
    h[10].add(simd::round_nearest(a));
    // Conversions only where defined in C++ (the portable build): finite and inside int32.
    const F16 small = simd::select(simd::abs(a) < simd::splat(2e9f), a, simd::splat(3.0f));
    h[11].add(simd::to_int(small));
    h[12].add(simd::min(simd::to_int(small), 15));
    h[13].add(simd::to_float(simd::to_int(small)));
    const I16 ix = simd::to_int(simd::load(&idx[i]));
    h[14].add(simd::lookup(b, ix));
    h[15].add(simd::select(a < b, a, c));
    h[16].add(simd::select(a >= b, a, c));
    h[17].add(simd::reduce_add(a));
    h[18].add(simd::reduce_max(simd::select(a < simd::splat(std::numeric_limits<float>::infinity()), a, simd::splat(0.0f))));
    h[19].add(simd::keep_first(a, int(i / kLanes % 17)));
    const int n = int(i % 61);
    float out[64];
    std::memcpy(out, &z[i % 4096], sizeof out);
    simd::axpy(simd::reduce_add(c), &y[i % 4096], out, n);
    for (float o : out) h[20].add(o);
    h[20].add(simd::sum(&x[i % 4096], n));
    h[20].add(simd::dot(&x[i % 4096], &y[i % 4096], n));
    h[21].add(vecmath::exp(a));
    h[21].add(vecmath::exp(simd::load(&e[i])));
    h[22].add(vecmath::erf(a));
    h[22].add(vecmath::erf(simd::load(&g[i])));
    h[23].add(vecmath::gelu(a));
    h[23].add(vecmath::gelu(simd::load(&g[i])));
    h[24].add(vecmath::gelu_derivative(a));
    h[24].add(vecmath::gelu_derivative(simd::load(&g[i])));
    // exp's arguments: a in [0.7, 1.5], n in [-252, 254]
    h[25].add(simd::scale_pow2(simd::load(&p[i]), simd::load(&nn[i])));
  }
  {
    Hash hx;
    for (size_t i = 0; i < x.size(); i++) { hx.add(x[i]); hx.add(y[i]); hx.add(z[i]); hx.add(idx[i]); hx.add(g[i]); hx.add(e[i]); hx.add(nn[i]); }
    std::printf("inputs %016" PRIx64 "\n", hx.h);

  }
  for (int k = 0; k < kOps; k++) std::printf("%-22s %016" PRIx64 "\n", names[k], h[k].h);
  std::printf(failures ? "FAILED\n" : "ok\n");
  return failures ? 1 : 0;
}

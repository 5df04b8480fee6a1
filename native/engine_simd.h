// A 16-lane float vector, the one place where the engine touches SIMD.
//
// Three implementations, picked by what -march=native enables:
// - AVX-512 (this project's machines, Zen 4/5): every operation is one intrinsic on a 512-bit register.
// - AVX2 + FMA (most x86 laptops and desktops, older servers): two 256-bit halves, lanes 0-7 and 8-15. Without
//   it those machines fell back to the portable loops and a training step was ~5x slower.
// - portable: a plain array of 16 floats (std::fma for the fused multiply-add).
// Every operation is IEEE-exact or has one defined result (fma rounds once, max/min return the second operand
// on NaN, horizontal sums use the same fixed tree), so the kernels are written once against this type and each
// operation gives the same bits in all three (native/check/simd_check.cc tests it). Whole runs are
// bit-identical between the AVX-512 and AVX2 builds (records and checkpoints compared byte for byte); the
// portable build differs in the last bits (within the replay tolerances), because GCC also fuses a separate
// multiply and add into an fma (-ffp-contract=fast, its default) where the target has FMA, and fuses its scalar
// loops differently or, without FMA, not at all. (-ffp-contract=off gave all three the same bits in a short
// test, but would change every AVX-512 result so far.)
// Every reduction here has a fixed order: nothing depends on how work is split over threads.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>

#if defined(__AVX512F__)
// GCC 12's AVX-512 header builds "undefined" vectors from self-initialised locals, which -Wmaybe-uninitialized
// reports at every use; the warning is about the header, not this code.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#include <immintrin.h>
#pragma GCC diagnostic pop
#define GROKCHECK_AVX512 1
#define GROKCHECK_AVX2 0
#define GROKCHECK_SIMD_NAME "avx512"
#elif defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>
#define GROKCHECK_AVX512 0
#define GROKCHECK_AVX2 1
#define GROKCHECK_SIMD_NAME "avx2"
#else
#define GROKCHECK_AVX512 0
#define GROKCHECK_AVX2 0
#define GROKCHECK_SIMD_NAME "portable"
#endif

namespace grokcheck {
namespace simd {

constexpr int kLanes = 16;

#if GROKCHECK_AVX512

struct F16 {
  __m512 v;
};
struct I16 {
  __m512i v;
};
struct M16 {
  __mmask16 m;
};

// Lanes [0, n) active.
inline __mmask16 first_lanes(int n) { return n >= kLanes ? __mmask16(0xFFFF) : __mmask16((1u << n) - 1u); }

inline F16 splat(float x) { return {_mm512_set1_ps(x)}; }
inline F16 zero() { return {_mm512_setzero_ps()}; }
inline F16 load(const float* p) { return {_mm512_loadu_ps(p)}; }
// Loads lanes [0, n) and sets the others to 0 (they never touch memory beyond p + n).
inline F16 load_n(const float* p, int n) { return {_mm512_maskz_loadu_ps(first_lanes(n), p)}; }
inline void store(float* p, F16 a) { _mm512_storeu_ps(p, a.v); }
inline void store_n(float* p, F16 a, int n) { _mm512_mask_storeu_ps(p, first_lanes(n), a.v); }
inline void store_n_branching(float* p, F16 a, int n) { store_n(p, a, n); }
// Lanes [0, n) of a, 0 in the others.
inline F16 keep_first(F16 a, int n) { return {_mm512_maskz_mov_ps(first_lanes(n), a.v)}; }

inline F16 operator+(F16 a, F16 b) { return {_mm512_add_ps(a.v, b.v)}; }
inline F16 operator-(F16 a, F16 b) { return {_mm512_sub_ps(a.v, b.v)}; }
inline F16 operator*(F16 a, F16 b) { return {_mm512_mul_ps(a.v, b.v)}; }
inline F16 operator/(F16 a, F16 b) { return {_mm512_div_ps(a.v, b.v)}; }
// a * b + c with one rounding.
inline F16 fma(F16 a, F16 b, F16 c) { return {_mm512_fmadd_ps(a.v, b.v, c.v)}; }
inline F16 sqrt(F16 a) { return {_mm512_sqrt_ps(a.v)}; }
inline F16 max(F16 a, F16 b) { return {_mm512_max_ps(a.v, b.v)}; }
inline F16 min(F16 a, F16 b) { return {_mm512_min_ps(a.v, b.v)}; }
inline F16 abs(F16 a) { return {_mm512_abs_ps(a.v)}; }
// Copies the sign of `sign` onto the magnitude of `magnitude`.
inline F16 copysign(F16 magnitude, F16 sign) {
  const __m512i sign_bit = _mm512_set1_epi32(int(0x80000000u));
  __m512i m = _mm512_andnot_si512(sign_bit, _mm512_castps_si512(magnitude.v));
  __m512i s = _mm512_and_si512(sign_bit, _mm512_castps_si512(sign.v));
  return {_mm512_castsi512_ps(_mm512_or_si512(m, s))};
}
inline F16 round_nearest(F16 a) { return {_mm512_roundscale_ps(a.v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC)}; }
// a * 2^n for integral n (exact scaling, correctly rounded into the subnormal range).
inline F16 scale_pow2(F16 a, F16 n) { return {_mm512_scalef_ps(a.v, n.v)}; }
// Truncation toward zero to int32.
inline I16 to_int(F16 a) { return {_mm512_cvttps_epi32(a.v)}; }
inline I16 min(I16 a, int b) { return {_mm512_min_epi32(a.v, _mm512_set1_epi32(b))}; }
inline F16 to_float(I16 a) { return {_mm512_cvtepi32_ps(a.v)}; }
// result[i] = table[idx[i]] for idx in [0, 16).
inline F16 lookup(F16 table, I16 idx) { return {_mm512_permutexvar_ps(idx.v, table.v)}; }

inline M16 operator<(F16 a, F16 b) { return {_mm512_cmp_ps_mask(a.v, b.v, _CMP_LT_OQ)}; }
inline M16 operator>=(F16 a, F16 b) { return {_mm512_cmp_ps_mask(a.v, b.v, _CMP_GE_OQ)}; }
// Lane-wise mask ? a : b.
inline F16 select(M16 mask, F16 a, F16 b) { return {_mm512_mask_blend_ps(mask.m, b.v, a.v)}; }

// Horizontal sum in a fixed tree: lanes i and i+8, then i and i+4, i and i+2, i and i+1.
inline float reduce_add(F16 a) {
  __m256 lo = _mm512_castps512_ps256(a.v);
  __m256 hi = _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(a.v), 1));
  __m256 s8 = _mm256_add_ps(lo, hi);
  __m128 s4 = _mm_add_ps(_mm256_castps256_ps128(s8), _mm256_extractf128_ps(s8, 1));
  __m128 s2 = _mm_add_ps(s4, _mm_movehl_ps(s4, s4));
  __m128 s1 = _mm_add_ss(s2, _mm_shuffle_ps(s2, s2, 1));
  return _mm_cvtss_f32(s1);
}
inline float reduce_max(F16 a) { return _mm512_reduce_max_ps(a.v); }

#elif GROKCHECK_AVX2  // two 256-bit halves: lanes 0-7 in lo, 8-15 in hi; the same lane semantics as AVX-512

struct F16 {
  __m256 lo, hi;
};
struct I16 {
  __m256i lo, hi;
};
// A compare result: all ones in a true lane, all zeros in a false one (blendv reads the sign bit).
struct M16 {
  __m256 lo, hi;
};

// All ones in lanes [0, n) of one 8-lane half, zeros elsewhere (n may be <= 0 or >= 8).
inline __m256i lanes_below(int n) {
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

inline F16 splat(float x) { return {_mm256_set1_ps(x), _mm256_set1_ps(x)}; }
inline F16 zero() { return {_mm256_setzero_ps(), _mm256_setzero_ps()}; }
inline F16 load(const float* p) { return {_mm256_loadu_ps(p), _mm256_loadu_ps(p + 8)}; }
inline void store(float* p, F16 a) {
  _mm256_storeu_ps(p, a.lo);
  _mm256_storeu_ps(p + 8, a.hi);
}
// Loads lanes [0, n) and sets the others to 0. vmaskmovps never reads (or faults on) a masked-off lane, so
// nothing beyond p + n is touched.
// No branch for full vectors, on purpose: GCC fuses a multiply and an add into an fma (-ffp-contract=fast, its
// default, also for intrinsics) only within one basic block, so a branch here would change which products
// get fused and the results would no longer match the branch-free AVX-512 build bit for bit.
// A width the compiler knows (a loop's full chunks, once inlined) takes plain loads and stores instead:
// __builtin_constant_p is decided at compile time, so that test leaves no branch in the code. (vmaskmovps
// stores cost several times a plain store on AMD Zen, even with an empty mask.)
inline F16 load_n(const float* p, int n) {
  if (__builtin_constant_p(n) && n >= 16) return load(p);
  return {_mm256_maskload_ps(p, lanes_below(n)), _mm256_maskload_ps(p + 8, lanes_below(n - 8))};
}
inline void store_n(float* p, F16 a, int n) {
  if (__builtin_constant_p(n) && n >= 16) return store(p, a);
  _mm256_maskstore_ps(p, lanes_below(n), a.lo);
  _mm256_maskstore_ps(p + 8, lanes_below(n - 8), a.hi);
}
// store_n with branches that store each half plainly when it is full and skip it when it is empty. Only for a
// store that ends a computation, with no arithmetic after it in the same block (see load_n for why).
inline void store_n_branching(float* p, F16 a, int n) {
  if (n >= 8) _mm256_storeu_ps(p, a.lo);
  else _mm256_maskstore_ps(p, lanes_below(n), a.lo);
  if (n >= 16) _mm256_storeu_ps(p + 8, a.hi);
  else if (n > 8) _mm256_maskstore_ps(p + 8, lanes_below(n - 8), a.hi);
}
// Lanes [0, n) of a, +0 in the others.
inline F16 keep_first(F16 a, int n) {
  return {_mm256_and_ps(a.lo, _mm256_castsi256_ps(lanes_below(n))),
          _mm256_and_ps(a.hi, _mm256_castsi256_ps(lanes_below(n - 8)))};
}

inline F16 operator+(F16 a, F16 b) { return {_mm256_add_ps(a.lo, b.lo), _mm256_add_ps(a.hi, b.hi)}; }
inline F16 operator-(F16 a, F16 b) { return {_mm256_sub_ps(a.lo, b.lo), _mm256_sub_ps(a.hi, b.hi)}; }
inline F16 operator*(F16 a, F16 b) { return {_mm256_mul_ps(a.lo, b.lo), _mm256_mul_ps(a.hi, b.hi)}; }
inline F16 operator/(F16 a, F16 b) { return {_mm256_div_ps(a.lo, b.lo), _mm256_div_ps(a.hi, b.hi)}; }
// a * b + c with one rounding.
inline F16 fma(F16 a, F16 b, F16 c) { return {_mm256_fmadd_ps(a.lo, b.lo, c.lo), _mm256_fmadd_ps(a.hi, b.hi, c.hi)}; }
inline F16 sqrt(F16 a) { return {_mm256_sqrt_ps(a.lo), _mm256_sqrt_ps(a.hi)}; }
// vmaxps/vminps return the second operand when either is NaN, as the AVX-512 ones do: keep the order.
inline F16 max(F16 a, F16 b) { return {_mm256_max_ps(a.lo, b.lo), _mm256_max_ps(a.hi, b.hi)}; }
inline F16 min(F16 a, F16 b) { return {_mm256_min_ps(a.lo, b.lo), _mm256_min_ps(a.hi, b.hi)}; }
// Clears the sign bit (-0.0f is the sign bit alone).
inline F16 abs(F16 a) {
  const __m256 sign_bit = _mm256_set1_ps(-0.0f);
  return {_mm256_andnot_ps(sign_bit, a.lo), _mm256_andnot_ps(sign_bit, a.hi)};
}
// Copies the sign of `sign` onto the magnitude of `magnitude`.
inline F16 copysign(F16 magnitude, F16 sign) {
  const __m256 sign_bit = _mm256_set1_ps(-0.0f);
  return {_mm256_or_ps(_mm256_andnot_ps(sign_bit, magnitude.lo), _mm256_and_ps(sign_bit, sign.lo)),
          _mm256_or_ps(_mm256_andnot_ps(sign_bit, magnitude.hi), _mm256_and_ps(sign_bit, sign.hi))};
}
inline F16 round_nearest(F16 a) {
  return {_mm256_round_ps(a.lo, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC),
          _mm256_round_ps(a.hi, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC)};
}

// 2^k for integer k in [-126, 127] (a normal float), built from its exponent bits.
inline __m256 pow2_int(__m256i k) {
  return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(k, _mm256_set1_epi32(127)), 23));
}
// a * 2^n for one half. AVX2 has no vscalefps, and one multiply by 2^n cannot do it: 2^n is not a float for
// n > 127 or n < -149 (exp needs n from -150 to 128), and is subnormal below -126. So n (clamped to
// [-252, 254]) is split into n1 = floor(n / 2) and n2 = n - n1, both in [-126, 127], and a is multiplied by
// 2^n1 and then by 2^n2. The first product is exact whenever it is a normal float, so the only rounding is the
// last one: the correctly rounded a * 2^n, subnormal results and overflow to inf included, the same bits as
// _mm512_scalef_ps and std::ldexp.
// Handled exactly: integral n in [-252, 254] with a = 0, inf, or |a| * 2^floor(n/2) >= 2^-126 (a normal first
// product), e.g. any |a| >= 1, or any |a| >= 2^-50 with n >= -150. exp() calls it with a in [0.7, 1.5] and
// n in [-150, 128] (x clamped to [-104, 88.7]), well inside. Not handled like scalef: NaN or non-integral n.
inline __m256 scale_pow2_half(__m256 a, __m256 n) {
  __m256i k = _mm256_cvtps_epi32(n);  // n is integral: exact
  k = _mm256_min_epi32(_mm256_max_epi32(k, _mm256_set1_epi32(-252)), _mm256_set1_epi32(254));
  const __m256i k1 = _mm256_srai_epi32(k, 1);  // floor(k / 2)
  const __m256i k2 = _mm256_sub_epi32(k, k1);
  return _mm256_mul_ps(_mm256_mul_ps(a, pow2_int(k1)), pow2_int(k2));
}
inline F16 scale_pow2(F16 a, F16 n) { return {scale_pow2_half(a.lo, n.lo), scale_pow2_half(a.hi, n.hi)}; }
// Truncation toward zero to int32.
inline I16 to_int(F16 a) { return {_mm256_cvttps_epi32(a.lo), _mm256_cvttps_epi32(a.hi)}; }
inline I16 min(I16 a, int b) {
  const __m256i vb = _mm256_set1_epi32(b);
  return {_mm256_min_epi32(a.lo, vb), _mm256_min_epi32(a.hi, vb)};
}
inline F16 to_float(I16 a) { return {_mm256_cvtepi32_ps(a.lo), _mm256_cvtepi32_ps(a.hi)}; }
// table[idx & 15] for 8 lanes: vpermps reads idx & 7 within a half, and bit 3 of idx (shifted into the sign
// bit, which blendv reads) picks the half.
inline __m256 lookup_half(F16 table, __m256i idx) {
  const __m256 from_lo = _mm256_permutevar8x32_ps(table.lo, idx);
  const __m256 from_hi = _mm256_permutevar8x32_ps(table.hi, idx);
  return _mm256_blendv_ps(from_lo, from_hi, _mm256_castsi256_ps(_mm256_slli_epi32(idx, 28)));
}
// result[i] = table[idx[i]] for idx in [0, 16).
inline F16 lookup(F16 table, I16 idx) { return {lookup_half(table, idx.lo), lookup_half(table, idx.hi)}; }

inline M16 operator<(F16 a, F16 b) { return {_mm256_cmp_ps(a.lo, b.lo, _CMP_LT_OQ), _mm256_cmp_ps(a.hi, b.hi, _CMP_LT_OQ)}; }
inline M16 operator>=(F16 a, F16 b) { return {_mm256_cmp_ps(a.lo, b.lo, _CMP_GE_OQ), _mm256_cmp_ps(a.hi, b.hi, _CMP_GE_OQ)}; }
// Lane-wise mask ? a : b.
inline F16 select(M16 mask, F16 a, F16 b) { return {_mm256_blendv_ps(b.lo, a.lo, mask.lo), _mm256_blendv_ps(b.hi, a.hi, mask.hi)}; }

// Horizontal sum in the same fixed tree as AVX-512: lanes i and i+8 (lo + hi), then i and i+4, i+2, i+1.
inline float reduce_add(F16 a) {
  __m256 s8 = _mm256_add_ps(a.lo, a.hi);
  __m128 s4 = _mm_add_ps(_mm256_castps256_ps128(s8), _mm256_extractf128_ps(s8, 1));
  __m128 s2 = _mm_add_ps(s4, _mm_movehl_ps(s4, s4));
  __m128 s1 = _mm_add_ss(s2, _mm_shuffle_ps(s2, s2, 1));
  return _mm_cvtss_f32(s1);
}
// Max is exact, so any order gives the same value.
inline float reduce_max(F16 a) {
  __m256 m8 = _mm256_max_ps(a.lo, a.hi);
  __m128 m4 = _mm_max_ps(_mm256_castps256_ps128(m8), _mm256_extractf128_ps(m8, 1));
  __m128 m2 = _mm_max_ps(m4, _mm_movehl_ps(m4, m4));
  __m128 m1 = _mm_max_ss(m2, _mm_shuffle_ps(m2, m2, 1));
  return _mm_cvtss_f32(m1);
}

#else  // portable fallback: the same lane semantics, one loop per operation

struct F16 {
  float v[kLanes];
};
struct I16 {
  int32_t v[kLanes];
};
struct M16 {
  bool m[kLanes];
};

#define GROKCHECK_LANEWISE(expr) \
  F16 r;                         \
  for (int i = 0; i < kLanes; i++) r.v[i] = (expr); \
  return r

inline F16 splat(float x) { GROKCHECK_LANEWISE(x); }
inline F16 zero() { GROKCHECK_LANEWISE(0.0f); }
inline F16 load(const float* p) { GROKCHECK_LANEWISE(p[i]); }
inline F16 load_n(const float* p, int n) { GROKCHECK_LANEWISE(i < n ? p[i] : 0.0f); }
inline void store(float* p, F16 a) { std::memcpy(p, a.v, sizeof a.v); }
inline void store_n(float* p, F16 a, int n) {
  for (int i = 0; i < n && i < kLanes; i++) p[i] = a.v[i];
}
inline void store_n_branching(float* p, F16 a, int n) { store_n(p, a, n); }
inline F16 keep_first(F16 a, int n) { GROKCHECK_LANEWISE(i < n ? a.v[i] : 0.0f); }
inline F16 operator+(F16 a, F16 b) { GROKCHECK_LANEWISE(a.v[i] + b.v[i]); }
inline F16 operator-(F16 a, F16 b) { GROKCHECK_LANEWISE(a.v[i] - b.v[i]); }
inline F16 operator*(F16 a, F16 b) { GROKCHECK_LANEWISE(a.v[i] * b.v[i]); }
inline F16 operator/(F16 a, F16 b) { GROKCHECK_LANEWISE(a.v[i] / b.v[i]); }
inline F16 fma(F16 a, F16 b, F16 c) { GROKCHECK_LANEWISE(std::fma(a.v[i], b.v[i], c.v[i])); }
inline F16 sqrt(F16 a) { GROKCHECK_LANEWISE(std::sqrt(a.v[i])); }
// Same NaN behaviour as the AVX-512 max/min: the second operand is returned when either is NaN.
inline F16 max(F16 a, F16 b) { GROKCHECK_LANEWISE(a.v[i] > b.v[i] ? a.v[i] : b.v[i]); }
inline F16 min(F16 a, F16 b) { GROKCHECK_LANEWISE(a.v[i] < b.v[i] ? a.v[i] : b.v[i]); }
inline F16 abs(F16 a) { GROKCHECK_LANEWISE(std::fabs(a.v[i])); }
inline F16 copysign(F16 magnitude, F16 sign) { GROKCHECK_LANEWISE(std::copysign(magnitude.v[i], sign.v[i])); }
inline F16 round_nearest(F16 a) { GROKCHECK_LANEWISE(std::nearbyint(a.v[i])); }
inline F16 scale_pow2(F16 a, F16 n) { GROKCHECK_LANEWISE(std::ldexp(a.v[i], int(n.v[i]))); }
inline I16 to_int(F16 a) {
  I16 r;
  for (int i = 0; i < kLanes; i++) r.v[i] = int32_t(a.v[i]);
  return r;
}
inline I16 min(I16 a, int b) {
  I16 r;
  for (int i = 0; i < kLanes; i++) r.v[i] = a.v[i] < b ? a.v[i] : b;
  return r;
}
inline F16 to_float(I16 a) { GROKCHECK_LANEWISE(float(a.v[i])); }
inline F16 lookup(F16 table, I16 idx) { GROKCHECK_LANEWISE(table.v[idx.v[i] & 15]); }
inline M16 operator<(F16 a, F16 b) {
  M16 r;
  for (int i = 0; i < kLanes; i++) r.m[i] = a.v[i] < b.v[i];
  return r;
}
inline M16 operator>=(F16 a, F16 b) {
  M16 r;
  for (int i = 0; i < kLanes; i++) r.m[i] = a.v[i] >= b.v[i];
  return r;
}
inline F16 select(M16 mask, F16 a, F16 b) { GROKCHECK_LANEWISE(mask.m[i] ? a.v[i] : b.v[i]); }
inline float reduce_add(F16 a) {
  float s8[8], s4[4], s2[2];
  for (int i = 0; i < 8; i++) s8[i] = a.v[i] + a.v[i + 8];
  for (int i = 0; i < 4; i++) s4[i] = s8[i] + s8[i + 4];
  for (int i = 0; i < 2; i++) s2[i] = s4[i] + s4[i + 2];
  return s2[0] + s2[1];
}
inline float reduce_max(F16 a) {
  float m = a.v[0];
  for (int i = 1; i < kLanes; i++) m = a.v[i] > m ? a.v[i] : m;
  return m;
}
#undef GROKCHECK_LANEWISE

#endif

// Sum of x[0..n) as 16 strided partial sums (lane i holds x[i], x[i+16], ...), then the fixed tree above.
inline float sum(const float* x, int n) {
  F16 acc = zero();
  int i = 0;
  for (; i + kLanes <= n; i += kLanes) acc = acc + load(x + i);
  if (i < n) acc = acc + load_n(x + i, n - i);
  return reduce_add(acc);
}

// Dot product of x[0..n) and y[0..n), accumulated as in `sum`.
inline float dot(const float* x, const float* y, int n) {
  F16 acc = zero();
  int i = 0;
  for (; i + kLanes <= n; i += kLanes) acc = fma(load(x + i), load(y + i), acc);
  if (i < n) acc = fma(load_n(x + i, n - i), load_n(y + i, n - i), acc);
  return reduce_add(acc);
}

// y[0..n) += a * x[0..n)
inline void axpy(float a, const float* x, float* y, int n) {
  const F16 va = splat(a);
  int i = 0;
  for (; i + kLanes <= n; i += kLanes) store(y + i, fma(va, load(x + i), load(y + i)));
  if (i < n) store_n(y + i, fma(va, load_n(x + i, n - i), load_n(y + i, n - i)), n - i);
}

// A column vector of doubles as wide as the target's registers, for the kernels that sum in double
// (native/fourier.cc: the FSD null's coefficients, accumulated as the TypeScript reference does). A GCC vector
// wider than the registers is not split into register-sized halves but kept on the stack and moved through
// 128-bit pieces on every operation (with 8-double vectors on every target, the AVX2 and portable builds took
// ~4 s for what AVX-512 does in ~0.4 s). Doubles need AVX only (not AVX2, and not FMA: the kernels round
// products and sums separately), so the portable build, which keeps AVX on a CPU that has it, gets 4 doubles
// too; SSE2 (every x86-64) and NEON have 2. Its + and * are the IEEE operations lane by lane: the width only
// decides which products are computed together, never the order of a sum.
#if defined(__AVX512F__)
constexpr int kDoubleLanes = 8;
#elif defined(__AVX__)
constexpr int kDoubleLanes = 4;
#else
constexpr int kDoubleLanes = 2;
#endif
typedef double D __attribute__((vector_size(8 * kDoubleLanes)));

}  // namespace simd
}  // namespace grokcheck

// Vectorised exp and erf in float32, accurate to about 1 ulp, for the softmaxes and the exact-erf GELU of
// shared/spec/model.md. libm's scalar erff/expf would cost several milliseconds per training step (a million
// GELU units per step), so both are evaluated 16 lanes at a time with polynomials whose coefficients are
// derived here from their Taylor series (no tables copied from anywhere).
#pragma once

#include "engine_simd.h"

namespace grokcheck {
namespace vecmath {

using simd::F16;

// exp(x) = 2^n * exp(r) with n = round(x / ln 2) and r = x - n ln 2, |r| <= ln2 / 2 = 0.347.
// exp(r) = sum_{k<=7} r^k / k!: the first omitted term is r^8/8! < 5.3e-9, below float's 2^-24 = 6e-8.
// ln 2 is split into a part with few mantissa bits (n * kLn2Hi is exact for |n| < 2^9) and the remainder
// (Cody-Waite reduction). x is clamped to [-104, 88.7]: exp(-104) underflows to 0 after scaling, exp(88.7)
// is just below FLT_MAX.
inline F16 exp(F16 x) {
  const float kLog2e = 1.44269504088896341f;
  const float kLn2Hi = 0.693145751953125f;  // 0x3f317200: 15 significant bits
  const float kLn2Lo = 1.42860682030941723e-6f;
  x = simd::min(simd::max(x, simd::splat(-104.0f)), simd::splat(88.7f));
  const F16 n = simd::round_nearest(x * simd::splat(kLog2e));
  F16 r = simd::fma(n, simd::splat(-kLn2Hi), x);
  r = simd::fma(n, simd::splat(-kLn2Lo), r);
  // Horner on 1/k!, k = 7 down to 0.
  F16 p = simd::splat(1.0f / 5040.0f);
  p = simd::fma(p, r, simd::splat(1.0f / 720.0f));
  p = simd::fma(p, r, simd::splat(1.0f / 120.0f));
  p = simd::fma(p, r, simd::splat(1.0f / 24.0f));
  p = simd::fma(p, r, simd::splat(1.0f / 6.0f));
  p = simd::fma(p, r, simd::splat(0.5f));
  p = simd::fma(p, r, simd::splat(1.0f));
  p = simd::fma(p, r, simd::splat(1.0f));
  return simd::scale_pow2(p, n);
}

// erf(z) on [0, 4) as 16 Taylor polynomials of degree 9, one per interval [i/4, (i+1)/4), each expanded
// about its midpoint c_i = i/4 + 1/8 (interval 0 about c_0 = 0, so that erf(z) = z * (...) keeps full
// relative accuracy near 0). With erf^(n)(c) = (2/sqrt(pi)) (-1)^(n-1) H_(n-1)(c) exp(-c^2) (H = physicists'
// Hermite polynomials) the truncation error is below 1e-9 everywhere. For z >= 4, erf(z) rounds to 1 in float.
// The 16 coefficients of one degree sit in one vector and are picked per lane with a permute.
struct ErfTable {
  static constexpr int kDegree = 9;
  static constexpr float kIntervalsPerUnit = 4.0f;
  static constexpr float kEnd = 4.0f;
  float center[16];
  float coef[kDegree + 1][16];
};
// Built in double precision when the module loads (engine_vecmath.cc).
extern const ErfTable kErfTable;

// erf(z) for any z (odd extension of the table).
inline F16 erf(F16 z) {
  const ErfTable& t = kErfTable;
  const F16 a = simd::abs(z);
  const simd::I16 idx = simd::min(simd::to_int(a * simd::splat(ErfTable::kIntervalsPerUnit)), 15);
  const F16 u = a - simd::lookup(simd::load(t.center), idx);  // exact: u and the centre are within 2x
  F16 p = simd::lookup(simd::load(t.coef[ErfTable::kDegree]), idx);
  for (int k = ErfTable::kDegree - 1; k >= 0; k--) p = simd::fma(p, u, simd::lookup(simd::load(t.coef[k]), idx));
  p = simd::select(a >= simd::splat(ErfTable::kEnd), simd::splat(1.0f), p);
  return simd::copysign(p, z);
}

// GELU(x) = x * Phi(x) with Phi(x) = (1 + erf(x / sqrt 2)) / 2. The forward pass keeps the "gate"
// g = 1 + erf(x / sqrt 2) = 2 Phi(x) of every unit, so that the backward pass reuses it instead of evaluating erf a
// second time (erf is most of GELU's cost). Each function below is the value the whole formula gives: g is the
// same float whether it is recomputed or read back.
inline F16 gelu_gate(F16 x) { return simd::splat(1.0f) + erf(x * simd::splat(0.70710678118654752f)); }

// GELU in PyTorch's order: (x * 0.5) * (1 + erf(x * sqrt(1/2))).
inline F16 gelu_from_gate(F16 x, F16 gate) { return (x * simd::splat(0.5f)) * gate; }
inline F16 gelu(F16 x) { return gelu_from_gate(x, gelu_gate(x)); }

// GELU'(x) = Phi(x) + x phi(x), Phi(x) = g / 2, phi(x) = exp(-x^2 / 2) / sqrt(2 pi).
inline F16 gelu_derivative_from_gate(F16 x, F16 gate) {
  const F16 cdf = simd::splat(0.5f) * gate;
  const F16 pdf = simd::splat(0.398942280401432678f) * exp(x * x * simd::splat(-0.5f));
  return simd::fma(x, pdf, cdf);
}
inline F16 gelu_derivative(F16 x) { return gelu_derivative_from_gate(x, gelu_gate(x)); }

}  // namespace vecmath
}  // namespace grokcheck

// The replicate loop of the FSD null distributions (shared/spec/metrics.md, "Permutation test for FSD", and
// the Gaussian null of "FSD_gen"). It reproduces src/metrics/nullKernel.ts bit for bit; that file documents
// the generator. Exposed to JS as
//   fourierNullHistograms({kind, size, columns, table, foldA?, foldB?, foldSign?, binOffset, binColumns,
//                          powerWeight, rankDivisor, units, centred?, answerScale?, states, threads, denormals})
//     -> Int32Array [replicates * bins]
// (the fields of a SpectralBasis, src/metrics/spectralBasis.ts, and of a NullProblem, src/metrics/nullKernel.ts).
//
// Why the results are exactly those of the TypeScript reference:
// - every replicate has its own xoshiro128** state, so which thread runs it does not matter;
// - the coefficients coef[c] = sum_i z[i] * table[i, c] of the folded row z are accumulated in i order with
//   one rounded multiply and one rounded add per term, exactly as the JS loop does. The SIMD lanes run over
//   columns c (and the register block over units), never over i, so vectorising does not reorder any sum;
//   fused multiply-adds are disabled below because GCC would otherwise contract a*b+c (it does so by default,
//   even in ISO mode);
// - bin powers add each bin's squared coefficients in the listed order, as the JS does; keys and the argmax
//   (ties to the smaller bin) follow the same scalar rules.
// Speed: the coefficients are a small GEMM [units x size] x [size x columns] per replicate, blocked as
// 4 units x 32 columns of double accumulators (16 AVX-512 registers; 4 x 12 columns in 12 registers with AVX,
// see `Vec` below) and restricted to each column block's non-zero rows (the Z_p fold makes the table
// block-diagonal: half the work); the uniform integers for the Fisher-Yates shuffles use a precomputed 64-bit
// reciprocal per divisor instead of a hardware division.
#include <napi.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "engine_interrupt.h"
#include "engine_pool.h"
#include "engine_simd.h"

#pragma GCC push_options
#pragma GCC optimize("fp-contract=off")

namespace {

// The register tile is kUnitBlock x kVectorBlock accumulators of engine_simd.h's double vectors: 4 x 4 of the
// 32 AVX-512 registers; 4 x 3 of the 16 AVX registers, leaving room for the broadcast and a product (4 x 4
// spills, 4 x 2 is slower; the SSE tile was not tuned). The tile only decides which products are computed
// together, never the order of a sum: the results are the same bits for every width.
typedef grokcheck::simd::D Vec;
constexpr int kLanes = grokcheck::simd::kDoubleLanes;
#if defined(__AVX512F__)
constexpr int kVectorBlock = 4;
#else
constexpr int kVectorBlock = 3;
#endif
constexpr int kUnitBlock = 4;
static_assert(kVectorBlock <= 4, "blockCoefficients has panels of up to 4 vectors");

// xoshiro128** (Blackman & Vigna), as src/random/rng.ts.
struct Xoshiro128 {
  uint32_t s[4];

  static uint32_t rotl(uint32_t x, int k) { return (x << k) | (x >> (32 - k)); }

  uint32_t next() {
    const uint32_t result = rotl(s[1] * 5u, 7) * 9u;
    const uint32_t t = s[1] << 9;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result;
  }

  // Rng.uniform: 53 random bits.
  double uniform() {
    const uint32_t hi = next() >> 5;
    const uint32_t lo = next() >> 6;
    return (static_cast<double>(hi) * 67108864.0 + static_cast<double>(lo)) / 9007199254740992.0;
  }

  // Rng.normal: Box-Muller, one draw per call. std::log/std::cos may differ from V8's Math.log/Math.cos in
  // the last bit on rare arguments; only the Gaussian null uses them (documented in nullKernel.ts).
  double normal() {
    double u = 0;
    while (u == 0) u = uniform();
    const double v = uniform();
    return std::sqrt(-2 * std::log(u)) * std::cos(2 * M_PI * v);
  }
};

// x % n for 32-bit x by Lemire's direct remainder: with M = floor((2^64 - 1) / n) + 1,
// x % n = ((M * x mod 2^64) * n) >> 64, exact for every 32-bit x and n >= 1.
struct Divisor {
  uint64_t magic = 0;
  uint32_t n = 1;
  uint64_t limit = 0;  // floor(2^32 / n) * n: Rng.int's rejection bound.

  explicit Divisor(uint32_t n_ = 1) : magic(UINT64_C(0xFFFFFFFFFFFFFFFF) / n_ + 1), n(n_), limit((UINT64_C(1) << 32) / n_ * n_) {}

  uint32_t mod(uint32_t x) const {
    const uint64_t low = magic * x;
    return static_cast<uint32_t>((static_cast<unsigned __int128>(low) * n) >> 64);
  }
};

// Rng.int(n): uniform in [0, n) by rejection, no modulo bias.
inline uint32_t uniformBelow(Xoshiro128& rng, const Divisor& d) {
  for (;;) {
    const uint32_t x = rng.next();
    if (x < d.limit) return d.n == 1 ? 0 : d.mod(x);
  }
}

struct Problem {
  int kind = 0;  // 0 permutation, 1 gaussian
  int size = 0;
  int columns = 0;
  int paddedColumns = 0;
  int bins = 0;
  int units = 0;
  int replicates = 0;
  std::vector<Vec> table;  // [size][paddedColumns / kLanes], zero beyond `columns`
  // Rows [rowBegin[v], rowEnd[v]) hold every non-zero table entry of column vector v. Skipping the zero rows
  // outside adds only exact zeros (x * 0 with finite x), so the sums are bit-identical to the full loop.
  std::vector<int> rowBegin, rowEnd;
  const int32_t* foldA = nullptr;  // null: no fold
  const int32_t* foldB = nullptr;
  const int8_t* foldSign = nullptr;
  const int32_t* binOffset = nullptr;
  const int32_t* binColumns = nullptr;
  const double* powerWeight = nullptr;
  const double* rankDivisor = nullptr;
  const double* centred = nullptr;
  const double* answerScale = nullptr;
  const uint32_t* states = nullptr;
  std::vector<Divisor> divisors;  // divisors[i] serves Rng.int(i)
  // Bin b's columns as `slots` rows of slotColumn[slot * bins + b], padded with paddedColumns (a zero square).
  int slots = 0;
  std::vector<int32_t> slotColumn;
  bool unitWeights = true, unitDivisors = true;
};

// One replicate's row of unit j into x (length size), as drawRow in nullKernel.ts. The Fisher-Yates swaps are
// applied to a copy of the values instead of to an identity permutation that is then gathered through: the
// same swaps in the same order give the same arrangement, x[s] = centred[j, perm[s]].
void drawRow(const Problem& P, int j, Xoshiro128& rng, double* x) {
  const int n = P.size;
  if (P.kind == 0) {
    std::memcpy(x, P.centred + static_cast<size_t>(j) * n, sizeof(double) * n);
    for (int i = n - 1; i > 0; i--) {
      const uint32_t k = uniformBelow(rng, P.divisors[i + 1]);
      std::swap(x[i], x[k]);
    }
    return;
  }
  double presentSum = 0;
  int present = 0;
  for (int s = 0; s < n; s++) {
    if (P.answerScale[s] > 0) {
      x[s] = rng.normal() * P.answerScale[s];
      presentSum += x[s];
      present++;
    }
  }
  if (present < n) {
    const double fill = present > 0 ? presentSum / present : 0;
    for (int s = 0; s < n; s++)
      if (!(P.answerScale[s] > 0)) x[s] = fill;
  }
  double sum = 0;
  for (int s = 0; s < n; s++) sum += x[s];
  const double mean = sum / n;
  for (int s = 0; s < n; s++) x[s] = x[s] - mean;
}

// foldRow of spectralBasis.ts: z[i] = x[a] (+ or -) x[b].
void foldRow(const Problem& P, const double* x, double* z) {
  if (!P.foldA) {
    std::memcpy(z, x, sizeof(double) * P.size);
    return;
  }
  for (int i = 0; i < P.size; i++) {
    const double xa = x[P.foldA[i]];
    const int sg = P.foldSign[i];
    z[i] = sg == 0 ? xa : sg > 0 ? xa + x[P.foldB[i]] : xa - x[P.foldB[i]];
  }
}

// coef[u][vectors v0 .. v0 + V) for the kUnitBlock folded rows of Z (stride size), over table rows
// [i0, i1), accumulated in row order per lane (tableProduct of spectralBasis.ts).
template <int V>
void panel(const Problem& P, const double* Z, int v0, int i0, int i1, Vec* coef) {
  const int n = P.size;
  const int vecs = P.paddedColumns / kLanes;
  Vec acc[kUnitBlock][V];
  for (int u = 0; u < kUnitBlock; u++)
    for (int v = 0; v < V; v++) acc[u][v] = Vec{};
  const Vec* T = P.table.data() + v0;
  for (int i = i0; i < i1; i++) {
    const Vec* trow = T + static_cast<size_t>(i) * vecs;
    Vec t[V];
    for (int v = 0; v < V; v++) t[v] = trow[v];
    for (int u = 0; u < kUnitBlock; u++) {
      // a * t[v] broadcasts the scalar to every lane (one vbroadcastsd); it is the JS's z[i] * table[i, c]
      // (a product commutes bit for bit).
      const double a = Z[u * n + i];
      for (int v = 0; v < V; v++) acc[u][v] = acc[u][v] + a * t[v];
    }
  }
  for (int u = 0; u < kUnitBlock; u++)
    for (int v = 0; v < V; v++) coef[u * vecs + v0 + v] = acc[u][v];
}

// All coefficients of a block of kUnitBlock rows: runs of column vectors that share a row range are cut into
// panels of up to kVectorBlock vectors.
void blockCoefficients(const Problem& P, const double* Z, Vec* coef) {
  const int vecs = P.paddedColumns / kLanes;
  int v0 = 0;
  while (v0 < vecs) {
    int run = 1;
    while (v0 + run < vecs && run < kVectorBlock && P.rowBegin[v0 + run] == P.rowBegin[v0] && P.rowEnd[v0 + run] == P.rowEnd[v0]) run++;
    const int i0 = P.rowBegin[v0], i1 = P.rowEnd[v0];
    switch (run) {
      case 4: panel<4>(P, Z, v0, i0, i1, coef); break;
      case 3: panel<3>(P, Z, v0, i0, i1, coef); break;
      case 2: panel<2>(P, Z, v0, i0, i1, coef); break;
      default: panel<1>(P, Z, v0, i0, i1, coef); break;
    }
    v0 += run;
  }
}

// binPowers + dominantBin of nullKernel.ts / spectralBasis.ts for one unit's coefficients. The squares are
// taken once per column (vectorised, c * c as in the JS), then each bin adds its columns' squares in listed
// order over `slots` passes; bins with fewer columns add the square of a padding column, an exact +0.
int dominantBin(const Problem& P, const Vec* coef, Vec* squares, double* keys) {
  const int vecs = P.paddedColumns / kLanes;
  for (int v = 0; v < vecs; v++) squares[v] = coef[v] * coef[v];
  const double* sq = reinterpret_cast<const double*>(squares);
  for (int b = 0; b < P.bins; b++) keys[b] = 0;
  for (int slot = 0; slot < P.slots; slot++) {
    const int32_t* col = P.slotColumn.data() + static_cast<size_t>(slot) * P.bins;
    for (int b = 0; b < P.bins; b++) keys[b] = keys[b] + sq[col[b]];
  }
  // power = weight * sumsq, key = power / divisor; multiplying or dividing by 1 is exact, so it is skipped.
  if (!P.unitWeights)
    for (int b = 0; b < P.bins; b++) keys[b] = P.powerWeight[b] * keys[b];
  if (!P.unitDivisors)
    for (int b = 0; b < P.bins; b++) keys[b] = keys[b] / P.rankDivisor[b];
  int best = 0;
  double bestKey = -INFINITY;
  for (int b = 0; b < P.bins; b++) {
    if (keys[b] > bestKey) {
      bestKey = keys[b];
      best = b;
    }
  }
  return best;
}

void runReplicates(const Problem& P, int first, int last, int32_t* counts) {
  const int n = P.size;
  const int vecs = P.paddedColumns / kLanes;
  std::vector<double> x(n);
  std::vector<double> Z(static_cast<size_t>(kUnitBlock) * n, 0.0);
  std::vector<Vec> coef(static_cast<size_t>(kUnitBlock) * vecs);
  std::vector<Vec> squares(vecs + 1, Vec{});  // + one zero vector: the padding column
  std::vector<double> keys(P.bins);
  for (int r = first; r < last; r++) {
    if (grokcheck::InterruptWatch::interrupted()) return;
    Xoshiro128 rng;
    std::memcpy(rng.s, P.states + 4 * static_cast<size_t>(r), sizeof rng.s);
    int32_t* hist = counts + static_cast<size_t>(r) * P.bins;
    for (int j0 = 0; j0 < P.units; j0 += kUnitBlock) {
      const int rows = std::min(kUnitBlock, P.units - j0);
      for (int u = 0; u < rows; u++) {
        drawRow(P, j0 + u, rng, x.data());
        foldRow(P, x.data(), Z.data() + static_cast<size_t>(u) * n);
      }
      if (rows < kUnitBlock) std::fill(Z.begin() + static_cast<size_t>(rows) * n, Z.end(), 0.0);
      blockCoefficients(P, Z.data(), coef.data());
      for (int u = 0; u < rows; u++) {
        hist[dominantBin(P, coef.data() + static_cast<size_t>(u) * vecs, squares.data(), keys.data())]++;
      }
    }
  }
}

template <typename T>
bool typedArrayField(Napi::Env env, Napi::Object obj, const char* name, napi_typedarray_type type, T** out, size_t* length,
                     bool required = true) {
  Napi::Value v = obj.Get(name);
  if (v.IsUndefined() && !required) {
    *out = nullptr;
    *length = 0;
    return true;
  }
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != type) {
    Napi::TypeError::New(env, std::string("fourierNullHistograms: field '") + name + "' has the wrong type").ThrowAsJavaScriptException();
    return false;
  }
  Napi::TypedArray arr = v.As<Napi::TypedArray>();
  *out = reinterpret_cast<T*>(static_cast<uint8_t*>(arr.ArrayBuffer().Data()) + arr.ByteOffset());
  *length = arr.ElementLength();
  return true;
}

bool intField(Napi::Env env, Napi::Object obj, const char* name, int* out) {
  Napi::Value v = obj.Get(name);
  if (!v.IsNumber()) {
    Napi::TypeError::New(env, std::string("fourierNullHistograms: field '") + name + "' must be a number").ThrowAsJavaScriptException();
    return false;
  }
  *out = v.As<Napi::Number>().Int32Value();
  return true;
}

Napi::Value FourierNullHistograms(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsObject()) {
    Napi::TypeError::New(env, "fourierNullHistograms expects one options object").ThrowAsJavaScriptException();
    return env.Null();
  }
  Napi::Object o = info[0].As<Napi::Object>();
  Problem P;
  int threads = 1;
  const double* table = nullptr;
  size_t tableLen = 0, binLen = 0, binColLen = 0, weightLen = 0, divLen = 0, centredLen = 0, scaleLen = 0, stateLen = 0;
  size_t foldALen = 0, foldBLen = 0, foldSignLen = 0;
  if (!intField(env, o, "kind", &P.kind) || !intField(env, o, "size", &P.size) || !intField(env, o, "columns", &P.columns) ||
      !intField(env, o, "units", &P.units) || !intField(env, o, "threads", &threads) ||
      !typedArrayField(env, o, "table", napi_float64_array, &table, &tableLen) ||
      !typedArrayField(env, o, "binOffset", napi_int32_array, &P.binOffset, &binLen) ||
      !typedArrayField(env, o, "binColumns", napi_int32_array, &P.binColumns, &binColLen) ||
      !typedArrayField(env, o, "foldA", napi_int32_array, &P.foldA, &foldALen, false) ||
      !typedArrayField(env, o, "foldB", napi_int32_array, &P.foldB, &foldBLen, false) ||
      !typedArrayField(env, o, "foldSign", napi_int8_array, &P.foldSign, &foldSignLen, false) ||
      !typedArrayField(env, o, "powerWeight", napi_float64_array, &P.powerWeight, &weightLen) ||
      !typedArrayField(env, o, "rankDivisor", napi_float64_array, &P.rankDivisor, &divLen) ||
      !typedArrayField(env, o, "states", napi_uint32_array, &P.states, &stateLen) ||
      !typedArrayField(env, o, "centred", napi_float64_array, &P.centred, &centredLen, false) ||
      !typedArrayField(env, o, "answerScale", napi_float64_array, &P.answerScale, &scaleLen, false))
    return env.Null();
  P.bins = static_cast<int>(binLen) - 1;
  P.replicates = static_cast<int>(stateLen / 4);
  const char* problem = nullptr;
  if (P.kind != 0 && P.kind != 1) problem = "kind must be 0 (permutation) or 1 (gaussian)";
  else if (P.size < 1 || P.columns < 1 || P.units < 1 || P.bins < 1) problem = "size, columns, units and bins must be positive";
  else if (tableLen != static_cast<size_t>(P.size) * P.columns) problem = "table must hold size x columns values";
  else if (weightLen != static_cast<size_t>(P.bins) || divLen != static_cast<size_t>(P.bins))
    problem = "powerWeight and rankDivisor need one value per bin";
  else if (P.binOffset[0] != 0 || P.binOffset[P.bins] != static_cast<int32_t>(binColLen))
    problem = "binOffset must run from 0 to the length of binColumns";
  else if (P.foldA && (foldALen != static_cast<size_t>(P.size) || foldBLen != foldALen || foldSignLen != foldALen))
    problem = "foldA, foldB and foldSign need size values each";
  else if (stateLen == 0 || stateLen % 4 != 0) problem = "states must hold 4 words per replicate";
  else if (P.kind == 0 && centredLen != static_cast<size_t>(P.units) * P.size) problem = "centred must hold units x size values";
  else if (P.kind == 1 && scaleLen != static_cast<size_t>(P.size)) problem = "answerScale must hold size values";
  for (int b = 0; !problem && b < P.bins; b++)
    if (P.binOffset[b + 1] < P.binOffset[b]) problem = "binOffset must be non-decreasing";
  for (size_t i = 0; !problem && i < binColLen; i++)
    if (P.binColumns[i] < 0 || P.binColumns[i] >= P.columns) problem = "binColumns must index columns";
  for (int i = 0; !problem && P.foldA && i < P.size; i++)
    if (P.foldA[i] < 0 || P.foldA[i] >= P.size || (P.foldSign[i] != 0 && (P.foldB[i] < 0 || P.foldB[i] >= P.size)))
      problem = "fold indices must lie in 0..size-1";
  for (size_t i = 0; !problem && P.kind == 0 && i < centredLen; i++)
    if (!std::isfinite(P.centred[i])) problem = "centred must be finite";
  const Napi::Value modeValue = o.Get("denormals");
  const std::string modeName = modeValue.IsString() ? modeValue.As<Napi::String>().Utf8Value() : "";
  if (!problem && modeName != "flush" && modeName != "keep") problem = "denormals must be 'flush' or 'keep'";
  if (problem) {
    Napi::RangeError::New(env, std::string("fourierNullHistograms: ") + problem).ThrowAsJavaScriptException();
    return env.Null();
  }
  const grokcheck::Denormals denormals = modeName == "flush" ? grokcheck::Denormals::Flush : grokcheck::Denormals::Keep;

  P.paddedColumns = (P.columns + kLanes - 1) / kLanes * kLanes;
  const int vecs = P.paddedColumns / kLanes;
  P.table.assign(static_cast<size_t>(P.size) * vecs, Vec{});
  for (int s = 0; s < P.size; s++) {
    double* dst = reinterpret_cast<double*>(P.table.data() + static_cast<size_t>(s) * vecs);
    std::memcpy(dst, table + static_cast<size_t>(s) * P.columns, sizeof(double) * P.columns);
  }
  P.rowBegin.assign(vecs, 0);
  P.rowEnd.assign(vecs, 0);
  for (int v = 0; v < vecs; v++) {
    int first = P.size, last = 0;
    for (int s = 0; s < P.size; s++) {
      const double* row = reinterpret_cast<const double*>(P.table.data() + static_cast<size_t>(s) * vecs + v);
      bool nonzero = false;
      for (int l = 0; l < kLanes; l++) nonzero = nonzero || row[l] != 0.0;
      if (nonzero) {
        first = std::min(first, s);
        last = s + 1;
      }
    }
    P.rowBegin[v] = first < last ? first : 0;
    P.rowEnd[v] = last;
  }
  for (int b = 0; b < P.bins; b++) P.slots = std::max(P.slots, P.binOffset[b + 1] - P.binOffset[b]);
  P.slotColumn.assign(static_cast<size_t>(P.slots) * P.bins, P.paddedColumns);
  for (int b = 0; b < P.bins; b++)
    for (int i = P.binOffset[b]; i < P.binOffset[b + 1]; i++)
      P.slotColumn[static_cast<size_t>(i - P.binOffset[b]) * P.bins + b] = P.binColumns[i];
  for (int b = 0; b < P.bins; b++) {
    P.unitWeights = P.unitWeights && P.powerWeight[b] == 1.0;
    P.unitDivisors = P.unitDivisors && P.rankDivisor[b] == 1.0;
  }
  P.divisors.reserve(P.size + 1);
  for (int i = 0; i <= P.size; i++) P.divisors.emplace_back(static_cast<uint32_t>(std::max(i, 1)));

  Napi::Int32Array out = Napi::Int32Array::New(env, static_cast<size_t>(P.replicates) * P.bins);
  int32_t* counts = out.Data();
  std::fill(counts, counts + out.ElementLength(), 0);
  // Replicates in ranges on the engine's thread pool: each writes its own histogram rows, so neither the
  // ranges nor the thread that runs them change a bit of the result.
  threads = std::max(1, std::min(threads, P.replicates));
  const grokcheck::FloatModeScope mode(denormals);
  const grokcheck::InterruptWatch watch;
  {
    grokcheck::ThreadPool pool(threads, denormals);
    const long grain = std::max(1L, static_cast<long>(P.replicates) / (4L * threads));
    pool.run_ranges(P.replicates, grain, [&](long first, long last) { runReplicates(P, static_cast<int>(first), static_cast<int>(last), counts); });
  }
  if (grokcheck::InterruptWatch::interrupted()) {
    Napi::Error::New(env, std::string("fourierNullHistograms: ") + grokcheck::signal_name(grokcheck::InterruptWatch::signal_received())).ThrowAsJavaScriptException();
    return env.Null();
  }
  return out;
}

}  // namespace

#pragma GCC pop_options

Napi::Object RegisterFourier(Napi::Env env, Napi::Object exports) {
  exports.Set("fourierNullHistograms", Napi::Function::New(env, FourierNullHistograms, "fourierNullHistograms"));
  return exports;
}

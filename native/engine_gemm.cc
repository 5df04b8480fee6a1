#include "engine_gemm.h"

#include <algorithm>

#include "engine_simd.h"

namespace grokcheck {

using simd::F16;

namespace {

// Register tile: kRows rows of C by up to kVectors * 16 columns; 6 x 4 = 24 accumulators, 4 B vectors and one
// broadcast A value use 29 of the 32 AVX-512 registers. Per k: 4 vector loads + 6 broadcasts feed 24 FMAs.
// With AVX2 a 16-lane vector is two of its 16 256-bit registers, so the tile is 6 x 1: 12 accumulator registers,
// 2 for B and one broadcast (6 x 4 would keep most accumulators on the stack, ~2x slower). The tile only decides
// which products a task computes, not the order of any sum: results do not depend on it.
constexpr int kRows = 6;
constexpr int kVectors = GROKCHECK_AVX2 ? 1 : 4;
constexpr int kPanel = kVectors * simd::kLanes;  // 64 columns of C per task (16 with AVX2)
constexpr int kMaxRowBlock = 8 * kRows;          // at most 48 rows of C per task
constexpr int kMinTasks = 16;                    // split finer when the product is small (load balance)
constexpr int kDepthBlock = 256;                 // K is summed in blocks of this many terms (see the header)

// One register tile: rows [0, MR) x columns [0, 16 * (NV - 1) + last_width) of C. Full: last_width is 16, known
// at compile time, so that the B rows and C are read and written with plain loads and stores (engine_simd.h's
// load_n); masked ones cost several times as much on AVX2 machines.
//
// The accumulators are 24 named variables c<row><vector> rather than an array: GCC does not keep an array of
// 24 vectors in registers (it exceeds its scalar-replacement size limit) and would store every accumulator to
// the stack on every k, halving the speed. Rows >= MR and vectors >= NV are compiled out by `if constexpr`.
#define GROKCHECK_FOR_EACH_ROW(X) X(0) X(1) X(2) X(3) X(4) X(5)

template <int MR, int NV, bool Full>
void micro_kernel(const GemmOperands& op, const float* A, const float* B, const float* bias, float* C, int last_width) {
  static_assert(MR >= 1 && MR <= kRows && NV >= 1 && NV <= kVectors, "tile out of range");
  const int K = op.K;
  const long ldb = op.ldb, a_k = op.a_k, a_row = op.a_row;
  // Width of vector v of the tile: full, or last_width for the last one.
  const auto width = [&](int v) { return v == NV - 1 && !Full ? last_width : simd::kLanes; };
#define GROKCHECK_DECLARE(r) F16 c##r##0 = simd::zero(), c##r##1 = simd::zero(), c##r##2 = simd::zero(), c##r##3 = simd::zero();
  GROKCHECK_FOR_EACH_ROW(GROKCHECK_DECLARE)
#undef GROKCHECK_DECLARE
  const float* b_row = B;
  const float* a_col = A;
  for (int k = 0; k < K; k++, b_row += ldb, a_col += a_k) {
    const F16 b0 = simd::load_n(b_row, width(0));
    const F16 b1 = NV > 1 ? simd::load_n(b_row + 16, width(1)) : simd::zero();
    const F16 b2 = NV > 2 ? simd::load_n(b_row + 32, width(2)) : simd::zero();
    const F16 b3 = NV > 3 ? simd::load_n(b_row + 48, width(3)) : simd::zero();
#define GROKCHECK_STEP(r)                                         \
  if constexpr (MR > r) {                                         \
    const F16 a = simd::splat(a_col[r * a_row]);                  \
    c##r##0 = simd::fma(a, b0, c##r##0);                          \
    if constexpr (NV > 1) c##r##1 = simd::fma(a, b1, c##r##1);    \
    if constexpr (NV > 2) c##r##2 = simd::fma(a, b2, c##r##2);    \
    if constexpr (NV > 3) c##r##3 = simd::fma(a, b3, c##r##3);    \
  }
    GROKCHECK_FOR_EACH_ROW(GROKCHECK_STEP)
#undef GROKCHECK_STEP
  }
  // C = (accumulate ? C : 0) + (acc + bias), vector by vector.
  const long ldc = op.ldc;
  const bool accumulate = op.accumulate;
  const auto finish = [&](float* c, const F16& acc, int v) {
    const int w = width(v);
    F16 value = acc;
    if (bias) value = value + simd::load_n(bias + v * simd::kLanes, w);
    if (accumulate) value = simd::load_n(c + v * simd::kLanes, w) + value;
    simd::store_n(c + v * simd::kLanes, value, w);
  };
#define GROKCHECK_FINISH(r)                            \
  if constexpr (MR > r) {                              \
    finish(C + r * ldc, c##r##0, 0);                   \
    if constexpr (NV > 1) finish(C + r * ldc, c##r##1, 1); \
    if constexpr (NV > 2) finish(C + r * ldc, c##r##2, 2); \
    if constexpr (NV > 3) finish(C + r * ldc, c##r##3, 3); \
  }
  GROKCHECK_FOR_EACH_ROW(GROKCHECK_FINISH)
#undef GROKCHECK_FINISH
}
#undef GROKCHECK_FOR_EACH_ROW

using MicroKernel = void (*)(const GemmOperands&, const float*, const float*, const float*, float*, int);

// (std::min: a tile narrower than 4 vectors never asks for the wider kernels, which then are not instantiated.)
template <int MR, bool Full>
constexpr MicroKernel kernel_for_vectors(int nv) {
  return nv == 1   ? micro_kernel<MR, 1, Full>
         : nv == 2 ? micro_kernel<MR, std::min(2, kVectors), Full>
         : nv == 3 ? micro_kernel<MR, std::min(3, kVectors), Full>
                   : micro_kernel<MR, std::min(4, kVectors), Full>;
}

template <bool Full>
MicroKernel kernel_for_rows(int rows, int vectors) {
  switch (rows) {
    case 1: return kernel_for_vectors<1, Full>(vectors);
    case 2: return kernel_for_vectors<2, Full>(vectors);
    case 3: return kernel_for_vectors<3, Full>(vectors);
    case 4: return kernel_for_vectors<4, Full>(vectors);
    case 5: return kernel_for_vectors<5, Full>(vectors);
    default: return kernel_for_vectors<6, Full>(vectors);
  }
}

MicroKernel kernel_for(int rows, int vectors, int last_width) {
  return last_width == simd::kLanes ? kernel_for_rows<true>(rows, vectors) : kernel_for_rows<false>(rows, vectors);
}

}  // namespace

void gemm(ThreadPool& pool, const GemmOperands& op) {
  if (op.M <= 0 || op.N <= 0) return;
  const int panels = (op.N + kPanel - 1) / kPanel;
  // Rows per task: a multiple of kRows, at most kMaxRowBlock, small enough to give kMinTasks tasks when possible.
  const int wanted = (long(op.M) * panels + kMinTasks - 1) / kMinTasks;
  const int row_block = std::clamp((wanted + kRows - 1) / kRows * kRows, kRows, kMaxRowBlock);
  const int row_blocks = (op.M + row_block - 1) / row_block;
  // Tasks go panel by panel so that the threads share the B panel in cache.
  pool.run(panels * row_blocks, [&](int task) {
    const int panel = task / row_blocks;
    const int block = task % row_blocks;
    const int j0 = panel * kPanel;
    const int width = std::min(kPanel, op.N - j0);
    const int vectors = (width + simd::kLanes - 1) / simd::kLanes;
    const int last_width = width - (vectors - 1) * simd::kLanes;
    const int i_end = std::min(op.M, (block + 1) * row_block);
    // Depth blocks outermost, so that the A and B slices of one depth block stay in L1/L2 across the row tiles.
    for (int k0 = 0; k0 < std::max(op.K, 1); k0 += kDepthBlock) {
      GemmOperands part = op;
      part.K = std::min(kDepthBlock, op.K - k0);
      if (k0 > 0) {
        part.bias = nullptr;
        part.accumulate = true;
      }
      for (int i = block * row_block; i < i_end; i += kRows) {
        const int rows = std::min(kRows, i_end - i);
        kernel_for(rows, vectors, last_width)(part, op.A + i * op.a_row + k0 * op.a_k, op.B + k0 * op.ldb + j0,
                                  part.bias ? part.bias + j0 : nullptr, op.C + i * op.ldc + j0, last_width);
      }
    }
  });
}

void transpose(ThreadPool& pool, float* dst, const float* src, int rows, int cols, long ld_src) {
  // 16 x 16 tiles; within a tile each destination row is written contiguously (strided writes cost more than
  // strided reads). Tasks own column ranges of the source, i.e. row ranges of the destination.
  constexpr int kTile = 16;
  pool.run_ranges(cols, 4 * kTile, [&](long c0, long c1) {
    for (long cb = c0; cb < c1; cb += kTile)
      for (long rb = 0; rb < rows; rb += kTile) {
        const long c_end = std::min(c1, cb + kTile), r_end = std::min<long>(rows, rb + kTile);
        for (long c = cb; c < c_end; c++) {
          float* d = dst + c * rows;
          for (long r = rb; r < r_end; r++) d[r] = src[r * ld_src + c];
        }
      }
  });
}

void column_sums(ThreadPool& pool, float* dst, const float* src, int rows, int cols, long ld) {
  const int chunks = (cols + simd::kLanes - 1) / simd::kLanes;
  pool.run(chunks, [&](int chunk) {
    const int j0 = chunk * simd::kLanes;
    const int width = std::min(simd::kLanes, cols - j0);
    F16 acc = simd::zero();
    for (int r = 0; r < rows; r++) acc = acc + simd::load_n(src + r * ld + j0, width);
    simd::store_n(dst + j0, acc, width);
  });
}

}  // namespace grokcheck

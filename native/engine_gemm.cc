#include "engine_gemm.h"

#include <algorithm>

#include "engine_simd.h"

namespace grokcheck {

using simd::F16;

namespace {

// Register tile: kRows rows of C by up to kVectors * 16 columns; 6 x 4 = 24 accumulators, 4 B vectors and one
// broadcast A value use 29 of the 32 AVX-512 registers. Per k: 4 vector loads + 6 broadcasts feed 24 FMAs.
constexpr int kRows = 6;
constexpr int kVectors = 4;
constexpr int kPanel = kVectors * simd::kLanes;  // 64 columns of C per task
constexpr int kRowBlock = 8 * kRows;             // 48 rows of C per task

// One register tile: rows [0, MR) x columns [0, 16 * (NV - 1) + last_width) of C.
template <int MR, int NV>
void micro_kernel(const GemmOperands& op, const float* A, const float* B, const float* bias, float* C, int last_width) {
  F16 acc[MR][NV];
  for (int r = 0; r < MR; r++)
    for (int v = 0; v < NV; v++) acc[r][v] = simd::zero();
  const int K = op.K;
  for (int k = 0; k < K; k++) {
    const float* b_row = B + k * op.ldb;
    F16 b[NV];
    for (int v = 0; v < NV - 1; v++) b[v] = simd::load(b_row + v * simd::kLanes);
    b[NV - 1] = simd::load_n(b_row + (NV - 1) * simd::kLanes, last_width);
    const float* a_col = A + k * op.a_k;
    for (int r = 0; r < MR; r++) {
      const F16 a = simd::splat(a_col[r * op.a_row]);
      for (int v = 0; v < NV; v++) acc[r][v] = simd::fma(a, b[v], acc[r][v]);
    }
  }
  for (int r = 0; r < MR; r++) {
    float* c_row = C + r * op.ldc;
    for (int v = 0; v < NV; v++) {
      const int width = v == NV - 1 ? last_width : simd::kLanes;
      F16 value = acc[r][v];
      if (bias) value = value + simd::load_n(bias + v * simd::kLanes, width);
      if (op.accumulate) value = simd::load_n(c_row + v * simd::kLanes, width) + value;
      simd::store_n(c_row + v * simd::kLanes, value, width);
    }
  }
}

using MicroKernel = void (*)(const GemmOperands&, const float*, const float*, const float*, float*, int);

template <int MR>
constexpr MicroKernel kernel_for_vectors(int nv) {
  return nv == 1 ? micro_kernel<MR, 1> : nv == 2 ? micro_kernel<MR, 2> : nv == 3 ? micro_kernel<MR, 3> : micro_kernel<MR, 4>;
}

MicroKernel kernel_for(int rows, int vectors) {
  switch (rows) {
    case 1: return kernel_for_vectors<1>(vectors);
    case 2: return kernel_for_vectors<2>(vectors);
    case 3: return kernel_for_vectors<3>(vectors);
    case 4: return kernel_for_vectors<4>(vectors);
    case 5: return kernel_for_vectors<5>(vectors);
    default: return kernel_for_vectors<6>(vectors);
  }
}

}  // namespace

void gemm(ThreadPool& pool, const GemmOperands& op) {
  if (op.M <= 0 || op.N <= 0) return;
  const int panels = (op.N + kPanel - 1) / kPanel;
  const int row_blocks = (op.M + kRowBlock - 1) / kRowBlock;
  // Tasks go panel by panel so that the threads share the B panel (K x 64 floats) in cache.
  pool.run(panels * row_blocks, [&](int task) {
    const int panel = task / row_blocks;
    const int block = task % row_blocks;
    const int j0 = panel * kPanel;
    const int width = std::min(kPanel, op.N - j0);
    const int vectors = (width + simd::kLanes - 1) / simd::kLanes;
    const int last_width = width - (vectors - 1) * simd::kLanes;
    const int i_end = std::min(op.M, (block + 1) * kRowBlock);
    for (int i = block * kRowBlock; i < i_end; i += kRows) {
      const int rows = std::min(kRows, i_end - i);
      kernel_for(rows, vectors)(op, op.A + i * op.a_row, op.B + j0, op.bias ? op.bias + j0 : nullptr, op.C + i * op.ldc + j0,
                                last_width);
    }
  });
}

void transpose(ThreadPool& pool, float* dst, const float* src, int rows, int cols, long ld_src) {
  // Blocks of 32 source rows keep both the reads and the writes within a few cache lines per row.
  constexpr int kBlock = 32;
  pool.run_ranges(rows, kBlock * 4, [&](long r0, long r1) {
    for (long rb = r0; rb < r1; rb += kBlock)
      for (int cb = 0; cb < cols; cb += kBlock)
        for (long r = rb; r < std::min(r1, rb + kBlock); r++)
          for (int c = cb; c < std::min(cols, cb + kBlock); c++) dst[long(c) * rows + r] = src[r * ld_src + c];
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

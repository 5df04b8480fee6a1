// The one matrix-multiply kernel of the engine, used for every Linear layer forward and backward.
//
//   C[i, j] = (accumulate ? C[i, j] : 0) + ( sum_{k=0..K-1} A(i, k) * B[k, j]  (+ bias[j]) )
//
// with A(i, k) = A[i * a_row + k * a_k], so the same kernel reads A as stored ([M, K] row-major: a_row = lda,
// a_k = 1) or transposed (A^T of a row-major [K, M] matrix: a_row = 1, a_k = lda), which is what the weight
// gradients dW = X^T dY need. B and C are row-major with leading dimensions ldb and ldc.
//
// The sum over k runs in fixed blocks of 256 terms: each block is one chain of fused multiply-adds over its k in
// increasing order, starting from 0; the first block's sum gets + bias and is added to the old C (or stored),
// and each later block's sum is added to C in turn. The same operations in the same order whatever the tiling
// and the thread that computes the tile: the engine's determinism guarantee for matrix products.
#pragma once

#include "engine_pool.h"

namespace grokcheck {

struct GemmOperands {
  int M, N, K;
  const float* A;
  long a_row, a_k;
  const float* B;
  long ldb;
  const float* bias;  // [N] or nullptr
  float* C;
  long ldc;
  bool accumulate;
};

void gemm(ThreadPool& pool, const GemmOperands& op);

// dst[c, r] = src[r * ld_src + c] for r < rows, c < cols (dst is [cols, rows], row-major).
void transpose(ThreadPool& pool, float* dst, const float* src, int rows, int cols, long ld_src);

// dst[j] = sum_{r=0..rows-1} src[r * ld + j] for j < cols, rows summed in order (one 16-lane column chunk per task).
void column_sums(ThreadPool& pool, float* dst, const float* src, int rows, int cols, long ld);

}  // namespace grokcheck

// Forward and backward of each layer of the model of shared/spec/model.md, on plain float arrays (in the
// manner of llm.c's train_gpt2.c). Conventions:
//  - B examples, each a sequence of 3 positions; a tensor "at P positions" is [B, P, width] row-major and
//    holds the LAST P positions (P = 3: positions 0, 1, 2; P = 1: position 2 only). Row r = b * P + p.
//  - Weights are [in, out], applied as x @ W + b.
//  - Backward functions write (=) parameter gradients, since every parameter is used exactly once per pass;
//    "+=" is stated where a function accumulates into an input gradient.
//  - Every function splits its work into tasks whose results do not depend on the thread that runs them.
#pragma once

#include <cstdint>

#include "engine_pool.h"

namespace grokcheck {

constexpr int kSequence = 3;  // [a, b, separator]

// ---- embedding: out[b, p] = W_E[tokens[b, t]] + W_pos[t], t = 3 - P + p
void embedding_forward(ThreadPool& pool, float* out, const int32_t* tokens, int B, int P, const float* W_E,
                       const float* W_pos, int D);
// dW_E[v] = sum over (b, p) with tokens[b, t] = v of dout[b, p]; dW_pos[t] = sum_b dout[b, p]. Summed in
// (b, p) order, one 16-column chunk per task.
void embedding_backward(ThreadPool& pool, float* dW_E, float* dW_pos, const float* dout, const int32_t* tokens, int B,
                        int P, int V, int D);

// ---- LayerNorm over the last axis, eps 1e-5, biased variance:
// y = (x - mean) * rstd * w + b, rstd = 1 / sqrt(var + eps). Saves mean and rstd per row for the backward.
void layernorm_forward(ThreadPool& pool, float* out, float* mean, float* rstd, const float* x, const float* w,
                       const float* b, int R, int D);
// With xhat = (x - mean) rstd and g = dout * w:
//   dx += rstd * (g - mean(g) - xhat * mean(g * xhat))        (per row)
//   dw = sum_rows dout * xhat,  db = sum_rows dout               (per column, rows in order)
void layernorm_backward(ThreadPool& pool, float* dx, float* dw, float* db, const float* dout, const float* x,
                        const float* mean, const float* rstd, const float* w, int R, int D);

// ---- Linear: out[r] = in[r] @ W + bias, W [In, Out]; leading dimensions allow strided row sets.
void matmul_forward(ThreadPool& pool, float* out, long ld_out, const float* in, long ld_in, const float* W,
                    const float* bias, int R, int In, int Out);
// dW = in^T @ dout ([In, Out]), db = sum_rows dout.
void matmul_backward_weights(ThreadPool& pool, float* dW, float* db, const float* dout, long ld_dout, const float* in,
                             long ld_in, int R, int In, int Out);
// din (=, or += when accumulate) dout @ W^T, given WT = W^T [Out, In].
void matmul_backward_input(ThreadPool& pool, float* din, long ld_din, const float* dout, long ld_dout, const float* WT,
                           int R, int In, int Out, bool accumulate);

// ---- causal self-attention over the 3 positions, H heads of d_head = D / H.
// qkv: [B, 3, 3D] with columns Q | K | V (Q needed only at the Pq query positions). For each head and query
// position t: s_j = q_t . k_j / sqrt(d_head) for j <= t, p = softmax(s), out_t = sum_j p_j v_j.
// out: [B, Pq, D] (heads concatenated); probs: [B, H, 3, 3] (0 above the diagonal), saved for the backward.
void attention_forward(ThreadPool& pool, float* out, float* probs, const float* qkv, int B, int Pq, int D, int H);
// dqkv (=): [B, 3, 3D]. With dp_j = dout_t . v_j and ds_j = p_j (dp_j - sum_i p_i dp_i):
//   dv_j += p_j dout_t,  dq_t = sum_j ds_j k_j / sqrt(d_head),  dk_j += ds_j q_t / sqrt(d_head).
// dq rows at non-query positions are 0.
void attention_backward(ThreadPool& pool, float* dqkv, const float* dout, const float* qkv, const float* probs, int B,
                        int Pq, int D, int H);

// ---- GELU with the exact erf: out = x Phi(x).
void gelu_forward(ThreadPool& pool, float* out, const float* x, long n);
// din = dout * (Phi(x) + x phi(x)); din may alias dout.
void gelu_backward(ThreadPool& pool, float* din, const float* dout, const float* x, long n);

// ---- residual connections between tensors at different position sets (P_out <= P_in).
// out[b, p] = x[b, p + P_in - P_out] + y[b, p]
void residual_forward(ThreadPool& pool, float* out, const float* x, int P_in, const float* y, int P_out, int B, int D);
// dx[b, t] = dout[b, t - (P_in - P_out)] for the last P_out positions, 0 before them.
void residual_backward_scatter(ThreadPool& pool, float* dx, int P_in, const float* dout, int P_out, int B, int D);

// ---- softmax cross-entropy over C classes, per row:
// loss[r] = -((logits[r, y] - max) - log(sum_c exp(logits[r, c] - max))); correct[r] = argmax (first on ties) == y.
void crossentropy_forward(ThreadPool& pool, float* losses, uint8_t* correct, const float* logits, const int32_t* labels,
                          int B, int C);
// d(mean loss)/dlogits = (softmax(logits) - onehot(y)) / B.
void crossentropy_backward(ThreadPool& pool, float* dlogits, const float* logits, const int32_t* labels, int B, int C);

// ---- AdamW, PyTorch 1.13's _single_tensor_adamw order of operations, for step t (1-based):
//   p = p * (1 - lr wd);  m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2
//   p = p - (lr / (1 - b1^t)) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)
// The scalars are formed in double and rounded to float once, as PyTorch does with Python floats.
struct AdamWStep {
  double lr, beta1, beta2, eps, weight_decay;
  long t;
};
void adamw_update(ThreadPool& pool, float* params, float* m, float* v, const float* grads, long n, const AdamWStep& step);

}  // namespace grokcheck

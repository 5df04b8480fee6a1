// Forward and backward of each layer of the model of shared/spec/model.md, on plain float arrays (in the
// manner of llm.c's train_gpt2.c). Conventions:
//  - A tensor is [rows, width] row-major; which (example, position) each row stands for is a RowSet
//    (engine_rows.h). Row-wise layers (LayerNorm, Linear, GELU) do not care; the layers that move information
//    between positions or examples (embedding, attention, residual connections) take the RowSets.
//  - Weights are [in, out], applied as x @ W + b.
//  - Backward functions write (=) parameter gradients, since every parameter is used exactly once per pass;
//    "+=" is stated where a function accumulates into an input gradient.
//  - Every function splits its work into tasks whose results do not depend on the thread that runs them.
#pragma once

#include <cstdint>

#include "engine_pool.h"
#include "engine_rows.h"

namespace grokcheck {

// ---- embedding: the row of token v at position t is W_E[v] + W_pos[t].
void embedding_forward(ThreadPool& pool, float* out, const RowSet& rows, const float* W_E, const float* W_pos, int D);
// dW_E[v] = sum of dout over the rows of token v, dW_pos[t] = sum of dout over the rows of position t; summed in
// row order, one 16-column chunk per task.
void embedding_backward(ThreadPool& pool, float* dW_E, float* dW_pos, const float* dout, const RowSet& rows, int V, int D);

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
// dW = in^T @ dout ([In, Out]), db = sum_rows dout (skipped when db is nullptr: a layer without bias).
void matmul_backward_weights(ThreadPool& pool, float* dW, float* db, const float* dout, long ld_dout, const float* in,
                             long ld_in, int R, int In, int Out);
// din (=, or += when accumulate) dout @ W^T, given WT = W^T [Out, In].
void matmul_backward_input(ThreadPool& pool, float* din, long ld_din, const float* dout, long ld_dout, const float* WT,
                           int R, int In, int Out, bool accumulate);

// ---- causal self-attention over the 3 positions, H heads of d_head = D / H.
// qkv: [in.total, 3D], columns Q | K | V, on the rows `in` (all 3 positions; Q is read only at the query
// positions 1 and 2 that `out` holds). For each head and query position t of example b:
// s_j = q_t . k_j / sqrt(d_head) for j <= t, p = softmax(s), out_t = sum_j p_j v_j. Position 0 attends to itself
// only, so its output is its own v (softmax of one score is exactly 1), row for row (in.pos[0] == out.pos[0]).
// out: [out.total, D] (heads concatenated); probs: [n, H, 3, 3] (rows of positions 1, 2), saved for the backward.
void attention_forward(ThreadPool& pool, float* out, float* probs, const float* qkv, const RowSet& in, const RowSet& out_rows,
                       int n, int D, int H);
// dqkv (=): [in.total, 3D]. Per example, with dp_j = dout_t . v_j and ds_j = p_j (dp_j - sum_i p_i dp_i):
//   dv_j += p_j dout_t,  dq_t = sum_j ds_j k_j / sqrt(d_head),  dk_j += ds_j q_t / sqrt(d_head),
// directly into per-example rows, and via `scratch` ([n, 3, 3D]) and sum_into_rows into rows that examples share;
// position 0 adds dv_0 += dout_0.
void attention_backward(ThreadPool& pool, float* dqkv, float* scratch, const float* dout, const float* qkv,
                        const float* probs, const RowSet& in, const RowSet& out_rows, int n, int D, int H);

// ---- GELU with the exact erf: out = x Phi(x); gate = 1 + erf(x / sqrt 2) = 2 Phi(x), kept for the backward pass.
void gelu_forward(ThreadPool& pool, float* out, float* gate, const float* x, long n);
// din = dout * (Phi(x) + x phi(x)) with Phi(x) = gate / 2 from the forward pass; din may alias dout.
void gelu_backward(ThreadPool& pool, float* din, const float* dout, const float* x, const float* gate, long n);

// ---- ReLU: out = max(x, 0) (0 for x <= 0, as torch.relu); din = dout where x > 0, else 0 (the derivative at 0
// is 0, as PyTorch's). din may alias dout.
void relu_forward(ThreadPool& pool, float* out, const float* x, long n);
void relu_backward(ThreadPool& pool, float* din, const float* dout, const float* x, long n);

// ---- residual connections. Around the MLP (same rows in and out): out = x + y over n floats.
void residual_add(ThreadPool& pool, float* out, const float* x, const float* y, long n);
// Around an attention block, from its input rows to its output rows:
// out (on out_rows) = x (on in, at the same example and position) + y (on out_rows).
void residual_forward(ThreadPool& pool, float* out, const float* x, const float* y, const RowSet& in,
                      const RowSet& out_rows, int D);
// dx (=, on in) = dout (on out_rows) summed over the output rows of each input row; 0 at positions out_rows lacks.
void residual_backward(ThreadPool& pool, float* dx, const float* dout, const RowSet& in, const RowSet& out_rows, int D);

// ---- softmax cross-entropy over C classes, per row:
// loss[r] = -((logits[r, y] - max) - log(sum_c exp(logits[r, c] - max))); correct[r] = argmax (first on ties) == y.
void crossentropy_forward(ThreadPool& pool, float* losses, uint8_t* correct, const float* logits, const int32_t* labels,
                          int B, int C);
// d(mean loss)/dlogits = (softmax(logits) - onehot(y)) / B.
void crossentropy_backward(ThreadPool& pool, float* dlogits, const float* logits, const int32_t* labels, int B, int C);

// ---- the same in float64 (loss_precision: f64, Nanda et al.'s cross_entropy_high_precision): the logits are cast
// to double, loss[r] = -(logits[r, y] - max - log(sum_c exp(logits[r, c] - max))) in double, and
// d(mean loss)/dlogits = (exp(log_softmax) - onehot(y)) / B is formed in double and rounded to float once, as
// autograd does at the cast back to float32.
void crossentropy_forward_f64(ThreadPool& pool, double* losses, uint8_t* correct, const float* logits,
                              const int32_t* labels, int B, int C);
void crossentropy_backward_f64(ThreadPool& pool, float* dlogits, const float* logits, const int32_t* labels, int B, int C);

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

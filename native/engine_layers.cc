#include "engine_layers.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "engine_gemm.h"
#include "engine_simd.h"
#include "engine_vecmath.h"

namespace grokcheck {

using simd::F16;

namespace {

constexpr int kRowGrain = 32;             // rows per task for row-wise kernels
constexpr long kElementGrain = 1L << 14;  // elements per task for element-wise kernels
constexpr float kLayerNormEps = 1e-5f;

// Applies f(offset, width) to [0, n) in 16-lane chunks, the last one partial.
template <typename F>
inline void for_chunks(long n, F&& f) {
  long i = 0;
  for (; i + simd::kLanes <= n; i += simd::kLanes) f(i, simd::kLanes);
  if (i < n) f(i, int(n - i));
}

// y[0..n) = x[0..n) + z[0..n)
inline void add_rows(float* y, const float* x, const float* z, int n) {
  for_chunks(n, [&](long i, int w) { simd::store_n(y + i, simd::load_n(x + i, w) + simd::load_n(z + i, w), w); });
}

// Max, and the sum of exp(x - max), of one row of logits: shared by the loss and its gradient so both see the
// same softmax.
inline void softmax_stats(const float* x, int n, float* max_out, float* sum_out) {
  float m = x[0];
  for (int c = 1; c < n; c++) m = x[c] > m ? x[c] : m;
  F16 acc = simd::zero();
  const F16 vm = simd::splat(m);
  for_chunks(n, [&](long i, int w) { acc = acc + simd::keep_first(vecmath::exp(simd::load_n(x + i, w) - vm), w); });
  *max_out = m;
  *sum_out = simd::reduce_add(acc);
}

}  // namespace

// ---------------------------------------------------------------------------------------------- embedding

void embedding_forward(ThreadPool& pool, float* out, const RowSet& rows, const float* W_E, const float* W_pos, int D) {
  for (int t = 0; t < kPositions; t++) {
    const PositionRows& p = rows.pos[t];
    pool.run_ranges(p.count, kRowGrain, [&](long r0, long r1) {
      for (long r = r0; r < r1; r++) add_rows(out + (p.offset + r) * D, W_E + long(p.token[r]) * D, W_pos + long(t) * D, D);
    });
  }
}

void embedding_backward(ThreadPool& pool, float* dW_E, float* dW_pos, const float* dout, const RowSet& rows, int V, int D) {
  const int chunks = (D + simd::kLanes - 1) / simd::kLanes;
  pool.run(chunks, [&](int chunk) {
    const int j0 = chunk * simd::kLanes;
    const int w = std::min(simd::kLanes, D - j0);
    for (int v = 0; v < V; v++) simd::store_n(dW_E + long(v) * D + j0, simd::zero(), w);
    for (int t = 0; t < kPositions; t++) {
      const PositionRows& p = rows.pos[t];
      F16 pos_sum = simd::zero();
      for (int r = 0; r < p.count; r++) {
        const F16 g = simd::load_n(dout + long(p.offset + r) * D + j0, w);
        float* e = dW_E + long(p.token[r]) * D + j0;
        simd::store_n(e, simd::load_n(e, w) + g, w);
        pos_sum = pos_sum + g;
      }
      simd::store_n(dW_pos + long(t) * D + j0, pos_sum, w);
    }
  });
}

// ---------------------------------------------------------------------------------------------- layernorm

void layernorm_forward(ThreadPool& pool, float* out, float* mean, float* rstd, const float* x, const float* w,
                       const float* b, int R, int D) {
  const float inv_d = 1.0f / float(D);
  pool.run_ranges(R, kRowGrain, [&](long r0, long r1) {
    for (long r = r0; r < r1; r++) {
      const float* xr = x + r * D;
      const float m = simd::sum(xr, D) * inv_d;
      const F16 vm = simd::splat(m);
      F16 acc = simd::zero();
      for_chunks(D, [&](long i, int n) {
        const F16 d = simd::keep_first(simd::load_n(xr + i, n) - vm, n);
        acc = simd::fma(d, d, acc);
      });
      const float var = simd::reduce_add(acc) * inv_d;
      const float s = 1.0f / std::sqrt(var + kLayerNormEps);
      const F16 vs = simd::splat(s);
      float* yr = out + r * D;
      for_chunks(D, [&](long i, int n) {
        const F16 xhat = (simd::load_n(xr + i, n) - vm) * vs;
        simd::store_n(yr + i, simd::fma(xhat, simd::load_n(w + i, n), simd::load_n(b + i, n)), n);
      });
      mean[r] = m;
      rstd[r] = s;
    }
  });
}

void layernorm_backward(ThreadPool& pool, float* dx, float* dw, float* db, const float* dout, const float* x,
                        const float* mean, const float* rstd, const float* w, int R, int D) {
  const float inv_d = 1.0f / float(D);
  pool.run_ranges(R, kRowGrain, [&](long r0, long r1) {
    for (long r = r0; r < r1; r++) {
      const float* xr = x + r * D;
      const float* gr = dout + r * D;
      const F16 vm = simd::splat(mean[r]);
      const F16 vs = simd::splat(rstd[r]);
      F16 sum_g = simd::zero(), sum_gx = simd::zero();
      for_chunks(D, [&](long i, int n) {
        const F16 g = simd::load_n(gr + i, n) * simd::load_n(w + i, n);
        const F16 xhat = (simd::load_n(xr + i, n) - vm) * vs;
        sum_g = sum_g + g;
        sum_gx = simd::fma(g, xhat, sum_gx);
      });
      const F16 mean_g = simd::splat(simd::reduce_add(sum_g) * inv_d);
      const F16 mean_gx = simd::splat(simd::reduce_add(sum_gx) * inv_d);
      float* dr = dx + r * D;
      for_chunks(D, [&](long i, int n) {
        const F16 g = simd::load_n(gr + i, n) * simd::load_n(w + i, n);
        const F16 xhat = (simd::load_n(xr + i, n) - vm) * vs;
        const F16 d = vs * (g - mean_g - xhat * mean_gx);
        simd::store_n(dr + i, simd::load_n(dr + i, n) + d, n);
      });
    }
  });
  const int chunks = (D + simd::kLanes - 1) / simd::kLanes;
  pool.run(chunks, [&](int chunk) {
    const int j0 = chunk * simd::kLanes;
    const int n = std::min(simd::kLanes, D - j0);
    F16 acc_w = simd::zero(), acc_b = simd::zero();
    for (long r = 0; r < R; r++) {
      const F16 g = simd::load_n(dout + r * D + j0, n);
      const F16 xhat = (simd::load_n(x + r * D + j0, n) - simd::splat(mean[r])) * simd::splat(rstd[r]);
      acc_w = simd::fma(g, xhat, acc_w);
      acc_b = acc_b + g;
    }
    simd::store_n(dw + j0, acc_w, n);
    simd::store_n(db + j0, acc_b, n);
  });
}

// ---------------------------------------------------------------------------------------------- matmul

void matmul_forward(ThreadPool& pool, float* out, long ld_out, const float* in, long ld_in, const float* W,
                    const float* bias, int R, int In, int Out) {
  gemm(pool, {R, Out, In, in, ld_in, 1, W, Out, bias, out, ld_out, false});
}

void matmul_backward_weights(ThreadPool& pool, float* dW, float* db, const float* dout, long ld_dout, const float* in,
                             long ld_in, int R, int In, int Out) {
  // dW[i, o] = sum_r in[r, i] dout[r, o]: A(i, r) = in[r * ld_in + i] is `in` read transposed.
  gemm(pool, {In, Out, R, in, 1, ld_in, dout, ld_dout, nullptr, dW, Out, false});
  if (db) column_sums(pool, db, dout, R, Out, ld_dout);
}

void matmul_backward_input(ThreadPool& pool, float* din, long ld_din, const float* dout, long ld_dout, const float* WT,
                           int R, int In, int Out, bool accumulate) {
  gemm(pool, {R, In, Out, dout, ld_dout, 1, WT, In, nullptr, din, ld_din, accumulate});
}

// ---------------------------------------------------------------------------------------------- attention

// The weighted sums over the <= 3 positions are accumulated in registers, one 16-lane chunk of a head at a time,
// and stored once: accumulating through memory (an axpy per term) made every term wait for the masked store of
// the one before, which the CPU cannot forward to the next load. Every element still gets the same fused
// multiply-adds in the same order, starting from 0, so the results are those of the memory version bit for bit.

void attention_forward(ThreadPool& pool, float* out, float* probs, const float* qkv, const RowSet& in, const RowSet& out_rows,
                       int n, int D, int H) {
  const int dh = D / H;
  const long ld = 3L * D;  // one row of qkv
  const float sqrt_dh = std::sqrt(float(dh));
  const PositionRows& first = out_rows.pos[0];
  pool.run_ranges(first.count, kRowGrain, [&](long r0, long r1) {
    for (long r = r0; r < r1; r++)
      std::memcpy(out + (first.offset + r) * D, qkv + (in.pos[0].offset + r) * ld + 2 * D, sizeof(float) * D);
  });
  pool.run_ranges(n, kRowGrain / 2, [&](long b0, long b1) {
    for (long b = b0; b < b1; b++) {
      const float* row[kPositions];
      for (int j = 0; j < kPositions; j++) row[j] = qkv + long(in.pos[j].row(b)) * ld;
      for (int t = 1; t < kPositions; t++) {
        if (!out_rows.pos[t].present()) continue;
        float* o_row = out + long(out_rows.pos[t].row(b)) * D;
        for (int h = 0; h < H; h++) {
          float* pr = probs + ((b * H + h) * kPositions + t) * kPositions;
          const float* q = row[t] + h * dh;
          float s[kPositions];
          float m = -INFINITY;
          for (int j = 0; j <= t; j++) {
            s[j] = simd::dot(q, row[j] + D + h * dh, dh) / sqrt_dh;
            m = std::max(m, s[j]);
          }
          float sum = 0.0f;
          for (int j = 0; j <= t; j++) {
            s[j] = std::exp(s[j] - m);
            sum += s[j];
          }
          for (int j = 0; j <= t; j++) pr[j] = s[j] / sum;
          // out_t = sum_j p_j v_j
          for (int c = 0; c < dh; c += simd::kLanes) {
            const int w = std::min(simd::kLanes, dh - c);
            const long at = h * dh + c;
            F16 acc = simd::zero();
            for (int j = 0; j <= t; j++) acc = simd::fma(simd::splat(pr[j]), simd::load_n(row[j] + 2 * D + at, w), acc);
            simd::store_n_branching(o_row + at, acc, w);
          }
        }
      }
    }
  });
}

void attention_backward(ThreadPool& pool, float* dqkv, float* scratch, const float* dout, const float* qkv,
                        const float* probs, const RowSet& in, const RowSet& out_rows, int n, int D, int H) {
  const int dh = D / H;
  const long ld = 3L * D;
  const long ex = kPositions * ld;  // one example of scratch: positions 0..2, each Q | K | V
  const float sqrt_dh = std::sqrt(float(dh));
  // 1. Each example's contributions: straight into its own rows where rows are per example, into its slot of
  // scratch where examples share rows. Every Q, K and V slice of the example's three rows is written (0 where
  // nothing contributes).
  pool.run_ranges(n, kRowGrain / 2, [&](long b0, long b1) {
    for (long b = b0; b < b1; b++) {
      const float* row[kPositions];
      float* grad[kPositions];
      const float* g_row[kPositions] = {nullptr, nullptr, nullptr};  // dout of the query positions present
      for (int j = 0; j < kPositions; j++) {
        row[j] = qkv + long(in.pos[j].row(b)) * ld;
        grad[j] = in.pos[j].keyed ? scratch + b * ex + j * ld : dqkv + long(in.pos[j].row(b)) * ld;
        if (j > 0 && out_rows.pos[j].present()) g_row[j] = dout + long(out_rows.pos[j].row(b)) * D;
      }
      for (int h = 0; h < H; h++) {
        // Scalars of each query t: dp_j = dout_t . v_j, ds_j = p_j (dp_j - sum_i p_i dp_i) / sqrt(d_head).
        const float* pr[kPositions] = {nullptr, nullptr, nullptr};
        float ds[kPositions][kPositions];
        for (int t = 1; t < kPositions; t++) {
          if (!g_row[t]) continue;
          pr[t] = probs + ((b * H + h) * kPositions + t) * kPositions;
          const float* g = g_row[t] + h * dh;
          float dp[kPositions];
          float weighted = 0.0f;  // sum_j p_j dp_j
          for (int j = 0; j <= t; j++) {
            dp[j] = simd::dot(g, row[j] + 2 * D + h * dh, dh);
            weighted += pr[t][j] * dp[j];
          }
          for (int j = 0; j <= t; j++) ds[t][j] = pr[t][j] * (dp[j] - weighted) / sqrt_dh;
        }
        // dv_j = sum_t p_tj dout_t, dq_t = sum_j ds_tj k_j, dk_j = sum_t ds_tj q_t (t ascending, j ascending).
        for (int c = 0; c < dh; c += simd::kLanes) {
          const int w = std::min(simd::kLanes, dh - c);
          const long at = h * dh + c;
          F16 dq[kPositions], dk[kPositions], dv[kPositions];
          for (int j = 0; j < kPositions; j++) dq[j] = dk[j] = dv[j] = simd::zero();
          for (int t = 1; t < kPositions; t++) {
            if (!g_row[t]) continue;
            const F16 g = simd::load_n(g_row[t] + at, w);
            const F16 q = simd::load_n(row[t] + at, w);
            for (int j = 0; j <= t; j++) {
              dv[j] = simd::fma(simd::splat(pr[t][j]), g, dv[j]);
              const F16 s = simd::splat(ds[t][j]);
              dq[t] = simd::fma(s, simd::load_n(row[j] + D + at, w), dq[t]);
              dk[j] = simd::fma(s, q, dk[j]);
            }
          }
          for (int j = 0; j < kPositions; j++) {
            simd::store_n_branching(grad[j] + at, dq[j], w);
            simd::store_n_branching(grad[j] + D + at, dk[j], w);
            simd::store_n_branching(grad[j] + 2 * D + at, dv[j], w);
          }
        }
      }
    }
  });
  // 2. Shared rows: each the sum over its examples in ascending order.
  for (int j = 0; j < kPositions; j++)
    if (in.pos[j].keyed) sum_into_rows(pool, dqkv, ld, in.pos[j], scratch + j * ld, ex, int(ld), false);
  // 3. Position 0's own output is its v.
  const PositionRows& first = out_rows.pos[0];
  pool.run_ranges(first.count, kRowGrain, [&](long r0, long r1) {
    for (long r = r0; r < r1; r++) {
      float* dv = dqkv + (in.pos[0].offset + r) * ld + 2 * D;
      add_rows(dv, dv, dout + (first.offset + r) * D, D);
    }
  });
}

// ---------------------------------------------------------------------------------------------- gelu

void gelu_forward(ThreadPool& pool, float* out, float* gate, const float* x, long n) {
  pool.run_ranges(n, kElementGrain, [&](long i0, long i1) {
    for_chunks(i1 - i0, [&](long i, int w) {
      const F16 v = simd::load_n(x + i0 + i, w);
      const F16 g = vecmath::gelu_gate(v);
      simd::store_n(gate + i0 + i, g, w);
      simd::store_n(out + i0 + i, vecmath::gelu_from_gate(v, g), w);
    });
  });
}

void gelu_backward(ThreadPool& pool, float* din, const float* dout, const float* x, const float* gate, long n) {
  pool.run_ranges(n, kElementGrain, [&](long i0, long i1) {
    for_chunks(i1 - i0, [&](long i, int w) {
      const F16 derivative = vecmath::gelu_derivative_from_gate(simd::load_n(x + i0 + i, w), simd::load_n(gate + i0 + i, w));
      simd::store_n(din + i0 + i, simd::load_n(dout + i0 + i, w) * derivative, w);
    });
  });
}

// ---------------------------------------------------------------------------------------------- relu

void relu_forward(ThreadPool& pool, float* out, const float* x, long n) {
  const F16 zero = simd::zero();
  pool.run_ranges(n, kElementGrain, [&](long i0, long i1) {
    for_chunks(i1 - i0, [&](long i, int w) {
      const F16 v = simd::load_n(x + i0 + i, w);
      simd::store_n(out + i0 + i, simd::select(zero < v, v, zero), w);
    });
  });
}

void relu_backward(ThreadPool& pool, float* din, const float* dout, const float* x, long n) {
  const F16 zero = simd::zero();
  pool.run_ranges(n, kElementGrain, [&](long i0, long i1) {
    for_chunks(i1 - i0, [&](long i, int w) {
      const F16 v = simd::load_n(x + i0 + i, w);
      simd::store_n(din + i0 + i, simd::select(zero < v, simd::load_n(dout + i0 + i, w), zero), w);
    });
  });
}

// ---------------------------------------------------------------------------------------------- residual

void residual_add(ThreadPool& pool, float* out, const float* x, const float* y, long n) {
  pool.run_ranges(n, kElementGrain, [&](long i0, long i1) { add_rows(out + i0, x + i0, y + i0, int(i1 - i0)); });
}

void residual_forward(ThreadPool& pool, float* out, const float* x, const float* y, const RowSet& in,
                      const RowSet& out_rows, int D) {
  for (int t = 0; t < kPositions; t++) {
    const PositionRows& p = out_rows.pos[t];
    // Position 0 keeps its rows; positions 1 and 2 have one output row per example.
    pool.run_ranges(p.count, kRowGrain, [&](long r0, long r1) {
      for (long r = r0; r < r1; r++) {
        const long source = t == 0 ? in.pos[0].offset + r : in.pos[t].row(r);
        add_rows(out + (p.offset + r) * D, x + source * D, y + (p.offset + r) * D, D);
      }
    });
  }
}

void residual_backward(ThreadPool& pool, float* dx, const float* dout, const RowSet& in, const RowSet& out_rows, int D) {
  for (int t = 0; t < kPositions; t++) {
    const PositionRows& p = in.pos[t];
    const PositionRows& o = out_rows.pos[t];
    if (!o.present()) {
      std::fill_n(dx + long(p.offset) * D, long(p.count) * D, 0.0f);
    } else if (t == 0) {
      std::memcpy(dx + long(p.offset) * D, dout + long(o.offset) * D, sizeof(float) * p.count * D);
    } else {
      sum_into_rows(pool, dx, D, p, dout + long(o.offset) * D, D, D, false);
    }
  }
}

// ---------------------------------------------------------------------------------------------- cross-entropy

void crossentropy_forward(ThreadPool& pool, float* losses, uint8_t* correct, const float* logits, const int32_t* labels,
                          int B, int C) {
  pool.run_ranges(B, kRowGrain, [&](long r0, long r1) {
    for (long r = r0; r < r1; r++) {
      const float* l = logits + r * C;
      float m, s;
      softmax_stats(l, C, &m, &s);
      losses[r] = -((l[labels[r]] - m) - std::log(s));
      int best = 0;
      for (int c = 1; c < C; c++)
        if (l[c] > l[best]) best = c;
      correct[r] = best == labels[r];
    }
  });
}

void crossentropy_backward(ThreadPool& pool, float* dlogits, const float* logits, const int32_t* labels, int B, int C) {
  const float inv_b = 1.0f / float(B);
  pool.run_ranges(B, kRowGrain, [&](long r0, long r1) {
    for (long r = r0; r < r1; r++) {
      const float* l = logits + r * C;
      float* d = dlogits + r * C;
      float m, s;
      softmax_stats(l, C, &m, &s);
      const F16 vm = simd::splat(m), vs = simd::splat(s), vb = simd::splat(inv_b);
      for_chunks(C, [&](long i, int w) { simd::store_n(d + i, vecmath::exp(simd::load_n(l + i, w) - vm) / vs * vb, w); });
      d[labels[r]] -= inv_b;
    }
  });
}

// The row's max and log(sum_c exp(x_c - max)) in double, as torch.log_softmax on a float64 tensor.
static void log_softmax_stats_f64(const float* x, int n, double* max_out, double* log_sum_out) {
  double m = x[0];
  for (int c = 1; c < n; c++) m = double(x[c]) > m ? double(x[c]) : m;
  double sum = 0.0;
  for (int c = 0; c < n; c++) sum += std::exp(double(x[c]) - m);
  *max_out = m;
  *log_sum_out = std::log(sum);
}

void crossentropy_forward_f64(ThreadPool& pool, double* losses, uint8_t* correct, const float* logits,
                              const int32_t* labels, int B, int C) {
  pool.run_ranges(B, kRowGrain, [&](long r0, long r1) {
    for (long r = r0; r < r1; r++) {
      const float* l = logits + r * C;
      double m, log_sum;
      log_softmax_stats_f64(l, C, &m, &log_sum);
      losses[r] = -((double(l[labels[r]]) - m) - log_sum);
      int best = 0;
      for (int c = 1; c < C; c++)
        if (l[c] > l[best]) best = c;
      correct[r] = best == labels[r];
    }
  });
}

void crossentropy_backward_f64(ThreadPool& pool, float* dlogits, const float* logits, const int32_t* labels, int B, int C) {
  const double inv_b = 1.0 / double(B);
  pool.run_ranges(B, kRowGrain, [&](long r0, long r1) {
    for (long r = r0; r < r1; r++) {
      const float* l = logits + r * C;
      double m, log_sum;
      log_softmax_stats_f64(l, C, &m, &log_sum);
      for (int c = 0; c < C; c++) {
        const double softmax = std::exp((double(l[c]) - m) - log_sum);
        dlogits[r * C + c] = float((softmax - (c == labels[r] ? 1.0 : 0.0)) * inv_b);
      }
    }
  });
}

// ---------------------------------------------------------------------------------------------- adamw

void adamw_update(ThreadPool& pool, float* params, float* m, float* v, const float* grads, long n, const AdamWStep& st) {
  const double bias_correction1 = 1.0 - std::pow(st.beta1, double(st.t));
  const double bias_correction2 = 1.0 - std::pow(st.beta2, double(st.t));
  const F16 decay = simd::splat(float(1.0 - st.lr * st.weight_decay));
  const F16 b1 = simd::splat(float(st.beta1)), one_minus_b1 = simd::splat(float(1.0 - st.beta1));
  const F16 b2 = simd::splat(float(st.beta2)), one_minus_b2 = simd::splat(float(1.0 - st.beta2));
  const F16 neg_step_size = simd::splat(float(-(st.lr / bias_correction1)));
  const F16 bc2_sqrt = simd::splat(float(std::sqrt(bias_correction2)));
  const F16 eps = simd::splat(float(st.eps));
  pool.run_ranges(n, kElementGrain, [&](long i0, long i1) {
    for_chunks(i1 - i0, [&](long off, int w) {
      const long i = i0 + off;
      const F16 g = simd::load_n(grads + i, w);
      const F16 p = simd::load_n(params + i, w) * decay;                               // param.mul_(1 - lr wd)
      const F16 mi = simd::fma(g, one_minus_b1, simd::load_n(m + i, w) * b1);           // exp_avg.mul_(b1).add_(g, 1 - b1)
      const F16 vi = simd::load_n(v + i, w) * b2 + one_minus_b2 * g * g;                // exp_avg_sq.mul_(b2).addcmul_(g, g, 1 - b2)
      const F16 denom = simd::sqrt(vi) / bc2_sqrt + eps;                                // (sqrt(v) / sqrt(bc2)).add_(eps)
      simd::store_n(params + i, p + neg_step_size * mi / denom, w);                     // param.addcdiv_(m, denom, -step_size)
      simd::store_n(m + i, mi, w);
      simd::store_n(v + i, vi, w);
    });
  });
}

}  // namespace grokcheck

/**
 * The WebGPU engine's layer kernels (issue "GPU training through WebGPU"), in the style of llm.c's CUDA version:
 * one forward and one backward kernel per layer, plain row-major float32 arrays, the math in comments. Every
 * kernel handles R runs of one shape at once (arrays are [R, ...]; `rows` counts the rows of all runs) and
 * every sum is taken by one invocation in ascending index order (no float atomics), so a run's bits do not
 * depend on R or on its index in the group. Binding 0 is a uniform block (kernel.ts), then the buffers.
 *
 * Done: matmul forward (matmul.ts) and backward (strided matmul + bias reduction), LayerNorm, exact-erf GELU,
 * softmax cross-entropy, AdamW, causal attention, the token and position embedding. Not yet: the model's
 * assembly into an engine.
 */
import { FLAT_MAIN, Kernel, kernelHeader } from './kernel.js';

/** out[r, i, j] = (accumulate ? out[r, i, j] : 0) + sum_k A_r(i, k) B_r(k, j), with A and B addressed by strides. */
export const MATMUL_STRIDED_WGSL = /* wgsl */ `
${kernelHeader('n: u32, k: u32, m: u32, a_s0: u32, a_s1: u32, b_s0: u32, b_s1: u32, a_run: u32, b_run: u32, accumulate: u32', 'a, b, out rw')}
var<workgroup> a_tile: array<array<f32, 16>, 16>;
var<workgroup> b_tile: array<array<f32, 16>, 16>;

@compute @workgroup_size(16, 16, 1)
fn main(@builtin(workgroup_id) g: vec3<u32>, @builtin(local_invocation_id) l: vec3<u32>) {
  let r = g.z;
  let i = g.y * 16u + l.y;
  let j = g.x * 16u + l.x;
  var acc: f32 = 0.0;
  for (var t: u32 = 0u; t < (u.k + 15u) / 16u; t = t + 1u) {
    let ka = t * 16u + l.x;
    let kb = t * 16u + l.y;
    a_tile[l.y][l.x] = select(0.0, a[r * u.a_run + i * u.a_s0 + ka * u.a_s1], i < u.n && ka < u.k);
    b_tile[l.y][l.x] = select(0.0, b[r * u.b_run + kb * u.b_s0 + j * u.b_s1], j < u.m && kb < u.k);
    workgroupBarrier();
    for (var q: u32 = 0u; q < 16u; q = q + 1u) { acc = acc + a_tile[l.y][q] * b_tile[q][l.x]; }
    workgroupBarrier();
  }
  if (i < u.n && j < u.m) {
    let at = (r * u.n + i) * u.m + j;
    out[at] = select(0.0, out[at], u.accumulate == 1u) + acc;
  }
}
`;

/** dbias[r, j] = sum_i dout[r, i, j] (the bias gradient of out = x W + b), i ascending. */
export const BIAS_GRAD_WGSL = /* wgsl */ `
${kernelHeader('runs: u32, n: u32, m: u32', 'dout, dbias rw')}

${FLAT_MAIN}
  if (id.x >= u.runs * u.m) { return; }
  let r = id.x / u.m;
  let j = id.x % u.m;
  var s: f32 = 0.0;
  for (var i: u32 = 0u; i < u.n; i = i + 1u) { s = s + dout[(r * u.n + i) * u.m + j]; }
  dbias[id.x] = s;
}
`;

/**
 * LayerNorm over the last axis (model.md, eps 1e-5): mean = sum x / d, rstd = 1 / sqrt(sum (x - mean)^2 / d + eps),
 * out = (x - mean) rstd w + b; mean and rstd are kept for the backward pass. One invocation per row.
 */
export const LAYERNORM_FORWARD_WGSL = /* wgsl */ `
${kernelHeader('rows: u32, rows_per_run: u32, d: u32, eps: f32', 'inp, weight, bias, out rw, mean rw, rstd rw')}

${FLAT_MAIN}
  let row = id.x;
  if (row >= u.rows) { return; }
  let r = row / u.rows_per_run;
  let x = row * u.d;
  var s: f32 = 0.0;
  for (var j: u32 = 0u; j < u.d; j = j + 1u) { s = s + inp[x + j]; }
  let m = s / f32(u.d);
  var v: f32 = 0.0;
  for (var j: u32 = 0u; j < u.d; j = j + 1u) { let c = inp[x + j] - m; v = v + c * c; }
  let rs = 1.0 / sqrt(v / f32(u.d) + u.eps);
  for (var j: u32 = 0u; j < u.d; j = j + 1u) {
    out[x + j] = (inp[x + j] - m) * rs * weight[r * u.d + j] + bias[r * u.d + j];
  }
  mean[row] = m;
  rstd[row] = rs;
}
`;

/**
 * LayerNorm backward to its input (llm.c's layernorm_backward): with norm = (x - mean) rstd and dnorm = dout w,
 * dinp (+)= rstd (dnorm - mean_j(dnorm) - norm mean_j(dnorm norm)). `accumulate` adds into dinp (the residual
 * stream's gradient). One invocation per row.
 */
export const LAYERNORM_BACKWARD_WGSL = /* wgsl */ `
${kernelHeader('rows: u32, rows_per_run: u32, d: u32, accumulate: u32', 'dout, inp, weight, mean, rstd, dinp rw')}

${FLAT_MAIN}
  let row = id.x;
  if (row >= u.rows) { return; }
  let r = row / u.rows_per_run;
  let x = row * u.d;
  let m = mean[row];
  let rs = rstd[row];
  var dnorm_mean: f32 = 0.0;
  var dnorm_norm_mean: f32 = 0.0;
  for (var j: u32 = 0u; j < u.d; j = j + 1u) {
    let norm = (inp[x + j] - m) * rs;
    let dnorm = weight[r * u.d + j] * dout[x + j];
    dnorm_mean = dnorm_mean + dnorm;
    dnorm_norm_mean = dnorm_norm_mean + dnorm * norm;
  }
  dnorm_mean = dnorm_mean / f32(u.d);
  dnorm_norm_mean = dnorm_norm_mean / f32(u.d);
  for (var j: u32 = 0u; j < u.d; j = j + 1u) {
    let norm = (inp[x + j] - m) * rs;
    let dnorm = weight[r * u.d + j] * dout[x + j];
    let g = (dnorm - dnorm_mean - norm * dnorm_norm_mean) * rs;
    dinp[x + j] = select(0.0, dinp[x + j], u.accumulate == 1u) + g;
  }
}
`;

/** LayerNorm's parameter gradients: dweight[r, j] = sum_rows dout norm, dbias[r, j] = sum_rows dout (rows ascending). */
export const LAYERNORM_PARAMS_BACKWARD_WGSL = /* wgsl */ `
${kernelHeader('runs: u32, rows_per_run: u32, d: u32', 'dout, inp, mean, rstd, dweight rw, dbias rw')}

${FLAT_MAIN}
  if (id.x >= u.runs * u.d) { return; }
  let r = id.x / u.d;
  let j = id.x % u.d;
  var dw: f32 = 0.0;
  var db: f32 = 0.0;
  for (var i: u32 = 0u; i < u.rows_per_run; i = i + 1u) {
    let row = r * u.rows_per_run + i;
    let g = dout[row * u.d + j];
    dw = dw + g * (inp[row * u.d + j] - mean[row]) * rstd[row];
    db = db + g;
  }
  dweight[id.x] = dw;
  dbias[id.x] = db;
}
`;

/**
 * erf in float32 (Numerical Recipes' erfc, Chebyshev fit, fractional error < 1.2e-7): WGSL has no erf, and
 * model.md's GELU is the exact one, gelu(x) = x/2 (1 + erf(x / sqrt 2)).
 */
const ERF_WGSL = /* wgsl */ `
fn erf_f32(x: f32) -> f32 {
  let z = abs(x);
  let t = 1.0 / (1.0 + 0.5 * z);
  let p = -z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 +
          t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
  let erfc = t * exp(p);
  return select(erfc - 1.0, 1.0 - erfc, x >= 0.0);
}
`;

/** out = gelu(inp) = inp/2 (1 + erf(inp / sqrt 2)), elementwise over `count` values. */
export const GELU_FORWARD_WGSL = /* wgsl */ `
${kernelHeader('count: u32', 'inp, out rw')}
${ERF_WGSL}
${FLAT_MAIN}
  if (id.x >= u.count) { return; }
  let x = inp[id.x];
  out[id.x] = 0.5 * x * (1.0 + erf_f32(x * 0.70710678118654752));
}
`;

/** dinp = dout gelu'(inp), gelu'(x) = (1 + erf(x / sqrt 2)) / 2 + x exp(-x^2 / 2) / sqrt(2 pi). */
export const GELU_BACKWARD_WGSL = /* wgsl */ `
${kernelHeader('count: u32', 'inp, dout, dinp rw')}
${ERF_WGSL}
${FLAT_MAIN}
  if (id.x >= u.count) { return; }
  let x = inp[id.x];
  let cdf = 0.5 * (1.0 + erf_f32(x * 0.70710678118654752));
  let pdf = exp(-0.5 * x * x) * 0.39894228040143268;
  dinp[id.x] = dout[id.x] * (cdf + x * pdf);
}
`;

/** out = relu(inp) = max(inp, 0) (0 at inp <= 0, as torch.relu), elementwise over `count` values. */
export const RELU_FORWARD_WGSL = /* wgsl */ `
${kernelHeader('count: u32', 'inp, out rw')}
${FLAT_MAIN}
  if (id.x >= u.count) { return; }
  let x = inp[id.x];
  out[id.x] = select(0.0, x, x > 0.0);
}
`;

/** dinp = dout where inp > 0, else 0 (the derivative at 0 is 0, as PyTorch's). */
export const RELU_BACKWARD_WGSL = /* wgsl */ `
${kernelHeader('count: u32', 'inp, dout, dinp rw')}
${FLAT_MAIN}
  if (id.x >= u.count) { return; }
  dinp[id.x] = select(0.0, dout[id.x], inp[id.x] > 0.0);
}
`;

/**
 * Softmax cross-entropy, forward and backward in one pass per row (as the native engine's pair):
 * loss[row] = log sum_c exp(logits - max) - (logits[y] - max); dlogits = (softmax - onehot(y)) / rows_per_run
 * (the gradient of each run's mean loss); correct[row] = 1 when the first argmax is y.
 */
export const CROSSENTROPY_WGSL = /* wgsl */ `
${kernelHeader('rows: u32, rows_per_run: u32, classes: u32', 'logits, labels i32, losses rw, dlogits rw, correct rw')}

${FLAT_MAIN}
  let row = id.x;
  if (row >= u.rows) { return; }
  let x = row * u.classes;
  let y = u32(labels[row]);
  var mx: f32 = logits[x];
  var arg: u32 = 0u;
  for (var c: u32 = 1u; c < u.classes; c = c + 1u) { if (logits[x + c] > mx) { mx = logits[x + c]; arg = c; } }
  var s: f32 = 0.0;
  for (var c: u32 = 0u; c < u.classes; c = c + 1u) { s = s + exp(logits[x + c] - mx); }
  losses[row] = log(s) - (logits[x + y] - mx);
  correct[row] = select(0.0, 1.0, arg == y);
  let scale = 1.0 / f32(u.rows_per_run);
  for (var c: u32 = 0u; c < u.classes; c = c + 1u) {
    let p = exp(logits[x + c] - mx) / s;
    dlogits[x + c] = (p - select(0.0, 1.0, c == y)) * scale;
  }
}
`;

/** mean[r] = sum_i values[r, i] / n, i ascending (a run's mean loss and accuracy). */
export const ROW_MEAN_WGSL = /* wgsl */ `
${kernelHeader('runs: u32, n: u32', 'values, mean rw')}

${FLAT_MAIN}
  if (id.x >= u.runs) { return; }
  var s: f32 = 0.0;
  for (var i: u32 = 0u; i < u.n; i = i + 1u) { s = s + values[id.x * u.n + i]; }
  mean[id.x] = s / f32(u.n);
}
`;

/**
 * AdamW (model.md; PyTorch's order, as native/engine_layers.cc): per element of run r,
 *   p = p (1 - lr wd);  m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2;  p = p - step m / (sqrt(v) / bc2_sqrt + eps)
 * with step = lr / (1 - b1^t) and bc2_sqrt = sqrt(1 - b2^t) formed on the host in double, per run (runs of a group
 * may differ in weight decay and step): hyper[r] = [1 - lr wd, b1, 1 - b1, b2, 1 - b2, step, bc2_sqrt, eps, takes_step].
 * A run whose takes_step is 0 sits this step out (a lockstep group whose runs need batches of different sizes
 * steps them in turns): its parameters and moments are left exactly as they were, whatever its gradient holds.
 */
export const ADAMW_HYPER_FLOATS = 9;
export const ADAMW_WGSL = /* wgsl */ `
${kernelHeader('per_run: u32, runs: u32', 'grads, hyper, params rw, m rw, v rw')}

${FLAT_MAIN}
  let i = id.x;
  if (i >= u.per_run * u.runs) { return; }
  let h = (i / u.per_run) * ${ADAMW_HYPER_FLOATS}u;
  if (hyper[h + 8u] == 0.0) { return; }
  let g = grads[i];
  let p = params[i] * hyper[h];
  let mi = fma(g, hyper[h + 2u], m[i] * hyper[h + 1u]);
  let vi = v[i] * hyper[h + 3u] + hyper[h + 4u] * g * g;
  let denom = sqrt(vi) / hyper[h + 6u] + hyper[h + 7u];
  params[i] = p + (-hyper[h + 5u]) * mi / denom;
  m[i] = mi;
  v[i] = vi;
}
`;

/**
 * Causal self-attention over T positions (model.md: position t sees positions <= t), per run, example and head:
 *   s_ts = q_t . k_s / sqrt(d_head),  p_t = softmax_{s <= t}(s_t),  y_t = sum_{s <= t} p_ts v_s   (head columns only)
 * q, k, v, y are [rows = runs * n * T, d] with heads in contiguous column chunks; probs [runs * n, H, T, T] (zero
 * above the diagonal) is kept for the backward pass. One invocation per (example row, head).
 */
export const ATTENTION_FORWARD_WGSL = /* wgsl */ `
${kernelHeader('examples: u32, t: u32, d: u32, heads: u32', 'q, k, v, y rw, probs rw')}

${FLAT_MAIN}
  if (id.x >= u.examples * u.heads) { return; }
  let e = id.x / u.heads;
  let h = id.x % u.heads;
  let dh = u.d / u.heads;
  let scale = 1.0 / sqrt(f32(dh));
  for (var t: u32 = 0u; t < u.t; t = t + 1u) {
    let qt = (e * u.t + t) * u.d + h * dh;
    let pbase = ((e * u.heads + h) * u.t + t) * u.t;
    var mx: f32 = -3.4e38;
    for (var s: u32 = 0u; s <= t; s = s + 1u) {
      let ks = (e * u.t + s) * u.d + h * dh;
      var dot: f32 = 0.0;
      for (var c: u32 = 0u; c < dh; c = c + 1u) { dot = dot + q[qt + c] * k[ks + c]; }
      probs[pbase + s] = dot * scale;
      mx = max(mx, dot * scale);
    }
    var sum: f32 = 0.0;
    for (var s: u32 = 0u; s <= t; s = s + 1u) { let ex = exp(probs[pbase + s] - mx); probs[pbase + s] = ex; sum = sum + ex; }
    for (var s: u32 = 0u; s < u.t; s = s + 1u) { probs[pbase + s] = select(0.0, probs[pbase + s] / sum, s <= t); }
    for (var c: u32 = 0u; c < dh; c = c + 1u) {
      var acc: f32 = 0.0;
      for (var s: u32 = 0u; s <= t; s = s + 1u) { acc = acc + probs[pbase + s] * v[(e * u.t + s) * u.d + h * dh + c]; }
      y[qt + c] = acc;
    }
  }
}
`;

/**
 * Attention backward (the native engine's formulas): with dp_ts = dy_t . v_s and ds_ts = p_ts (dp_ts - sum_s' p_ts' dp_ts'),
 *   dq_t = sum_{s <= t} ds_ts k_s / sqrt(d_head),  dk_s = sum_{t >= s} ds_ts q_t / sqrt(d_head),  dv_s = sum_{t >= s} p_ts dy_t.
 * One invocation per (example row, head) writes its head's columns of dq, dk, dv at every position.
 */
export const ATTENTION_BACKWARD_WGSL = /* wgsl */ `
${kernelHeader('examples: u32, t: u32, d: u32, heads: u32', 'dy, q, k, v, probs, dq rw, dk rw, dv rw')}

const MAX_T: u32 = 8u;

${FLAT_MAIN}
  if (id.x >= u.examples * u.heads) { return; }
  let e = id.x / u.heads;
  let h = id.x % u.heads;
  let dh = u.d / u.heads;
  let scale = 1.0 / sqrt(f32(dh));
  // ds[t][s], the gradient of the pre-softmax scores (T <= MAX_T).
  var ds: array<array<f32, 8>, 8>;
  for (var t: u32 = 0u; t < u.t; t = t + 1u) {
    let pbase = ((e * u.heads + h) * u.t + t) * u.t;
    let yt = (e * u.t + t) * u.d + h * dh;
    var dp: array<f32, 8>;
    var weighted: f32 = 0.0;
    for (var s: u32 = 0u; s <= t; s = s + 1u) {
      var dot: f32 = 0.0;
      for (var c: u32 = 0u; c < dh; c = c + 1u) { dot = dot + dy[yt + c] * v[(e * u.t + s) * u.d + h * dh + c]; }
      dp[s] = dot;
      weighted = weighted + probs[pbase + s] * dot;
    }
    for (var s: u32 = 0u; s < MAX_T; s = s + 1u) { ds[t][s] = select(0.0, probs[pbase + s] * (dp[s] - weighted), s <= t && s < u.t); }
  }
  for (var c: u32 = 0u; c < dh; c = c + 1u) {
    for (var t: u32 = 0u; t < u.t; t = t + 1u) {
      let at = (e * u.t + t) * u.d + h * dh + c;
      var gq: f32 = 0.0;
      for (var s: u32 = 0u; s <= t; s = s + 1u) { gq = gq + ds[t][s] * k[(e * u.t + s) * u.d + h * dh + c]; }
      dq[at] = gq * scale;
      var gk: f32 = 0.0;
      var gv: f32 = 0.0;
      for (var t2: u32 = t; t2 < u.t; t2 = t2 + 1u) {
        let row = (e * u.t + t2) * u.d + h * dh + c;
        gk = gk + ds[t2][t] * q[row];
        gv = gv + probs[((e * u.heads + h) * u.t + t2) * u.t + t] * dy[row];
      }
      dk[at] = gk * scale;
      dv[at] = gv;
    }
  }
}
`;

/** x[r, i, t, :] = W_E[r, tokens[r, i, t], :] + W_pos[r, t, :] (model.md "Forward"), one invocation per value. */
export const EMBED_FORWARD_WGSL = /* wgsl */ `
${kernelHeader('runs: u32, n: u32, t: u32, d: u32, vocab: u32', 'tokens i32, wte, wpe, x rw')}

${FLAT_MAIN}
  let total = u.runs * u.n * u.t * u.d;
  if (id.x >= total) { return; }
  let j = id.x % u.d;
  let row = id.x / u.d;          // (r, i, t)
  let t = row % u.t;
  let r = row / (u.n * u.t);
  let tok = u32(tokens[row]);
  x[id.x] = wte[(r * u.vocab + tok) * u.d + j] + wpe[(r * u.t + t) * u.d + j];
}
`;

/**
 * Embedding backward: dW_E[r, v, j] = sum over the rows (i, t) of run r whose token is v of dx[r, i, t, j], and
 * dW_pos[r, t, j] = sum_i dx[r, i, t, j], rows ascending. One invocation per (r, v, j) and per (r, t, j).
 */
export const EMBED_BACKWARD_WGSL = /* wgsl */ `
${kernelHeader('runs: u32, n: u32, t: u32, d: u32, vocab: u32', 'tokens i32, dx, dwte rw, dwpe rw')}

${FLAT_MAIN}
  let vocab_cells = u.runs * u.vocab * u.d;
  if (id.x < vocab_cells) {
    let j = id.x % u.d;
    let tok = (id.x / u.d) % u.vocab;
    let r = id.x / (u.vocab * u.d);
    var s: f32 = 0.0;
    for (var row: u32 = r * u.n * u.t; row < (r + 1u) * u.n * u.t; row = row + 1u) {
      if (u32(tokens[row]) == tok) { s = s + dx[row * u.d + j]; }
    }
    dwte[id.x] = s;
    return;
  }
  let p = id.x - vocab_cells;
  if (p >= u.runs * u.t * u.d) { return; }
  let j = p % u.d;
  let t = (p / u.d) % u.t;
  let r = p / (u.t * u.d);
  var s: f32 = 0.0;
  for (var i: u32 = 0u; i < u.n; i = i + 1u) { s = s + dx[((r * u.n + i) * u.t + t) * u.d + j]; }
  dwpe[p] = s;
}
`;

/** out = a + b elementwise (a residual connection), or out += a when `accumulate` (b unused then). */
export const ADD_WGSL = /* wgsl */ `
${kernelHeader('count: u32', 'a, b, out rw')}

${FLAT_MAIN}
  if (id.x >= u.count) { return; }
  out[id.x] = a[id.x] + b[id.x];
}
`;

/**
 * The last position's rows and back (model.md: the head reads x[:, last]): mode 0 (gather) copies
 * x[(e, T - 1), :] to out[e, :]; mode 1 (scatter) writes dlast[e, :] to dx[(e, T - 1), :] and zeros the other
 * positions; mode 2 (overwrite) writes src[e, :] to dst[(e, T - 1), :] and leaves the other positions.
 */
export const LAST_POSITION_WGSL = /* wgsl */ `
${kernelHeader('examples: u32, t: u32, d: u32, scatter: u32', 'src, dst rw')}

${FLAT_MAIN}
  if (u.scatter == 0u) {
    if (id.x >= u.examples * u.d) { return; }
    let e = id.x / u.d;
    let j = id.x % u.d;
    dst[id.x] = src[(e * u.t + u.t - 1u) * u.d + j];
    return;
  }
  if (id.x >= u.examples * u.t * u.d) { return; }
  let j = id.x % u.d;
  let row = id.x / u.d;
  let e = row / u.t;
  let t = row % u.t;
  if (u.scatter == 2u) {
    if (t == u.t - 1u) { dst[id.x] = src[e * u.d + j]; }
    return;
  }
  dst[id.x] = select(0.0, src[e * u.d + j], t == u.t - 1u);
}
`;

/**
 * AdamW's per-run scalars (ADAMW_WGSL's hyper row), formed in double and rounded once, as the native engine does;
 * `null`: the run sits the step out.
 */
export function adamwHyper(step: { lr: number; beta1: number; beta2: number; eps: number; weight_decay: number; t: number } | null): number[] {
  if (step === null) return new Array<number>(ADAMW_HYPER_FLOATS).fill(0);
  const bc1 = 1 - step.beta1 ** step.t;
  const bc2 = 1 - step.beta2 ** step.t;
  return [1 - step.lr * step.weight_decay, step.beta1, 1 - step.beta1, step.beta2, 1 - step.beta2, step.lr / bc1, Math.sqrt(bc2), step.eps, 1];
}

/** Every layer kernel compiled on one device. */
export class LayerKernels {
  readonly matmulStrided: Kernel;
  readonly biasGrad: Kernel;
  readonly layernormForward: Kernel;
  readonly layernormBackward: Kernel;
  readonly layernormParamsBackward: Kernel;
  readonly geluForward: Kernel;
  readonly geluBackward: Kernel;
  readonly reluForward: Kernel;
  readonly reluBackward: Kernel;
  readonly crossentropy: Kernel;
  readonly rowMean: Kernel;
  readonly adamw: Kernel;
  readonly attentionForward: Kernel;
  readonly attentionBackward: Kernel;
  readonly embedForward: Kernel;
  readonly embedBackward: Kernel;
  readonly add: Kernel;
  readonly lastPosition: Kernel;

  constructor(device: GPUDevice) {
    this.matmulStrided = new Kernel(device, 'matmul_strided', MATMUL_STRIDED_WGSL);
    this.biasGrad = new Kernel(device, 'bias_grad', BIAS_GRAD_WGSL);
    this.layernormForward = new Kernel(device, 'layernorm_forward', LAYERNORM_FORWARD_WGSL);
    this.layernormBackward = new Kernel(device, 'layernorm_backward', LAYERNORM_BACKWARD_WGSL);
    this.layernormParamsBackward = new Kernel(device, 'layernorm_params_backward', LAYERNORM_PARAMS_BACKWARD_WGSL);
    this.geluForward = new Kernel(device, 'gelu_forward', GELU_FORWARD_WGSL);
    this.geluBackward = new Kernel(device, 'gelu_backward', GELU_BACKWARD_WGSL);
    this.reluForward = new Kernel(device, 'relu_forward', RELU_FORWARD_WGSL);
    this.reluBackward = new Kernel(device, 'relu_backward', RELU_BACKWARD_WGSL);
    this.crossentropy = new Kernel(device, 'crossentropy', CROSSENTROPY_WGSL);
    this.rowMean = new Kernel(device, 'row_mean', ROW_MEAN_WGSL);
    this.adamw = new Kernel(device, 'adamw', ADAMW_WGSL);
    this.attentionForward = new Kernel(device, 'attention_forward', ATTENTION_FORWARD_WGSL);
    this.attentionBackward = new Kernel(device, 'attention_backward', ATTENTION_BACKWARD_WGSL);
    this.embedForward = new Kernel(device, 'embed_forward', EMBED_FORWARD_WGSL);
    this.embedBackward = new Kernel(device, 'embed_backward', EMBED_BACKWARD_WGSL);
    this.add = new Kernel(device, 'add', ADD_WGSL);
    this.lastPosition = new Kernel(device, 'last_position', LAST_POSITION_WGSL);
  }
}

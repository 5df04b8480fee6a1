#include "engine_model.h"

#include "engine_interrupt.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <utility>

#include "engine_gemm.h"

namespace grokcheck {

namespace {

constexpr int kEvalChunk = 1024;          // examples per forward pass in evaluate()
constexpr int kMaxDimension = 1 << 16;

// Visits the parameters in the canonical order of src/model/params.ts (paramSpecs): visit(name, size, slot),
// where slot is the field of `t` that points at the tensor. The one place that knows the order.
template <typename Visit>
void for_each_param(const ModelShape& s, ModelTensors& t, Visit&& visit) {
  const long D = s.d_model, F = s.d_mlp;
  t.blocks.resize(s.n_layers);
  visit("embed.W_E", long(s.vocab) * D, &t.W_E);
  visit("embed.W_pos", kPositions * D, &t.W_pos);
  for (int l = 0; l < s.n_layers; l++) {
    const std::string b = "blocks." + std::to_string(l) + ".";
    BlockTensors& k = t.blocks[l];
    // Tensors a switch removes (model.md "Model switches") are not visited and stay nullptr.
    if (s.has_attention()) {
      if (s.layernorm) {
        visit(b + "ln1.w", D, &k.ln1_w);
        visit(b + "ln1.b", D, &k.ln1_b);
      }
      const std::pair<const char*, float**> qkvo[] = {{"Q", &k.W_Q}, {"K", &k.W_K}, {"V", &k.W_V}, {"O", &k.W_O}};
      float** biases[] = {&k.b_Q, &k.b_K, &k.b_V, &k.b_O};
      for (int m = 0; m < 4; m++) {
        visit(b + "attn.W_" + qkvo[m].first, D * D, qkvo[m].second);
        if (s.attn_bias) visit(b + "attn.b_" + qkvo[m].first, D, biases[m]);
      }
    }
    if (s.has_mlp()) {
      if (s.layernorm) {
        visit(b + "ln2.w", D, &k.ln2_w);
        visit(b + "ln2.b", D, &k.ln2_b);
      }
      visit(b + "mlp.W_in", D * F, &k.W_in);
      visit(b + "mlp.b_in", F, &k.b_in);
      visit(b + "mlp.W_out", F * D, &k.W_out);
      visit(b + "mlp.b_out", D, &k.b_out);
    }
  }
  if (s.layernorm) {
    visit("ln_f.w", D, &t.lnf_w);
    visit("ln_f.b", D, &t.lnf_b);
  }
  visit("unembed.W_U", D * s.classes, &t.W_U);
  if (s.unembed_bias) visit("unembed.b_U", long(s.classes), &t.b_U);
}

ModelTensors bind_tensors(const ModelShape& s, float* base) {
  ModelTensors t;
  long offset = 0;
  for_each_param(s, t, [&](const std::string&, long size, float** slot) {
    *slot = base + offset;
    offset += size;
  });
  return t;
}

const char* site_name(SiteKind k) {
  return k == SiteKind::MlpPre ? "mlp.pre" : k == SiteKind::MlpPost ? "mlp.post" : k == SiteKind::ResidMid ? "resid.mid" : "attn.out";
}

}  // namespace

std::string check_shape(const ModelShape& s) {
  const std::pair<const char*, int> dims[] = {{"vocab", s.vocab},     {"classes", s.classes}, {"d_model", s.d_model},
                                              {"n_heads", s.n_heads}, {"d_mlp", s.d_mlp},     {"n_layers", s.n_layers}};
  for (const auto& [name, value] : dims)
    if (value < 1 || value > kMaxDimension)
      return std::string(name) + " must be an integer in [1, " + std::to_string(kMaxDimension) + "], got " +
             std::to_string(value);
  if (s.d_model % s.n_heads != 0) return "d_model must be divisible by n_heads";
  return "";
}

std::string check_optimizer(const OptimizerSettings& o) {
  if (!(o.lr > 0)) return "lr must be positive";
  if (!(o.beta1 >= 0 && o.beta1 < 1)) return "beta1 must be in [0, 1)";
  if (!(o.beta2 >= 0 && o.beta2 < 1)) return "beta2 must be in [0, 1)";
  if (!(o.eps > 0)) return "eps must be positive";
  if (!(o.weight_decay >= 0)) return "weight_decay must be >= 0";
  if (o.warmup_steps < 0) return "warmup_steps must be >= 0";
  return "";
}

std::vector<ParamEntry> param_layout(const ModelShape& shape) {
  std::vector<ParamEntry> entries;
  ModelTensors unused;
  long offset = 0;
  for_each_param(shape, unused, [&](const std::string& name, long size, float**) {
    entries.push_back({name, offset, size});
    offset += size;
  });
  return entries;
}

Model::Model(const ModelShape& shape, const OptimizerSettings& opt, int threads, Denormals denormals)
    : shape_(shape), opt_(opt), pool_(threads, denormals), step_tuner_(threads), eval_tuner_(threads), layout_(param_layout(shape)) {
  for (const auto& e : layout_) param_count_ += e.size;
  params_.assign(param_count_, 0.0f);
  grads_.assign(param_count_, 0.0f);
  adam_m_.assign(param_count_, 0.0f);
  adam_v_.assign(param_count_, 0.0f);
  P_ = bind_tensors(shape_, params_.data());
  G_ = bind_tensors(shape_, grads_.data());
  // Positions each block's output must carry: walk back from the logits, which need position 2 only; an
  // attention block needs all three at its input.
  acts_.resize(shape_.n_layers);
  unsigned needed = 1u << 2;
  for (int l = shape_.n_layers - 1; l >= 0; l--) {
    acts_[l].positions_out = needed;
    if (shape_.has_attention()) needed = 0b111;
  }
  const long D = shape_.d_model, F = shape_.d_mlp;
  if (shape_.has_attention()) {
    wt_qkv_.ensure(3 * D * D);
    wt_o_.ensure(D * D);
  }
  if (shape_.has_mlp()) {
    wt_in_.ensure(F * D);
    wt_out_.ensure(D * F);
  }
  wt_u_.ensure(long(shape_.classes) * D);
}

void Model::ensure_capacity(int n) {
  if (n <= capacity_) return;
  capacity_ = n;
  // Every tensor is sized for one row per example and position, the most any RowSet holds.
  const long N = n, rows = N * kPositions, D = shape_.d_model, F = shape_.d_mlp, H = shape_.n_heads, C = shape_.classes;
  x0_.ensure(rows * D);
  for (auto& a : acts_) {
    if (shape_.has_attention()) {
      a.ln1.ensure(rows * D);
      a.ln1_mean.ensure(rows);
      a.ln1_rstd.ensure(rows);
      a.qkv.ensure(rows * 3 * D);
      a.probs.ensure(N * H * kPositions * kPositions);
      a.att.ensure(rows * D);
      a.attn_out.ensure(rows * D);
      a.x_mid.ensure(rows * D);
    }
    if (shape_.has_mlp()) {
      a.ln2.ensure(rows * D);
      a.ln2_mean.ensure(rows);
      a.ln2_rstd.ensure(rows);
      a.pre.ensure(rows * F);
      a.gate.ensure(rows * F);
      a.post.ensure(rows * F);
      a.x_out.ensure(rows * D);
    }
  }
  lnf_.ensure(N * D);
  lnf_mean_.ensure(N);
  lnf_rstd_.ensure(N);
  logits_.ensure(N * C);
  example_logits_.ensure(N * C);
  dlogits_.ensure(N * C);
  dlogits_rows_.ensure(N * C);
  losses_f32_.ensure(N);
  losses_.resize(N);
  correct_.resize(N);
  dres_a_.ensure(rows * D);
  dres_b_.ensure(rows * D);
  dln_.ensure(rows * D);
  if (shape_.has_attention()) {
    dqkv_.ensure(rows * 3 * D);
    dqkv_examples_.ensure(rows * 3 * D);
    datt_.ensure(rows * D);
  }
  if (shape_.has_mlp()) dhidden_.ensure(rows * F);
}

void Model::plan_rows(const int32_t* tokens, int n, bool keyed) {
  for (int l = 0; l < shape_.n_layers; l++) {
    BlockActivations& a = acts_[l];
    if (l == 0) {
      const unsigned positions_in = shape_.has_attention() ? 0b111u : a.positions_out;
      a.in = token_rows(tokens, n, positions_in, shape_.vocab, keyed);
    } else {
      a.in = acts_[l - 1].out;
    }
    // Attention makes positions 1 and 2 depend on the whole example; without it the rows stay as they are.
    a.out = shape_.has_attention() ? stream_rows(a.in, n, a.positions_out) : a.in;
  }
}

// ------------------------------------------------------------------------------------------------ checks

std::string Model::check_batch(const int32_t* tokens, long n_tokens, const int32_t* labels, long n_labels) const {
  if (n_tokens % kPositions != 0)
    return "tokens must hold 3 values per example ([a, b, separator]), got length " + std::to_string(n_tokens);
  const long n = n_tokens / kPositions;
  if (n < 1) return "the batch is empty";
  if (n_labels != n)
    return "labels has length " + std::to_string(n_labels) + " but tokens hold " + std::to_string(n) + " examples";
  for (long i = 0; i < n_tokens; i++)
    if (tokens[i] < 0 || tokens[i] >= shape_.vocab)
      return "token " + std::to_string(tokens[i]) + " at index " + std::to_string(i) + " is outside [0, vocab = " +
             std::to_string(shape_.vocab) + ")";
  for (long i = 0; i < n; i++)
    if (labels[i] < 0 || labels[i] >= shape_.classes)
      return "label " + std::to_string(labels[i]) + " at index " + std::to_string(i) + " is outside [0, classes = " +
             std::to_string(shape_.classes) + ")";
  return "";
}

std::string Model::check_eval(const EvalOptions& o) const {
  const auto layer_ok = [&](int l) { return l >= 0 && l < shape_.n_layers; };
  const std::string layers = " (the model has " + std::to_string(shape_.n_layers) + " blocks)";
  for (const Site& s : o.captures) {
    if (!layer_ok(s.layer)) return "capture site block" + std::to_string(s.layer) + " does not exist" + layers;
    const bool mlp_site = s.kind == SiteKind::MlpPre || s.kind == SiteKind::MlpPost;
    if (mlp_site && !shape_.has_mlp())
      return std::string("capture site block") + std::to_string(s.layer) + "." + site_name(s.kind) +
             ": this model variant has no MLP";
    if (s.kind == SiteKind::AttnOut && !shape_.has_attention())
      return "capture site block" + std::to_string(s.layer) + ".attn.out: this model variant has no attention";
  }
  if (o.override_layer != -1) {
    if (!layer_ok(o.override_layer)) return "override block " + std::to_string(o.override_layer) + " does not exist" + layers;
    if (!shape_.has_mlp()) return "override needs an MLP, and this model variant has none";
    if (!o.override_values) return "override values are missing";
  }
  for (const Component& c : o.zero) {
    if (!layer_ok(c.layer)) return "zeroed component in block " + std::to_string(c.layer) + " does not exist" + layers;
    if (c.kind == ComponentKind::Attn && !shape_.has_attention()) return "cannot zero attention: this model variant has none";
    if (c.kind == ComponentKind::Mlp && !shape_.has_mlp()) return "cannot zero the MLP: this model variant has none";
  }
  return "";
}

// ------------------------------------------------------------------------------------------------ forward

bool Model::zeroed(const ForwardHooks& hooks, int layer, ComponentKind kind) const {
  if (!hooks.options) return false;
  for (const Component& c : hooks.options->zero)
    if (c.layer == layer && c.kind == kind) return true;
  return false;
}

void Model::forward(const int32_t* tokens, int n, const ForwardHooks& hooks) {
  const int D = shape_.d_model;
  const bool override = hooks.options && hooks.options->override_layer >= 0;
  plan_rows(tokens, n, !override);
  embedding_forward(pool_, x0_.ptr(), acts_[0].in, P_.W_E, P_.W_pos, D);
  for (int l = 0; l < shape_.n_layers; l++) block_forward(l, n, hooks);
  // The last block's output holds position 2 only.
  unembed_forward(acts_.back().x_out_ptr, acts_.back().out.total);
}

void Model::unembed_forward(const float* x, int rows) {
  const int D = shape_.d_model, C = shape_.classes;
  unembed_in_ptr_ = x;
  if (shape_.layernorm) {
    layernorm_forward(pool_, lnf_.ptr(), lnf_mean_.ptr(), lnf_rstd_.ptr(), x, P_.lnf_w, P_.lnf_b, rows, D);
    unembed_in_ptr_ = lnf_.ptr();
  }
  matmul_forward(pool_, logits_.ptr(), C, unembed_in_ptr_, D, P_.W_U, P_.b_U, rows, D, C);
}

void Model::block_forward(int l, int n, const ForwardHooks& hooks) {
  BlockActivations& a = acts_[l];
  const BlockTensors& w = P_.blocks[l];
  const int D = shape_.d_model, F = shape_.d_mlp;
  const RowSet &in = a.in, &out = a.out;
  a.x_in_ptr = l == 0 ? x0_.ptr() : acts_[l - 1].x_out_ptr;
  a.x_mid_ptr = a.x_in_ptr;
  if (shape_.has_attention()) {
    const long ld = 3L * D;  // qkv row: Q | K | V
    float* qkv = a.qkv.ptr();
    a.attn_in_ptr = a.x_in_ptr;
    if (shape_.layernorm) {
      layernorm_forward(pool_, a.ln1.ptr(), a.ln1_mean.ptr(), a.ln1_rstd.ptr(), a.x_in_ptr, w.ln1_w, w.ln1_b, in.total, D);
      a.attn_in_ptr = a.ln1.ptr();
    }
    matmul_forward(pool_, qkv + D, ld, a.attn_in_ptr, D, w.W_K, w.b_K, in.total, D, D);
    matmul_forward(pool_, qkv + 2 * D, ld, a.attn_in_ptr, D, w.W_V, w.b_V, in.total, D, D);
    // Q only where queries are asked: positions 1 and 2 of the output (position 0 attends to itself alone).
    const int q_begin = in.span_begin(out.pos[1].present() ? 1 : 2), q_end = in.span_end(2);
    matmul_forward(pool_, qkv + q_begin * ld, ld, a.attn_in_ptr + long(q_begin) * D, D, w.W_Q, w.b_Q, q_end - q_begin, D, D);
    attention_forward(pool_, a.att.ptr(), a.probs.ptr(), qkv, in, out, n, D, shape_.n_heads);
    matmul_forward(pool_, a.attn_out.ptr(), D, a.att.ptr(), D, w.W_O, w.b_O, out.total, D, D);
    if (zeroed(hooks, l, ComponentKind::Attn)) std::fill_n(a.attn_out.ptr(), long(out.total) * D, 0.0f);
    residual_forward(pool_, a.x_mid.ptr(), a.x_in_ptr, a.attn_out.ptr(), in, out, D);
    a.x_mid_ptr = a.x_mid.ptr();
  }
  a.x_out_ptr = a.x_mid_ptr;
  if (shape_.has_mlp()) {
    const long rows = out.total;
    a.mlp_in_ptr = a.x_mid_ptr;
    if (shape_.layernorm) {
      layernorm_forward(pool_, a.ln2.ptr(), a.ln2_mean.ptr(), a.ln2_rstd.ptr(), a.x_mid_ptr, w.ln2_w, w.ln2_b, rows, D);
      a.mlp_in_ptr = a.ln2.ptr();
    }
    matmul_forward(pool_, a.pre.ptr(), F, a.mlp_in_ptr, D, w.W_in, w.b_in, rows, D, F);
    if (shape_.act == Activation::Relu) relu_forward(pool_, a.post.ptr(), a.pre.ptr(), rows * F);
    else gelu_forward(pool_, a.post.ptr(), a.gate.ptr(), a.pre.ptr(), rows * F);
    const EvalOptions* o = hooks.options;
    if (o && o->override_layer == l) {
      // Replace each example's hidden at position 2 (rows are per example: plan_rows was told).
      for (int b = 0; b < n; b++)
        std::memcpy(a.post.ptr() + long(out.pos[2].row(b)) * F, o->override_values + (hooks.first_row + b) * F,
                    sizeof(float) * F);
    }
    float* x_out = a.x_out.ptr();
    if (zeroed(hooks, l, ComponentKind::Mlp)) {
      std::memcpy(x_out, a.x_mid_ptr, sizeof(float) * rows * D);
    } else {
      matmul_forward(pool_, x_out, D, a.post.ptr(), F, w.W_out, w.b_out, rows, F, D);
      residual_add(pool_, x_out, a.x_mid_ptr, x_out, rows * D);  // x + mlp(x)
    }
    a.x_out_ptr = x_out;
  }
}

const float* Model::example_logits(int n) {
  const PositionRows& last = acts_.back().out.pos[2];
  if (!last.keyed) return logits_.ptr();
  const int C = shape_.classes;
  for (int b = 0; b < n; b++)
    std::memcpy(example_logits_.ptr() + long(b) * C, logits_.ptr() + long(last.row(b)) * C, sizeof(float) * C);
  return example_logits_.ptr();
}

void Model::example_losses(const float* logits, const int32_t* labels, int n) {
  if (shape_.loss_f64) {
    crossentropy_forward_f64(pool_, losses_.data(), correct_.data(), logits, labels, n, shape_.classes);
    return;
  }
  crossentropy_forward(pool_, losses_f32_.ptr(), correct_.data(), logits, labels, n, shape_.classes);
  for (int r = 0; r < n; r++) losses_[r] = losses_f32_.ptr()[r];
}

void Model::loss_backward(const float* logits, const int32_t* labels, int n) {
  if (shape_.loss_f64) crossentropy_backward_f64(pool_, dlogits_.ptr(), logits, labels, n, shape_.classes);
  else crossentropy_backward(pool_, dlogits_.ptr(), logits, labels, n, shape_.classes);
}

double Model::batch_loss(const int32_t* labels, int n) {
  example_losses(example_logits(n), labels, n);
  double sum = 0.0;
  for (int r = 0; r < n; r++) sum += losses_[r];  // example order, whatever the thread count
  return sum / n;
}

// ------------------------------------------------------------------------------------------------ backward

void Model::backward(int n) {
  const int D = shape_.d_model, C = shape_.classes;
  // d loss / d logits per example (dlogits_) summed into the logits rows.
  const PositionRows& last = acts_.back().out.pos[2];
  const int rows = acts_.back().out.total;
  const float* dlogits = dlogits_.ptr();
  if (last.keyed) {
    sum_into_rows(pool_, dlogits_rows_.ptr(), C, last, dlogits_.ptr(), C, C, false);
    dlogits = dlogits_rows_.ptr();
  }
  transpose(pool_, wt_u_.ptr(), P_.W_U, D, C, C);
  matmul_backward_weights(pool_, G_.W_U, G_.b_U, dlogits, C, unembed_in_ptr_, D, rows, D, C);
  Buffer* dres = &dres_a_;
  Buffer* spare = &dres_b_;
  if (shape_.layernorm) {
    matmul_backward_input(pool_, dln_.ptr(), D, dlogits, C, wt_u_.ptr(), rows, D, C, false);
    std::fill_n(dres->ptr(), long(rows) * D, 0.0f);
    layernorm_backward(pool_, dres->ptr(), G_.lnf_w, G_.lnf_b, dln_.ptr(), acts_.back().x_out_ptr, lnf_mean_.ptr(),
                       lnf_rstd_.ptr(), P_.lnf_w, rows, D);
  } else {
    // logits = x W_U: d x = dlogits W_U^T.
    matmul_backward_input(pool_, dres->ptr(), D, dlogits, C, wt_u_.ptr(), rows, D, C, false);
  }
  for (int l = shape_.n_layers - 1; l >= 0; l--) block_backward(l, n, dres, spare);
  embedding_backward(pool_, G_.W_E, G_.W_pos, dres->ptr(), acts_[0].in, shape_.vocab, D);
}

void Model::block_backward(int l, int n, Buffer*& dres, Buffer*& spare) {
  BlockActivations& a = acts_[l];
  const BlockTensors& w = P_.blocks[l];
  const BlockTensors& g = G_.blocks[l];
  const int D = shape_.d_model, F = shape_.d_mlp;
  const RowSet &in = a.in, &out = a.out;
  if (shape_.has_mlp()) {
    // x_out = x_mid + act(LN2(x_mid) W_in + b_in) W_out + b_out (LN2 the identity without LayerNorm)
    const int rows = out.total;
    float* dh = dhidden_.ptr();
    transpose(pool_, wt_out_.ptr(), w.W_out, F, D, D);
    matmul_backward_weights(pool_, g.W_out, g.b_out, dres->ptr(), D, a.post.ptr(), F, rows, F, D);
    matmul_backward_input(pool_, dh, F, dres->ptr(), D, wt_out_.ptr(), rows, F, D, false);
    if (shape_.act == Activation::Relu) relu_backward(pool_, dh, dh, a.pre.ptr(), long(rows) * F);
    else gelu_backward(pool_, dh, dh, a.pre.ptr(), a.gate.ptr(), long(rows) * F);
    transpose(pool_, wt_in_.ptr(), w.W_in, D, F, F);
    matmul_backward_weights(pool_, g.W_in, g.b_in, dh, F, a.mlp_in_ptr, D, rows, D, F);
    if (shape_.layernorm) {
      matmul_backward_input(pool_, dln_.ptr(), D, dh, F, wt_in_.ptr(), rows, D, F, false);
      layernorm_backward(pool_, dres->ptr(), g.ln2_w, g.ln2_b, dln_.ptr(), a.x_mid_ptr, a.ln2_mean.ptr(), a.ln2_rstd.ptr(),
                         w.ln2_w, rows, D);
    } else {
      matmul_backward_input(pool_, dres->ptr(), D, dh, F, wt_in_.ptr(), rows, D, F, true);  // d x_mid += dh W_in^T
    }
  }
  if (shape_.has_attention()) {
    // x_mid = x_in + attention(LN1(x_in)) W_O + b_O
    const long ld = 3L * D;
    float* dqkv = dqkv_.ptr();
    transpose(pool_, wt_o_.ptr(), w.W_O, D, D, D);
    matmul_backward_weights(pool_, g.W_O, g.b_O, dres->ptr(), D, a.att.ptr(), D, out.total, D, D);
    matmul_backward_input(pool_, datt_.ptr(), D, dres->ptr(), D, wt_o_.ptr(), out.total, D, D, false);
    attention_backward(pool_, dqkv, dqkv_examples_.ptr(), datt_.ptr(), a.qkv.ptr(), a.probs.ptr(), in, out, n, D,
                       shape_.n_heads);
    matmul_backward_weights(pool_, g.W_K, g.b_K, dqkv + D, ld, a.attn_in_ptr, D, in.total, D, D);
    matmul_backward_weights(pool_, g.W_V, g.b_V, dqkv + 2 * D, ld, a.attn_in_ptr, D, in.total, D, D);
    const int q_begin = in.span_begin(out.pos[1].present() ? 1 : 2), q_end = in.span_end(2);
    matmul_backward_weights(pool_, g.W_Q, g.b_Q, dqkv + q_begin * ld, ld, a.attn_in_ptr + long(q_begin) * D, D,
                            q_end - q_begin, D, D);
    // W_Q^T, W_K^T, W_V^T stacked: [3D, D]. d LN1 = dK W_K^T + dV W_V^T on every row, + dQ W_Q^T on the query rows.
    float* wt = wt_qkv_.ptr();
    transpose(pool_, wt, w.W_Q, D, D, D);
    transpose(pool_, wt + long(D) * D, w.W_K, D, D, D);
    transpose(pool_, wt + 2L * D * D, w.W_V, D, D, D);
    matmul_backward_input(pool_, dln_.ptr(), D, dqkv + D, ld, wt + long(D) * D, in.total, D, 2 * D, false);
    matmul_backward_input(pool_, dln_.ptr() + long(q_begin) * D, D, dqkv + q_begin * ld, ld, wt, q_end - q_begin, D, D, true);
    // d x_in = (d x_mid carried back to the input rows) + LN1's backward (+ d LN1 itself without LayerNorm).
    residual_backward(pool_, spare->ptr(), dres->ptr(), in, out, D);
    std::swap(dres, spare);
    if (shape_.layernorm)
      layernorm_backward(pool_, dres->ptr(), g.ln1_w, g.ln1_b, dln_.ptr(), a.x_in_ptr, a.ln1_mean.ptr(), a.ln1_rstd.ptr(),
                         w.ln1_w, in.total, D);
    else
      residual_add(pool_, dres->ptr(), dres->ptr(), dln_.ptr(), long(in.total) * D);
  }
}

// ------------------------------------------------------------------------------------------------ operations

double Model::compute_gradients(const int32_t* tokens, const int32_t* labels, int n) {
  ensure_capacity(n);
  forward(tokens, n, ForwardHooks{});
  const double loss = batch_loss(labels, n);
  loss_backward(example_logits(n), labels, n);
  std::fill(grads_.begin(), grads_.end(), 0.0f);
  backward(n);
  return loss;
}

double Model::train_step(const int32_t* tokens, const int32_t* labels, int n) {
  pool_.set_parallel(step_tuner_.parallel_next());
  const auto start = std::chrono::steady_clock::now();
  const double loss = compute_gradients(tokens, labels, n);
  step_ += 1;
  // Warm-up: the k-th update (k = step_) uses lr * min((k - 1) / N, 1), in double as PyTorch's LambdaLR.
  const double lr = opt_.warmup_steps > 0 ? opt_.lr * std::min(double(step_ - 1) / double(opt_.warmup_steps), 1.0) : opt_.lr;
  adamw_update(pool_, params_.data(), adam_m_.data(), adam_v_.data(), grads_.data(), param_count_,
               {lr, opt_.beta1, opt_.beta2, opt_.eps, opt_.weight_decay, long(step_)});
  step_tuner_.record(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() / n);
  return loss;
}

EvalSummary Model::evaluate(const int32_t* tokens, const int32_t* labels, long n, const EvalOptions& options) {
  const int chunk = int(std::min<long>(n, std::max(capacity_, kEvalChunk)));
  ensure_capacity(chunk);
  const int C = shape_.classes;
  double loss_sum = 0.0;
  long correct = 0;
  for (long start = 0; start < n; start += chunk) {
    if (InterruptWatch::interrupted()) throw Interrupted{InterruptWatch::signal_received()};
    const int rows = int(std::min<long>(chunk, n - start));
    pool_.set_parallel(eval_tuner_.parallel_next());
    const auto started = std::chrono::steady_clock::now();
    forward(tokens + start * kPositions, rows, ForwardHooks{&options, start});
    const float* logits = example_logits(rows);
    example_losses(logits, labels + start, rows);
    for (int r = 0; r < rows; r++) {
      loss_sum += losses_[r];
      correct += correct_[r];
    }
    if (options.logits_out) std::memcpy(options.logits_out + start * C, logits, sizeof(float) * rows * C);
    for (size_t i = 0; i < options.captures.size(); i++) {
      const Site& s = options.captures[i];
      BlockActivations& a = acts_[s.layer];
      const int width = s.kind == SiteKind::AttnOut || s.kind == SiteKind::ResidMid ? shape_.d_model : shape_.d_mlp;
      const float* src = s.kind == SiteKind::MlpPre    ? a.pre.ptr()
                         : s.kind == SiteKind::MlpPost ? a.post.ptr()
                         : s.kind == SiteKind::ResidMid ? a.x_mid_ptr
                                                        : a.attn_out.ptr();
      for (int b = 0; b < rows; b++)
        std::memcpy(options.capture_out[i] + (start + b) * width, src + long(a.out.pos[2].row(b)) * width,
                    sizeof(float) * width);
    }
    eval_tuner_.record(std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count() / rows);
  }
  return {loss_sum / double(n), double(correct) / double(n)};
}

EvalSummary Model::evaluate_tail(const float* residual, const float* hidden, const int32_t* labels, long n, float* logits_out) {
  const int chunk = int(std::min<long>(n, std::max(capacity_, kEvalChunk)));
  ensure_capacity(chunk);
  const int D = shape_.d_model, F = shape_.d_mlp, C = shape_.classes;
  const BlockTensors& w = P_.blocks.back();
  float* x_out = acts_.back().x_out.ptr();
  double loss_sum = 0.0;
  long correct = 0;
  for (long start = 0; start < n; start += chunk) {
    if (InterruptWatch::interrupted()) throw Interrupted{InterruptWatch::signal_received()};
    const int rows = int(std::min<long>(chunk, n - start));
    // As block_forward's MLP, then forward's final LayerNorm and unembedding.
    matmul_forward(pool_, x_out, D, hidden + start * F, F, w.W_out, w.b_out, rows, F, D);
    residual_add(pool_, x_out, residual + start * D, x_out, long(rows) * D);  // x + mlp(x)
    unembed_forward(x_out, rows);
    example_losses(logits_.ptr(), labels + start, rows);
    for (int r = 0; r < rows; r++) {
      loss_sum += losses_[r];
      correct += correct_[r];
    }
    if (logits_out) std::memcpy(logits_out + start * C, logits_.ptr(), sizeof(float) * rows * C);
  }
  return {loss_sum / double(n), double(correct) / double(n)};
}

}  // namespace grokcheck

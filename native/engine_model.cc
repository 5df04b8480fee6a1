#include "engine_model.h"

#include <algorithm>
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
  visit("embed.W_pos", kSequence * D, &t.W_pos);
  for (int l = 0; l < s.n_layers; l++) {
    const std::string b = "blocks." + std::to_string(l) + ".";
    BlockTensors& k = t.blocks[l];
    if (s.has_attention()) {
      visit(b + "ln1.w", D, &k.ln1_w);
      visit(b + "ln1.b", D, &k.ln1_b);
      visit(b + "attn.W_Q", D * D, &k.W_Q);
      visit(b + "attn.b_Q", D, &k.b_Q);
      visit(b + "attn.W_K", D * D, &k.W_K);
      visit(b + "attn.b_K", D, &k.b_K);
      visit(b + "attn.W_V", D * D, &k.W_V);
      visit(b + "attn.b_V", D, &k.b_V);
      visit(b + "attn.W_O", D * D, &k.W_O);
      visit(b + "attn.b_O", D, &k.b_O);
    }
    if (s.has_mlp()) {
      visit(b + "ln2.w", D, &k.ln2_w);
      visit(b + "ln2.b", D, &k.ln2_b);
      visit(b + "mlp.W_in", D * F, &k.W_in);
      visit(b + "mlp.b_in", F, &k.b_in);
      visit(b + "mlp.W_out", F * D, &k.W_out);
      visit(b + "mlp.b_out", D, &k.b_out);
    }
  }
  visit("ln_f.w", D, &t.lnf_w);
  visit("ln_f.b", D, &t.lnf_b);
  visit("unembed.W_U", D * s.classes, &t.W_U);
  visit("unembed.b_U", long(s.classes), &t.b_U);
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
  return k == SiteKind::MlpPre ? "mlp.pre" : k == SiteKind::MlpPost ? "mlp.post" : "attn.out";
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

Model::Model(const ModelShape& shape, const OptimizerSettings& opt, int threads)
    : shape_(shape), opt_(opt), pool_(threads), layout_(param_layout(shape)) {
  for (const auto& e : layout_) param_count_ += e.size;
  params_.assign(param_count_, 0.0f);
  grads_.assign(param_count_, 0.0f);
  adam_m_.assign(param_count_, 0.0f);
  adam_v_.assign(param_count_, 0.0f);
  P_ = bind_tensors(shape_, params_.data());
  G_ = bind_tensors(shape_, grads_.data());
  // Position sets (header comment): walk back from the logits, which need position 2 only.
  acts_.resize(shape_.n_layers);
  int positions = 1;
  for (int l = shape_.n_layers - 1; l >= 0; l--) {
    acts_[l].p_out = positions;
    acts_[l].p_in = shape_.has_attention() ? kSequence : positions;
    positions = acts_[l].p_in;
  }
  p_embed_ = positions;
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
  const long N = n, D = shape_.d_model, F = shape_.d_mlp, H = shape_.n_heads, C = shape_.classes;
  x0_.ensure(N * p_embed_ * D);
  for (auto& a : acts_) {
    const long rin = N * a.p_in, rout = N * a.p_out;
    if (shape_.has_attention()) {
      a.ln1.ensure(rin * D);
      a.ln1_mean.ensure(rin);
      a.ln1_rstd.ensure(rin);
      a.qkv.ensure(N * kSequence * 3 * D);
      a.probs.ensure(N * H * kSequence * kSequence);
      a.att.ensure(rout * D);
      a.attn_out.ensure(rout * D);
      a.x_mid.ensure(rout * D);
    }
    if (shape_.has_mlp()) {
      a.ln2.ensure(rout * D);
      a.ln2_mean.ensure(rout);
      a.ln2_rstd.ensure(rout);
      a.pre.ensure(rout * F);
      a.post.ensure(rout * F);
      a.x_out.ensure(rout * D);
    }
  }
  lnf_.ensure(N * D);
  lnf_mean_.ensure(N);
  lnf_rstd_.ensure(N);
  logits_.ensure(N * C);
  dlogits_.ensure(N * C);
  losses_.ensure(N);
  correct_.resize(N);
  const long rows = N * kSequence;
  dres_a_.ensure(rows * D);
  dres_b_.ensure(rows * D);
  dln_.ensure(rows * D);
  if (shape_.has_attention()) {
    dqkv_.ensure(rows * 3 * D);
    datt_.ensure(rows * D);
  }
  if (shape_.has_mlp()) dhidden_.ensure(rows * F);
}

// ------------------------------------------------------------------------------------------------ checks

std::string Model::check_batch(const int32_t* tokens, long n_tokens, const int32_t* labels, long n_labels) const {
  if (n_tokens % kSequence != 0)
    return "tokens must hold 3 values per example ([a, b, separator]), got length " + std::to_string(n_tokens);
  const long n = n_tokens / kSequence;
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

std::string Model::check_eval(const EvalOptions& o, long) const {
  const auto layer_ok = [&](int l) { return l >= 0 && l < shape_.n_layers; };
  const std::string layers = " (the model has " + std::to_string(shape_.n_layers) + " blocks)";
  for (const Site& s : o.captures) {
    if (!layer_ok(s.layer)) return "capture site block" + std::to_string(s.layer) + " does not exist" + layers;
    const bool mlp_site = s.kind != SiteKind::AttnOut;
    if (mlp_site && !shape_.has_mlp())
      return std::string("capture site block") + std::to_string(s.layer) + "." + site_name(s.kind) +
             ": this model variant has no MLP";
    if (!mlp_site && !shape_.has_attention())
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
  const int D = shape_.d_model, C = shape_.classes;
  embedding_forward(pool_, x0_.ptr(), tokens, n, p_embed_, P_.W_E, P_.W_pos, D);
  for (int l = 0; l < shape_.n_layers; l++) block_forward(l, n, hooks);
  // The last block carries position 2 only: x_out is [n, D].
  layernorm_forward(pool_, lnf_.ptr(), lnf_mean_.ptr(), lnf_rstd_.ptr(), acts_.back().x_out_ptr, P_.lnf_w, P_.lnf_b, n, D);
  matmul_forward(pool_, logits_.ptr(), C, lnf_.ptr(), D, P_.W_U, P_.b_U, n, D, C);
}

void Model::block_forward(int l, int n, const ForwardHooks& hooks) {
  BlockActivations& a = acts_[l];
  const BlockTensors& w = P_.blocks[l];
  const int D = shape_.d_model, F = shape_.d_mlp;
  const int rows_in = n * a.p_in, rows_out = n * a.p_out;
  a.x_in_ptr = l == 0 ? x0_.ptr() : acts_[l - 1].x_out_ptr;
  a.x_mid_ptr = a.x_in_ptr;
  if (shape_.has_attention()) {
    const long ld = 3L * D;  // qkv row: Q | K | V
    float* qkv = a.qkv.ptr();
    layernorm_forward(pool_, a.ln1.ptr(), a.ln1_mean.ptr(), a.ln1_rstd.ptr(), a.x_in_ptr, w.ln1_w, w.ln1_b, rows_in, D);
    matmul_forward(pool_, qkv + D, ld, a.ln1.ptr(), D, w.W_K, w.b_K, rows_in, D, D);
    matmul_forward(pool_, qkv + 2 * D, ld, a.ln1.ptr(), D, w.W_V, w.b_V, rows_in, D, D);
    // Q at the query positions only: every row, or every third row starting at position 2.
    const int q_first = kSequence - a.p_out, q_step = a.p_out == kSequence ? 1 : kSequence;
    matmul_forward(pool_, qkv + q_first * ld, ld * q_step, a.ln1.ptr() + long(q_first) * D, long(D) * q_step, w.W_Q, w.b_Q,
                   n * a.p_out, D, D);
    attention_forward(pool_, a.att.ptr(), a.probs.ptr(), qkv, n, a.p_out, D, shape_.n_heads);
    matmul_forward(pool_, a.attn_out.ptr(), D, a.att.ptr(), D, w.W_O, w.b_O, rows_out, D, D);
    if (zeroed(hooks, l, ComponentKind::Attn)) std::fill_n(a.attn_out.ptr(), long(rows_out) * D, 0.0f);
    residual_forward(pool_, a.x_mid.ptr(), a.x_in_ptr, a.p_in, a.attn_out.ptr(), a.p_out, n, D);
    a.x_mid_ptr = a.x_mid.ptr();
  }
  a.x_out_ptr = a.x_mid_ptr;
  if (shape_.has_mlp()) {
    layernorm_forward(pool_, a.ln2.ptr(), a.ln2_mean.ptr(), a.ln2_rstd.ptr(), a.x_mid_ptr, w.ln2_w, w.ln2_b, rows_out, D);
    matmul_forward(pool_, a.pre.ptr(), F, a.ln2.ptr(), D, w.W_in, w.b_in, rows_out, D, F);
    gelu_forward(pool_, a.post.ptr(), a.pre.ptr(), long(rows_out) * F);
    const EvalOptions* o = hooks.options;
    if (o && o->override_layer == l) {
      // Replace the hidden at position 2 (the last row of each example) by the given values.
      for (int b = 0; b < n; b++)
        std::memcpy(a.post.ptr() + (long(b) * a.p_out + a.p_out - 1) * F, o->override_values + (hooks.first_row + b) * F,
                    sizeof(float) * F);
    }
    float* x_out = a.x_out.ptr();
    if (zeroed(hooks, l, ComponentKind::Mlp)) {
      std::memcpy(x_out, a.x_mid_ptr, sizeof(float) * rows_out * D);
    } else {
      matmul_forward(pool_, x_out, D, a.post.ptr(), F, w.W_out, w.b_out, rows_out, F, D);
      residual_forward(pool_, x_out, a.x_mid_ptr, a.p_out, x_out, a.p_out, n, D);  // x + mlp(x)
    }
    a.x_out_ptr = x_out;
  }
}

double Model::batch_loss(const int32_t* labels, int n) {
  crossentropy_forward(pool_, losses_.ptr(), correct_.data(), logits_.ptr(), labels, n, shape_.classes);
  double sum = 0.0;
  for (int r = 0; r < n; r++) sum += losses_.ptr()[r];  // row order, whatever the thread count
  return sum / n;
}

// ------------------------------------------------------------------------------------------------ backward

void Model::backward(const int32_t* tokens, int n) {
  const int D = shape_.d_model, C = shape_.classes;
  transpose(pool_, wt_u_.ptr(), P_.W_U, D, C, C);
  matmul_backward_weights(pool_, G_.W_U, G_.b_U, dlogits_.ptr(), C, lnf_.ptr(), D, n, D, C);
  matmul_backward_input(pool_, dln_.ptr(), D, dlogits_.ptr(), C, wt_u_.ptr(), n, D, C, false);
  Buffer* dres = &dres_a_;
  Buffer* spare = &dres_b_;
  std::fill_n(dres->ptr(), long(n) * D, 0.0f);
  layernorm_backward(pool_, dres->ptr(), G_.lnf_w, G_.lnf_b, dln_.ptr(), acts_.back().x_out_ptr, lnf_mean_.ptr(),
                     lnf_rstd_.ptr(), P_.lnf_w, n, D);
  for (int l = shape_.n_layers - 1; l >= 0; l--) block_backward(l, n, dres, spare);
  embedding_backward(pool_, G_.W_E, G_.W_pos, dres->ptr(), tokens, n, p_embed_, shape_.vocab, D);
}

void Model::block_backward(int l, int n, Buffer*& dres, Buffer*& spare) {
  BlockActivations& a = acts_[l];
  const BlockTensors& w = P_.blocks[l];
  const BlockTensors& g = G_.blocks[l];
  const int D = shape_.d_model, F = shape_.d_mlp;
  const int rows_in = n * a.p_in, rows_out = n * a.p_out;
  if (shape_.has_mlp()) {
    // x_out = x_mid + GELU(LN2(x_mid) W_in + b_in) W_out + b_out
    float* dh = dhidden_.ptr();
    transpose(pool_, wt_out_.ptr(), w.W_out, F, D, D);
    matmul_backward_weights(pool_, g.W_out, g.b_out, dres->ptr(), D, a.post.ptr(), F, rows_out, F, D);
    matmul_backward_input(pool_, dh, F, dres->ptr(), D, wt_out_.ptr(), rows_out, F, D, false);
    gelu_backward(pool_, dh, dh, a.pre.ptr(), long(rows_out) * F);
    transpose(pool_, wt_in_.ptr(), w.W_in, D, F, F);
    matmul_backward_weights(pool_, g.W_in, g.b_in, dh, F, a.ln2.ptr(), D, rows_out, D, F);
    matmul_backward_input(pool_, dln_.ptr(), D, dh, F, wt_in_.ptr(), rows_out, D, F, false);
    layernorm_backward(pool_, dres->ptr(), g.ln2_w, g.ln2_b, dln_.ptr(), a.x_mid_ptr, a.ln2_mean.ptr(), a.ln2_rstd.ptr(),
                       w.ln2_w, rows_out, D);
  }
  if (shape_.has_attention()) {
    // x_mid = x_in + attention(LN1(x_in)) W_O + b_O
    const long ld = 3L * D;
    float* dqkv = dqkv_.ptr();
    transpose(pool_, wt_o_.ptr(), w.W_O, D, D, D);
    matmul_backward_weights(pool_, g.W_O, g.b_O, dres->ptr(), D, a.att.ptr(), D, rows_out, D, D);
    matmul_backward_input(pool_, datt_.ptr(), D, dres->ptr(), D, wt_o_.ptr(), rows_out, D, D, false);
    attention_backward(pool_, dqkv, datt_.ptr(), a.qkv.ptr(), a.probs.ptr(), n, a.p_out, D, shape_.n_heads);
    matmul_backward_weights(pool_, g.W_K, g.b_K, dqkv + D, ld, a.ln1.ptr(), D, rows_in, D, D);
    matmul_backward_weights(pool_, g.W_V, g.b_V, dqkv + 2 * D, ld, a.ln1.ptr(), D, rows_in, D, D);
    const int q_first = kSequence - a.p_out, q_step = a.p_out == kSequence ? 1 : kSequence;
    matmul_backward_weights(pool_, g.W_Q, g.b_Q, dqkv + q_first * ld, ld * q_step, a.ln1.ptr() + long(q_first) * D,
                            long(D) * q_step, n * a.p_out, D, D);
    // W_Q^T, W_K^T, W_V^T stacked: [3D, D], so that d LN1 = dqkv @ stack.
    float* wt = wt_qkv_.ptr();
    transpose(pool_, wt, w.W_Q, D, D, D);
    transpose(pool_, wt + long(D) * D, w.W_K, D, D, D);
    transpose(pool_, wt + 2L * D * D, w.W_V, D, D, D);
    if (a.p_out == kSequence) {
      matmul_backward_input(pool_, dln_.ptr(), D, dqkv, ld, wt, rows_in, D, 3 * D, false);
    } else {
      matmul_backward_input(pool_, dln_.ptr(), D, dqkv + D, ld, wt + long(D) * D, rows_in, D, 2 * D, false);
      matmul_backward_input(pool_, dln_.ptr() + q_first * long(D), long(D) * q_step, dqkv + q_first * ld, ld * q_step, wt,
                            n * a.p_out, D, D, true);
    }
    if (a.p_in != a.p_out) {
      residual_backward_scatter(pool_, spare->ptr(), a.p_in, dres->ptr(), a.p_out, n, D);
      std::swap(dres, spare);
    }
    layernorm_backward(pool_, dres->ptr(), g.ln1_w, g.ln1_b, dln_.ptr(), a.x_in_ptr, a.ln1_mean.ptr(), a.ln1_rstd.ptr(),
                       w.ln1_w, rows_in, D);
  }
}

// ------------------------------------------------------------------------------------------------ operations

double Model::compute_gradients(const int32_t* tokens, const int32_t* labels, int n) {
  ensure_capacity(n);
  forward(tokens, n, ForwardHooks{});
  const double loss = batch_loss(labels, n);
  crossentropy_backward(pool_, dlogits_.ptr(), logits_.ptr(), labels, n, shape_.classes);
  std::fill(grads_.begin(), grads_.end(), 0.0f);
  backward(tokens, n);
  return loss;
}

double Model::train_step(const int32_t* tokens, const int32_t* labels, int n) {
  const double loss = compute_gradients(tokens, labels, n);
  step_ += 1;
  adamw_update(pool_, params_.data(), adam_m_.data(), adam_v_.data(), grads_.data(), param_count_,
               {opt_.lr, opt_.beta1, opt_.beta2, opt_.eps, opt_.weight_decay, long(step_)});
  return loss;
}

EvalSummary Model::evaluate(const int32_t* tokens, const int32_t* labels, long n, const EvalOptions& options) {
  const int chunk = int(std::min<long>(n, std::max(capacity_, kEvalChunk)));
  ensure_capacity(chunk);
  const int C = shape_.classes;
  double loss_sum = 0.0;
  long correct = 0;
  for (long start = 0; start < n; start += chunk) {
    const int rows = int(std::min<long>(chunk, n - start));
    forward(tokens + start * kSequence, rows, ForwardHooks{&options, start});
    crossentropy_forward(pool_, losses_.ptr(), correct_.data(), logits_.ptr(), labels + start, rows, C);
    for (int r = 0; r < rows; r++) {
      loss_sum += losses_.ptr()[r];
      correct += correct_[r];
    }
    if (options.logits_out) std::memcpy(options.logits_out + start * C, logits_.ptr(), sizeof(float) * rows * C);
    for (size_t i = 0; i < options.captures.size(); i++) {
      const Site& s = options.captures[i];
      BlockActivations& a = acts_[s.layer];
      const int width = s.kind == SiteKind::AttnOut ? shape_.d_model : shape_.d_mlp;
      const float* src = s.kind == SiteKind::MlpPre ? a.pre.ptr() : s.kind == SiteKind::MlpPost ? a.post.ptr() : a.attn_out.ptr();
      for (int b = 0; b < rows; b++)
        std::memcpy(options.capture_out[i] + (start + b) * width, src + (long(b) * a.p_out + a.p_out - 1) * width,
                    sizeof(float) * width);
    }
  }
  return {loss_sum / double(n), double(correct) / double(n)};
}

}  // namespace grokcheck

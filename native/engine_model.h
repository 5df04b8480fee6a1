// The model of shared/spec/model.md ("Forward"), its parameters, AdamW state and activation buffers, and
// the three operations built on the layers of engine_layers.h: a training step, gradients, an evaluation.
//
// Work is done only on rows that can matter, and only once per distinct value (engine_rows.h):
//  - only the last position feeds the logits, so the residual stream after block l carries all 3 positions only
//    while a later block has attention (which mixes positions), else position 2 alone: in the last block K and V
//    are computed at every position but Q, attention, W_O and the MLP at position 2 only;
//  - rows that depend on one token only (everything before the first attention, and position 0 throughout) are
//    computed once per distinct token.
// This computes the same function as the full model at about half of its work.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "engine_layers.h"
#include "engine_pool.h"
#include "engine_rows.h"

namespace grokcheck {

enum class Variant { Standard, AttnOnly, MlpOnly };
enum class Activation { Gelu, Relu };

// The model of shared/spec/model.md with its switches ("Model switches"); the defaults are the circuit-sync model.
struct ModelShape {
  int vocab, classes, d_model, n_heads, d_mlp, n_layers;
  Variant variant;
  bool layernorm = true;                 // norm: 'none' removes ln1, ln2, ln_f and their parameters
  Activation act = Activation::Gelu;     // the MLP's nonlinearity
  bool attn_bias = true;                 // false: no b_Q, b_K, b_V, b_O
  bool unembed_bias = true;              // false: no b_U
  bool loss_f64 = false;                 // loss_precision: 'f64' (log-softmax, loss and dlogits in double)
  bool has_attention() const { return variant != Variant::MlpOnly; }
  bool has_mlp() const { return variant != Variant::AttnOnly; }
};

// Returns "" when the shape is usable, else what is wrong with it.
std::string check_shape(const ModelShape& shape);

struct OptimizerSettings {
  double lr, beta1, beta2, eps, weight_decay;
  long warmup_steps = 0;  // the k-th update uses lr * min((k - 1) / warmup_steps, 1) (PyTorch's LambdaLR)
};
std::string check_optimizer(const OptimizerSettings& opt);

// One parameter tensor in the flat buffer, in the canonical order of src/model/params.ts (paramSpecs).
struct ParamEntry {
  std::string name;
  long offset, size;
};
std::vector<ParamEntry> param_layout(const ModelShape& shape);

// Pointers to the named tensors inside one flat buffer laid out by param_layout (parameters, gradients and
// both Adam moments share the layout). Tensors a variant lacks stay nullptr.
struct BlockTensors {
  float *ln1_w = nullptr, *ln1_b = nullptr, *W_Q = nullptr, *b_Q = nullptr, *W_K = nullptr, *b_K = nullptr,
        *W_V = nullptr, *b_V = nullptr, *W_O = nullptr, *b_O = nullptr;
  float *ln2_w = nullptr, *ln2_b = nullptr, *W_in = nullptr, *b_in = nullptr, *W_out = nullptr, *b_out = nullptr;
};
struct ModelTensors {
  float *W_E = nullptr, *W_pos = nullptr;
  std::vector<BlockTensors> blocks;
  float *lnf_w = nullptr, *lnf_b = nullptr, *W_U = nullptr, *b_U = nullptr;
};

// ResidMid: the residual stream entering block l's MLP (x + attention output), what evaluate_tail starts from.
enum class SiteKind { MlpPre = 0, MlpPost = 1, AttnOut = 2, ResidMid = 3 };
enum class ComponentKind { Attn = 0, Mlp = 1 };

struct Site {
  int layer;
  SiteKind kind;
};
struct Component {
  int layer;
  ComponentKind kind;
};

struct EvalOptions {
  std::vector<Site> captures;
  std::vector<float*> capture_out;  // one [N, units] output per capture
  int override_layer = -1;          // block whose MLP hidden (post-GELU) at position 2 is replaced, or -1
  const float* override_values = nullptr;  // [N, d_mlp]
  std::vector<Component> zero;
  float* logits_out = nullptr;  // [N, classes] or nullptr
};

struct EvalSummary {
  double loss;  // mean cross-entropy
  double accuracy;
};

class Model {
 public:
  // `denormals`: the floating-point mode of every thread of this model's arithmetic (engine_fpmode.h).
  Model(const ModelShape& shape, const OptimizerSettings& opt, int threads, Denormals denormals);

  const ModelShape& shape() const { return shape_; }
  int threads() const { return pool_.threads(); }
  Denormals denormals() const { return pool_.denormals(); }
  long param_count() const { return param_count_; }
  const std::vector<ParamEntry>& layout() const { return layout_; }
  float* params() { return params_.data(); }
  float* adam_m() { return adam_m_.data(); }
  float* adam_v() { return adam_v_.data(); }
  const float* grads() const { return grads_.data(); }
  int64_t step() const { return step_; }
  void set_step(int64_t step) { step_ = step; }
  void set_optimizer(const OptimizerSettings& opt) { opt_ = opt; }

  // Checks a batch (n >= 1, tokens in [0, vocab), labels in [0, classes)); "" when valid.
  std::string check_batch(const int32_t* tokens, long n_tokens, const int32_t* labels, long n_labels) const;
  std::string check_eval(const EvalOptions& options) const;

  // One AdamW step on the batch; returns the mean loss of the batch before the update.
  double train_step(const int32_t* tokens, const int32_t* labels, int n);
  // Loss and gradients (into grads()) at the current parameters; changes no parameter.
  double compute_gradients(const int32_t* tokens, const int32_t* labels, int n);
  // Forward pass over any number of examples, in chunks.
  // The last block's end from its MLP hidden at the last position: x_out = residual + hidden @ W_out + b_out,
  // logits = LN_f(x_out) @ W_U + b_U, cross-entropy against labels; the same kernels and order as the full
  // forward pass, so that an override evaluated this way gives the same bits as evaluate() with that override.
  // residual: [n, d_model] (a ResidMid capture of the last block), hidden: [n, d_mlp].
  EvalSummary evaluate_tail(const float* residual, const float* hidden, const int32_t* labels, long n, float* logits_out);
  EvalSummary evaluate(const int32_t* tokens, const int32_t* labels, long n, const EvalOptions& options);

 private:
  struct Buffer {
    std::vector<float> data;
    float* ptr() { return data.data(); }
    void ensure(long size) {
      if (long(data.size()) < size) data.resize(size);
    }
  };
  // Activations of one block for the current batch, on the rows `in` (block input) and `out` (block output).
  struct BlockActivations {
    unsigned positions_out = 0;  // positions the block's output must carry (bit t: position t)
    RowSet in, out;
    Buffer ln1, ln1_mean, ln1_rstd, qkv, probs, att, attn_out, x_mid, ln2, ln2_mean, ln2_rstd, pre, gate, post, x_out;
    const float* x_in_ptr = nullptr;   // residual stream entering the block, on `in`
    const float* attn_in_ptr = nullptr;  // what attention reads: LN1(x_in), or x_in itself without LayerNorm
    const float* mlp_in_ptr = nullptr;   // what the MLP reads: LN2(x_mid), or x_mid
    const float* x_mid_ptr = nullptr;  // after attention, on `out`
    const float* x_out_ptr = nullptr;  // after the MLP, on `out`
  };
  struct ForwardHooks {
    const EvalOptions* options = nullptr;
    long first_row = 0;  // offset of this chunk in the options' [N, ...] arrays
  };

  void ensure_capacity(int n);
  // Sets the RowSets of every block for this batch; `keyed` = share rows between examples (off when an
  // override gives each example its own values).
  void plan_rows(const int32_t* tokens, int n, bool keyed);
  void forward(const int32_t* tokens, int n, const ForwardHooks& hooks);
  void block_forward(int l, int n, const ForwardHooks& hooks);
  // Fills grads_ from the per-example dlogits of the current batch.
  void backward(int n);
  // Takes d(residual after block l) in `dres` (on its `out` rows) and leaves d(residual before block l) (on its
  // `in` rows) in `dres` (the two residual-gradient buffers are swapped when the rows change).
  void block_backward(int l, int n, Buffer*& dres, Buffer*& spare);
  // Per-example logits of the last forward pass ([n, classes]): the logits rows themselves when every example
  // has its own row, else gathered.
  const float* example_logits(int n);
  double batch_loss(const int32_t* labels, int n);
  // Per-example cross-entropy (into losses_, as double) and correctness (into correct_), in float or double as
  // the model's loss precision says.
  void example_losses(const float* logits, const int32_t* labels, int n);
  // d(mean loss)/dlogits of the per-example logits (into dlogits_), in the model's loss precision.
  void loss_backward(const float* logits, const int32_t* labels, int n);
  // The final LayerNorm (or nothing without LayerNorm) and the unembedding of `rows` rows of x.
  void unembed_forward(const float* x, int rows);
  bool zeroed(const ForwardHooks& hooks, int layer, ComponentKind kind) const;

  ModelShape shape_;
  OptimizerSettings opt_;
  ThreadPool pool_;
  // Whether training steps and evaluation chunks run on all threads or alone (engine_pool.h).
  ThreadTuner step_tuner_, eval_tuner_;
  std::vector<ParamEntry> layout_;
  long param_count_ = 0;
  std::vector<float> params_, grads_, adam_m_, adam_v_;
  ModelTensors P_, G_;  // views of params_ and grads_
  int64_t step_ = 0;

  int capacity_ = 0;  // examples the buffers hold
  Buffer x0_;         // embedding output, on acts_[0].in
  std::vector<BlockActivations> acts_;
  // Final LayerNorm and logits on the last block's output rows; per-example logits, losses and gradients.
  Buffer lnf_, lnf_mean_, lnf_rstd_, logits_, example_logits_, losses_f32_, dlogits_, dlogits_rows_;
  const float* unembed_in_ptr_ = nullptr;  // what the unembedding read: LN_f(x), or x without LayerNorm
  std::vector<double> losses_;
  std::vector<uint8_t> correct_;
  // Backward scratch: residual gradients (ping-pong), gradients of LayerNorm outputs, of qkv, of the attention
  // output, of the MLP hidden, and the transposed weights of the current layer.
  Buffer dres_a_, dres_b_, dln_, dqkv_, dqkv_examples_, datt_, dhidden_, wt_qkv_, wt_o_, wt_in_, wt_out_, wt_u_;
};

}  // namespace grokcheck

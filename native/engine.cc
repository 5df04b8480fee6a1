// N-API binding of the training engine (engine_model.h): the class `NativeEngine` that src/engine/native.ts
// wraps into the Engine interface of src/engine/engine.ts.
//
//   new NativeEngine(model, optimizer, params: Float32Array[] (canonical order), threads)
//   layout() -> [{name, size}]                                     the canonical parameter order, for checking
//   info() -> {threads, simd}
//   trainStep(tokens: Int32Array, labels: Int32Array) -> loss
//   gradients(tokens, labels) -> {loss, grads: Float32Array (all parameters, canonical order)}
//   evaluate(tokens, labels, {captures: [layer, kind][], override: {layer, values} | null,
//            zero: [layer, kind][], logits: boolean}) -> {loss, accuracy, logits?, captures: Float32Array[]}
//   getState() -> {params, adamM, adamV: Float32Array (flat), step}
//   setState(params, adamM, adamV: Float32Array (flat), step)
//   setOptimizer(optimizer); dispose()
// Site kinds: 0 = mlp.pre, 1 = mlp.post, 2 = attn.out. Component kinds: 0 = attn, 1 = mlp.
// Every bad argument becomes a JS exception (C++ exceptions are off in node-addon-api here).
#include <napi.h>

#include <cmath>
#include <cstring>
#include <memory>
#include <new>
#include <string>

#include "engine_interrupt.h"
#include "engine_model.h"
#include "engine_simd.h"

namespace grokcheck {
namespace {

constexpr long kMaxTrainBatch = 1L << 22;

Napi::Value fail(Napi::Env env, const std::string& message) {
  Napi::Error::New(env, message).ThrowAsJavaScriptException();
  return env.Undefined();
}

// Reads an integer-valued number property; "" on success.
std::string read_int(const Napi::Object& obj, const char* key, int* out) {
  const Napi::Value v = obj.Get(key);
  if (!v.IsNumber()) return std::string(key) + " must be a number";
  const double d = v.As<Napi::Number>().DoubleValue();
  if (!(std::floor(d) == d) || std::fabs(d) > 2147483647.0) return std::string(key) + " must be an integer";
  *out = int(d);
  return "";
}

std::string read_double(const Napi::Object& obj, const char* key, double* out) {
  const Napi::Value v = obj.Get(key);
  if (!v.IsNumber()) return std::string(key) + " must be a number";
  *out = v.As<Napi::Number>().DoubleValue();
  if (!std::isfinite(*out)) return std::string(key) + " must be finite";
  return "";
}

// Reads an optional string property that must be one of `names`; sets *index to its position, or leaves it
// (the default) when the property is absent. "" on success.
std::string read_choice(const Napi::Object& obj, const char* key, std::initializer_list<const char*> names, int* index) {
  const Napi::Value v = obj.Get(key);
  if (v.IsUndefined()) return "";
  const std::string name = v.IsString() ? v.As<Napi::String>().Utf8Value() : "";
  int i = 0;
  for (const char* n : names) {
    if (name == n) {
      *index = i;
      return "";
    }
    i++;
  }
  std::string list;
  for (const char* n : names) list += (list.empty() ? "'" : ", '") + std::string(n) + "'";
  return std::string(key) + " must be one of " + list;
}

std::string read_bool(const Napi::Object& obj, const char* key, bool* out) {
  const Napi::Value v = obj.Get(key);
  if (v.IsUndefined()) return "";
  if (!v.IsBoolean()) return std::string(key) + " must be a boolean";
  *out = v.As<Napi::Boolean>().Value();
  return "";
}

// The model switches of model.md ("Model switches"); an absent switch keeps its default. `init` only chooses
// the initial parameters, which the engine is given.
std::string read_switches(const Napi::Object& o, ModelShape* s) {
  int norm = s->layernorm ? 0 : 1, act = s->act == Activation::Gelu ? 0 : 1, precision = s->loss_f64 ? 1 : 0;
  std::string err;
  if (!(err = read_choice(o, "norm", {"layernorm", "none"}, &norm)).empty() ||
      !(err = read_choice(o, "act", {"gelu", "relu"}, &act)).empty() ||
      !(err = read_choice(o, "loss_precision", {"f32", "f64"}, &precision)).empty() ||
      !(err = read_bool(o, "attn_bias", &s->attn_bias)).empty() ||
      !(err = read_bool(o, "unembed_bias", &s->unembed_bias)).empty())
    return err;
  s->layernorm = norm == 0;
  s->act = act == 0 ? Activation::Gelu : Activation::Relu;
  s->loss_f64 = precision == 1;
  return "";
}

std::string read_shape(const Napi::Value& value, ModelShape* s) {
  if (!value.IsObject()) return "model config must be an object";
  const Napi::Object o = value.As<Napi::Object>();
  std::string err;
  if (!(err = read_int(o, "vocab", &s->vocab)).empty() || !(err = read_int(o, "classes", &s->classes)).empty() ||
      !(err = read_int(o, "d_model", &s->d_model)).empty() || !(err = read_int(o, "n_heads", &s->n_heads)).empty() ||
      !(err = read_int(o, "d_mlp", &s->d_mlp)).empty() || !(err = read_int(o, "n_layers", &s->n_layers)).empty())
    return "model config: " + err;
  const Napi::Value variant = o.Get("variant");
  const std::string name = variant.IsString() ? variant.As<Napi::String>().Utf8Value() : "";
  if (name == "standard") s->variant = Variant::Standard;
  else if (name == "attn_only") s->variant = Variant::AttnOnly;
  else if (name == "mlp_only") s->variant = Variant::MlpOnly;
  else return "model config: variant must be 'standard', 'attn_only' or 'mlp_only'";
  if (!(err = read_switches(o, s)).empty()) return "model config: " + err;
  err = check_shape(*s);
  return err.empty() ? "" : "model config: " + err;
}

std::string read_optimizer(const Napi::Value& value, OptimizerSettings* o) {
  if (!value.IsObject()) return "optimizer config must be an object";
  const Napi::Object obj = value.As<Napi::Object>();
  std::string err;
  if (!(err = read_double(obj, "lr", &o->lr)).empty() || !(err = read_double(obj, "beta1", &o->beta1)).empty() ||
      !(err = read_double(obj, "beta2", &o->beta2)).empty() || !(err = read_double(obj, "eps", &o->eps)).empty() ||
      !(err = read_double(obj, "weight_decay", &o->weight_decay)).empty())
    return "optimizer config: " + err;
  if (!obj.Get("warmup_steps").IsUndefined()) {
    int warmup = 0;
    if (!(err = read_int(obj, "warmup_steps", &warmup)).empty()) return "optimizer config: " + err;
    o->warmup_steps = warmup;
  }
  err = check_optimizer(*o);
  return err.empty() ? "" : "optimizer config: " + err;
}

bool is_typed(const Napi::Value& v, napi_typedarray_type type) {
  return v.IsTypedArray() && v.As<Napi::TypedArray>().TypedArrayType() == type;
}

Napi::Float32Array copy_out(Napi::Env env, const float* data, long n) {
  Napi::Float32Array out = Napi::Float32Array::New(env, size_t(n));
  if (n > 0) std::memcpy(out.Data(), data, sizeof(float) * n);
  return out;
}

// Reads [layer, kind] pairs.
template <typename T, typename Kind>
std::string read_pairs(const Napi::Value& value, const char* what, int max_kind, std::vector<T>* out) {
  if (value.IsUndefined() || value.IsNull()) return "";
  if (!value.IsArray()) return std::string(what) + " must be an array of [layer, kind] pairs";
  const Napi::Array arr = value.As<Napi::Array>();
  for (uint32_t i = 0; i < arr.Length(); i++) {
    const Napi::Value item = arr.Get(i);
    if (!item.IsArray() || item.As<Napi::Array>().Length() != 2) return std::string(what) + " must hold [layer, kind] pairs";
    const Napi::Array pair = item.As<Napi::Array>();
    const Napi::Value l = pair.Get(uint32_t(0)), k = pair.Get(uint32_t(1));
    if (!l.IsNumber() || !k.IsNumber()) return std::string(what) + " must hold numeric [layer, kind] pairs";
    const int kind = k.As<Napi::Number>().Int32Value();
    if (kind < 0 || kind > max_kind) return std::string(what) + ": unknown kind " + std::to_string(kind);
    out->push_back(T{l.As<Napi::Number>().Int32Value(), Kind(kind)});
  }
  return "";
}

class EngineHandle : public Napi::ObjectWrap<EngineHandle> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "NativeEngine",
                       {InstanceMethod("layout", &EngineHandle::Layout), InstanceMethod("info", &EngineHandle::Info),
                        InstanceMethod("trainStep", &EngineHandle::TrainStep),
                        InstanceMethod("gradients", &EngineHandle::Gradients),
                        InstanceMethod("evaluate", &EngineHandle::Evaluate),
                        InstanceMethod("evaluateTail", &EngineHandle::EvaluateTail),
                        InstanceMethod("getState", &EngineHandle::GetState),
                        InstanceMethod("setState", &EngineHandle::SetState),
                        InstanceMethod("setOptimizer", &EngineHandle::SetOptimizer),
                        InstanceMethod("dispose", &EngineHandle::Dispose)});
  }

  explicit EngineHandle(const Napi::CallbackInfo& info) : Napi::ObjectWrap<EngineHandle>(info) {
    Napi::Env env = info.Env();
    ModelShape shape{};
    OptimizerSettings opt{};
    std::string err = read_shape(info[0], &shape);
    if (err.empty()) err = read_optimizer(info[1], &opt);
    if (!err.empty()) {
      fail(env, err);
      return;
    }
    if (!info[3].IsNumber() || info[3].As<Napi::Number>().Int32Value() < 1 || info[3].As<Napi::Number>().Int32Value() > 1024) {
      fail(env, "threads must be an integer in [1, 1024]");
      return;
    }
    const int threads = info[3].As<Napi::Number>().Int32Value();
    const std::string mode = info[4].IsString() ? info[4].As<Napi::String>().Utf8Value() : "";
    if (mode != "flush" && mode != "keep") {
      fail(env, "denormals must be 'flush' or 'keep'");
      return;
    }
    const Denormals denormals = mode == "flush" ? Denormals::Flush : Denormals::Keep;
    const std::vector<ParamEntry> layout = param_layout(shape);
    if (!info[2].IsArray() || info[2].As<Napi::Array>().Length() != layout.size()) {
      fail(env, "params must be an array of " + std::to_string(layout.size()) + " Float32Arrays in canonical order");
      return;
    }
    const Napi::Array params = info[2].As<Napi::Array>();
    for (uint32_t i = 0; i < layout.size(); i++) {
      const Napi::Value p = params.Get(i);
      if (!is_typed(p, napi_float32_array)) {
        fail(env, "parameter " + layout[i].name + " must be a Float32Array");
        return;
      }
      if (long(p.As<Napi::Float32Array>().ElementLength()) != layout[i].size) {
        fail(env, "parameter " + layout[i].name + " must have " + std::to_string(layout[i].size) + " values, got " +
                      std::to_string(p.As<Napi::Float32Array>().ElementLength()));
        return;
      }
    }
    try {
      model_ = std::make_unique<Model>(shape, opt, threads, denormals);
    } catch (const std::exception& e) {
      fail(env, std::string("cannot create the native engine: ") + e.what());
      return;
    }
    for (uint32_t i = 0; i < layout.size(); i++) {
      const Napi::Float32Array p = params.Get(i).As<Napi::Float32Array>();
      std::memcpy(model_->params() + layout[i].offset, p.Data(), sizeof(float) * layout[i].size);
    }
  }

 private:
  // The model, or a pending JS exception when the engine was disposed.
  Model* live(Napi::Env env) {
    if (!model_) fail(env, "the native engine has been disposed");
    return model_.get();
  }

  // Validates (tokens, labels) arguments; on success sets the pointers and the example count.
  bool read_batch(const Napi::CallbackInfo& info, const int32_t** tokens, const int32_t** labels, long* n) {
    Napi::Env env = info.Env();
    if (!is_typed(info[0], napi_int32_array) || !is_typed(info[1], napi_int32_array)) {
      fail(env, "tokens and labels must be Int32Arrays");
      return false;
    }
    const Napi::Int32Array t = info[0].As<Napi::Int32Array>(), y = info[1].As<Napi::Int32Array>();
    const std::string err = model_->check_batch(t.Data(), long(t.ElementLength()), y.Data(), long(y.ElementLength()));
    if (!err.empty()) {
      fail(env, err);
      return false;
    }
    *tokens = t.Data();
    *labels = y.Data();
    *n = long(y.ElementLength());
    return true;
  }

  Napi::Value Layout(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    Model* m = live(env);
    if (!m) return env.Undefined();
    Napi::Array out = Napi::Array::New(env, m->layout().size());
    for (uint32_t i = 0; i < m->layout().size(); i++) {
      Napi::Object e = Napi::Object::New(env);
      e.Set("name", m->layout()[i].name);
      e.Set("size", double(m->layout()[i].size));
      out.Set(i, e);
    }
    return out;
  }

  Napi::Value Info(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    Model* m = live(env);
    if (!m) return env.Undefined();
    Napi::Object out = Napi::Object::New(env);
    out.Set("threads", m->threads());
    out.Set("simd", GROKCHECK_SIMD_NAME);
    out.Set("denormals", denormals_name(m->denormals()));
    return out;
  }

  Napi::Value TrainStep(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    Model* m = live(env);
    const int32_t *tokens, *labels;
    long n;
    if (!m || !read_batch(info, &tokens, &labels, &n)) return env.Undefined();
    if (n > kMaxTrainBatch) return fail(env, "training batch too large: " + std::to_string(n) + " examples");
    const FloatModeScope mode(m->denormals());
    try {
      return Napi::Number::New(env, m->train_step(tokens, labels, int(n)));
    } catch (const std::bad_alloc&) {
      return fail(env, "out of memory for a batch of " + std::to_string(n) + " examples");
    }
  }

  Napi::Value Gradients(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    Model* m = live(env);
    const int32_t *tokens, *labels;
    long n;
    if (!m || !read_batch(info, &tokens, &labels, &n)) return env.Undefined();
    if (n > kMaxTrainBatch) return fail(env, "batch too large: " + std::to_string(n) + " examples");
    double loss;
    const FloatModeScope mode(m->denormals());
    try {
      loss = m->compute_gradients(tokens, labels, int(n));
    } catch (const std::bad_alloc&) {
      return fail(env, "out of memory for a batch of " + std::to_string(n) + " examples");
    }
    Napi::Object out = Napi::Object::New(env);
    out.Set("loss", loss);
    out.Set("grads", copy_out(env, m->grads(), m->param_count()));
    return out;
  }

  Napi::Value Evaluate(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    Model* m = live(env);
    const int32_t *tokens, *labels;
    long n;
    if (!m || !read_batch(info, &tokens, &labels, &n)) return env.Undefined();
    const Napi::Object req = info[2].IsObject() ? info[2].As<Napi::Object>() : Napi::Object::New(env);
    EvalOptions options;
    std::string err = read_pairs<Site, SiteKind>(req.Get("captures"), "captures", 3, &options.captures);
    if (err.empty()) err = read_pairs<Component, ComponentKind>(req.Get("zero"), "zero", 1, &options.zero);
    if (!err.empty()) return fail(env, err);
    const Napi::Value ov = req.Get("override");
    if (!ov.IsUndefined() && !ov.IsNull()) {
      if (!ov.IsObject()) return fail(env, "override must be {layer, values}");
      const Napi::Object o = ov.As<Napi::Object>();
      if (!o.Get("layer").IsNumber()) return fail(env, "override.layer must be a number");
      options.override_layer = o.Get("layer").As<Napi::Number>().Int32Value();
      const Napi::Value values = o.Get("values");
      if (!is_typed(values, napi_float32_array)) return fail(env, "override.values must be a Float32Array");
      const long expected = n * long(m->shape().d_mlp);
      if (long(values.As<Napi::Float32Array>().ElementLength()) != expected)
        return fail(env, "override.values must hold " + std::to_string(expected) + " values ([N = " + std::to_string(n) +
                             ", d_mlp = " + std::to_string(m->shape().d_mlp) + "]), got " +
                             std::to_string(values.As<Napi::Float32Array>().ElementLength()));
      options.override_values = values.As<Napi::Float32Array>().Data();
      if (options.override_layer == -1) return fail(env, "override.layer must be a block index");
    }
    err = m->check_eval(options);
    if (!err.empty()) return fail(env, err);
    // Outputs are allocated by JS and filled in place.
    std::vector<Napi::Float32Array> captures;
    for (const Site& s : options.captures) {
      const long width = s.kind == SiteKind::AttnOut || s.kind == SiteKind::ResidMid ? m->shape().d_model : m->shape().d_mlp;
      captures.push_back(Napi::Float32Array::New(env, size_t(n * width)));
      options.capture_out.push_back(captures.back().Data());
    }
    Napi::Float32Array logits;
    if (req.Get("logits").ToBoolean().Value()) {
      logits = Napi::Float32Array::New(env, size_t(n * m->shape().classes));
      options.logits_out = logits.Data();
    }
    EvalSummary summary;
    const FloatModeScope mode(m->denormals());
    try {
      const InterruptWatch watch;  // a grid evaluation at a large p takes minutes: let SIGINT/SIGTERM stop it
      summary = m->evaluate(tokens, labels, n, options);
    } catch (const std::bad_alloc&) {
      return fail(env, "out of memory evaluating " + std::to_string(n) + " examples");
    } catch (const Interrupted& i) {
      return fail(env, signal_name(i.signal));
    }
    Napi::Object out = Napi::Object::New(env);
    out.Set("loss", summary.loss);
    out.Set("accuracy", summary.accuracy);
    if (options.logits_out) out.Set("logits", logits);
    Napi::Array caps = Napi::Array::New(env, captures.size());
    for (uint32_t i = 0; i < captures.size(); i++) caps.Set(i, captures[i]);
    out.Set("captures", caps);
    return out;
  }

  // evaluateTail(residual, hidden, labels, {logits}): Model::evaluate_tail.
  Napi::Value EvaluateTail(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    Model* m = live(env);
    if (!m) return env.Undefined();
    if (!is_typed(info[0], napi_float32_array) || !is_typed(info[1], napi_float32_array) || !is_typed(info[2], napi_int32_array))
      return fail(env, "evaluateTail expects (residual: Float32Array, hidden: Float32Array, labels: Int32Array, options)");
    const Napi::Float32Array residual = info[0].As<Napi::Float32Array>(), hidden = info[1].As<Napi::Float32Array>();
    const Napi::Int32Array labels = info[2].As<Napi::Int32Array>();
    const long n = long(labels.ElementLength());
    const long D = m->shape().d_model, F = m->shape().d_mlp, C = m->shape().classes;
    if (!m->shape().has_mlp()) return fail(env, "evaluateTail needs an MLP in the last block, and this model variant has none");
    if (n < 1) return fail(env, "evaluateTail needs at least one row");
    if (long(residual.ElementLength()) != n * D)
      return fail(env, "residual must hold " + std::to_string(n * D) + " values ([N = " + std::to_string(n) + ", d_model = " + std::to_string(D) + "]), got " + std::to_string(residual.ElementLength()));
    if (long(hidden.ElementLength()) != n * F)
      return fail(env, "hidden must hold " + std::to_string(n * F) + " values ([N = " + std::to_string(n) + ", d_mlp = " + std::to_string(F) + "]), got " + std::to_string(hidden.ElementLength()));
    for (long i = 0; i < n; i++)
      if (labels.Data()[i] < 0 || labels.Data()[i] >= C)
        return fail(env, "label " + std::to_string(labels.Data()[i]) + " at index " + std::to_string(i) + " is outside [0, classes = " + std::to_string(C) + ")");
    const Napi::Object req = info[3].IsObject() ? info[3].As<Napi::Object>() : Napi::Object::New(env);
    Napi::Float32Array logits;
    float* logits_out = nullptr;
    if (req.Get("logits").ToBoolean().Value()) {
      logits = Napi::Float32Array::New(env, size_t(n * C));
      logits_out = logits.Data();
    }
    EvalSummary summary;
    const FloatModeScope mode(m->denormals());
    try {
      const InterruptWatch watch;
      summary = m->evaluate_tail(residual.Data(), hidden.Data(), labels.Data(), n, logits_out);
    } catch (const std::bad_alloc&) {
      return fail(env, "out of memory evaluating " + std::to_string(n) + " rows");
    } catch (const Interrupted& i) {
      return fail(env, signal_name(i.signal));
    }
    Napi::Object out = Napi::Object::New(env);
    out.Set("loss", summary.loss);
    out.Set("accuracy", summary.accuracy);
    if (logits_out) out.Set("logits", logits);
    return out;
  }

  Napi::Value GetState(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    Model* m = live(env);
    if (!m) return env.Undefined();
    Napi::Object out = Napi::Object::New(env);
    out.Set("params", copy_out(env, m->params(), m->param_count()));
    out.Set("adamM", copy_out(env, m->adam_m(), m->param_count()));
    out.Set("adamV", copy_out(env, m->adam_v(), m->param_count()));
    out.Set("step", double(m->step()));
    return out;
  }

  Napi::Value SetState(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    Model* m = live(env);
    if (!m) return env.Undefined();
    const char* names[] = {"params", "adamM", "adamV"};
    float* targets[] = {m->params(), m->adam_m(), m->adam_v()};
    for (int i = 0; i < 3; i++) {
      if (!is_typed(info[i], napi_float32_array)) return fail(env, std::string(names[i]) + " must be a Float32Array");
      if (long(info[i].As<Napi::Float32Array>().ElementLength()) != m->param_count())
        return fail(env, std::string(names[i]) + " must hold " + std::to_string(m->param_count()) + " values");
    }
    if (!info[3].IsNumber()) return fail(env, "step must be a number");
    const double step = info[3].As<Napi::Number>().DoubleValue();
    if (!(step >= 0) || std::floor(step) != step || step > 9007199254740991.0)
      return fail(env, "step must be a non-negative integer");
    for (int i = 0; i < 3; i++)
      std::memcpy(targets[i], info[i].As<Napi::Float32Array>().Data(), sizeof(float) * m->param_count());
    m->set_step(int64_t(step));
    return env.Undefined();
  }

  Napi::Value SetOptimizer(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    Model* m = live(env);
    if (!m) return env.Undefined();
    OptimizerSettings opt{};
    const std::string err = read_optimizer(info[0], &opt);
    if (!err.empty()) return fail(env, err);
    m->set_optimizer(opt);
    return env.Undefined();
  }

  Napi::Value Dispose(const Napi::CallbackInfo& info) {
    model_.reset();  // joins the worker threads and frees every buffer
    return info.Env().Undefined();
  }

  std::unique_ptr<Model> model_;
};

}  // namespace
}  // namespace grokcheck

Napi::Object RegisterEngine(Napi::Env env, Napi::Object exports) {
  exports.Set("NativeEngine", grokcheck::EngineHandle::Define(env));
  return exports;
}

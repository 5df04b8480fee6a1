// The one N-API module of grokcheck. Each part registers its functions on `exports`:
//   engine.cc  -> RegisterEngine   (the training engine of shared/spec/model.md)
//   fourier.cc -> RegisterFourier  (the FSD permutation-test kernel of shared/spec/metrics.md)
#include <napi.h>

Napi::Object RegisterEngine(Napi::Env env, Napi::Object exports);
Napi::Object RegisterFourier(Napi::Env env, Napi::Object exports);

static Napi::Object Init(Napi::Env env, Napi::Object exports) {
  RegisterEngine(env, exports);
  RegisterFourier(env, exports);
  return exports;
}

NODE_API_MODULE(grokcheck_native, Init)

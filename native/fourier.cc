// Placeholder until the Fourier kernel lands.
#include <napi.h>
Napi::Object RegisterFourier(Napi::Env env, Napi::Object exports) { return exports; }

// Placeholder until the native engine lands.
#include <napi.h>
Napi::Object RegisterEngine(Napi::Env env, Napi::Object exports) { return exports; }

{
  "targets": [
    {
      "target_name": "grokcheck_native",
      "sources": ["<!@(node -e \"console.log(require('fs').readdirSync('native').filter(f=>f.endsWith('.cc')).map(f=>'native/'+f).join(' '))\")"],
      "include_dirs": ["<!@(node -p \"require('node-addon-api').include\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_DISABLE_CPP_EXCEPTIONS"],
      "cflags!": ["-fno-exceptions", "-O2"],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti", "-O2"],
      "cflags_cc": ["-std=c++17", "-O3", "-march=native", "-fno-math-errno", "-pthread"],
      "ldflags": ["-pthread"]
    }
  ]
}

// base64Into (contract in base64.h). Encodes 3 input bytes to 4 output characters through a table of
// 4096 two-character pairs (each 12 bits of input -> 2 characters): one table read per 2 characters.
#include "base64.h"

#include <cstdint>
#include <cstring>

namespace pcap_addon {
namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

struct PairTable {
  uint8_t pairs[4096][2];
  PairTable() {
    for (int i = 0; i < 4096; i++) {
      pairs[i][0] = static_cast<uint8_t>(kAlphabet[i >> 6]);
      pairs[i][1] = static_cast<uint8_t>(kAlphabet[i & 63]);
    }
  }
};

const PairTable kTable;

size_t Encode(const uint8_t* in, size_t n, uint8_t* out) {
  uint8_t* o = out;
  size_t i = 0;
  for (; i + 3 <= n; i += 3) {
    const uint32_t v = (uint32_t(in[i]) << 16) | (uint32_t(in[i + 1]) << 8) | in[i + 2];
    std::memcpy(o, kTable.pairs[v >> 12], 2);
    std::memcpy(o + 2, kTable.pairs[v & 0xfff], 2);
    o += 4;
  }
  const size_t rest = n - i;
  if (rest == 1) {
    const uint32_t v = uint32_t(in[i]) << 16;
    o[0] = kAlphabet[v >> 18];
    o[1] = kAlphabet[(v >> 12) & 63];
    o[2] = '=';
    o[3] = '=';
    o += 4;
  } else if (rest == 2) {
    const uint32_t v = (uint32_t(in[i]) << 16) | (uint32_t(in[i + 1]) << 8);
    o[0] = kAlphabet[v >> 18];
    o[1] = kAlphabet[(v >> 12) & 63];
    o[2] = kAlphabet[(v >> 6) & 63];
    o[3] = '=';
    o += 4;
  }
  return static_cast<size_t>(o - out);
}

}  // namespace

Napi::Value Base64Into(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 3 || !info[0].IsTypedArray() || !info[1].IsTypedArray() || !info[2].IsNumber()) {
    Napi::TypeError::New(env, "base64Into(src, dst, dstOffset)").ThrowAsJavaScriptException();
    return env.Null();
  }
  Napi::TypedArray srcArr = info[0].As<Napi::TypedArray>();
  Napi::TypedArray dstArr = info[1].As<Napi::TypedArray>();
  if (srcArr.TypedArrayType() != napi_uint8_array || dstArr.TypedArrayType() != napi_uint8_array) {
    Napi::TypeError::New(env, "base64Into: expected two Uint8Arrays").ThrowAsJavaScriptException();
    return env.Null();
  }
  const Napi::Uint8Array src = srcArr.As<Napi::Uint8Array>();
  Napi::Uint8Array dst = dstArr.As<Napi::Uint8Array>();
  const double offset = info[2].As<Napi::Number>().DoubleValue();
  const size_t n = src.ElementLength();
  const size_t need = (n + 2) / 3 * 4;
  if (!(offset >= 0) || offset > static_cast<double>(dst.ElementLength()) ||
      need > dst.ElementLength() - static_cast<size_t>(offset)) {
    Napi::RangeError::New(env, "base64Into: the output does not fit at dstOffset").ThrowAsJavaScriptException();
    return env.Null();
  }
  const size_t written = Encode(src.Data(), n, dst.Data() + static_cast<size_t>(offset));
  return Napi::Number::New(env, static_cast<double>(written));
}

}  // namespace pcap_addon

// The JSON redaction pre-check's scan: "can any key of this body normalise to a redacted field name?".
// Same contract and same walk as documented in src/policy/json-key-filter.ts (that file builds the trie and
// states the soundness rule); this is only the per-byte part, where a C loop with memchr is several times
// faster than a Buffer.indexOf call per ':' from JS.
#include "json_keys.h"

#include <cstdint>
#include <cstring>

namespace pcap_addon {

namespace {

constexpr int kEdges = 128;
constexpr uint8_t kQuote = '"';
constexpr uint8_t kBackslash = '\\';
constexpr uint8_t kColon = ':';
constexpr uint8_t kDash = '-';
constexpr uint8_t kUnderscore = '_';
// Longest escape sequence after its backslash (`\uXXXX`).
constexpr int64_t kEscapeTail = 5;

inline bool IsJsonWs(uint8_t c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

struct Trie {
  const int32_t* next;
  size_t nextLength;
  const uint8_t* ends;
  size_t endsLength;
};

// `q` at the closing quote of a possible key: walks back towards its opening quote through the trie.
bool KeyMayMatch(const uint8_t* body, int64_t q, bool hasEscapes, const Trie& t, int64_t maxKeyBytes) {
  int64_t stop = q - 2 - maxKeyBytes;
  if (stop < -1) stop = -1;
  int32_t node = 0;
  for (int64_t k = q - 1; k > stop; k--) {
    uint8_t c = body[k];
    // An escaped quote is inside the key, and only a decoder can judge an escaped key.
    if (c == kQuote) return (k > 0 && body[k - 1] == kBackslash) || t.ends[node] == 1;
    if (c == kBackslash || c >= 0x80) return true;
    if (c == kDash || c == kUnderscore) continue;
    if (c >= 'A' && c <= 'Z') c = static_cast<uint8_t>(c + 32);
    size_t edge = static_cast<size_t>(node) * kEdges + c;
    int32_t child = edge < t.nextLength ? t.next[edge] : 0;
    if (child > 0 && static_cast<size_t>(child) < t.endsLength) {
      node = child;
      continue;
    }
    // No field name ends this way: the key cannot match, unless the byte is part of an escape.
    if (!hasEscapes) return false;
    for (int64_t e = k - 1; e >= 0 && e >= k - kEscapeTail; e--) {
      if (body[e] == kBackslash) return true;
    }
    return false;
  }
  return false;  // no opening quote within maxKeyBytes: the scanner skips such keys
}

}  // namespace

Napi::Value JsonKeysMayMatch(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 4 || !info[0].IsTypedArray() || !info[1].IsTypedArray() || !info[2].IsTypedArray() ||
      !info[3].IsNumber()) {
    Napi::TypeError::New(env, "jsonKeysMayMatch(body, next, ends, maxKeyBytes)").ThrowAsJavaScriptException();
    return env.Null();
  }
  Napi::TypedArray bodyArr = info[0].As<Napi::TypedArray>();
  Napi::TypedArray nextArr = info[1].As<Napi::TypedArray>();
  Napi::TypedArray endsArr = info[2].As<Napi::TypedArray>();
  if (bodyArr.TypedArrayType() != napi_uint8_array || nextArr.TypedArrayType() != napi_int32_array ||
      endsArr.TypedArrayType() != napi_uint8_array) {
    Napi::TypeError::New(env, "jsonKeysMayMatch: expected Uint8Array, Int32Array, Uint8Array").ThrowAsJavaScriptException();
    return env.Null();
  }
  const Napi::Uint8Array body = bodyArr.As<Napi::Uint8Array>();
  const Napi::Int32Array next = nextArr.As<Napi::Int32Array>();
  const Napi::Uint8Array ends = endsArr.As<Napi::Uint8Array>();
  const int64_t maxKeyBytes = info[3].As<Napi::Number>().Int64Value();
  const Trie trie{next.Data(), next.ElementLength(), ends.Data(), ends.ElementLength()};
  if (trie.endsLength == 0) return Napi::Boolean::New(env, false);

  const uint8_t* p = body.Data();
  const size_t n = body.ElementLength();
  const bool hasEscapes = n > 0 && std::memchr(p, kBackslash, n) != nullptr;
  const uint8_t* end = p + n;
  const uint8_t* at = n > 0 ? static_cast<const uint8_t*>(std::memchr(p, kColon, n)) : nullptr;
  while (at != nullptr) {
    int64_t q = (at - p) - 1;
    while (q >= 0 && IsJsonWs(p[q])) q--;
    if (q >= 1 && p[q] == kQuote && KeyMayMatch(p, q, hasEscapes, trie, maxKeyBytes)) {
      return Napi::Boolean::New(env, true);
    }
    ++at;
    at = at < end ? static_cast<const uint8_t*>(std::memchr(at, kColon, end - at)) : nullptr;
  }
  return Napi::Boolean::New(env, false);
}

}  // namespace pcap_addon

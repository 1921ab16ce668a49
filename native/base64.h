// base64Into: base64 text of a byte range written straight into an output buffer, for the JSON Lines
// writer (src/export/json-line-writer.ts): captured bodies are exported as base64, and making that text a
// JavaScript string first (Buffer#toString) costs a heap string per body and a second copy.
#pragma once
#include <napi.h>

namespace pcap_addon {

// base64Into(src: Uint8Array, dst: Uint8Array, dstOffset: number): number
// Writes the standard base64 (RFC 4648, with '=' padding) of all of `src` at dst[dstOffset...] and returns
// the bytes written: 4 * ceil(src.length / 3). Throws RangeError when they do not fit, TypeError on wrong
// arguments. Reads and writes the arrays only during the call; keeps no reference.
Napi::Value Base64Into(const Napi::CallbackInfo& info);

}  // namespace pcap_addon

// jsonKeysMayMatch: the JSON redaction pre-check's scan (src/policy/json-key-filter.ts), in C++ because it
// reads every byte of every captured JSON body.
#pragma once
#include <napi.h>

namespace pcap_addon {

// jsonKeysMayMatch(body: Uint8Array, next: Int32Array, ends: Uint8Array, maxKeyBytes: number): boolean
// `next`/`ends`: the trie of reversed field names built by JsonKeyFilter (128 edges per node, node 0 the
// root). Reads the arrays only during the call; keeps no reference. Throws TypeError on wrong arguments.
Napi::Value JsonKeysMayMatch(const Napi::CallbackInfo& info);

}  // namespace pcap_addon

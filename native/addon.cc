// Module entry: exports { PcapHandle, listInterfaces, libVersion, jsonKeysMayMatch, base64Into }.
#include <napi.h>
#include <pcap/pcap.h>

#include "base64.h"
#include "interfaces.h"
#include "json_keys.h"
#include "pcap_handle.h"

namespace pcap_addon {

Napi::Value LibVersion(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), pcap_lib_version());
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("PcapHandle", PcapHandle::Define(env));
  exports.Set("listInterfaces", Napi::Function::New(env, ListInterfaces, "listInterfaces"));
  exports.Set("libVersion", Napi::Function::New(env, LibVersion, "libVersion"));
  exports.Set("jsonKeysMayMatch", Napi::Function::New(env, JsonKeysMayMatch, "jsonKeysMayMatch"));
  exports.Set("base64Into", Napi::Function::New(env, Base64Into, "base64Into"));
  return exports;
}

}  // namespace pcap_addon

static Napi::Object InitModule(Napi::Env env, Napi::Object exports) {
  return pcap_addon::Init(env, exports);
}

NODE_API_MODULE(pcap_addon, InitModule)

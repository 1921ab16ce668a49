// Module entry: exports { PcapHandle, listInterfaces, libVersion, compileFilter, jsonKeysMayMatch, base64Into }.
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

// compileFilter(expression, linkType): compiles a pcap-filter(7) expression for a link type on a dead
// handle (no capture, no privilege): null when it compiles, else libpcap's message. Checks --filter at start-up.
Napi::Value CompileFilter(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[0].IsString() || !info[1].IsNumber()) {
    Napi::TypeError::New(env, "compileFilter(expression: string, linkType: number)").ThrowAsJavaScriptException();
    return env.Null();
  }
  const std::string expression = info[0].As<Napi::String>().Utf8Value();
  pcap_t* dead = pcap_open_dead(info[1].As<Napi::Number>().Int32Value(), 262144);
  if (dead == nullptr) return Napi::String::New(env, "cannot create a libpcap handle");
  struct bpf_program program;
  Napi::Value result = env.Null();
  if (pcap_compile(dead, &program, expression.c_str(), 1, PCAP_NETMASK_UNKNOWN) != 0) {
    result = Napi::String::New(env, pcap_geterr(dead));
  } else {
    pcap_freecode(&program);
  }
  pcap_close(dead);
  return result;
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("PcapHandle", PcapHandle::Define(env));
  exports.Set("listInterfaces", Napi::Function::New(env, ListInterfaces, "listInterfaces"));
  exports.Set("libVersion", Napi::Function::New(env, LibVersion, "libVersion"));
  exports.Set("compileFilter", Napi::Function::New(env, CompileFilter, "compileFilter"));
  exports.Set("jsonKeysMayMatch", Napi::Function::New(env, JsonKeysMayMatch, "jsonKeysMayMatch"));
  exports.Set("base64Into", Napi::Function::New(env, Base64Into, "base64Into"));
  return exports;
}

}  // namespace pcap_addon

static Napi::Object InitModule(Napi::Env env, Napi::Object exports) {
  return pcap_addon::Init(env, exports);
}

NODE_API_MODULE(pcap_addon, InitModule)

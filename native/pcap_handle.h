// PcapHandle: the JS-visible capture handle, one per capture source (file or interface).
//
// JS usage (see src/capture/native.ts for the typed surface):
//   const h = new PcapHandle(data /* Buffer */, meta /* Uint32Array, 5 per packet */);
//   h.openOffline(path, filter)          // or h.openLive({ device, filter, ... })
//   h.readBatch()                        // -> count (> 0), 0 (live: nothing now), -1 (end)
//   h.startLive((err, count) => ...)     // live: the event loop drives reads, one call per batch
//   h.stats(); h.close();
//
// Ownership: the constructor takes strong references to `data` and `meta`; libpcap packets are
// copied into them, so they must stay alive (and attached) as long as the handle is open.
// Errors thrown carry `reason` (a token from pcap_open.h) and, for read errors on files,
// `byteOffset` (start of the damaged record).
#pragma once

#include <napi.h>
#include <pcap/pcap.h>

#include <memory>
#include <string>

#include "batch_buffers.h"
#include "live_poller.h"
#include "packet_reader.h"

namespace pcap_addon {

class PcapHandle : public Napi::ObjectWrap<PcapHandle> {
 public:
  static Napi::Function Define(Napi::Env env);
  explicit PcapHandle(const Napi::CallbackInfo& info);
  ~PcapHandle() override;

 private:
  Napi::Value OpenOffline(const Napi::CallbackInfo& info);
  Napi::Value OpenLive(const Napi::CallbackInfo& info);
  Napi::Value ReadBatch(const Napi::CallbackInfo& info);
  Napi::Value StartLive(const Napi::CallbackInfo& info);
  Napi::Value StopLive(const Napi::CallbackInfo& info);
  Napi::Value Stats(const Napi::CallbackInfo& info);
  Napi::Value Close(const Napi::CallbackInfo& info);
  Napi::Value GetLinkType(const Napi::CallbackInfo& info);
  Napi::Value GetLinkTypeName(const Napi::CallbackInfo& info);
  Napi::Value GetSnaplen(const Napi::CallbackInfo& info);

  // Throws (as a pending JS exception) unless the handle is open and its buffers usable.
  bool checkReadable(Napi::Env env);
  bool finishOpen(Napi::Env env, pcap_t* handle, uint32_t nsecScale, bool isFile,
                  const std::string& source, const std::string& filter);
  Napi::Error readError(Napi::Env env);

  // Live: called by LivePoller on the loop thread.
  static void drainLive(void* self);
  void stopPolling();
  void closePcap();

  Napi::ObjectReference dataRef_;
  Napi::ObjectReference metaRef_;
  BatchBuffers buffers_;

  pcap_t* pcap_ = nullptr;
  bool isFile_ = false;
  bool closed_ = false;  // close() is final: the handle cannot be reopened
  std::string source_;
  PacketReader reader_;
  // Files: the filter runs in PacketReader via pcap_offline_filter (see packet_reader.h).
  struct bpf_program fileFilter_ {};
  bool hasFileFilter_ = false;

  LivePoller* poller_ = nullptr;
  Napi::FunctionReference onBatch_;
  std::unique_ptr<Napi::AsyncContext> asyncContext_;
};

// Builds an Error with `reason` and optional `byteOffset` (< 0: absent) properties.
Napi::Error makeCaptureError(Napi::Env env, const std::string& reason, const std::string& message,
                             double byteOffset = -1);

}  // namespace pcap_addon

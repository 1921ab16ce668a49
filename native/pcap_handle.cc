#include "pcap_handle.h"

#include "pcap_open.h"

namespace pcap_addon {

namespace {

// Live: at most this many batches are delivered per event-loop wakeup before yielding.
constexpr int kMaxBatchesPerWake = 4;

int intOption(const Napi::Object& options, const char* key, int fallback) {
  Napi::Value v = options.Get(key);
  return v.IsNumber() ? v.As<Napi::Number>().Int32Value() : fallback;
}

}  // namespace

Napi::Error makeCaptureError(Napi::Env env, const std::string& reason, const std::string& message,
                             double byteOffset) {
  Napi::Error error = Napi::Error::New(env, message);
  error.Set("reason", Napi::String::New(env, reason));
  if (byteOffset >= 0) error.Set("byteOffset", Napi::Number::New(env, byteOffset));
  return error;
}

Napi::Function PcapHandle::Define(Napi::Env env) {
  return DefineClass(
      env, "PcapHandle",
      {
          InstanceMethod<&PcapHandle::OpenOffline>("openOffline"),
          InstanceMethod<&PcapHandle::OpenLive>("openLive"),
          InstanceMethod<&PcapHandle::ReadBatch>("readBatch"),
          InstanceMethod<&PcapHandle::StartLive>("startLive"),
          InstanceMethod<&PcapHandle::StopLive>("stopLive"),
          InstanceMethod<&PcapHandle::Stats>("stats"),
          InstanceMethod<&PcapHandle::Close>("close"),
          InstanceAccessor<&PcapHandle::GetLinkType>("linkType"),
          InstanceAccessor<&PcapHandle::GetLinkTypeName>("linkTypeName"),
          InstanceAccessor<&PcapHandle::GetSnaplen>("snaplen"),
      });
}

PcapHandle::PcapHandle(const Napi::CallbackInfo& info) : Napi::ObjectWrap<PcapHandle>(info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[0].IsTypedArray() || !info[1].IsTypedArray() ||
      info[0].As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array ||
      info[1].As<Napi::TypedArray>().TypedArrayType() != napi_uint32_array) {
    makeCaptureError(env, reason::kState, "PcapHandle(data: Buffer, meta: Uint32Array) expected")
        .ThrowAsJavaScriptException();
    return;
  }
  Napi::Uint8Array data = info[0].As<Napi::Uint8Array>();  // a Buffer is a Uint8Array
  Napi::Uint32Array meta = info[1].As<Napi::Uint32Array>();
  if (data.ByteLength() < kRecordAlign || meta.ElementLength() < kMetaFields ||
      data.ByteLength() > 0xFFFFFFFFu) {
    makeCaptureError(env, reason::kState,
                     "batch buffers too small or too large (data: 8 B..4 GiB, meta: >= 5 entries)")
        .ThrowAsJavaScriptException();
    return;
  }
  dataRef_ = Napi::Persistent(data.As<Napi::Object>());
  metaRef_ = Napi::Persistent(meta.As<Napi::Object>());
  buffers_.data = data.Data();
  buffers_.dataBytes = data.ByteLength();
  buffers_.meta = meta.Data();
  buffers_.maxPackets = static_cast<uint32_t>(meta.ElementLength() / kMetaFields);
}

PcapHandle::~PcapHandle() {
  // Only reached without an active poll (a poll holds a reference), except at env teardown:
  // then close the poll without touching the (finalizing) JS object.
  if (poller_ != nullptr) {
    poller_->close();
    poller_ = nullptr;
  }
  closePcap();
}

bool PcapHandle::finishOpen(Napi::Env env, pcap_t* handle, uint32_t nsecScale, bool isFile,
                            const std::string& source, const std::string& filter) {
  OpenFailure failure;
  const bool filterOk = isFile ? (filter.empty() || compileFilter(handle, filter, &fileFilter_, &failure))
                               : applyFilter(handle, filter, &failure);
  if (!filterOk) {
    pcap_close(handle);
    makeCaptureError(env, failure.reason, failure.message).ThrowAsJavaScriptException();
    return false;
  }
  pcap_ = handle;
  isFile_ = isFile;
  source_ = source;
  reader_.attach(handle, isFile, nsecScale);
  if (isFile && !filter.empty()) {
    hasFileFilter_ = true;
    reader_.setOfflineFilter(&fileFilter_);
  }
  return true;
}

Napi::Value PcapHandle::OpenOffline(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (pcap_ != nullptr || closed_ || dataRef_.IsEmpty()) {
    makeCaptureError(env, reason::kState, "handle already opened or closed")
        .ThrowAsJavaScriptException();
    return env.Undefined();
  }
  if (info.Length() < 1 || !info[0].IsString()) {
    makeCaptureError(env, reason::kState, "openOffline(path: string, filter?: string) expected")
        .ThrowAsJavaScriptException();
    return env.Undefined();
  }
  const std::string path = info[0].As<Napi::String>().Utf8Value();
  const std::string filter = info.Length() > 1 && info[1].IsString()
                                 ? info[1].As<Napi::String>().Utf8Value()
                                 : std::string();
  OpenFailure failure;
  Opened opened = openOffline(path, &failure);
  if (opened.handle == nullptr) {
    makeCaptureError(env, failure.reason, failure.message).ThrowAsJavaScriptException();
    return env.Undefined();
  }
  finishOpen(env, opened.handle, opened.nsecScale, true, path, filter);
  return env.Undefined();
}

Napi::Value PcapHandle::OpenLive(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (pcap_ != nullptr || closed_ || dataRef_.IsEmpty()) {
    makeCaptureError(env, reason::kState, "handle already opened or closed")
        .ThrowAsJavaScriptException();
    return env.Undefined();
  }
  if (info.Length() < 1 || !info[0].IsObject() ||
      !info[0].As<Napi::Object>().Get("device").IsString()) {
    makeCaptureError(env, reason::kState, "openLive({ device: string, ... }) expected")
        .ThrowAsJavaScriptException();
    return env.Undefined();
  }
  Napi::Object o = info[0].As<Napi::Object>();
  LiveOptions options;
  options.device = o.Get("device").As<Napi::String>().Utf8Value();
  options.snaplen = intOption(o, "snaplen", options.snaplen);
  options.bufferBytes = intOption(o, "bufferBytes", options.bufferBytes);
  options.timeoutMs = intOption(o, "timeoutMs", options.timeoutMs);
  Napi::Value promisc = o.Get("promiscuous");
  if (promisc.IsBoolean()) options.promiscuous = promisc.As<Napi::Boolean>().Value();
  Napi::Value filterValue = o.Get("filter");
  const std::string filter =
      filterValue.IsString() ? filterValue.As<Napi::String>().Utf8Value() : std::string();

  OpenFailure failure;
  Opened opened = openLive(options, &failure);
  if (opened.handle == nullptr) {
    makeCaptureError(env, failure.reason, failure.message).ThrowAsJavaScriptException();
    return env.Undefined();
  }
  finishOpen(env, opened.handle, opened.nsecScale, false, options.device, filter);
  return env.Undefined();
}

bool PcapHandle::checkReadable(Napi::Env env) {
  if (pcap_ == nullptr) {
    makeCaptureError(env, reason::kState, "capture handle is not open")
        .ThrowAsJavaScriptException();
    return false;
  }
  // A transferred/detached ArrayBuffer would leave dangling pointers: refuse to write.
  Napi::Object data = dataRef_.Value();
  Napi::Object meta = metaRef_.Value();
  if (data.As<Napi::Uint8Array>().ArrayBuffer().IsDetached() ||
      meta.As<Napi::Uint32Array>().ArrayBuffer().IsDetached()) {
    makeCaptureError(env, reason::kState, "batch buffers were detached (transferred)")
        .ThrowAsJavaScriptException();
    return false;
  }
  return true;
}

Napi::Error PcapHandle::readError(Napi::Env env) {
  return makeCaptureError(env, reason::kRead, reader_.errorMessage(), reader_.errorOffset());
}

Napi::Value PcapHandle::ReadBatch(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!checkReadable(env)) return env.Undefined();
  uint32_t count = 0;
  switch (reader_.fill(buffers_, &count)) {
    case FillStatus::kPackets:
    case FillStatus::kIdle:
      return Napi::Number::New(env, count);
    case FillStatus::kEnd:
      return Napi::Number::New(env, -1);
    case FillStatus::kError:
      break;
  }
  readError(env).ThrowAsJavaScriptException();
  return env.Undefined();
}

Napi::Value PcapHandle::StartLive(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!checkReadable(env)) return env.Undefined();
  if (isFile_ || poller_ != nullptr || info.Length() < 1 || !info[0].IsFunction()) {
    makeCaptureError(env, reason::kState,
                     "startLive(callback) needs a live handle that is not already started")
        .ThrowAsJavaScriptException();
    return env.Undefined();
  }
  const int fd = pcap_get_selectable_fd(pcap_);
  if (fd < 0) {
    makeCaptureError(env, reason::kLive, source_ + ": no selectable file descriptor")
        .ThrowAsJavaScriptException();
    return env.Undefined();
  }
  uv_loop_t* loop = nullptr;
  if (napi_get_uv_event_loop(env, &loop) != napi_ok) {
    makeCaptureError(env, reason::kLive, "no event loop").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  poller_ = new LivePoller(loop, fd, &PcapHandle::drainLive, this);
  const int rc = poller_->start();
  if (rc != 0) {
    poller_->close();
    poller_ = nullptr;
    makeCaptureError(env, reason::kLive, source_ + ": cannot poll: " + uv_strerror(rc))
        .ThrowAsJavaScriptException();
    return env.Undefined();
  }
  onBatch_ = Napi::Persistent(info[0].As<Napi::Function>());
  asyncContext_ = std::make_unique<Napi::AsyncContext>(env, "PcapLiveCapture");
  Ref();  // the JS object must outlive the poll: released in stopPolling()
  return env.Undefined();
}

void PcapHandle::drainLive(void* opaque) {
  auto* self = static_cast<PcapHandle*>(opaque);
  Napi::Env env = self->Env();
  Napi::HandleScope scope(env);
  Napi::Object receiver = self->Value();  // keeps the wrapper alive during the callbacks

  for (int i = 0; i < kMaxBatchesPerWake; i++) {
    if (self->poller_ == nullptr || self->pcap_ == nullptr) return;  // stopped by a callback
    uint32_t count = 0;
    const FillStatus status = self->reader_.fill(self->buffers_, &count);
    Napi::Value error = env.Null();
    if (status == FillStatus::kError || status == FillStatus::kEnd) {
      error = status == FillStatus::kError
                  ? self->readError(env).Value()
                  : makeCaptureError(env, reason::kRead, self->source_ + ": capture ended").Value();
    }
    if (count > 0 || !error.IsNull()) {
      Napi::FunctionReference& callback = self->onBatch_;
      if (!error.IsNull()) self->stopPolling();  // no further callbacks after an error
      callback.MakeCallback(receiver, {error, Napi::Number::New(env, count)},
                            *self->asyncContext_);
      if (env.IsExceptionPending()) {
        // A throwing sink breaks its contract: surface it as an uncaught exception.
        Napi::Error thrown = env.GetAndClearPendingException();
        napi_fatal_exception(env, thrown.Value());
        return;
      }
    }
    if (status == FillStatus::kIdle || !error.IsNull()) return;
  }
  if (self->poller_ != nullptr) self->poller_->rearm();  // more may be waiting: come back soon
}

void PcapHandle::stopPolling() {
  if (poller_ == nullptr) return;
  poller_->close();
  poller_ = nullptr;
  Unref();
}

Napi::Value PcapHandle::StopLive(const Napi::CallbackInfo& info) {
  stopPolling();
  return info.Env().Undefined();
}

Napi::Value PcapHandle::Stats(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object out = Napi::Object::New(env);
  out.Set("packets", reader_.packets());
  out.Set("bytes", reader_.bytes());
  out.Set("oversizeSkipped", reader_.oversizeSkipped());
  double received = 0, kernelDrops = 0, ifDrops = 0;
  struct pcap_stat ps;
  if (pcap_ != nullptr && !isFile_ && pcap_stats(pcap_, &ps) == 0) {
    received = ps.ps_recv;
    kernelDrops = ps.ps_drop;
    ifDrops = ps.ps_ifdrop;
  }
  out.Set("received", received);
  out.Set("kernelDrops", kernelDrops);
  out.Set("ifDrops", ifDrops);
  return out;
}

void PcapHandle::closePcap() {
  if (pcap_ == nullptr) return;
  reader_.detach();
  pcap_close(pcap_);
  pcap_ = nullptr;
  if (hasFileFilter_) {
    pcap_freecode(&fileFilter_);
    hasFileFilter_ = false;
  }
}

Napi::Value PcapHandle::Close(const Napi::CallbackInfo& info) {
  stopPolling();  // before pcap_close: the poll must let go of the fd first
  closePcap();
  closed_ = true;
  onBatch_.Reset();
  return info.Env().Undefined();
}

Napi::Value PcapHandle::GetLinkType(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), pcap_ != nullptr ? pcap_datalink(pcap_) : -1);
}

Napi::Value PcapHandle::GetLinkTypeName(const Napi::CallbackInfo& info) {
  const char* name = pcap_ != nullptr ? pcap_datalink_val_to_name(pcap_datalink(pcap_)) : nullptr;
  return Napi::String::New(info.Env(), name != nullptr ? name : "");
}

Napi::Value PcapHandle::GetSnaplen(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), pcap_ != nullptr ? pcap_snapshot(pcap_) : -1);
}

}  // namespace pcap_addon

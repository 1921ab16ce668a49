#include "live_poller.h"

namespace pcap_addon {

LivePoller::LivePoller(uv_loop_t* loop, int fd, DrainFn drain, void* owner)
    : loop_(loop), fd_(fd), drain_(drain), owner_(owner) {}

int LivePoller::start() {
  int rc = uv_poll_init(loop_, &poll_, fd_);
  if (rc != 0) return rc;
  poll_.data = this;
  openHandles_++;
  rc = uv_timer_init(loop_, &timer_);
  if (rc != 0) return rc;
  timer_.data = this;
  openHandles_++;
  return uv_poll_start(&poll_, UV_READABLE, onPoll);
}

void LivePoller::rearm() {
  if (!closing_) uv_timer_start(&timer_, onTimer, 0, 0);
}

void LivePoller::close() {
  if (closing_) return;
  closing_ = true;
  if (openHandles_ == 0) {
    delete this;
    return;
  }
  // uv_poll_stop removes the fd from epoll synchronously, so the caller may close it next.
  if (uv_is_active(reinterpret_cast<uv_handle_t*>(&poll_))) uv_poll_stop(&poll_);
  uv_timer_stop(&timer_);
  const int handles = openHandles_;
  if (handles >= 1) uv_close(reinterpret_cast<uv_handle_t*>(&poll_), onClosed);
  if (handles >= 2) uv_close(reinterpret_cast<uv_handle_t*>(&timer_), onClosed);
}

void LivePoller::onPoll(uv_poll_t* handle, int status, int events) {
  auto* self = static_cast<LivePoller*>(handle->data);
  // On a poll error (status < 0) still drain: pcap_next_ex then reports the real error.
  if (!self->closing_) self->drain_(self->owner_);
}

void LivePoller::onTimer(uv_timer_t* handle) {
  auto* self = static_cast<LivePoller*>(handle->data);
  if (!self->closing_) self->drain_(self->owner_);
}

void LivePoller::onClosed(uv_handle_t* handle) {
  auto* self = static_cast<LivePoller*>(handle->data);
  if (--self->openHandles_ == 0) delete self;
}

}  // namespace pcap_addon

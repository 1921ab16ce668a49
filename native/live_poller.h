// LivePoller: lets the libuv event loop drive live reads.
//
// A uv_poll_t watches pcap_get_selectable_fd(); when it is readable (the kernel retired a ring
// block: full, or the pcap_set_timeout interval passed) the owner's drain callback runs on the
// loop thread. When the owner stopped draining early (per-wakeup batch cap reached) it calls
// rearm(), which schedules another drain through a 0 ms uv_timer so other I/O runs in between.
//
// Lifetime: create with new, start(), and end with close(), which stops both handles and
// deletes the object once libuv has closed them (never delete it directly).
#pragma once

#include <uv.h>

namespace pcap_addon {

class LivePoller {
 public:
  using DrainFn = void (*)(void* owner);

  LivePoller(uv_loop_t* loop, int fd, DrainFn drain, void* owner);
  // Returns 0 or a libuv error code.
  int start();
  void rearm();
  // Stops watching at once (safe to close the fd right after); frees itself asynchronously.
  void close();

 private:
  ~LivePoller() = default;
  static void onPoll(uv_poll_t* handle, int status, int events);
  static void onTimer(uv_timer_t* handle);
  static void onClosed(uv_handle_t* handle);

  uv_loop_t* loop_;
  int fd_;
  DrainFn drain_;
  void* owner_;
  uv_poll_t poll_ {};
  uv_timer_t timer_ {};
  int openHandles_ = 0;
  bool closing_ = false;
};

}  // namespace pcap_addon

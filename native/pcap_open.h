// Opening libpcap handles (file and live) and installing a BPF filter.
// Every failure comes back as an OpenFailure whose `reason` is a stable token the JS side maps
// to a user-facing error (see src/capture/errors.ts), and whose `message` carries libpcap's text.
#pragma once

#include <pcap/pcap.h>

#include <cstdint>
#include <string>

namespace pcap_addon {

// Stable reason tokens (keep in sync with CaptureErrorReason in src/capture/errors.ts).
namespace reason {
constexpr const char* kOpen = "open";                   // file cannot be opened / read
constexpr const char* kFormat = "format";               // not a pcap / pcapng file
constexpr const char* kFilter = "filter";               // BPF expression rejected
constexpr const char* kPermission = "permission";       // no CAP_NET_RAW / not root
constexpr const char* kNoSuchDevice = "no-such-device"; // interface does not exist
constexpr const char* kInterfaceDown = "interface-down";
constexpr const char* kLive = "live";                   // any other live setup failure
constexpr const char* kRead = "read";                   // error while reading packets
constexpr const char* kState = "state";                 // API misuse (closed handle, ...)
}  // namespace reason

struct OpenFailure {
  std::string reason;
  std::string message;
};

struct LiveOptions {
  std::string device;
  int snaplen = 262144;
  int bufferBytes = 32 * 1024 * 1024;  // kernel ring buffer (pcap_set_buffer_size)
  int timeoutMs = 100;                 // ring block retire timeout (pcap_set_timeout)
  bool promiscuous = true;
};

// Result of an open: `handle` is null on failure. `nsecScale` is 1 when timestamps are in
// nanoseconds, 1000 when the platform only gave microseconds.
struct Opened {
  pcap_t* handle = nullptr;
  uint32_t nsecScale = 1;
};

// pcap_open_offline_with_tstamp_precision(NANO): classic micro/nano pcap and pcapng alike.
Opened openOffline(const std::string& path, OpenFailure* failure);

// pcap_create + options + pcap_activate, then non-blocking mode.
Opened openLive(const LiveOptions& options, OpenFailure* failure);

// Compiles `expression` (optimised, netmask unknown) into `program` (free with pcap_freecode).
bool compileFilter(pcap_t* handle, const std::string& expression, struct bpf_program* program,
                   OpenFailure* failure);

// Compiles `expression` and installs it on a live handle. Empty expression: no-op.
bool applyFilter(pcap_t* handle, const std::string& expression, OpenFailure* failure);

}  // namespace pcap_addon

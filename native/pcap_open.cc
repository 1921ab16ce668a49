#include "pcap_open.h"

#include <cstring>

namespace pcap_addon {

namespace {

bool contains(const char* text, const char* needle) {
  return text != nullptr && std::strstr(text, needle) != nullptr;
}

void fail(OpenFailure* failure, const char* why, std::string message) {
  failure->reason = why;
  failure->message = std::move(message);
}

// Maps a pcap_activate() result to a reason token.
const char* activateReason(int status, const char* errText) {
  switch (status) {
    case PCAP_ERROR_PERM_DENIED:
    case PCAP_ERROR_PROMISC_PERM_DENIED:
      return reason::kPermission;
    case PCAP_ERROR_NO_SUCH_DEVICE:
      return reason::kNoSuchDevice;
    case PCAP_ERROR_IFACE_NOT_UP:
      return reason::kInterfaceDown;
    default:
      // Some paths report EPERM only through the text.
      if (contains(errText, "permission") || contains(errText, "Operation not permitted")) {
        return reason::kPermission;
      }
      return reason::kLive;
  }
}

}  // namespace

Opened openOffline(const std::string& path, OpenFailure* failure) {
  char errbuf[PCAP_ERRBUF_SIZE];
  errbuf[0] = '\0';
  Opened opened;
  opened.handle =
      pcap_open_offline_with_tstamp_precision(path.c_str(), PCAP_TSTAMP_PRECISION_NANO, errbuf);
  if (opened.handle == nullptr) {
    // libpcap: "unknown file format" for a bad magic; "<path>: <strerror>" when fopen fails;
    // "truncated dump file" / "bad dump file format" for a damaged header.
    const bool badFormat = contains(errbuf, "format") || contains(errbuf, "truncated") ||
                           contains(errbuf, "version") || contains(errbuf, "header");
    fail(failure, badFormat ? reason::kFormat : reason::kOpen, errbuf);
    return opened;
  }
  opened.nsecScale = pcap_get_tstamp_precision(opened.handle) == PCAP_TSTAMP_PRECISION_NANO ? 1 : 1000;
  return opened;
}

Opened openLive(const LiveOptions& options, OpenFailure* failure) {
  char errbuf[PCAP_ERRBUF_SIZE];
  errbuf[0] = '\0';
  Opened opened;
  pcap_t* p = pcap_create(options.device.c_str(), errbuf);
  if (p == nullptr) {
    fail(failure, reason::kLive, errbuf);
    return opened;
  }
  pcap_set_snaplen(p, options.snaplen);
  pcap_set_promisc(p, options.promiscuous ? 1 : 0);
  pcap_set_timeout(p, options.timeoutMs);
  pcap_set_buffer_size(p, options.bufferBytes);
  // Nanosecond timestamps when the platform has them; otherwise microseconds scaled by 1000.
  const bool nano = pcap_set_tstamp_precision(p, PCAP_TSTAMP_PRECISION_NANO) == 0;

  const int status = pcap_activate(p);
  if (status < 0) {
    const char* text = pcap_geterr(p);
    std::string message = options.device + ": " + pcap_statustostr(status);
    if (text != nullptr && text[0] != '\0') message += " (" + std::string(text) + ")";
    fail(failure, activateReason(status, text), message);
    pcap_close(p);
    return opened;
  }
  // status > 0 is a warning (e.g. promiscuous mode not supported): capture works anyway.

  if (pcap_setnonblock(p, 1, errbuf) != 0) {
    fail(failure, reason::kLive, options.device + ": cannot set non-blocking mode: " + errbuf);
    pcap_close(p);
    return opened;
  }
  opened.handle = p;
  opened.nsecScale =
      nano && pcap_get_tstamp_precision(p) == PCAP_TSTAMP_PRECISION_NANO ? 1 : 1000;
  return opened;
}

bool compileFilter(pcap_t* handle, const std::string& expression, struct bpf_program* program,
                   OpenFailure* failure) {
  if (pcap_compile(handle, program, expression.c_str(), 1, PCAP_NETMASK_UNKNOWN) != 0) {
    fail(failure, reason::kFilter,
         "invalid filter \"" + expression + "\": " + pcap_geterr(handle));
    return false;
  }
  return true;
}

bool applyFilter(pcap_t* handle, const std::string& expression, OpenFailure* failure) {
  if (expression.empty()) return true;
  struct bpf_program program;
  if (!compileFilter(handle, expression, &program, failure)) return false;
  const int rc = pcap_setfilter(handle, &program);
  pcap_freecode(&program);
  if (rc != 0) {
    fail(failure, reason::kFilter,
         "cannot install filter \"" + expression + "\": " + pcap_geterr(handle));
    return false;
  }
  return true;
}

}  // namespace pcap_addon

#include "interfaces.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pcap/pcap.h>
#include <sys/socket.h>

#include "pcap_handle.h"
#include "pcap_open.h"

namespace pcap_addon {

namespace {

// Formats an IPv4/IPv6 sockaddr; returns false for other families or null.
bool formatAddress(const struct sockaddr* sa, std::string* out, const char** family) {
  if (sa == nullptr) return false;
  char text[INET6_ADDRSTRLEN];
  if (sa->sa_family == AF_INET) {
    const auto* in4 = reinterpret_cast<const struct sockaddr_in*>(sa);
    if (inet_ntop(AF_INET, &in4->sin_addr, text, sizeof text) == nullptr) return false;
    *family = "ipv4";
  } else if (sa->sa_family == AF_INET6) {
    const auto* in6 = reinterpret_cast<const struct sockaddr_in6*>(sa);
    if (inet_ntop(AF_INET6, &in6->sin6_addr, text, sizeof text) == nullptr) return false;
    *family = "ipv6";
  } else {
    return false;
  }
  *out = text;
  return true;
}

Napi::Array addressesOf(Napi::Env env, const pcap_addr_t* addr) {
  Napi::Array list = Napi::Array::New(env);
  uint32_t n = 0;
  for (; addr != nullptr; addr = addr->next) {
    std::string address;
    const char* family = nullptr;
    if (!formatAddress(addr->addr, &address, &family)) continue;
    Napi::Object entry = Napi::Object::New(env);
    entry.Set("family", family);
    entry.Set("address", address);
    std::string netmask;
    const char* maskFamily = nullptr;
    if (formatAddress(addr->netmask, &netmask, &maskFamily)) entry.Set("netmask", netmask);
    list.Set(n++, entry);
  }
  return list;
}

}  // namespace

Napi::Value ListInterfaces(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  char errbuf[PCAP_ERRBUF_SIZE];
  errbuf[0] = '\0';
  pcap_if_t* devices = nullptr;
  if (pcap_findalldevs(&devices, errbuf) != 0) {
    makeCaptureError(env, reason::kLive, std::string("cannot list interfaces: ") + errbuf)
        .ThrowAsJavaScriptException();
    return env.Undefined();
  }
  Napi::Array result = Napi::Array::New(env);
  uint32_t n = 0;
  for (pcap_if_t* d = devices; d != nullptr; d = d->next) {
    Napi::Object entry = Napi::Object::New(env);
    entry.Set("name", d->name);
    entry.Set("description", d->description != nullptr ? d->description : "");
    entry.Set("up", (d->flags & PCAP_IF_UP) != 0);
    entry.Set("running", (d->flags & PCAP_IF_RUNNING) != 0);
    entry.Set("loopback", (d->flags & PCAP_IF_LOOPBACK) != 0);
    entry.Set("addresses", addressesOf(env, d->addresses));
    result.Set(n++, entry);
  }
  pcap_freealldevs(devices);
  return result;
}

}  // namespace pcap_addon

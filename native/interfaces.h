// listInterfaces(): the capture devices libpcap can open (pcap_findalldevs), for CLI messages
// such as "no interface eth9; available: eth0 (up, running), lo (loopback)".
#pragma once

#include <napi.h>

namespace pcap_addon {

// Returns [{ name, description, up, running, loopback, addresses: [{ family, address, netmask }] }].
// family is "ipv4" or "ipv6"; other address families are omitted. Throws on libpcap failure.
Napi::Value ListInterfaces(const Napi::CallbackInfo& info);

}  // namespace pcap_addon

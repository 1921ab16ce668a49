// Raw views of the two JS-owned batch arrays (see docs/capture.md, "Batch layout").
//
// Ownership: JS allocates both arrays once per source and passes them to the PcapHandle
// constructor; PcapHandle keeps a strong Napi::Reference to each, so the backing memory
// stays alive (and never moves) for the handle's whole life. These raw pointers are only
// valid while those references are held.
#pragma once

#include <cstddef>
#include <cstdint>

namespace pcap_addon {

// uint32 fields per packet in `meta`, in this order (mirrors src/capture/types.ts).
constexpr uint32_t kMetaFields = 5;
constexpr uint32_t kMetaOffset = 0;
constexpr uint32_t kMetaCaplen = 1;
constexpr uint32_t kMetaOriglen = 2;
constexpr uint32_t kMetaTsSec = 3;
constexpr uint32_t kMetaTsNsec = 4;

// Every record in `data` starts at a multiple of this (so JS can make aligned views).
constexpr size_t kRecordAlign = 8;

struct BatchBuffers {
  uint8_t* data = nullptr;
  size_t dataBytes = 0;
  uint32_t* meta = nullptr;
  uint32_t maxPackets = 0;  // floor(meta length / kMetaFields)
};

}  // namespace pcap_addon

#include "packet_reader.h"

#include <cstring>

namespace pcap_addon {

namespace {

inline size_t alignUp(size_t n) { return (n + (kRecordAlign - 1)) & ~(kRecordAlign - 1); }

// Size of a classic pcap record header (struct pcap_sf_pkthdr).
constexpr off_t kClassicRecordHeader = 16;

}  // namespace

void PacketReader::attach(pcap_t* handle, bool isFile, uint32_t nsecScale) {
  handle_ = handle;
  file_ = isFile ? pcap_file(handle) : nullptr;
  nsecScale_ = nsecScale;
  filter_ = nullptr;
  // libpcap reports major version 2 for classic pcap, 1 for pcapng.
  exactOffsets_ = file_ == nullptr || pcap_major_version(handle) != 2;
  trackedOffset_ = exactOffsets_ ? -1 : ftello(file_);
  if (trackedOffset_ < 0) exactOffsets_ = true;
  verifyNext_ = !exactOffsets_;
  hasPending_ = false;
  pendingBytes_ = nullptr;
  ended_ = false;
  errorPending_ = false;
  errorMessage_.clear();
  errorOffset_ = -1;
}

void PacketReader::detach() {
  handle_ = nullptr;
  file_ = nullptr;
  filter_ = nullptr;
  hasPending_ = false;
  pendingBytes_ = nullptr;
}

off_t PacketReader::nextRecordOffset() {
  if (file_ == nullptr) return -1;
  return exactOffsets_ ? ftello(file_) : trackedOffset_;
}

void PacketReader::advance(uint32_t caplen) {
  if (exactOffsets_) return;
  trackedOffset_ += kClassicRecordHeader + static_cast<off_t>(caplen);
  if (verifyNext_) {
    verifyNext_ = false;
    verifyTracking();
  }
}

void PacketReader::verifyTracking() {
  if (exactOffsets_ || file_ == nullptr) return;
  if (ftello(file_) != trackedOffset_) exactOffsets_ = true;
}

bool PacketReader::place(const BatchBuffers& buffers, const struct pcap_pkthdr* header,
                         const u_char* bytes, size_t* used, uint32_t* count) {
  const size_t offset = alignUp(*used);
  const size_t caplen = header->caplen;
  if (*count >= buffers.maxPackets || offset > buffers.dataBytes ||
      caplen > buffers.dataBytes - offset) {
    return false;
  }
  std::memcpy(buffers.data + offset, bytes, caplen);
  uint32_t* m = buffers.meta + static_cast<size_t>(*count) * kMetaFields;
  m[kMetaOffset] = static_cast<uint32_t>(offset);
  m[kMetaCaplen] = header->caplen;
  m[kMetaOriglen] = header->len;
  m[kMetaTsSec] = static_cast<uint32_t>(header->ts.tv_sec);
  m[kMetaTsNsec] = static_cast<uint32_t>(header->ts.tv_usec) * nsecScale_;
  *used = offset + caplen;
  *count += 1;
  packets_ += 1;
  bytes_ += static_cast<double>(caplen);
  return true;
}

void PacketReader::rememberError(const char* message) {
  errorMessage_ = message != nullptr ? message : "unknown libpcap error";
  errorPending_ = true;
}

FillStatus PacketReader::fill(const BatchBuffers& buffers, uint32_t* count) {
  *count = 0;
  // Errors are sticky: once reported, every later call reports the same error.
  if (errorPending_) return FillStatus::kError;
  if (ended_ || handle_ == nullptr) return FillStatus::kEnd;

  size_t used = 0;
  if (hasPending_) {
    // Fits by construction: packets larger than the whole buffer never become pending.
    hasPending_ = false;
    place(buffers, &pendingHeader_, pendingBytes_, &used, count);
    pendingBytes_ = nullptr;
  }

  while (*count < buffers.maxPackets) {
    const off_t recordStart = nextRecordOffset();

    struct pcap_pkthdr* header = nullptr;
    const u_char* bytes = nullptr;
    const int rc = pcap_next_ex(handle_, &header, &bytes);

    if (rc == 1) {
      advance(header->caplen);
      if (filter_ != nullptr && pcap_offline_filter(filter_, header, bytes) == 0) continue;
      if (header->caplen > buffers.dataBytes) {
        oversizeSkipped_ += 1;
        continue;
      }
      if (!place(buffers, header, bytes, &used, count)) {
        pendingHeader_ = *header;
        pendingBytes_ = bytes;
        hasPending_ = true;
        verifyTracking();
        return FillStatus::kPackets;
      }
      continue;
    }
    if (rc == 0) return FillStatus::kIdle;  // live only: timeout / nothing ready (non-blocking)
    if (rc == PCAP_ERROR_BREAK) {           // end of file (or pcap_breakloop)
      ended_ = true;
      verifyTracking();
      return *count > 0 ? FillStatus::kPackets : FillStatus::kEnd;
    }
    rememberError(pcap_geterr(handle_));
    errorOffset_ = static_cast<double>(recordStart);
    return *count > 0 ? FillStatus::kPackets : FillStatus::kError;
  }
  verifyTracking();
  return FillStatus::kPackets;  // meta full
}

}  // namespace pcap_addon

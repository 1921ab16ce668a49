// PacketReader: fills a batch from an open pcap_t (file or live), one pcap_next_ex per packet.
//
// Call order: open the pcap_t elsewhere, attach() it, then fill() repeatedly; detach() before
// pcap_close. No N-API in here: this is plain C++ over libpcap.
//
// Contracts:
//  - A packet that does not fit in the space left in `data` (or when `meta` is full) ends the
//    batch; it is kept as the "pending" packet and written first by the next fill(). libpcap
//    guarantees the header/data pointers from pcap_next_ex stay valid until its next call, and
//    fill() never calls pcap_next_ex while a packet is pending.
//  - A packet larger than the whole data buffer can never fit: it is skipped and counted in
//    oversizeSkipped().
//  - A read error after some packets were written ends the batch with those packets; the error
//    is kept and reported by the NEXT fill(), so no good packet is lost.
//  - For files, errors carry the byte offset where the failed record (or pcapng block) starts.
//    Classic pcap: tracked by adding 16 + caplen per record to the position after the file
//    header, and checked against ftello() after the first packet and at the end of every batch
//    (one lseek per batch); on any mismatch (e.g. a variant record header) and for pcapng the
//    reader falls back to ftello() before every record (one lseek per packet).
//  - A file's BPF filter is run here with pcap_offline_filter() (not pcap_setfilter), so that
//    records the filter rejects still advance the tracked offset.
#pragma once

#include <pcap/pcap.h>

#include <cstdint>
#include <string>

#include "batch_buffers.h"

namespace pcap_addon {

enum class FillStatus {
  kPackets,  // `count` packets written (count > 0); call fill() again
  kIdle,     // live: no packet available right now (count may be > 0)
  kEnd,      // end of file (count == 0): nothing more will come
  kError,    // read error (count == 0): see errorMessage() / errorOffset()
};

class PacketReader {
 public:
  // `isFile` selects byte-offset tracking; `nsecScale` converts ts.tv_usec into nanoseconds
  // (1 when the handle was opened with nanosecond precision, 1000 for microseconds).
  void attach(pcap_t* handle, bool isFile, uint32_t nsecScale);
  // Files only: the compiled filter to apply per packet (owned by the caller, outlives reading).
  void setOfflineFilter(const struct bpf_program* program) { filter_ = program; }
  void detach();

  FillStatus fill(const BatchBuffers& buffers, uint32_t* count);

  const std::string& errorMessage() const { return errorMessage_; }
  // Byte offset in the file where reading failed; -1 when unknown (live capture).
  double errorOffset() const { return errorOffset_; }

  double packets() const { return packets_; }
  double bytes() const { return bytes_; }
  double oversizeSkipped() const { return oversizeSkipped_; }

 private:
  // Writes one packet at the next aligned offset; false when it does not fit.
  bool place(const BatchBuffers& buffers, const struct pcap_pkthdr* header,
             const u_char* bytes, size_t* used, uint32_t* count);
  void rememberError(const char* message);
  // Position of the next record in the file, -1 when unknown.
  off_t nextRecordOffset();
  // Classic pcap: account for one record read; verifies the tracking when `check` is set.
  void advance(uint32_t caplen);
  void verifyTracking();

  pcap_t* handle_ = nullptr;
  FILE* file_ = nullptr;
  const struct bpf_program* filter_ = nullptr;
  bool exactOffsets_ = true;  // ftello() before every record (pcapng, or tracking failed)
  bool verifyNext_ = false;   // check the tracked offset after the next record
  off_t trackedOffset_ = -1;
  uint32_t nsecScale_ = 1;

  bool hasPending_ = false;
  struct pcap_pkthdr pendingHeader_ {};
  const u_char* pendingBytes_ = nullptr;

  bool ended_ = false;
  bool errorPending_ = false;
  std::string errorMessage_;
  double errorOffset_ = -1;

  double packets_ = 0;
  double bytes_ = 0;
  double oversizeSkipped_ = 0;
};

}  // namespace pcap_addon

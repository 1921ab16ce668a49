/**
 * Decode stage contract: link, IP and TCP headers of one packet parsed into a reused object.
 * Nothing is copied: addresses and payload are given as offsets into `buf` (the batch data),
 * which is valid only until the batch callback returns.
 */
export const enum DecodeResult {
  Ok = 0,
  /** Not TCP (UDP, ICMP, ARP, ...): skipped silently but counted. */
  NotTcp = 1,
  /** Malformed or truncated header: counted under `malformed[reason]`. */
  Malformed = 2,
  /** A non-first IP fragment or a fragment needing reassembly: counted, skipped. */
  Fragment = 3,
  /** Link type the decoder does not know. */
  UnsupportedLink = 4,
}

export const TCP_FIN = 0x01;
export const TCP_SYN = 0x02;
export const TCP_RST = 0x04;
export const TCP_PSH = 0x08;
export const TCP_ACK = 0x10;

/** One decoded TCP segment; a single instance is reused for every packet. */
export class DecodedPacket {
  /** The buffer the offsets below point into (the batch's data buffer). */
  buf: Buffer = Buffer.alloc(0);
  /** 4 or 6. */
  ipVersion = 4;
  /** Offset in `buf` of the source / destination address (4 bytes for IPv4, 16 for IPv6). */
  srcAddrOff = 0;
  dstAddrOff = 0;
  /** 4 or 16. */
  addrLen = 4;
  srcPort = 0;
  dstPort = 0;
  /** Sequence and acknowledgement numbers, unsigned 32-bit. */
  seq = 0;
  ack = 0;
  /** TCP flags byte (TCP_FIN | TCP_SYN ...). */
  flags = 0;
  window = 0;
  /** TCP payload: offset in `buf` and length, already trimmed to the IP total length (no Ethernet padding). */
  payloadOff = 0;
  payloadLen = 0;
  /** Packet timestamp. */
  tsSec = 0;
  tsNsec = 0;
  /** Reason of the last Malformed result (a short snake_case word). */
  malformedReason = '';
}

/**
 * Why a packet was judged malformed. The layer parsers return these small integer codes (no strings
 * on the hot path); the decoder turns a code into `DecodedPacket.malformedReason` and into the counter
 * `decode.malformed.<name>` through the tables below, built once at module load.
 */
export const enum Malformed {
  None = 0,
  /** off/caplen outside the buffer (a caller bug, never a packet property). */
  BadBounds,
  /** Too short for the link-layer header (Ethernet, VLAN tag, SLL, NULL, NFLOG, PPP, Cisco HDLC, PPPoE, MPLS). */
  TruncatedLink,
  /** More stacked VLAN tags than MAX_VLAN_TAGS. */
  TooManyVlanTags,
  /** NFLOG TLV with a length below 4 or running past the captured bytes. */
  BadNflogTlv,
  /** NFLOG record without a payload TLV (type 9). */
  NflogNoPayload,
  /** The IP version nibble disagrees with the link layer, or is neither 4 nor 6 on raw IP. */
  BadIpVersion,
  /** Fewer captured bytes than the IPv4 header (20 or IHL*4) or the IPv6 header (40). */
  TruncatedIpHeader,
  /** IPv4 IHL below 5, or IHL*4 beyond the total length. */
  BadIhl,
  /** IPv4 total length below 20 (0 is not malformed: see ip.ts). */
  BadIpTotalLength,
  /** An IPv6 extension header that runs past the payload. */
  TruncatedExtHeader,
  /** More IPv6 extension headers than MAX_EXT_HEADERS. */
  TooManyExtHeaders,
  /** Fewer than 20 bytes of TCP header captured. */
  TruncatedTcpHeader,
  /** TCP data offset below 5, or beyond the IP payload. */
  BadTcpDataOffset,
  /** A link header field no valid frame has: Cisco HDLC address, PPP protocol field, PPPoE version/type. */
  BadLinkHeader,
  /** More MPLS label stack entries than MAX_MPLS_LABELS without the bottom-of-stack bit. */
  TooManyMplsLabels,
}

/** snake_case name of each code, indexed by code. */
export const MALFORMED_NAMES: readonly string[] = [
  '',
  'bad_bounds',
  'truncated_link',
  'too_many_vlan_tags',
  'bad_nflog_tlv',
  'nflog_no_payload',
  'bad_ip_version',
  'truncated_ip_header',
  'bad_ihl',
  'bad_ip_total_length',
  'truncated_ext_header',
  'too_many_ext_headers',
  'truncated_tcp_header',
  'bad_tcp_data_offset',
  'bad_link_header',
  'too_many_mpls_labels',
];

/** Counter key of each code (`decode.malformed.<name>`), indexed by code. */
export const MALFORMED_KEYS: readonly string[] = MALFORMED_NAMES.map((n) => 'decode.malformed.' + n);

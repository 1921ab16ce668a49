/**
 * Captures made from the recorded ones for the inventory's flag tests, each with what changed stated so the
 * expected inventory follows from the ground truth: the recorded API with a curl recording merged in (user
 * agents), and the recorded API with one response held back behind a pause (a hole that fills late).
 */
import { readPcapFile, recordTimeNs, writePcapFile, type PcapRecord } from '../util/pcap-file.js';
import { capture } from '../cli/runtime-harness.js';
import { API_PCAP, tempPath } from './harness.js';

/** The recorded API (Node's client: no User-Agent) and fixtures/captures/curl-variety.pcap (curl/...), by time. */
export function apiWithCurl(): string {
  const files = [readPcapFile(API_PCAP), readPcapFile(capture('curl-variety'))];
  if (files[0]!.nano !== files[1]!.nano || files[0]!.linkType !== files[1]!.linkType) throw new Error('the two recordings differ in format');
  const all = files.flatMap((f) => f.records.map((r) => ({ r, ns: recordTimeNs(f, r) })));
  all.sort((a, b) => (a.ns < b.ns ? -1 : a.ns > b.ns ? 1 : 0));
  const p = tempPath('api+curl.pcap');
  writePcapFile(p, { linkType: files[0]!.linkType, nano: files[0]!.nano, records: all.map((x) => x.r) });
  return p;
}

/** TCP ports and payload of an Ethernet/IPv4 frame (null for anything else). */
function tcpOf(r: PcapRecord): { src: number; dst: number; payload: Buffer } | null {
  const d = r.data;
  if (d.length < 34 || d.readUInt16BE(12) !== 0x0800 || d[23] !== 6) return null;
  const tcp = 14 + (d[14]! & 15) * 4;
  const start = tcp + (d[tcp + 12]! >> 4) * 4;
  return { src: d.readUInt16BE(tcp), dst: d.readUInt16BE(tcp + 2), payload: d.subarray(start, 14 + d.readUInt16BE(16)) };
}

/**
 * The recorded API with its first 404 response (one segment) held back: the server's next response on that
 * connection comes first, then `pauseSec` of packet time passes (every later frame is delayed by it), then the
 * server's response after that, then the held-back segment. A reassembler that waits longer than the pause
 * fills the hole; one that waits less gives the 404 up as a gap, so that request has no response.
 */
export function lateResponse(serverPort: number, pauseSec: number): string {
  const f = readPcapFile(API_PCAP);
  const fromServer = (i: number, client: number): boolean => {
    const s = tcpOf(f.records[i]!);
    return s !== null && s.src === serverPort && s.dst === client && s.payload.length > 0;
  };
  const moved = f.records.findIndex((r) => tcpOf(r)?.src === serverPort && tcpOf(r)!.payload.toString('latin1').startsWith('HTTP/1.1 404 '));
  if (moved < 0) throw new Error('no 404 response in the recording');
  const client = tcpOf(f.records[moved]!)!.dst;
  const next: number[] = [];
  for (let i = moved + 1; i < f.records.length && next.length < 2; i++) if (fromServer(i, client)) next.push(i);
  if (next.length < 2) throw new Error('the 404 response is not followed by two more on its connection');
  const [pauseAfter, placeAfter] = next as [number, number];
  const shifted = f.records.map((r, i) => (i > pauseAfter ? { ...r, tsSec: r.tsSec + pauseSec } : r));
  const records = shifted.filter((_, i) => i !== moved);
  records.splice(records.indexOf(shifted[placeAfter]!) + 1, 0, { ...shifted[moved]!, tsSec: shifted[placeAfter]!.tsSec, tsFrac: shifted[placeAfter]!.tsFrac });
  const p = tempPath('late-404.pcap');
  writePcapFile(p, { linkType: f.linkType, nano: f.nano, records });
  return p;
}

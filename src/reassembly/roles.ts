/**
 * Who is the client of a new connection, decided from the packet that creates it.
 *
 *  - SYN without ACK: its sender is the client (certain).
 *  - SYN with ACK: its sender is the server (certain; the SYN itself was not captured).
 *  - Anything else (capture started mid-connection): guessed. The side with the lower port is
 *    the server (services listen on low or registered ports, clients use ephemeral ports,
 *    32768-60999 on Linux); with equal ports the packet's destination is taken as the server.
 *    The consumer may swap the roles by content (ConnectionInfo.rolesGuessed).
 */
import { formatAddress } from '../decode/address.js';
import { TCP_ACK, TCP_SYN, type DecodedPacket } from '../decode/types.js';
import type { ConnectionInfo } from './types.js';

export const enum Roles {
  SourceIsClient = 0,
  SourceIsServer = 1,
  GuessedSourceIsClient = 2,
  GuessedSourceIsServer = 3,
  /** Mid-stream, but the roles are those of an evicted connection on the same 4-tuple (certain). */
  ResumedSourceIsClient = 4,
  ResumedSourceIsServer = 5,
}

export function decideRoles(flags: number, srcPort: number, dstPort: number): Roles {
  if ((flags & TCP_SYN) !== 0) return (flags & TCP_ACK) !== 0 ? Roles.SourceIsServer : Roles.SourceIsClient;
  return srcPort < dstPort ? Roles.GuessedSourceIsServer : Roles.GuessedSourceIsClient;
}

/** The facts of a new connection, strings built here once; `pkt` is the packet that creates it. */
export function connectionInfo(id: number, pkt: DecodedPacket, roles: Roles): ConnectionInfo {
  const srcIsClient = roles === Roles.SourceIsClient || roles === Roles.GuessedSourceIsClient
    || roles === Roles.ResumedSourceIsClient;
  const guessed = roles === Roles.GuessedSourceIsClient || roles === Roles.GuessedSourceIsServer;
  const resumed = roles === Roles.ResumedSourceIsClient || roles === Roles.ResumedSourceIsServer;
  const srcIp = formatAddress(pkt.buf, pkt.srcAddrOff, pkt.addrLen);
  const dstIp = formatAddress(pkt.buf, pkt.dstAddrOff, pkt.addrLen);
  return {
    id,
    clientIp: srcIsClient ? srcIp : dstIp,
    clientPort: srcIsClient ? pkt.srcPort : pkt.dstPort,
    serverIp: srcIsClient ? dstIp : srcIp,
    serverPort: srcIsClient ? pkt.dstPort : pkt.srcPort,
    midStream: guessed || resumed,
    rolesGuessed: guessed,
  };
}

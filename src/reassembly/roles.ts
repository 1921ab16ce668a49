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
import { TCP_ACK, TCP_SYN } from '../decode/types.js';

export const enum Roles {
  SourceIsClient = 0,
  SourceIsServer = 1,
  GuessedSourceIsClient = 2,
  GuessedSourceIsServer = 3,
}

export function decideRoles(flags: number, srcPort: number, dstPort: number): Roles {
  if ((flags & TCP_SYN) !== 0) return (flags & TCP_ACK) !== 0 ? Roles.SourceIsServer : Roles.SourceIsClient;
  return srcPort < dstPort ? Roles.GuessedSourceIsServer : Roles.GuessedSourceIsClient;
}

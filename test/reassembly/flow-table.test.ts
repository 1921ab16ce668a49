/** The flow table: symmetric keys, collisions resolved by comparing address bytes. */
import t from 'tap';
import { DecodedPacket } from '../../src/decode/types.js';
import { FlowTable } from '../../src/reassembly/flow-table.js';
import { Connection } from '../../src/reassembly/connection.js';
import { ReassemblyContext } from '../../src/reassembly/context.js';
import { resolveAssemblerOptions } from '../../src/reassembly/options.js';
import { Counters } from '../../src/util/counters.js';
import type { ConnectionInfo } from '../../src/reassembly/types.js';

function packet(src: number[], sport: number, dst: number[], dport: number): DecodedPacket {
  const p = new DecodedPacket();
  p.buf = Buffer.from([9, ...src, ...dst]);
  p.addrLen = src.length;
  p.srcAddrOff = 1;
  p.dstAddrOff = 1 + src.length;
  p.srcPort = sport;
  p.dstPort = dport;
  return p;
}

const ctx = new ReassemblyContext(resolveAssemblerOptions({}), new Counters());
const info = (id: number): ConnectionInfo => ({
  id, clientIp: '', clientPort: 0, serverIp: '', serverPort: 0, midStream: false, rolesGuessed: false,
});

t.test('both directions of a flow hash alike; other flows differ', async (t) => {
  const table = new FlowTable(7);
  const ab = table.hashOf(packet([1, 2, 3, 4], 1000, [5, 6, 7, 8], 80));
  const ba = table.hashOf(packet([5, 6, 7, 8], 80, [1, 2, 3, 4], 1000));
  t.equal(ab, ba);
  const other = table.hashOf(packet([1, 2, 3, 4], 1001, [5, 6, 7, 8], 80));
  t.not(ab, other);
  const swappedPorts = table.hashOf(packet([1, 2, 3, 4], 80, [5, 6, 7, 8], 1000));
  t.not(ab, swappedPorts, 'ports belong to their address');
  t.not(new FlowTable(8).hashOf(packet([1, 2, 3, 4], 1000, [5, 6, 7, 8], 80)), ab, 'the seed changes keys');
});

t.test('connections sharing a key are told apart by their bytes, in both directions', async (t) => {
  const table = new FlowTable(7);
  const p1 = packet([1, 1, 1, 1], 1111, [2, 2, 2, 2], 80);
  const p2 = packet([3, 3, 3, 3], 2222, [4, 4, 4, 4], 80);
  const p3 = packet([5, 5, 5, 5], 3333, [6, 6, 6, 6], 80);
  const forced = 42; // the same key for all three, as a collision would give
  const c1 = new Connection(ctx, info(1), forced, p1, true);
  const c2 = new Connection(ctx, info(2), forced, p2, false); // created from a server -> client packet
  const c3 = new Connection(ctx, info(3), forced, p3, true);
  table.add(c1);
  table.add(c2);
  table.add(c3);
  t.equal(table.keyCount, 1);
  t.equal(table.find(p2, forced), c2);
  t.equal(table.foundDir, 1, 'p2 went server -> client');
  t.equal(table.find(packet([4, 4, 4, 4], 80, [3, 3, 3, 3], 2222), forced), c2);
  t.equal(table.foundDir, 0);
  t.equal(table.find(p3, forced), c3);
  t.equal(table.find(packet([1, 1, 1, 1], 1111, [2, 2, 2, 9], 80), forced), undefined, 'one byte off');
  table.remove(c2);
  t.equal(table.find(p2, forced), undefined);
  t.equal(table.find(p1, forced), c1);
  table.remove(c1);
  table.remove(c3);
  t.equal(table.keyCount, 0);
});

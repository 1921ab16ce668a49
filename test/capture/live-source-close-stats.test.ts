// LiveCaptureSource.stats() after close(): the pcap_stats read at close stay readable, so totals
// published after close() (apidump's final report) still count what the kernel received and dropped.
// Root only: captures on the loopback interface, datagrams to 127.0.0.1 on a port nobody listens on,
// a filter on that port so nothing else on lo is counted.
import t from 'tap';
import { createSocket } from 'node:dgram';
import { LiveCaptureSource } from '../../src/capture/live-source.js';
import { LiveStatsPublisher } from '../../src/capture/live-stats.js';
import { Counters } from '../../src/util/counters.js';

const isRoot = process.getuid?.() === 0;
const PORT = 40000 + (process.pid % 20000);
const DATAGRAMS = 4000;

async function sendDatagrams(count: number, size: number): Promise<void> {
  const sock = createSocket('udp4');
  const payload = Buffer.alloc(size, 0x61);
  let acked = 0;
  await new Promise<void>((resolve, reject) => {
    for (let i = 0; i < count; i++) {
      sock.send(payload, PORT, '127.0.0.1', (err) => {
        if (err) reject(err);
        else if (++acked === count) resolve();
      });
    }
  });
  sock.close();
}

t.test('kernel counters survive close()', { skip: isRoot ? false : 'needs root (CAP_NET_RAW)' }, async (t) => {
  // Never run(): nothing reads the 1 MiB ring, so ~5.6 MB of datagrams overflow it.
  const source = new LiveCaptureSource('lo', { filter: `udp and dst port ${PORT}`, bufferBytes: 1 << 20 });
  let closed = false;
  t.teardown(() => { if (!closed) source.close(); });
  const counters = new Counters();
  const publisher = new LiveStatsPublisher([source], counters);

  await sendDatagrams(DATAGRAMS, 1400);
  const before = source.stats();
  t.ok(before.kernelDrops > 0, `the unread 1 MiB ring dropped (${before.kernelDrops})`);
  t.ok((before.received ?? 0) >= DATAGRAMS, `received counts every datagram (${before.received})`);

  source.close();
  closed = true;
  const after = source.stats();
  t.equal(after.kernelDrops, before.kernelDrops, 'kernel drops read at close');
  t.equal(after.received, before.received, 'received read at close');

  // the final-report path: the first publish happens after close()
  publisher.publish();
  t.equal(counters.get('capture.kernel_drops'), before.kernelDrops, 'published after close: drops counted');
  t.equal(counters.get('capture.if.lo.kernel_drops'), before.kernelDrops, 'per interface too');
});

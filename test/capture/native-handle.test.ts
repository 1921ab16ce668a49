// The addon's handle directly: buffer lifetime under GC, batch caps, API misuse.
import t from 'tap';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { loadAddon } from '../../src/capture/native.js';
import { corpusFile, tcpdumpTimestamps } from './fixtures/corpus.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const addon = loadAddon();
const FILE = corpusFile('http__206_example_b.pcap');
const expected = tcpdumpTimestamps(FILE).length;

t.test('libpcap version is reported', async (t) => {
  t.match(addon.libVersion(), /libpcap version \d+\.\d+/);
});

t.test('the handle keeps its buffers alive although JS dropped them', async (t) => {
  // Only WeakRefs stay on the JS side: if the addon kept raw pointers only, GC would free them.
  let dataRef!: WeakRef<Buffer>;
  let metaRef!: WeakRef<Uint32Array>;
  const makeHandle = () => {
    const data = Buffer.alloc(64 * 1024);
    const meta = new Uint32Array(16 * 5);
    dataRef = new WeakRef(data);
    metaRef = new WeakRef(meta);
    return new addon.PcapHandle(data, meta);
  };
  const handle = makeHandle();
  let total = 0;
  for (let round = 0; round < 5; round++) {
    if (round > 0) {
      handle.close(); // cannot reopen: use a fresh handle per round for the file
    }
    const h = round === 0 ? handle : makeHandle();
    h.openOffline(FILE);
    let n: number;
    let batches = 0;
    while ((n = h.readBatch()) >= 0) {
      total += n;
      if (++batches % 20 === 0) {
        gc();
        await new Promise((r) => setImmediate(r)); // let finalizers run
      }
    }
    gc();
    await new Promise((r) => setImmediate(r));
    t.ok(dataRef.deref(), `round ${round}: data buffer still alive while the handle is`);
    t.ok(metaRef.deref(), `round ${round}: meta array still alive while the handle is`);
    t.ok(batches > 50, `round ${round}: ${batches} batches`);
    h.close();
  }
  t.equal(total, expected * 5, 'every packet of every round read');
});

t.test('constructor and call-order misuse are errors, not crashes', async (t) => {
  t.throws(() => new addon.PcapHandle(Buffer.alloc(1024), new Uint32Array(2)), /too small/);
  t.throws(() => new addon.PcapHandle(new Uint32Array(4) as unknown as Buffer, new Uint32Array(10)), /expected/);
  t.throws(() => new addon.PcapHandle(Buffer.alloc(1024), new Int32Array(10) as unknown as Uint32Array), /expected/);
  const h = new addon.PcapHandle(Buffer.alloc(1024), new Uint32Array(10));
  t.throws(() => h.readBatch(), { reason: 'state', message: /not open/ }, 'read before open');
  t.equal(h.linkType, -1);
  h.openOffline(FILE);
  t.throws(() => h.openOffline(FILE), { reason: 'state', message: /already opened/ }, 'second open');
  t.throws(() => h.startLive(() => {}), { reason: 'state', message: /needs a live handle/ }, 'startLive on a file');
  h.close();
  h.close();
  t.throws(() => h.readBatch(), { reason: 'state', message: /not open/ }, 'read after close');
  t.throws(() => h.openOffline(FILE), { reason: 'state', message: /already opened or closed/ }, 'no reopen after close');
});

t.test('end of file is reported distinctly and stays reported', async (t) => {
  const h = new addon.PcapHandle(Buffer.alloc(8 << 20), new Uint32Array(32768 * 5));
  h.openOffline(FILE);
  t.equal(h.readBatch(), expected, 'whole file in one batch');
  t.equal(h.readBatch(), -1, 'then end of file');
  t.equal(h.readBatch(), -1, 'and again');
  t.equal(h.snaplen, 65535, 'snaplen from the file header');
  h.close();
});

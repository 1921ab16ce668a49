// FileCaptureSource against tcpdump (the independent reference) on the Zeek HTTP corpus.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { FileCaptureSource } from '../../src/capture/file-source.js';
import { Counters } from '../../src/util/counters.js';
import { allCorpusFiles, corpusFile, tcpdumpTimestamps, walkClassicPcap } from './fixtures/corpus.js';
import { CollectingSink } from './fixtures/collect.js';

async function readAll(path: string, options: ConstructorParameters<typeof FileCaptureSource>[1] = {}, keepData = false) {
  const source = new FileCaptureSource(path, options);
  const sink = new CollectingSink(keepData);
  await source.run(sink);
  const stats = source.stats();
  source.close();
  return { sink, stats, source };
}

const MICRO = corpusFile('http__206_example_b.pcap'); // classic pcap, microseconds, 1.5 MB
const NANO = corpusFile('http__get-to-ssh-server.pcap'); // classic pcap, nanosecond magic
const PCAPNG = [corpusFile('http__cooper-grill-dvwa.pcapng'), corpusFile('http__zeek-image-1080-80-x.pcapng')];

t.test('the named files are the formats the tests claim', async (t) => {
  t.equal(readFileSync(MICRO).readUInt32LE(0), 0xa1b2c3d4, 'micro magic');
  t.equal(readFileSync(NANO).readUInt32LE(0), 0xa1b23c4d, 'nano magic');
  for (const f of PCAPNG) t.equal(readFileSync(f).readUInt32LE(0), 0x0a0d0d0a, `${f} is pcapng`);
});

for (const [label, file] of [['micro pcap', MICRO], ['nano pcap', NANO], ['pcapng', PCAPNG[0]], ['pcapng', PCAPNG[1]]] as const) {
  t.test(`${label}: count and timestamps match tcpdump (${file.split('/').pop()})`, async (t) => {
    const expected = tcpdumpTimestamps(file);
    t.ok(expected.length > 0, 'tcpdump read packets');
    const { sink, stats } = await readAll(file);
    t.equal(sink.timestamps.length, expected.length, 'packet count');
    t.equal(sink.timestamps[0], expected[0], 'first timestamp (ns)');
    t.equal(sink.timestamps.at(-1), expected.at(-1), 'last timestamp (ns)');
    t.same(sink.timestamps, expected, 'every timestamp');
    t.equal(stats.packets, expected.length, 'stats.packets');
    t.equal(stats.bytes, sink.caplens.reduce((a, b) => a + b, 0), 'stats.bytes is the captured bytes');
    t.equal(sink.misaligned, 0, 'every record starts 8-byte aligned');
  });
}

t.test('nanosecond digits survive (not micro * 1000)', async (t) => {
  const { sink } = await readAll(NANO);
  const subMicro = sink.timestamps.filter((ts) => !ts.endsWith('000'));
  const refSubMicro = tcpdumpTimestamps(NANO).filter((ts) => !ts.endsWith('000'));
  t.equal(subMicro.length, refSubMicro.length, 'same number of sub-microsecond timestamps as tcpdump');
});

t.test('every corpus file: count, first and last timestamp match tcpdump', async (t) => {
  const files = allCorpusFiles();
  t.ok(files.length > 50, 'corpus present');
  for (const file of files) {
    const expected = tcpdumpTimestamps(file);
    const { sink, source } = await readAll(file);
    const name = file.split('/').pop();
    t.equal(sink.timestamps.length, expected.length, `${name}: count`);
    t.equal(sink.timestamps[0], expected[0], `${name}: first`);
    t.equal(sink.timestamps.at(-1), expected.at(-1), `${name}: last`);
    t.equal(sink.linkType, source.linkType, `${name}: batch link type`);
  }
});

t.test('link types come from the file', async (t) => {
  t.equal(new FileCaptureSource(MICRO).linkType, 1, 'Ethernet is DLT_EN10MB (1)');
  const nflog = new FileCaptureSource(corpusFile('nflog-http.pcap'));
  t.equal(nflog.linkType, 239, 'NFLOG is DLT_NFLOG (239)');
  nflog.close();
});

t.test('a BPF filter keeps what tcpdump keeps', async (t) => {
  for (const filter of ['tcp port 80 and tcp[tcpflags] & tcp-syn != 0', 'src host 192.168.1.102', 'greater 1000']) {
    const expected = tcpdumpTimestamps(MICRO, filter);
    const { sink } = await readAll(MICRO, { filter });
    t.equal(sink.timestamps.length, expected.length, `count for "${filter}"`);
    t.same(sink.timestamps, expected, `timestamps for "${filter}"`);
  }
  const all = tcpdumpTimestamps(MICRO).length;
  const some = tcpdumpTimestamps(MICRO, 'greater 1000').length;
  t.ok(some > 0 && some < all, 'the filter really selects a strict subset');
});

t.test('batches hold many packets with default buffers', async (t) => {
  const { sink, stats } = await readAll(MICRO);
  t.ok(sink.batchCounts[0] > 1, `first batch has ${sink.batchCounts[0]} packets`);
  t.equal(stats.batches, sink.batchCounts.length);
});

t.test('small buffers: many batches, same packets, byte for byte', async (t) => {
  const records = walkClassicPcap(readFileSync(MICRO));
  const maxCaplen = Math.max(...records.map((r) => r.caplen));
  // data fits 3 largest packets at most, meta caps at 7: both caps end batches.
  const { sink, stats } = await readAll(MICRO, { batch: { dataBytes: maxCaplen * 3 + 16, maxPackets: 7 } }, true);
  t.equal(sink.packets.length, records.length, 'every packet delivered');
  t.ok(sink.batchCounts.length > records.length / 7, `${sink.batchCounts.length} batches`);
  t.ok(sink.batchCounts.every((c) => c >= 1 && c <= 7), 'meta cap respected');
  t.ok(sink.batchCounts.some((c) => c < 7), 'data cap ended some batches');
  let mismatches = 0;
  for (let i = 0; i < records.length; i++) {
    if (!records[i].data.equals(sink.packets[i]) || records[i].origlen !== sink.origlens[i]) mismatches++;
  }
  t.equal(mismatches, 0, 'bytes and original lengths equal the file records, in order');
  t.equal(stats.packets, records.length);
});

t.test('a packet larger than the whole data buffer is skipped and counted', async (t) => {
  const records = walkClassicPcap(readFileSync(MICRO));
  t.ok(records.every((r) => r.caplen === r.origlen), 'file is not truncated by snaplen');
  const counters = new Counters();
  const { sink } = await readAll(MICRO, { batch: { dataBytes: 1024 }, counters });
  const fitting = tcpdumpTimestamps(MICRO, 'less 1024');
  t.same(sink.timestamps, fitting, 'exactly the packets of at most 1024 bytes');
  t.equal(counters.get('capture.oversize_skipped'), records.length - fitting.length, 'skips counted');
  t.ok(counters.get('capture.oversize_skipped') > 0, 'some were skipped');
  t.equal(counters.get('capture.packets'), fitting.length);
});

t.test('stop() ends run after the current batch; close() is idempotent', async (t) => {
  const source = new FileCaptureSource(MICRO, { batch: { maxPackets: 10 } });
  let batches = 0;
  await source.run({
    onBatch() {
      batches++;
      if (batches === 3) source.stop();
    },
  });
  t.equal(batches, 3, 'no batch after stop');
  t.equal(source.stats().packets, 30);
  source.close();
  source.close();
  await t.rejects(source.run({ onBatch() {} }), { name: 'CaptureError' }, 'closed source refuses to run');
});

t.test('run yields to the event loop between batches', async (t) => {
  const source = new FileCaptureSource(MICRO, { batch: { maxPackets: 50 } });
  let batches = 0;
  let immediates = 0;
  await source.run({
    onBatch() {
      batches++;
      setImmediate(() => immediates++);
    },
  });
  source.close();
  t.ok(batches > 10, `${batches} batches`);
  t.ok(immediates >= batches - 1, 'immediates scheduled in a batch ran before the run finished');
});

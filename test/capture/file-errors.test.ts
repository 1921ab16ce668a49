// Open-time and read-time failures of FileCaptureSource: clear CaptureErrors, good packets first.
import t from 'tap';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileCaptureSource } from '../../src/capture/file-source.js';
import { CaptureFailure } from '../../src/capture/errors.js';
import { CaptureError } from '../../src/capture/types.js';
import { corpusFile, PCAPNG_PACKET_BLOCKS, tcpdumpTimestamps, walkClassicPcap, walkPcapng } from './fixtures/corpus.js';
import { CollectingSink } from './fixtures/collect.js';

const SOURCE = corpusFile('http__206_example_a.pcap');
const dir = mkdtempSync(join(tmpdir(), 'capture-errors-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

/** Runs to the end; returns what was delivered and the error run() rejected with. */
async function readUntilError(path: string, maxPackets = 32768, filter?: string) {
  const source = new FileCaptureSource(path, { batch: { maxPackets }, filter });
  const sink = new CollectingSink();
  let error: unknown;
  try {
    await source.run(sink);
  } catch (err) {
    error = err;
  }
  source.close();
  return { sink, error };
}

function openError(path: string, filter?: string): CaptureFailure {
  try {
    new FileCaptureSource(path, { filter }).close();
  } catch (err) {
    if (err instanceof CaptureFailure) return err;
    throw err;
  }
  throw new Error('expected the open to fail');
}

const original = readFileSync(SOURCE);
const records = walkClassicPcap(original);
const cutRecord = Math.floor(records.length / 2);
const reference = tcpdumpTimestamps(SOURCE);

for (const [label, cutInside] of [['record data', 16 + 5], ['record header', 7]] as const) {
  for (const maxPackets of [32768, 10]) {
    t.test(`truncated in the middle of a ${label} (batches of ${maxPackets})`, async (t) => {
      const cutAt = records[cutRecord].start + cutInside;
      const path = join(dir, `cut-${label.replace(' ', '-')}.pcap`);
      writeFileSync(path, original.subarray(0, cutAt));
      const { sink, error } = await readUntilError(path, maxPackets);
      t.equal(sink.timestamps.length, cutRecord, 'every packet before the cut was delivered');
      t.same(sink.timestamps, reference.slice(0, cutRecord), 'and they are the right ones');
      t.ok(error instanceof CaptureError, 'then a CaptureError');
      const e = error as CaptureFailure;
      t.equal(e.reason, 'read');
      t.equal(e.byteOffset, records[cutRecord].start, 'byte offset of the damaged record');
      t.match(e.message, path, 'message names the file');
      t.match(e.message, `at byte ${records[cutRecord].start}`, 'message gives the byte offset');
      t.match(e.message, /truncated/, "message carries libpcap's reason");
    });
  }
}

t.test('the byte offset stays exact when a filter skips records', async (t) => {
  const cutAt = records[cutRecord].start + 16 + 5;
  const path = join(dir, 'cut-filtered.pcap');
  writeFileSync(path, original.subarray(0, cutAt));
  const filter = 'greater 1000';
  const expected = tcpdumpTimestamps(SOURCE, filter).filter((ts) => reference.indexOf(ts) < cutRecord);
  t.ok(expected.length > 0 && expected.length < cutRecord, 'the filter skips some records before the cut');
  const { sink, error } = await readUntilError(path, 5, filter);
  t.same(sink.timestamps, expected, 'the filtered packets before the cut');
  t.equal((error as CaptureFailure).byteOffset, records[cutRecord].start);
});

t.test('truncated pcapng: packets before the cut, then the offset of the damaged block', async (t) => {
  const ng = readFileSync(corpusFile('http__cooper-grill-dvwa.pcapng'));
  const packets = walkPcapng(ng).filter((b) => PCAPNG_PACKET_BLOCKS.has(b.type));
  const victim = packets[Math.floor(packets.length / 2)];
  const path = join(dir, 'cut.pcapng');
  writeFileSync(path, ng.subarray(0, victim.start + 20));
  const { sink, error } = await readUntilError(path, 4);
  t.equal(sink.timestamps.length, packets.indexOf(victim), 'every packet block before the cut');
  const e = error as CaptureFailure;
  t.ok(e instanceof CaptureError);
  t.equal(e.byteOffset, victim.start, 'offset of the cut block');
  t.match(e.message, `corrupt capture ${path} at byte ${victim.start}`);
});

t.test('a record with an impossible length is reported as corrupt', async (t) => {
  const damaged = Buffer.from(original);
  damaged.writeUInt32LE(0x7fffffff, records[cutRecord].start + 8); // caplen
  const path = join(dir, 'bad-caplen.pcap');
  writeFileSync(path, damaged);
  const { sink, error } = await readUntilError(path);
  t.equal(sink.timestamps.length, cutRecord, 'packets before the damage delivered');
  const e = error as CaptureFailure;
  t.ok(e instanceof CaptureError);
  t.equal(e.byteOffset, records[cutRecord].start);
  t.match(e.message, `corrupt capture ${path} at byte ${records[cutRecord].start}`);
});

t.test('missing file', async (t) => {
  const path = join(dir, 'does-not-exist.pcap');
  const e = openError(path);
  t.equal(e.reason, 'not-found');
  t.match(e.message, path);
  t.match(e.message, /not found/);
});

t.test('a directory is not a capture file', async (t) => {
  const e = openError(dir);
  t.ok(e instanceof CaptureError);
  t.match(e.message, dir);
});

t.test('garbage and empty files give a format error at open', async (t) => {
  const garbage = join(dir, 'garbage.pcap');
  writeFileSync(garbage, Buffer.from('this is certainly not a packet capture, just some text\n'.repeat(20)));
  let e = openError(garbage);
  t.equal(e.reason, 'format');
  t.match(e.message, garbage);
  t.match(e.message, /not a readable pcap or pcapng capture: .*unknown file format/);

  const empty = join(dir, 'empty.pcap');
  writeFileSync(empty, Buffer.alloc(0));
  e = openError(empty);
  t.equal(e.reason, 'format');
  t.match(e.message, empty);

  const headerOnly = join(dir, 'half-header.pcap');
  writeFileSync(headerOnly, original.subarray(0, 12));
  e = openError(headerOnly);
  t.equal(e.reason, 'format', 'a cut file header is a format error');
});

t.test('an invalid filter names the expression and the problem', async (t) => {
  let e = openError(SOURCE, 'tcp port');
  t.equal(e.reason, 'filter');
  t.match(e.message, 'invalid filter "tcp port"');
  t.match(e.message, /syntax error/);
  e = openError(SOURCE, 'tcp port 99999');
  t.match(e.message, 'invalid filter "tcp port 99999"');
  t.match(e.message, /port .*99999/);
});

t.test('a file with only a header yields nothing and ends cleanly', async (t) => {
  const path = join(dir, 'header-only.pcap');
  writeFileSync(path, original.subarray(0, 24));
  const { sink, error } = await readUntilError(path);
  t.equal(error, undefined);
  t.equal(sink.timestamps.length, 0);
  t.equal(sink.batchCounts.length, 0, 'no empty batch delivered');
});

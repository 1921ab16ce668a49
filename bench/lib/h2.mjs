// The h2c/gRPC part of the throughput run (docs/performance.md, "The h2c capture"): the sensor writing a
// JSONL file on the h2 capture (`--runs` times), tshark reading it as HTTP/2 once on a smaller h2 capture
// (`--tshark-packets`, as for HTTP/1), and the check that every stream was found (exchanges == truth).
import { ensureCapture, runSensorFile, runTshark } from './commands.mjs';
import { SERVER_PORT } from './normal-traffic.mjs';
import { summarize, agreement } from './report.mjs';

/**
 * @param {object} o  run.mjs options (h2Packets > 0)
 * @param {{log: (s: string) => void, repeat: Function}} io
 * @returns {Promise<{file: string, truth: object, rows: object[], sensor: object[], tshark: object|null, tsTruth: object|null, sensorOnTs: object|null}>}
 */
export async function runH2(o, { log, repeat }) {
  const capture = (packets) => ({ packets, connections: o.connections, inflight: o.inflight, seed: o.seed, profile: 'h2' });
  const file = `${o.dir}/capture-h2-${o.h2Packets}-${o.connections}-${o.inflight}-${o.seed}.pcap`;
  const truth = ensureCapture(file, capture(o.h2Packets), log);
  const sensor = await repeat(o.runs, 'h2 sensor-file', (i) => runSensorFile(file, o.dir, `h2.${i}`));
  const rows = [summarize('h2c sensor -> file', sensor, truth)];
  let tshark = null, tsTruth = null, sensorOnTs = null;
  if (!o.noH2Tshark) {
    let tsFile = file;
    tsTruth = truth;
    if (o.tsharkPackets > 0 && o.tsharkPackets < o.h2Packets) {
      tsFile = `${o.dir}/capture-h2-${o.tsharkPackets}-${o.connections}-${o.inflight}-${o.seed}.pcap`;
      tsTruth = ensureCapture(tsFile, capture(o.tsharkPackets), log);
    }
    tshark = (await repeat(1, 'h2 tshark', () => runTshark(tsFile, o.dir, 'h2', SERVER_PORT)))[0];
    rows.push(summarize('h2c tshark', [tshark], tsTruth));
    sensorOnTs = tsFile === file ? sensor[0] : (await repeat(1, 'h2 sensor-file (tshark capture)', () => runSensorFile(tsFile, o.dir, 'h2.ts')))[0];
  }
  return { file, truth, rows, sensor, tshark, tsTruth, sensorOnTs };
}

/** Prints the h2 capture's line and the stream checks. */
export function printH2Checks(h, print) {
  const { truth } = h;
  print(`  h2c capture ${h.file}: ${truth.packets} packets, ${truth.streams} streams (${truth.grpc} gRPC, ` +
    `${truth.grpcErrors} of them trailers-only errors), ${truth.connections} connections (generator truth)`);
  for (const [i, r] of h.sensor.entries()) {
    print(`  h2c sensor -> file run ${i + 1}: exchanges ${r.exchanges} (truth streams ${truth.streams}: ` +
      `${agreement({ a: r.exchanges, b: truth.streams })}), http2.streams ${r.stats['http2.streams'] ?? '-'}, ` +
      `lines written ${r.linesWritten}, with response ${r.responses}, dropped ${r.linesDropped}`);
  }
  if (h.tshark) {
    print(`  h2c requests  on ${h.tsTruth === truth ? 'main' : 'tshark'} h2 capture: truth ${h.tsTruth.streams}, tshark (:method) ${h.tshark.requests}, ` +
      `sensor ${h.sensorOnTs.exchanges} -> ${agreement({ a: h.tsTruth.streams, b: h.tshark.requests, c: h.sensorOnTs.exchanges })}`);
    print(`  h2c responses on ${h.tsTruth === truth ? 'main' : 'tshark'} h2 capture: truth ${h.tsTruth.streams}, tshark (:status) ${h.tshark.responses}, ` +
      `sensor (JSONL lines with a response) ${h.sensorOnTs.responses} -> ${agreement({ a: h.tsTruth.streams, b: h.tshark.responses, c: h.sensorOnTs.responses })}`);
  }
}

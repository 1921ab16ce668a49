// Counting requests and responses in each tool's output, streamed line by line (outputs can be large).
import { createReadStream, existsSync } from 'node:fs';
import { createInterface } from 'node:readline';

async function eachLine(path, fn) {
  if (!existsSync(path)) return;
  const rl = createInterface({ input: createReadStream(path), crlfDelay: Infinity });
  for await (const line of rl) fn(line);
}

/**
 * tshark `-T fields -e http.request.method -e http.response.code`: one line per packet that ends an HTTP
 * message; a packet that ends several messages lists them comma-separated.
 */
export async function countTsharkFields(path) {
  let requests = 0, responses = 0;
  await eachLine(path, (line) => {
    const [m = '', c = ''] = line.split('\t');
    if (m) requests += m.split(',').length;
    if (c) responses += c.split(',').length;
  });
  return { requests, responses };
}

/** Sensor JSON Lines (docs/output.md): one line per exchange; `response` is null when none was seen. */
export async function countSensorJsonl(path) {
  let lines = 0, responses = 0;
  await eachLine(path, (line) => {
    if (!line) return;
    lines++;
    // Bodies are base64 and header values never hold this sequence in the bench traffic.
    if (line.includes('"response":{"status"')) responses++;
  });
  return { lines, responses };
}

/** Embedded satellite output: one line per received trace. */
export async function countLines(path) {
  let n = 0;
  await eachLine(path, (line) => { if (line) n++; });
  return n;
}

/** The `stats` object of the sensor's "final stats" log line, searched in the given log files ({} if absent). */
export async function sensorFinalStats(paths) {
  let stats = {};
  for (const p of paths) {
    await eachLine(p, (line) => {
      if (line.includes('"final stats"')) {
        try { stats = JSON.parse(line).stats ?? stats; } catch { /* not a log line */ }
      }
    });
  }
  return stats;
}

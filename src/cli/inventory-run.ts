/**
 * The composition root of `inventory`: reads packets (each --pcap file through apidump's pipeline: decode,
 * reassembly, HTTP, policy, redaction) or apidump's JSON Lines (--exchanges, through the same policy), feeds
 * the endpoint inventory, and writes it in the chosen format.
 *
 * Exit status: 0 when every input was read and the output written; 1 when --out cannot be written (checked
 * before anything is read), an input cannot be read (missing, not a capture, a line that is not an exchange
 * record) or writing fails, each as one `Error: ...` line on stderr. Usage errors are UsageError (exit 2).
 */
import { closeSync, createReadStream, openSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { stringify as toYaml } from 'yaml';
import { UsageError } from './apidump-flags.js';
import type { InventoryConfig } from './inventory-flags.js';
import { Counters } from '../util/counters.js';
import { SensorPipeline } from '../pipeline/sensor-pipeline.js';
import { FileCaptureSource } from '../capture/file-source.js';
import { CaptureError } from '../capture/types.js';
import { PolicyConfigError, TrafficPolicy } from '../policy/index.js';
import { errnoReason, outputOpenError, OutputOpenError } from '../export/open-error.js';
import { Inventory } from '../inventory/inventory.js';
import { fromHttpExchange, fromRecord } from '../inventory/exchange-input.js';
import { renderTable } from '../inventory/table.js';
import { toOpenApi } from '../inventory/openapi.js';
import { renderHtml } from '../inventory/html-page.js';
import type { InventoryReport } from '../inventory/types.js';

/** Batches read from a capture file (as apidump reads files). */
const FILE_BATCH = { dataBytes: 2 * 1024 * 1024, maxPackets: 4096 };

class InputError extends Error {}

/** Refuses bad regexes and rates at start-up, naming the flag. */
function makePolicy(cfg: InventoryConfig, counters: Counters): TrafficPolicy {
  try {
    return new TrafficPolicy(cfg.policy, counters);
  } catch (err) {
    if (err instanceof PolicyConfigError || err instanceof RangeError) throw new UsageError(err.message);
    throw err;
  }
}

async function readPcaps(cfg: InventoryConfig, inv: Inventory, counters: Counters): Promise<void> {
  const sink = { onExchange: (ex: Parameters<typeof fromHttpExchange>[0]) => inv.add(fromHttpExchange(ex)) };
  for (const path of cfg.pcap) {
    // one pipeline per file: connections of two captures never mix
    const pipeline = new SensorPipeline({
      policy: cfg.policy,
      redaction: cfg.redaction,
      assembler: { streamTimeoutSec: cfg.streamTimeoutSeconds },
      http: { maxHttpLength: cfg.maxHttpLength },
    }, sink, counters);
    let source: FileCaptureSource;
    try {
      source = new FileCaptureSource(path, { filter: cfg.filter, counters, batch: FILE_BATCH });
    } catch (err) {
      if (err instanceof CaptureError) throw new InputError(`--pcap: ${err.message}`);
      throw err;
    }
    try {
      await source.run(pipeline.pump);
    } catch (err) {
      if (err instanceof CaptureError) throw new InputError(`--pcap: ${err.message}`);
      throw err;
    } finally {
      pipeline.pump.finish();
      source.close();
    }
  }
}

/** The request head the policy decides on, from a record's request. */
function headOf(r: any) {
  const headers: Array<[string, string]> = Array.isArray(r.request.headers) ? r.request.headers : [];
  const ua = headers.find(([n]) => n.toLowerCase() === 'user-agent');
  return { method: r.request.method, target: r.request.target, path: r.request.path, host: r.request.host ?? null, headers, userAgent: ua?.[1] ?? null };
}

async function readExchanges(cfg: InventoryConfig, inv: Inventory, policy: TrafficPolicy): Promise<void> {
  const name = cfg.exchanges!;
  const input = name === '-' ? process.stdin : createReadStream(name);
  const opened = new Promise<void>((resolve, reject) => {
    input.once('error', (err: Error) => reject(new InputError(`--exchanges: cannot read ${JSON.stringify(name)}: ${errnoReason(err)}`)));
    input.once('end', resolve);
  });
  opened.catch(() => {});
  const lines = createInterface({ input, crlfDelay: Infinity });
  const noConn = { id: 0, clientIp: '', clientPort: 0, serverIp: '', serverPort: 0, midStream: false, rolesGuessed: false };
  let n = 0;
  try {
    for await (const line of lines) {
      n++;
      if (line.trim() === '') continue;
      let ex;
      let r: any;
      try {
        r = JSON.parse(line);
        ex = fromRecord(r);
      } catch (err) {
        throw new InputError(`--exchanges: ${name} line ${n}: ${err instanceof SyntaxError ? 'not JSON' : (err as Error).message}`);
      }
      const startNs = String(r.start_ns);
      if (!policy.admit(headOf(r), noConn, Number(startNs.slice(0, -9) || 0), Number(startNs.slice(-9)))) continue;
      inv.add(ex);
    }
  } catch (err) {
    if (err instanceof InputError) throw err;
    await opened;
    throw err;
  }
  await opened;
}

/** The report in the chosen format, as text. */
export function renderInventory(report: InventoryReport, cfg: InventoryConfig): string {
  if (cfg.format === 'table') return renderTable(report, process.stdout.columns ?? 120);
  if (cfg.format === 'json') return `${JSON.stringify(report, null, 2)}\n`;
  if (cfg.format === 'html') return renderHtml(report);
  const doc = toOpenApi(report);
  return /\.ya?ml$/i.test(cfg.out) ? toYaml(doc, { aliasDuplicateObjects: false }) : `${JSON.stringify(doc, null, 2)}\n`;
}

export async function runInventory(cfg: InventoryConfig): Promise<number> {
  const counters = new Counters();
  const policy = makePolicy(cfg, counters);
  let fd = 1;
  try {
    if (cfg.out !== '-') fd = openSync(cfg.out, 'w');
  } catch (err) {
    process.stderr.write(`Error: ${outputOpenError('--out', cfg.out, err).message}\n`);
    return 1;
  }
  const inv = new Inventory(cfg.limits);
  try {
    if (cfg.exchanges !== undefined) await readExchanges(cfg, inv, policy);
    else await readPcaps(cfg, inv, counters);
    const text = renderInventory(inv.snapshot(), cfg);
    if (fd === 1) {
      // a reader that closes standard output early took what it wanted (src/cli/entry.ts): not a failure
      await new Promise<void>((resolve) => { process.stdout.write(text, () => resolve()); });
      return 0;
    }
    try {
      writeFileSync(fd, text);
    } catch (err) {
      throw new OutputOpenError(`--out: writing ${JSON.stringify(cfg.out)} failed: ${errnoReason(err)}`);
    }
    return 0;
  } catch (err) {
    if (err instanceof InputError || err instanceof OutputOpenError) {
      process.stderr.write(`Error: ${err.message}\n`);
      return 1;
    }
    throw err;
  } finally {
    if (fd !== 1) closeSync(fd);
  }
}

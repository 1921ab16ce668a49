/**
 * `pcap-sensor satellite --port N --host H --out FILE`: the embedded satellite for local runs and tests.
 * Receives OTLP/HTTP JSON (POST /v1/traces) and the satellite JSON (POST /1.0/ebpf/traces), writes every
 * trace as a JSON line to --out and prints a one-line summary per batch; serves the endpoint inventory of what
 * it received (GET /, /api/inventory, /openapi.json: docs/inventory.md). Runs until SIGINT/SIGTERM.
 *
 * Exit status: 0 after SIGINT/SIGTERM; 2 for a usage error (a bad --port: not a number in 0-65535); 1 when it cannot start
 * (--out cannot be written, or the address cannot be listened on: in use, not local), each one `Error: ...` line
 * on stderr printed before anything says it is listening; 1 too when writing --out failed while it ran (a full
 * disk: said again at exit). Standard output closed by its reader stops the records only (exit 0).
 */
import type { Argv } from 'yargs';
import { startSatellite, SatelliteListenError, type Satellite } from '../satellite/server.js';
import { errnoReason, OutputOpenError } from '../export/open-error.js';
import { nonEmpty, tcpPort } from '../config/values.js';
import { valueFlag } from '../config/flag-options.js';

/** The flags of `satellite`. */
export const SATELLITE_OPTIONS = {
  port: { ...valueFlag((v) => tcpPort('--port', v)), default: '9999', describe: 'TCP port to listen on (0 = any free port, printed at start)' },
  host: { ...valueFlag(nonEmpty('host', 'an address')), default: '127.0.0.1', describe: 'address to listen on' },
  // one value: '-' is the value, not a positional
  out: { ...valueFlag(nonEmpty('out', "a file path or '-'")), default: '-', describe: "file for the received traces ('-' = stdout)" },
} as const;

/** Registers `satellite`; the handler sets the exit code through `setExit` (1 when it cannot start). */
export function registerSatelliteCommand<T>(yargs: Argv<T>, setExit: (code: number) => void = () => {}): Argv<T> {
  return yargs.command(
    'satellite',
    'run the embedded satellite: receive traces and write them as JSON Lines',
    (y) => y.options(SATELLITE_OPTIONS),
    async (args) => {
      const a = args as unknown as { port: number; host: string; out: string }; // as the parsers return them
      let sat: Satellite;
      try {
        sat = await startSatellite({ port: a.port, host: a.host, out: a.out });
      } catch (err) {
        if (!(err instanceof OutputOpenError || err instanceof SatelliteListenError)) throw err;
        process.stderr.write(`Error: satellite: ${err.message}\n`);
        setExit(1);
        return;
      }
      process.stderr.write(`satellite listening on ${sat.url}\n`);
      process.stderr.write(`endpoint inventory of what it receives: ${sat.url}/ (page), ${sat.url}/api/inventory (JSON), ${sat.url}/openapi.json\n`);
      await new Promise<void>((resolve) => {
        const stop = (): void => { resolve(); };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      await sat.close();
      // records lost to a failing --out are a runtime failure; standard output closed by its reader is not
      const err = sat.outError;
      if (err !== null && err.code !== 'EPIPE') {
        process.stderr.write(`Error: satellite: --out: writing records failed: ${errnoReason(err)}\n`);
        setExit(1);
      }
    },
  ) as Argv<T>;
}

/**
 * `pcap-sensor satellite --port N --out FILE`: the embedded satellite for local runs and tests. Receives
 * OTLP/HTTP JSON (POST /v1/traces) and the satellite JSON (POST /1.0/ebpf/traces), writes every trace as a
 * JSON line to --out and prints a one-line summary per batch. Runs until SIGINT/SIGTERM.
 */
import type { Argv } from 'yargs';
import { startSatellite } from '../satellite/server.js';

export function registerSatelliteCommand<T>(yargs: Argv<T>): Argv<T> {
  return yargs.command(
    'satellite',
    'run the embedded satellite: receive traces and write them as JSON Lines',
    (y) => y.options({
      port: { type: 'number', default: 9999, describe: 'TCP port to listen on (0 = any free port, printed at start)' },
      host: { type: 'string', default: '127.0.0.1', describe: 'address to listen on' },
      out: { type: 'string', default: '-', describe: "file for the received traces ('-' = stdout)" },
    }),
    async (args) => {
      const port = Number(args.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port: expected 0-65535, got '${String(args.port)}'`);
      const sat = await startSatellite({ port, host: String(args.host), out: String(args.out) });
      process.stderr.write(`satellite listening on ${sat.url}\n`);
      await new Promise<void>((resolve) => {
        const stop = (): void => { resolve(); };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      await sat.close();
    },
  ) as Argv<T>;
}

// Process entry for bin/pcap-sensor and bin/init: runs the CLI and sets the exit status.
import { main } from './main.js';

// Standard output closed by its reader (`... --print-config | head -1`, `ecs container-definition | head`) is
// not an error of the program: what was asked for was read as far as the reader wanted. Without a listener
// the EPIPE would be an unhandled 'error' event and a stack trace. Exporters that write to standard output
// (`apidump --out -`) add their own listener and count what was not taken (docs/export.md).
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code !== 'EPIPE') throw err;
});

process.exitCode = await main(process.argv.slice(2));

// Usage errors of every command, as processes: one line on stderr, `Error: --flag: what is wrong (where the value
// came from)`, exit 2, nothing else (no usage text, no second line, no stack trace). The `apidump` and `inventory`
// cases are in apidump-usage*.test.ts; these are the other commands, with the same form.
import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliEnv, runCli } from '../ecs/process-harness.js';

const ECS_CD = ['ecs', 'container-definition', '--satellite-url', 'http://s:9999', '--levoai-org-id', 'o', '--region', 'us-east-1'];

/** argv, extra environment, the exact stderr expected. */
const CASES: [argv: string[], env: Record<string, string>, stderr: string][] = [
  [['satellite', '--port', 'abc'], {}, "Error: --port: expected a port number from 0 to 65535, got 'abc' (command line)"],
  [['satellite', '--bogus'], {}, 'Error: --bogus: unknown flag (command line)'],
  [['satellite', '--port', '1', '--port', '2'], {}, 'Error: --port: given 2 times on the command line; it takes one value (only list flags may be repeated)'],
  [['satellite', '--host'], {}, 'Error: --host: expected a value (command line)'],
  [['health', '--port', '0'], {}, "Error: --port: expected a port number from 1 to 65535, got '0' (command line)"],
  [['health'], { LEVO_METRICS_PORT: 'abc' }, "Error: --port: expected a port number from 1 to 65535, got 'abc' (set by LEVO_METRICS_PORT)"],
  [['health', '--port', '9464', '--timeout-ms', 'soon'], {}, "Error: --timeout-ms: expected a number > 0, got 'soon' (command line)"],
  [['health', '--verbose'], {}, 'Error: --verbose: unknown flag (command line)'],
  [[...ECS_CD, '--cpu', 'abc'], {}, "Error: --cpu: expected a whole number >= 1, got 'abc' (command line)"],
  [[...ECS_CD, '--memory'], {}, 'Error: --memory: expected a value (command line)'],
  [[...ECS_CD, '--cluster', 'prod'], {}, 'Error: --cluster: unknown flag (command line)'],
  [['ecs', 'remove', '--cluster', 'c', '--timeout', '0'], {}, "Error: --timeout: expected a number > 0, got '0' (command line)"],
  [['ecs', 'add', '--region', 'R'], {}, "Error: --region: expected an AWS region name such as us-west-2, got 'R' (command line)"],
  [['ecs', 'container-definition', '--satellite-url', 'http://s:9999', '--levoai-org-id', 'o'], { LEVO_AWS_REGION: 'R' },
    "Error: --region: expected an AWS region name such as us-west-2, got 'R' (set by LEVO_AWS_REGION)"],
  [['ecs', 'container-definition', '--levoai-org-id', 'o', '--region', 'us-east-1'], {},
    'Error: --satellite-url: required: where the sensor sends traces, http(s)://host:port'],
  [['ecs', 'add', '--cluster', 'c', '--no-cpu'], {}, 'Error: --no-cpu: unknown flag (command line); leave --cpu out for its default'],
];

for (const [argv, env, stderr] of CASES) {
  t.test(`${argv.slice(0, 2).join(' ')} ... ${argv.slice(-2).join(' ')}${Object.keys(env).length ? ` with ${Object.keys(env).join(',')}` : ''}`, async (t) => {
    const home = mkdtempSync(join(tmpdir(), 'usage-form-'));
    t.teardown(() => rmSync(home, { recursive: true, force: true }));
    const r = await runCli(argv, cliEnv(home, env));
    t.equal(r.code, 2, 'exit 2');
    t.equal(r.stderr, `${stderr}\n`, 'one line naming the flag and its source');
    t.equal(r.stdout, '', 'nothing on stdout');
  });
}

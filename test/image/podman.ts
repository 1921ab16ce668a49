/**
 * podman for the image tests: the local base image (scripts/build-node-base-image.sh), the Dockerfile built on
 * it, and containers that are removed by name when the test ends. Every command runs with `--runtime runc`
 * (crun refuses the cgroup layout of these machines); containers use only `--network none` and
 * `--network container:NAME`, never podman's bridge network.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../util/sensor-run.js';

export const BASE_IMAGE = 'localhost/node:20-bookworm-slim';
const PODMAN = ['--runtime', 'runc'];

/** Why the image tests cannot run here, or false when they can: podman installed and running as root. */
export const podmanUnavailable: string | false = process.getuid?.() !== 0
  ? 'needs root (podman builds and runs the image)'
  : spawnSync('podman', ['--version']).status !== 0
    ? 'podman is not installed (scripts/setup.sh installs it)'
    : false;

export interface Result { status: number | null; stdout: string; stderr: string }

/** Runs `podman ARGS` to completion (without blocking the event loop); never rejects. */
export function podman(args: string[], timeoutMs = 60_000): Promise<Result> {
  return run('podman', [...PODMAN, ...args], timeoutMs);
}

function run(cmd: string, args: string[], timeoutMs: number): Promise<Result> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], cwd: REPO_ROOT });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => { stdout += c.toString('utf8'); });
    child.stderr.on('data', (c: Buffer) => { stderr += c.toString('utf8'); });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (status) => { clearTimeout(timer); resolve({ status, stdout, stderr }); });
    child.on('error', (err) => { clearTimeout(timer); resolve({ status: null, stdout, stderr: stderr + String(err) }); });
  });
}

/** Builds (or reuses, when its recipe is unchanged) the local node:20-bookworm-slim. */
export async function buildBaseImage(): Promise<Result> {
  return run('bash', [join(REPO_ROOT, 'scripts', 'build-node-base-image.sh'), BASE_IMAGE], 600_000);
}

/** The CA file npm trusts on this machine: NODE_EXTRA_CA_CERTS, else npm's `cafile`; undefined when neither. */
function trustedCa(): string | undefined {
  const fromEnv = process.env.NODE_EXTRA_CA_CERTS;
  if (fromEnv && existsSync(fromEnv)) return fromEnv;
  const cafile = spawnSync('npm', ['config', 'get', 'cafile'], { encoding: 'utf8' }).stdout?.trim();
  return cafile && cafile.startsWith('/') && existsSync(cafile) ? cafile : undefined;
}

/**
 * Builds the Dockerfile (target `target`, default the last stage) on the local base image as `tag`, with the
 * CA that npm trusts here as the build secret `ca`, the way docs/operations.md says.
 */
export async function buildImage(tag: string, target?: string): Promise<Result> {
  const ca = trustedCa();
  return podman(['build', '--network', 'host', '--build-arg', `NODE_IMAGE=${BASE_IMAGE}`,
    ...(ca ? ['--secret', `id=ca,src=${ca}`] : []), ...(target ? ['--target', target] : []), '-t', tag, '.'], 900_000);
}

/**
 * Removes the images that earlier builds of this Dockerfile left behind: untagged, built on the local base image
 * (its label) or labelled as this project's image, and not among the images `builds` produced or reused (ids in
 * their `podman build` output). Repeated while it removes something, since a removed image can leave its parent
 * untagged and unused. Images of anything else on the machine are never touched.
 */
export async function removeStaleBuilds(builds: Result[]): Promise<number> {
  const current = builds.flatMap((b) => [...b.stdout.matchAll(/^--> (?:Using cache )?([0-9a-f]{11,64})$/gm)].map((m) => m[1]));
  const inUse = (id: string): boolean => current.some((c) => id.startsWith(c) || c.startsWith(id));
  let removed = 0;
  for (let round = 0; round < 20; round++) {
    const ids = new Set<string>();
    for (const label of ['org.pcap-sensor.base-recipe', 'org.opencontainers.image.title=pcap-sensor']) {
      const r = await podman(['images', '-q', '--no-trunc', '--filter', 'dangling=true', '--filter', `label=${label}`]);
      for (const id of r.stdout.split('\n').map((l) => l.trim().replace(/^sha256:/, '')).filter(Boolean)) if (!inUse(id)) ids.add(id);
    }
    if (ids.size === 0) break;
    const before = removed;
    for (const id of ids) if ((await podman(['rmi', id])).status === 0) removed++;
    if (removed === before) break;
  }
  return removed;
}

/** Image size as `podman image inspect --format '{{.Size}}'` reports it (bytes). */
export async function imageSize(image: string): Promise<number> {
  return Number((await podman(['image', 'inspect', '--format', '{{.Size}}', image])).stdout.trim());
}

/** Containers started by one test, named `<role>-<tag>`; `removeAll()` removes each by name. */
export class Containers {
  readonly tag = `pcs${process.pid.toString(36)}${Math.floor(Math.random() * 36 ** 3).toString(36)}`;
  private readonly names: string[] = [];

  name(role: string): string {
    return `${role}-${this.tag}`;
  }

  /** `podman run -d --name <role>-<tag> ARGS`; returns the name. Rejects when podman refuses to start it. */
  async start(role: string, args: string[]): Promise<string> {
    const name = this.name(role);
    this.names.push(name);
    const r = await podman(['run', '-d', '--name', name, ...args]);
    if (r.status !== 0) throw new Error(`podman run ${name} failed (${r.status}): ${r.stderr}`);
    return name;
  }

  /** Stdout and stderr of a container so far. */
  async logs(name: string): Promise<Result> {
    return podman(['logs', name]);
  }

  /** Resolves with the logs once `re` matches them (stdout or stderr); rejects after `timeoutMs`. */
  async waitForLog(name: string, re: RegExp, timeoutMs = 60_000): Promise<Result> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const r = await this.logs(name);
      if (re.test(r.stdout) || re.test(r.stderr)) return r;
      if (Date.now() > deadline) throw new Error(`${name}: timed out waiting for ${re}; logs:\n${(r.stdout + r.stderr).slice(-3000)}`);
      await new Promise((res) => setTimeout(res, 300));
    }
  }

  async removeAll(): Promise<void> {
    for (const name of this.names.reverse()) await podman(['rm', '-f', '-t', '0', name]);
  }
}

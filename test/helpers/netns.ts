/**
 * A network namespace the test makes itself, for what needs an address other than loopback (a
 * team mock bound to 0.0.0.0 or to a LAN address): its `lo` is up and carries a 10.x.y.z/32
 * address of its own, so nothing in it reaches or is reached from any other machine. Servers
 * and clients run in it through `ip netns exec`; `remove()` deletes it.
 */
import { execFile, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import { REPO, TSX } from './child';
import type { RawAnswer, RawRequest } from './raw-http';

const run = promisify(execFile);

function ip(...args: string[]): { ok: boolean; output: string } {
  const result = spawnSync('ip', args, { encoding: 'utf8' });
  return { ok: result.status === 0, output: `${result.stderr ?? ''}${result.error ?? ''}`.trim() };
}

/** Why namespaces cannot be made here (not root, no `ip`, a sandbox that forbids it), or false. */
export const noNetns: string | false = (() => {
  const probe = `cm-probe-${process.pid}-${randomBytes(3).toString('hex')}`;
  const added = ip('netns', 'add', probe);
  if (!added.ok) return `ip netns add is not permitted here (${added.output || 'no reason given'})`;
  ip('netns', 'delete', probe);
  return false;
})();

export interface Namespace {
  name: string;
  /** The namespace's own non-loopback address, on its lo. */
  address: string;
  /** `command args…` run inside the namespace: what `spawn` is given. */
  command(file: string, ...args: string[]): { file: string; args: string[] };
  /** Raw HTTP requests made from inside the namespace, in order (see raw-http.ts). */
  rawRequests(requests: RawRequest[]): Promise<RawAnswer[]>;
  remove(): void;
}

export function createNamespace(): Namespace {
  const name = `cm-test-${process.pid}-${randomBytes(4).toString('hex')}`;
  const [b, c, d] = randomBytes(3);
  const address = `10.${b}.${c}.${Math.max(d, 1)}`;
  const steps = [
    ['netns', 'add', name],
    ['-n', name, 'link', 'set', 'lo', 'up'],
    ['-n', name, 'address', 'add', `${address}/32`, 'dev', 'lo'],
  ];
  for (const step of steps) {
    const done = ip(...step);
    if (!done.ok) {
      ip('netns', 'delete', name);
      throw new Error(`ip ${step.join(' ')}: ${done.output}`);
    }
  }
  const command = (file: string, ...args: string[]) => ({
    file: 'ip',
    args: ['netns', 'exec', name, file, ...args],
  });
  return {
    name,
    address,
    command,
    rawRequests: async (requests) => {
      const client = command(
        process.execPath,
        ...TSX,
        path.join(REPO, 'test', 'helpers', 'raw-http-cli.ts'),
        JSON.stringify(requests),
      );
      const { stdout } = await run(client.file, client.args, { timeout: 30_000 });
      return JSON.parse(stdout) as RawAnswer[];
    },
    remove: () => void ip('netns', 'delete', name),
  };
}

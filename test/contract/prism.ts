/**
 * Prism (@stoplight/prism-cli): a generic mock and validating proxy that knows nothing but
 * openapi.yaml. Started on a free port on 127.0.0.1 with the Node running this process (the
 * project's Node 22), given a bounded time to start, and stopped by its process id.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { OPENAPI_FILE } from './guards';

export interface RunningPrism {
  /** Where Prism listens; API paths go right after it (/me, /contacts...). */
  url: string;
  /** Everything Prism printed. */
  output: string[];
  stop(): Promise<void>;
}

/** A port nothing listens on right now. */
async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

/**
 * `prism mock openapi.yaml`, or `prism proxy --errors openapi.yaml <upstream>` (the upstream is
 * the API base, …/api/zapier, as openapi.yaml's servers are).
 */
export async function startPrism(
  mode: { mock: true } | { proxy: string },
  startWithinMs = 60_000,
): Promise<RunningPrism> {
  const port = await freePort();
  const cli = require.resolve('@stoplight/prism-cli/dist/index.js');
  const command =
    'proxy' in mode ? ['proxy', '--errors', OPENAPI_FILE, mode.proxy] : ['mock', OPENAPI_FILE];
  const child = spawn(process.execPath, [cli, ...command, '-h', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const exited = once(child, 'exit');
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  };
  const listening = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () =>
        reject(new Error(`Prism did not start within ${startWithinMs} ms:\n${output.join('')}`)),
      startWithinMs,
    );
    const read = (chunk: Buffer) => {
      output.push(chunk.toString());
      if (output.join('').includes('Prism is listening')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout.on('data', read);
    child.stderr.on('data', read);
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`Prism exited before it listened:\n${output.join('')}`));
    });
  });
  try {
    await listening;
  } catch (error) {
    await stop();
    throw error;
  }
  return { url: `http://127.0.0.1:${port}`, output, stop };
}

/**
 * `raw-http-cli.ts '[{"base": "http://10.1.2.3:3000", "bytes": "GET / HTTP/1.1\r\n..."}]'`:
 * rawRequest for each, in order, and the answers as one JSON array on stdout. Run inside a
 * network namespace (netns.ts), where the test process itself cannot connect.
 */
import { rawRequest, type RawRequest } from './raw-http';

async function main(): Promise<void> {
  const requests = JSON.parse(process.argv[2]) as RawRequest[];
  const answers = [];
  for (const { base, bytes, options } of requests) {
    answers.push(await rawRequest(base, bytes, options));
  }
  process.stdout.write(JSON.stringify(answers));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

/**
 * The yardstick: a bare node:http server that reads each request's body and answers one fixed
 * status and JSON body, with the same content type the mock sends. Every throughput case is a
 * ratio to this server answering the body the mock answered, measured in the same window.
 *
 *   node --import tsx bench/lib/bare-server.ts --port 0 --status 200 --body '{"ok":true}'
 */
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    status: { type: 'string', default: '200' },
    body: { type: 'string', default: '{"ok":true}' },
  },
});
const status = Number(values.status);
const body = Buffer.from(values.body);
const headers = {
  'content-type': 'application/json; charset=utf-8',
  'content-length': String(body.length),
};

const server = createServer((request, response) => {
  request.resume();
  request.on('end', () => {
    response.writeHead(status, headers);
    response.end(body);
  });
});
server.listen(Number(values.port), '127.0.0.1', () => {
  const { port } = server.address() as { port: number };
  console.log(`bare server listening on http://127.0.0.1:${port}`);
});

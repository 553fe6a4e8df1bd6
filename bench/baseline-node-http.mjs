// Baseline of the gateway throughput benchmark: bare `node:http` answering a constant, the
// ceiling for any Node server on this machine. Env: HTTP_PORT (required), HTTP_HOST (127.0.0.1).
import { createServer } from 'node:http';

const body = Buffer.from('{"ok":true}');
const headers = { 'content-type': 'application/json', 'content-length': String(body.length) };

createServer((request, response) => {
  request.resume();
  response.writeHead(200, headers);
  response.end(body);
})
  .listen(Number(process.env.HTTP_PORT), process.env.HTTP_HOST ?? '127.0.0.1')
  .on('listening', () => process.stdout.write('listening\n'));

process.on('SIGTERM', () => process.exit(0));

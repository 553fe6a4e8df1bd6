import { type Agent, type IncomingHttpHeaders, request } from 'node:http';

export interface RawReply {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

export interface RawRequestOptions {
  readonly method?: string;
  readonly headers?: Record<string, string>;
  readonly body?: string;
  readonly agent?: Agent;
}

/**
 * One HTTP request over `node:http`, its path sent exactly as written: dot segments, escapes
 * and double slashes reach the server untouched (`fetch` and `new URL` would normalize them),
 * which is what tests of path handling need. Resolves with status, headers and the body text.
 */
export function rawRequest(url: string, options: RawRequestOptions = {}): Promise<RawReply> {
  const match = /^(https?:\/\/[^/?#]+)(.*)$/.exec(url);
  if (!match) throw new Error(`not an http URL: ${url}`);
  const { hostname, port } = new URL(match[1] ?? '');
  const path = match[2] || '/';
  const { method = 'GET', headers = {}, body, agent } = options;
  return new Promise((resolve, reject) => {
    const req = request(
      { hostname, port, path, method, headers, ...(agent ? { agent } : {}) },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

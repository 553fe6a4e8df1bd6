import { connect } from 'node:net';

/** Opens a TCP connection, optionally sends `request`, and resolves with the first reply bytes. */
export function tcpExchange(
  host: string,
  port: number,
  request: string | undefined,
  timeoutMs = 1_000,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    const done = (error: Error | undefined, reply = ''): void => {
      socket.destroy();
      if (error) reject(error);
      else resolve(reply);
    };
    socket.setTimeout(timeoutMs, () => done(new Error(`${host}:${port} timed out`)));
    socket.once('error', (error) => done(error));
    socket.once('connect', () => {
      if (request === undefined) done(undefined);
      else socket.write(request);
    });
    socket.once('data', (data) => done(undefined, data.toString('utf8')));
  });
}

/** True when something accepts TCP connections on host:port. */
export async function isListening(host: string, port: number, timeoutMs = 1_000): Promise<boolean> {
  try {
    await tcpExchange(host, port, undefined, timeoutMs);
    return true;
  } catch {
    return false;
  }
}

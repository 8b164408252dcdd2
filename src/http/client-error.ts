/**
 * The answer to a request Node's HTTP parser refused (headers or URL over --maxHeaderSize: 431; headers
 * not sent within headersTimeout: 408; anything malformed: 400), sent so that the client can read it.
 * Node's default writes the answer and destroys the socket at once; when the client is still sending
 * (a 64 KiB URL), the unread bytes make the kernel reset the connection and the client sees ECONNRESET
 * instead of the status (Node 24 does so reliably). Here the answer is sent with a half-close, what the
 * client still sends is read and dropped, and the socket is destroyed after at most 2 s.
 */
import type { Duplex } from 'node:stream';

const STATUS: Readonly<Record<string, string>> = Object.freeze({
  HPE_HEADER_OVERFLOW: '431 Request Header Fields Too Large',
  ERR_HTTP_REQUEST_TIMEOUT: '408 Request Timeout',
});

/** Max time to let a refused client read the answer before the connection is cut. */
export const CLIENT_ERROR_LINGER_MS = 2_000;

/**
 * A `clientError` listener for one server. The parser reports an error again for every later chunk of
 * a refused request: only the first one is answered.
 */
export function clientErrorHandler(): (err: Error & { code?: string }, socket: Duplex) => void {
  const answered = new WeakSet<Duplex>();
  return (err, socket) => {
    if (answered.has(socket)) return;
    const inFlight = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
    if (!socket.writable || inFlight?.headersSent || err.code === 'ECONNRESET') {
      socket.destroy();
      return;
    }
    answered.add(socket);
    const status = STATUS[err.code ?? ''] ?? '400 Bad Request';
    socket.on('error', () => socket.destroy());
    socket.on('data', () => {});
    socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    setTimeout(() => socket.destroy(), CLIENT_ERROR_LINGER_MS).unref();
  };
}

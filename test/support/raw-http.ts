/**
 * Sends a request exactly as written, over a plain TCP socket. fetch() would normalise the URL first
 * (resolving "..", "%2e%2e", re-encoding), which hides what a hostile client can really send.
 */
export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export async function rawRequest(port: number, requestLine: string, headers: string[] = [], body = '', timeoutMs = 5_000): Promise<RawResponse> {
  const defaults = ['Host: 127.0.0.1', 'Connection: close', 'Accept-Encoding: identity'].filter(
    (line) => !headers.some((h) => h.toLowerCase().startsWith(line.slice(0, line.indexOf(':') + 1).toLowerCase())),
  );
  const head = [requestLine, ...defaults, ...headers, '', ''].join('\r\n') + body;
  const chunks: Uint8Array[] = [];
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer to ${requestLine.slice(0, 80)}`)), timeoutMs);
    Bun.connect({
      hostname: '127.0.0.1',
      port,
      socket: {
        open(socket) {
          socket.write(head);
        },
        data(_socket, data) {
          chunks.push(new Uint8Array(data));
        },
        close() {
          clearTimeout(timer);
          resolve();
        },
        error(_socket, error) {
          clearTimeout(timer);
          reject(error);
        },
      },
    }).catch(reject);
  });
  return parseResponse(Buffer.concat(chunks).toString('latin1'));
}

export function rawGet(port: number, target: string, headers: string[] = []): Promise<RawResponse> {
  return rawRequest(port, `GET ${target} HTTP/1.1`, headers);
}

function parseResponse(text: string): RawResponse {
  const split = text.indexOf('\r\n\r\n');
  if (split === -1) throw new Error(`malformed response: ${JSON.stringify(text.slice(0, 200))}`);
  const [statusLine = '', ...headerLines] = text.slice(0, split).split('\r\n');
  const status = Number(statusLine.split(' ')[1]);
  const headers: Record<string, string> = {};
  for (const line of headerLines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  let body = text.slice(split + 4);
  if (headers['transfer-encoding']?.includes('chunked')) body = dechunk(body);
  return { status, headers, body: Buffer.from(body, 'latin1').toString('utf8') };
}

function dechunk(body: string): string {
  let out = '';
  let at = 0;
  for (;;) {
    const lineEnd = body.indexOf('\r\n', at);
    if (lineEnd === -1) break;
    const size = parseInt(body.slice(at, lineEnd), 16);
    if (!size) break;
    out += body.slice(lineEnd + 2, lineEnd + 2 + size);
    at = lineEnd + 2 + size + 2;
  }
  return out;
}

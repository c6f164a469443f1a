import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

/** How the control plane answered one POST. */
export interface Answer {
  status: number;
  /** The body, at most `MAX_ANSWER` characters of it. */
  text: string;
  retryAfter: string | null;
}

/** Sends one JSON body; rejects when no answer came (refused, reset, timed out). */
export interface Transport {
  post(url: string, headers: Record<string, string>, body: string, timeoutMs: number): Promise<Answer>;
  close(): void;
}

/** Answers are a few bytes (`{accepted, duplicates}` or an error envelope); anything beyond is not read. */
const MAX_ANSWER = 64 * 1024;

/**
 * The default transport: Node's own HTTP client on one kept-alive connection (the reporter has one
 * request in flight at a time). Global `fetch` (undici) cost about 9 µs of CPU per hit in batches of
 * 100, about as much as everything else reporting costs.
 */
export function nodeTransport(): Transport {
  const agents = {
    http: new HttpAgent({ keepAlive: true, maxSockets: 1 }),
    https: new HttpsAgent({ keepAlive: true, maxSockets: 1 }),
  };
  return {
    post(url, headers, body, timeoutMs) {
      return new Promise((resolve, reject) => {
        const secure = url.startsWith('https:');
        const req = (secure ? httpsRequest : httpRequest)(
          url,
          {
            method: 'POST',
            headers: { ...headers, 'content-length': Buffer.byteLength(body) },
            agent: secure ? agents.https : agents.http,
          },
          (res) => readAnswer(res).then(resolve, reject),
        );
        // A deadline for the whole exchange, not only for a quiet socket.
        const timer = setTimeout(() => req.destroy(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
        req.once('close', () => clearTimeout(timer));
        req.once('error', reject);
        req.end(body);
      });
    },
    close() {
      agents.http.destroy();
      agents.https.destroy();
    },
  };
}

function readAnswer(res: IncomingMessage): Promise<Answer> {
  return new Promise((resolve, reject) => {
    let text = '';
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      if (text.length < MAX_ANSWER) text += chunk.slice(0, MAX_ANSWER - text.length);
    });
    res.once('end', () => {
      const retryAfter = res.headers['retry-after'];
      resolve({ status: res.statusCode ?? 0, text, retryAfter: retryAfter ?? null });
    });
    res.once('error', reject);
    res.once('close', () => {
      if (!res.complete) reject(new Error('connection closed before the answer was complete'));
    });
  });
}

/** A transport over a `fetch` the app supplied (the `reporter.fetch` option). */
export function fetchTransport(doFetch: typeof fetch): Transport {
  return {
    async post(url, headers, body, timeoutMs) {
      const res = await doFetch(url, {
        method: 'POST',
        headers,
        body,
        signal: AbortSignal.timeout(timeoutMs),
      });
      const text = await res.text().catch(() => '');
      return {
        status: res.status,
        text: text.slice(0, MAX_ANSWER),
        retryAfter: res.headers.get('retry-after'),
      };
    },
    close() {},
  };
}

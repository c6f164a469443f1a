import { request } from 'node:http';

/** One parsed SSE message, or a `:` comment. */
export interface SseFrame {
  id?: string;
  event?: string;
  data?: string;
  comment?: string;
  retry?: string;
}

/** Splits an SSE byte stream into frames; `rest` is an incomplete frame still waiting for its blank line. */
export function parseFrames(text: string): { frames: SseFrame[]; rest: string } {
  const parts = text.split('\n\n');
  const rest = parts.pop() ?? '';
  const frames = parts.map((block) => {
    const f: SseFrame = {};
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) f.comment = line.slice(1).trim();
      else {
        const i = line.indexOf(':');
        const field = line.slice(0, i) as 'id' | 'event' | 'data' | 'retry';
        f[field] = line.slice(i + 1).replace(/^ /, '');
      }
    }
    return f;
  });
  return { frames, rest };
}

/**
 * A raw SSE reader over node:http (no reconnection, no buffering of its own): `frames` fills as they
 * arrive; `pause()`/`resume()` stop and restart reading the socket; `close()` drops the connection.
 */
export function rawStream(
  url: string,
  headers: Record<string, string>,
): Promise<{
  status: number;
  frames: SseFrame[];
  body: () => string;
  ended: Promise<void>;
  pause(): void;
  resume(): void;
  close(): void;
}> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { Accept: 'text/event-stream', ...headers } }, (res) => {
      const frames: SseFrame[] = [];
      let buffer = '';
      let raw = '';
      res.setEncoding('utf8');
      const ended = new Promise<void>((done) => {
        res.on('end', done);
        res.on('close', done);
        res.on('error', () => done());
      });
      res.on('data', (chunk: string) => {
        raw += chunk;
        const parsed = parseFrames(buffer + chunk);
        buffer = parsed.rest;
        frames.push(...parsed.frames);
      });
      resolve({
        status: res.statusCode ?? 0,
        frames,
        body: () => raw,
        ended,
        pause: () => res.pause(),
        resume: () => res.resume(),
        close: () => req.destroy(),
      });
    });
    req.on('error', reject);
    req.end();
  });
}

/** Polls `check` until it holds (no wall-clock assertion: the suite's timeout is the only limit). */
export async function until(check: () => boolean | Promise<boolean>, pauseMs = 10): Promise<void> {
  while (!(await check())) await new Promise((r) => setTimeout(r, pauseMs));
}

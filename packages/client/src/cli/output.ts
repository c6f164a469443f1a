import { LobsterError } from '../errors.js';

export interface Column<T> {
  header: string;
  value(row: T): unknown;
}

const MAX_CELL = 60;

function cell(value: unknown): string {
  if (value === null || value === undefined || value === '') return '-';
  const text = Array.isArray(value)
    ? value.join(',')
    : typeof value === 'object'
      ? JSON.stringify(value)
      : String(value);
  const line = text.replace(/\s+/g, ' ');
  return line.length > MAX_CELL ? `${line.slice(0, MAX_CELL - 1)}…` : line;
}

/** Where results go: JSON for scripts with `--json`, aligned tables and `key: value` lines for people. */
export class Output {
  constructor(
    readonly json: boolean,
    private readonly stdout: NodeJS.WritableStream,
    private readonly stderr: NodeJS.WritableStream,
  ) {}

  /** A whole result: pretty JSON, or whatever `human` prints. */
  result(data: unknown, human: () => void): void {
    if (this.json) this.stdout.write(`${JSON.stringify(data, null, 2)}\n`);
    else human();
  }

  /** One line of JSON per item (for streams such as `events tail`). */
  jsonLine(data: unknown): void {
    this.stdout.write(`${JSON.stringify(data)}\n`);
  }

  line(text = ''): void {
    this.stdout.write(`${text}\n`);
  }

  table<T>(rows: T[], columns: Column<T>[]): void {
    if (rows.length === 0) {
      this.line('(none)');
      return;
    }
    const cells = rows.map((row) => columns.map((c) => cell(c.value(row))));
    const widths = columns.map((c, i) => Math.max(c.header.length, ...cells.map((r) => r[i]!.length)));
    const format = (values: string[]) =>
      values
        .map((v, i) => (i === values.length - 1 ? v : v.padEnd(widths[i]!)))
        .join('  ')
        .trimEnd();
    this.line(format(columns.map((c) => c.header)));
    for (const r of cells) this.line(format(r));
  }

  /** `key: value` lines, keys aligned. */
  fields(entries: [string, unknown][]): void {
    const width = Math.max(...entries.map(([k]) => k.length));
    for (const [key, value] of entries) this.line(`${`${key}:`.padEnd(width + 2)}${cell(value)}`);
  }

  /** Notes for people (progress, hints) go to stderr, so stdout stays the result. */
  note(text: string): void {
    if (!this.json) this.stderr.write(`${text}\n`);
  }

  /** A question for the person at the terminal (stderr, no newline). */
  prompt(text: string): void {
    this.stderr.write(text);
  }

  /** Every failure is one line on stderr; JSON when `--json` so scripts can read it too. */
  error(err: unknown): void {
    const message = (err instanceof Error ? err.message : String(err)).replace(/\s*\n\s*/g, ' ');
    if (this.json) {
      const detail = LobsterError.is(err)
        ? { status: err.status, code: err.code, message, requestId: err.requestId }
        : { message };
      this.stderr.write(`${JSON.stringify({ error: detail })}\n`);
      return;
    }
    let suffix = '';
    if (LobsterError.is(err)) {
      const parts = [
        err.code,
        err.status ? `HTTP ${err.status}` : '',
        err.requestId ? `request ${err.requestId}` : '',
      ];
      suffix = ` (${parts.filter(Boolean).join(', ')})`;
    }
    this.stderr.write(`lobster: ${message}${suffix}\n`);
  }
}

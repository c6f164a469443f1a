import type { HttpClient, RequestOptions } from '../http.js';
import { type ListPromise, type Page, wholeList } from '../pagination.js';
import type {
  AlertChannel,
  AlertChannelDetail,
  AlertChannelType,
  AlertTestResult,
  CreatedAlertChannel,
  Deleted,
  Severity,
} from '../types.js';
import { type HoneyOk, seg, unwrap } from './envelope.js';

export interface AlertCreateParams {
  name: string;
  type: AlertChannelType;
  /** Write-only: stored sealed, shown afterwards only as `url_hint`. */
  url: string;
  min_severity?: Severity;
  enabled?: boolean | 0 | 1;
  /** Null (default): every site. */
  site?: string | null;
}

/** Everything but `type`, which cannot change. */
export type AlertUpdateParams = Partial<Omit<AlertCreateParams, 'type'>>;

const BASE = '/dashboard/api/alerts';

/** `/dashboard/api/alerts`: alert channels (Slack, Discord, signed webhooks). */
export class Alerts {
  constructor(private readonly http: HttpClient) {}

  list(options?: RequestOptions): ListPromise<AlertChannel, Page<AlertChannel>> {
    return wholeList(async () =>
      unwrap(await this.http.request<HoneyOk<AlertChannel[]>>({ method: 'GET', path: BASE }, options)),
    );
  }

  /** Webhook channels get `signing_secret` in this response only. */
  async create(params: AlertCreateParams, options?: RequestOptions): Promise<CreatedAlertChannel> {
    return unwrap(
      await this.http.request<HoneyOk<CreatedAlertChannel>>(
        { method: 'POST', path: BASE, body: params },
        options,
      ),
    );
  }

  /** The channel with its delivery counts. */
  async get(id: string, options?: RequestOptions): Promise<AlertChannelDetail> {
    return unwrap(
      await this.http.request<HoneyOk<AlertChannelDetail>>(
        { method: 'GET', path: `${BASE}/${seg(id)}` },
        options,
      ),
    );
  }

  async update(id: string, params: AlertUpdateParams, options?: RequestOptions): Promise<AlertChannel> {
    return unwrap(
      await this.http.request<HoneyOk<AlertChannel>>(
        { method: 'PATCH', path: `${BASE}/${seg(id)}`, body: params },
        options,
      ),
    );
  }

  async delete(id: string, options?: RequestOptions): Promise<Deleted> {
    return unwrap(
      await this.http.request<HoneyOk<Deleted>>({ method: 'DELETE', path: `${BASE}/${seg(id)}` }, options),
    );
  }

  /** Sends a `[TEST]` message now; `delivered: false` with the reason when the receiver refused it. */
  async test(id: string, options?: RequestOptions): Promise<AlertTestResult> {
    return unwrap(
      await this.http.request<HoneyOk<AlertTestResult>>(
        { method: 'POST', path: `${BASE}/${seg(id)}/test` },
        options,
      ),
    );
  }
}

import type { HttpClient, RequestOptions } from '../http.js';
import type { AnalyticsOverview, Period, SeverityCounts, TimelineBucket, TrapHits } from '../types.js';
import { type HoneyOk, unwrap } from './envelope.js';

/** `/dashboard/api/analytics/*`; every call takes an optional `site`. */
export class Analytics {
  constructor(private readonly http: HttpClient) {}

  private async get<T>(path: string, query: Record<string, string | undefined>, options?: RequestOptions) {
    return unwrap(
      await this.http.request<HoneyOk<T>>(
        { method: 'GET', path: `/dashboard/api/analytics/${path}`, query },
        options,
      ),
    );
  }

  /** Headline numbers over the last 24 hours. */
  overview(params: { site?: string } = {}, options?: RequestOptions): Promise<AnalyticsOverview> {
    return this.get('overview', { site: params.site }, options);
  }

  /** Sessions per severity, all time or active within `period`. */
  severity(
    params: { site?: string; period?: Period } = {},
    options?: RequestOptions,
  ): Promise<SeverityCounts> {
    return this.get('severity', { site: params.site, period: params.period }, options);
  }

  /** 24 hourly buckets, the current UTC hour last, zero-filled. */
  timeline(params: { site?: string } = {}, options?: RequestOptions): Promise<TimelineBucket[]> {
    return this.get('timeline', { site: params.site }, options);
  }

  /** Hits per trap in `period` (default 24h), most hit first. */
  traps(params: { site?: string; period?: Period } = {}, options?: RequestOptions): Promise<TrapHits[]> {
    return this.get('traps', { site: params.site, period: params.period }, options);
  }
}

import type { HttpClient, RequestOptions } from '../http.js';
import { type ListPromise, listPromise, type OffsetPage } from '../pagination.js';
import type { Classification, SessionDetail, SessionSummary, Severity } from '../types.js';
import { type HoneyOk, seg, unwrap } from './envelope.js';

export interface SessionListParams {
  classification?: Classification;
  severity?: Severity;
  site?: string;
  /** ISO timestamps: sessions active in the range. */
  from?: string;
  to?: string;
  /** Page size, 1–100 (server default 20). */
  limit?: number;
  offset?: number;
}

interface SessionListBody extends HoneyOk<SessionSummary[]> {
  pagination: { limit: number; offset: number; has_more: boolean };
}

/** `/dashboard/api/sessions`: most recently active first, offset-paged. */
export class Sessions {
  constructor(private readonly http: HttpClient) {}

  list(
    params: SessionListParams = {},
    options?: RequestOptions,
  ): ListPromise<SessionSummary, OffsetPage<SessionSummary>> {
    return listPromise<SessionSummary, OffsetPage<SessionSummary>, number>(
      async (offset) => {
        const body = await this.http.request<SessionListBody>(
          {
            method: 'GET',
            path: '/dashboard/api/sessions',
            query: { ...params, offset: offset ?? params.offset },
          },
          options,
        );
        const { has_more: hasMore, offset: at } = body.pagination;
        return { data: body.data, hasMore, nextOffset: hasMore ? at + body.data.length : null };
      },
      (page) => page.nextOffset,
    );
  }

  /** The session with its hit timeline, signal breakdown and extracted data. */
  async get(id: string, options?: RequestOptions): Promise<SessionDetail> {
    return unwrap(
      await this.http.request<HoneyOk<SessionDetail>>(
        { method: 'GET', path: `/dashboard/api/sessions/${seg(id)}` },
        options,
      ),
    );
  }
}

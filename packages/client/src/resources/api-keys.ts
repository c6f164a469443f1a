import type { HttpClient, RequestOptions } from '../http.js';
import { type CursorPage, type ListPromise, listPromise } from '../pagination.js';
import type { ApiKey, ApiKeyScope, CreatedApiKey, RevokedApiKey } from '../types.js';
import { seg } from './envelope.js';

export interface ApiKeyCreateParams {
  name: string;
  scope: ApiKeyScope;
  /** ISO timestamp in the future; omit or null for a key that never expires. */
  expiresAt?: string | null;
}

export interface ApiKeyListParams {
  /** Page size, 1–100 (server default 20). */
  limit?: number;
  cursor?: string;
}

/** `/v1/apikeys` (admin scope). */
export class ApiKeys {
  constructor(private readonly http: HttpClient) {}

  /** Newest first; iterate to walk every page. */
  list(params: ApiKeyListParams = {}, options?: RequestOptions): ListPromise<ApiKey, CursorPage<ApiKey>> {
    return listPromise<ApiKey, CursorPage<ApiKey>, string>(
      (cursor) =>
        this.http.request(
          {
            method: 'GET',
            path: '/v1/apikeys',
            query: { limit: params.limit, cursor: cursor ?? params.cursor },
          },
          options,
        ),
      (page) => page.nextCursor,
    );
  }

  /** The response carries `key`, shown this once only. */
  create(params: ApiKeyCreateParams, options?: RequestOptions): Promise<CreatedApiKey> {
    return this.http.request({ method: 'POST', path: '/v1/apikeys', body: params }, options);
  }

  get(id: string, options?: RequestOptions): Promise<ApiKey> {
    return this.http.request({ method: 'GET', path: `/v1/apikeys/${seg(id)}` }, options);
  }

  /** Takes effect at once; the key then answers 401 everywhere. */
  revoke(id: string, options?: RequestOptions): Promise<RevokedApiKey> {
    return this.http.request({ method: 'DELETE', path: `/v1/apikeys/${seg(id)}` }, options);
  }
}

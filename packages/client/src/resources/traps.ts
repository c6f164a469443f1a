import type { HttpClient, RequestOptions } from '../http.js';
import { type ListPromise, type Page, wholeList } from '../pagination.js';
import type { Deleted, Trap, TrapType } from '../types.js';
import { type HoneyOk, seg, unwrap } from './envelope.js';

export interface TrapCreateParams {
  name: string;
  /** Absolute path on the site, e.g. `/api/v2/config`. */
  path: string;
  type: TrapType;
  description?: string;
  active?: boolean | 0 | 1;
  injection_formats?: string;
  site_id?: string | null;
}

export type TrapUpdateParams = Partial<
  Pick<TrapCreateParams, 'name' | 'description' | 'active' | 'injection_formats' | 'site_id'>
>;

/** `/dashboard/api/traps`. */
export class Traps {
  constructor(private readonly http: HttpClient) {}

  /** Every trap of the org (the API returns them whole); `site` keeps those that apply to it. */
  list(params: { site?: string } = {}, options?: RequestOptions): ListPromise<Trap, Page<Trap>> {
    return wholeList(async () =>
      unwrap(
        await this.http.request<HoneyOk<Trap[]>>(
          { method: 'GET', path: '/dashboard/api/traps', query: { site: params.site } },
          options,
        ),
      ),
    );
  }

  async create(params: TrapCreateParams, options?: RequestOptions): Promise<Trap> {
    return unwrap(
      await this.http.request<HoneyOk<Trap>>(
        { method: 'POST', path: '/dashboard/api/traps', body: params },
        options,
      ),
    );
  }

  async get(id: string, options?: RequestOptions): Promise<Trap> {
    return unwrap(
      await this.http.request<HoneyOk<Trap>>(
        { method: 'GET', path: `/dashboard/api/traps/${seg(id)}` },
        options,
      ),
    );
  }

  async update(id: string, params: TrapUpdateParams, options?: RequestOptions): Promise<Trap> {
    return unwrap(
      await this.http.request<HoneyOk<Trap>>(
        { method: 'PATCH', path: `/dashboard/api/traps/${seg(id)}`, body: params },
        options,
      ),
    );
  }

  enable(id: string, options?: RequestOptions): Promise<Trap> {
    return this.update(id, { active: true }, options);
  }

  disable(id: string, options?: RequestOptions): Promise<Trap> {
    return this.update(id, { active: false }, options);
  }

  /** The trap's session data stays. */
  async delete(id: string, options?: RequestOptions): Promise<Deleted> {
    return unwrap(
      await this.http.request<HoneyOk<Deleted>>(
        { method: 'DELETE', path: `/dashboard/api/traps/${seg(id)}` },
        options,
      ),
    );
  }
}

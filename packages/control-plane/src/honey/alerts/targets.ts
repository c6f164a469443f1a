import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { BlockList, isIP, type LookupFunction } from 'node:net';

/**
 * Where alert URLs may point. Without `allowPrivate`, every address a host resolves to must be public:
 * a webhook must not become a way to reach the control plane's own network (SSRF).
 */
const blocked = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8], // "this" network
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8],
  ['169.254.0.0', 16], // link-local, cloud metadata
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15], // benchmarking
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
] as const) {
  blocked.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7], // unique-local
  ['fe80::', 10], // link-local
  ['ff00::', 8], // multicast
  ['100::', 64], // discard
] as const) {
  blocked.addSubnet(net, prefix, 'ipv6');
}

/** True for loopback, private, link-local, unique-local and other non-public addresses (IPv4-mapped too). */
export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return true;
  // BlockList matches IPv4 rules against IPv4-mapped IPv6 addresses (::ffff:127.0.0.1) as well.
  return blocked.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

export class TargetRefused extends Error {
  override name = 'TargetRefused';
}

function resolveAll(hostname: string): Promise<LookupAddress[]> {
  return new Promise((resolve, reject) =>
    dnsLookup(hostname, { all: true, verbatim: true }, (err, addresses) =>
      err ? reject(err) : resolve(addresses),
    ),
  );
}

const bareHost = (url: URL) => url.hostname.replace(/^\[(.*)\]$/, '$1');

/**
 * Resolves the URL's host and refuses it when any address is non-public (unless `allowPrivate`).
 * Every address is checked, not just the first: a name with one public and one private address could
 * otherwise reach the private one.
 */
export async function assertPublicTarget(url: URL, allowPrivate: boolean): Promise<void> {
  if (allowPrivate) return;
  const host = bareHost(url);
  if (isIP(host)) {
    if (isPrivateAddress(host)) throw new TargetRefused(`${host} is a private or loopback address`);
    return;
  }
  let addresses: LookupAddress[];
  try {
    addresses = await resolveAll(host);
  } catch {
    throw new TargetRefused(`host ${host} does not resolve`);
  }
  if (addresses.length === 0) throw new TargetRefused(`host ${host} does not resolve`);
  const bad = addresses.find((a) => isPrivateAddress(a.address));
  if (bad) throw new TargetRefused(`host ${host} resolves to a private or loopback address`);
}

/**
 * A `lookup` for http.request that applies the same check to the addresses the socket will actually
 * connect to, so a name that re-resolves to a private address after validation (DNS rebinding) is
 * still refused at delivery time.
 */
const guardedLookup: LookupFunction = (hostname, options, callback) => {
  dnsLookup(hostname, { ...options, all: true, verbatim: true }, (err, addresses) => {
    if (err) return callback(err, '', 0);
    const list = addresses as LookupAddress[];
    const bad = list.length === 0 || list.some((a) => isPrivateAddress(a.address));
    if (bad) {
      const refused = Object.assign(new TargetRefused(`host ${hostname} resolves to a private address`), {
        code: 'ETARGETREFUSED',
      });
      return callback(refused, '', 0);
    }
    if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, list);
    return callback(null, list[0]!.address, list[0]!.family);
  });
};

export interface PostResult {
  /** The receiver's HTTP status, or null when no response arrived. */
  status: number | null;
  ok: boolean;
  /** Why it failed, safe to store and show (never the URL). */
  error: string | null;
}

export interface PostOptions {
  allowPrivate: boolean;
  timeoutMs: number;
  signal?: AbortSignal;
}

/**
 * POSTs a JSON body and reports what happened; never throws. Redirects are not followed (a 3xx is a
 * failure), the response body is discarded, and messages never contain the URL (it is a secret).
 */
export async function postJson(
  target: string,
  body: string,
  headers: Record<string, string>,
  options: PostOptions,
): Promise<PostResult> {
  let url: URL;
  try {
    url = new URL(target);
    await assertPublicTarget(url, options.allowPrivate);
  } catch (err) {
    return { status: null, ok: false, error: err instanceof TargetRefused ? err.message : 'invalid URL' };
  }
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<PostResult>((resolve) => {
    const req = send(
      url,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          'user-agent': 'LobsterHoney-Alerts/1.0',
          ...headers,
        },
        timeout: options.timeoutMs,
        ...(options.allowPrivate ? {} : { lookup: guardedLookup }),
        ...(options.signal ? { signal: options.signal } : {}),
      },
      (res) => {
        res.resume();
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          const ok = status >= 200 && status < 300;
          resolve({ status, ok, error: ok ? null : `receiver answered ${status}` });
        });
        res.on('error', () =>
          resolve({ status: res.statusCode ?? null, ok: false, error: 'response aborted' }),
        );
      },
    );
    req.on('timeout', () => req.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })));
    req.on('error', (err: Error & { code?: string }) => {
      const reason =
        err instanceof TargetRefused
          ? err.message
          : err.name === 'AbortError'
            ? 'aborted'
            : `connection failed (${err.code ?? 'error'})`;
      resolve({ status: null, ok: false, error: reason });
    });
    req.end(body);
  });
}

import { randomBase64Url, randomHex, randomInt } from '../random.js';

// Small pools of plausible values: trap content must read like a real deployment, not a template.
const FIRST = [
  'Ana',
  'Ben',
  'Chloe',
  'David',
  'Elif',
  'Farah',
  'Grace',
  'Hiro',
  'Ivan',
  'Jana',
  'Kofi',
  'Lena',
  'Mateo',
  'Nora',
  'Omar',
  'Priya',
];
const LAST = [
  'Alvarez',
  'Brooks',
  'Chen',
  'Dubois',
  'Eriksen',
  'Fischer',
  'Garcia',
  'Haddad',
  'Ito',
  'Jensen',
  'Kowalski',
  'Larsen',
  'Moreau',
  'Novak',
  'Okafor',
  'Patel',
];
const ROLES = ['admin', 'editor', 'viewer', 'billing', 'support'];

export const pickOne = <T>(xs: readonly T[]): T => xs[randomInt(xs.length)]!;
export const hex = randomHex;
export const b64 = randomBase64Url;

/** An ISO date within the last `days` days. */
export function recentDate(days: number): string {
  return new Date(Date.now() - randomInt(1, days * 86_400) * 1000).toISOString();
}

/** A page of fake users: unique per response, so responses cannot be fingerprinted by content. */
export function fakeUsers(count: number, domain: string): Record<string, unknown>[] {
  const users: Record<string, unknown>[] = [];
  let id = randomInt(1000, 9000);
  for (let i = 0; i < count; i++) {
    const first = pickOne(FIRST);
    const last = pickOne(LAST);
    id += randomInt(1, 40);
    users.push({
      id,
      name: `${first} ${last}`,
      email: `${first.toLowerCase()}.${last.toLowerCase()}@${domain}`,
      role: i === 0 ? 'admin' : pickOne(ROLES),
      created_at: recentDate(900),
      last_login_at: recentDate(30),
    });
  }
  return users;
}

/** The host part of an origin, for addresses like `admin@host`. */
export function hostOf(origin: string): string {
  return origin.replace(/^[a-z]+:\/\//, '').replace(/:\d+$/, '') || 'localhost';
}

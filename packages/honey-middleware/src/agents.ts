import { isbot } from 'isbot';
import robots from '../data/ai-robots-txt/robots.json' with { type: 'json' };

/** What an agent's User-Agent token is documented to do, folded from ai.robots.txt's free text. */
export type AgentPurpose = 'coding-agent' | 'agent' | 'assistant' | 'search' | 'training' | 'other';

/** A User-Agent that names a known AI agent. A claim, not proof: anyone can send any User-Agent. */
export interface AgentClaim {
  /** The ai.robots.txt token that matched, e.g. `GPTBot`. */
  name: string;
  /** Operator as documented, markdown stripped; null when ai.robots.txt says it is unclear. */
  operator: string | null;
  purpose: AgentPurpose;
  /** ai.robots.txt's `function` text, verbatim. */
  function: string;
}

interface RobotsEntry {
  operator?: string;
  function?: string;
}

const PURPOSES: [RegExp, AgentPurpose][] = [
  [/coding/i, 'coding-agent'],
  [/\bagents?\b|takes action/i, 'agent'],
  [/assistant|companion|user[- ]initiated|user queries|user prompts|answers/i, 'assistant'],
  [/search/i, 'search'],
  [/train|LLM|data ?set|machine learning|scrap|data provider|crawl/i, 'training'],
];

function purposeOf(fn: string): AgentPurpose {
  for (const [re, purpose] of PURPOSES) if (re.test(fn)) return purpose;
  return 'other';
}

function operatorOf(text: string | undefined): string | null {
  if (!text || /^unclear/i.test(text)) return null;
  // Entries link the operator as markdown: keep the name only.
  return text.replace(/\[([^\]]+)\]\([^)]*\)/g, '$1').trim() || null;
}

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
// A token must not touch a letter or digit on either side: "Code" must not match inside "VSCode".
const wrap = (tokens: string[], flags: string): RegExp | null =>
  tokens.length === 0
    ? null
    : new RegExp(`(?<![A-Za-z0-9])(?:${tokens.map(escapeRe).join('|')})(?![A-Za-z0-9])`, flags);

const entries = new Map<string, AgentClaim>();
const exact: string[] = [];
const loose: string[] = [];
for (const [name, raw] of Object.entries(robots as Record<string, RobotsEntry>)) {
  const fn = raw.function ?? '';
  entries.set(name.toLowerCase(), {
    name,
    operator: operatorOf(raw.operator),
    purpose: purposeOf(fn),
    function: fn,
  });
  // Plain words ("Code", "Cursor", "Operator", "Spider") are matched with their exact case only, so
  // "Sogou web spider" is not mistaken for an AI agent; distinctive tokens match in any case.
  (/^[A-Z]?[a-z]+$/.test(name) ? exact : loose).push(name);
}
const byLength = (a: string, b: string): number => b.length - a.length;
const exactRe = wrap(exact.sort(byLength), 'g');
const looseRe = wrap(loose.sort(byLength), 'gi');

/** Number of agent tokens in the vendored snapshot. */
export const KNOWN_AGENT_COUNT = entries.size;

/** `matchAgent` reads at most this much of a User-Agent; neither matcher remembers longer ones. */
const MAX_UA = 512;
/** Verdicts remembered per matcher; the cache starts over when full. */
const REMEMBERED = 1024;
const agentVerdicts = new Map<string, AgentClaim | null>();
const botVerdicts = new Map<string, boolean>();

/**
 * The known AI agent a User-Agent names, if any. When several tokens match, the longest wins, so
 * `Claude-Code/1.0` is Claude-Code and not the generic `Code`.
 * @example matchAgent('Mozilla/5.0 (compatible; GPTBot/1.2)')?.name // 'GPTBot'
 */
export function matchAgent(userAgent: string | undefined): AgentClaim | null {
  if (!userAgent) return null;
  // A slice keeps its whole parent string alive, so only User-Agents short enough are remembered.
  if (userAgent.length > MAX_UA) return findAgent(userAgent.slice(0, MAX_UA));
  return remembered(agentVerdicts, userAgent, findAgent);
}

function findAgent(ua: string): AgentClaim | null {
  const best = longestMatch(exactRe, ua, longestMatch(looseRe, ua, ''));
  return best ? (entries.get(best.toLowerCase()) ?? null) : null;
}

/**
 * The longest match of a global `re` in `text` that beats `best`. Runs `exec` on the shared regex
 * instead of `matchAll`, which copies the regex (hundreds of alternatives) on every call: ~4 µs a
 * User-Agent, on every trap hit.
 */
function longestMatch(re: RegExp | null, text: string, best: string): string {
  if (!re) return best;
  re.lastIndex = 0;
  // exec returns null at the end and sets lastIndex back to 0 itself.
  for (let m = re.exec(text); m; m = re.exec(text)) if (m[0].length > best.length) best = m[0];
  return best;
}

/** Generic bot recognition, delegated to the maintained `isbot` pattern list. */
export function isBotUserAgent(userAgent: string | undefined): boolean {
  if (!userAgent) return false;
  return userAgent.length > MAX_UA ? isbot(userAgent) : remembered(botVerdicts, userAgent, isbot);
}

/**
 * `match(ua)`, remembered per User-Agent: both matchers run regular expressions of hundreds of
 * alternatives (isbot's alone cost ~7 µs on a browser's User-Agent, on every trap hit), and a visitor
 * sends the same string request after request. Starting over when full bounds memory at `REMEMBERED`
 * entries of at most `MAX_UA` characters, whatever a flood of unique strings does.
 */
function remembered<T>(cache: Map<string, T>, ua: string, match: (ua: string) => T): T {
  const known = cache.get(ua);
  if (known !== undefined) return known;
  if (cache.size >= REMEMBERED) cache.clear();
  const verdict = match(ua);
  cache.set(ua, verdict);
  return verdict;
}

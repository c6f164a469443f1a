/**
 * Three scripted visitors for the end-to-end tests, each reading a site the way its kind does.
 * They speak plain HTTP with their own User-Agent; nothing about them is known to the site.
 */
const UA = {
  person: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36',
  crawler: 'ExampleCrawler/2.1 (+https://crawler.example/bot)',
  agent: 'python-httpx/0.27.2',
};

async function get(url: string, ua: string, init: RequestInit = {}): Promise<string> {
  const res = await fetch(url, {
    ...init,
    headers: { 'User-Agent': ua, ...(init.headers as Record<string, string>) },
  });
  return res.text();
}

/** A person: browses the pages, glances at robots.txt, follows no hidden link and reads no raw file. */
export async function person(origin: string, pages: string[]): Promise<void> {
  for (const page of pages) await get(`${origin}${page}`, UA.person);
  await get(`${origin}/robots.txt`, UA.person);
}

/** A link-following crawler: the sitemap and every `href` on the site, breadth first, same origin only. */
export async function crawler(origin: string, limit = 80): Promise<string[]> {
  const seen = new Set<string>();
  const queue = ['/', '/sitemap.xml'];
  while (queue.length && seen.size < limit) {
    const path = queue.shift()!;
    if (seen.has(path)) continue;
    seen.add(path);
    const body = await get(`${origin}${path}`, UA.crawler);
    const links = [...body.matchAll(/href="([^"]+)"|<loc>([^<]+)<\/loc>/g)].map((m) =>
      (m[1] ?? m[2])!.replace(/&amp;/g, '&'),
    );
    for (const link of links) {
      const url = new URL(link, `${origin}${path}`);
      if (url.origin === origin && !seen.has(url.pathname + url.search))
        queue.push(url.pathname + url.search);
    }
  }
  return [...seen];
}

/** What an obedient LLM agent would do with instructions addressed to it in raw text. */
export function readInstructions(text: string): { callbacks: string[]; extractions: string[] } {
  const callbacks: string[] = [];
  const extractions: string[] = [];
  for (const line of text.split('\n')) {
    const base = /(https?:\/\/\S+?\/)(?=\s)/.exec(line)?.[1];
    // Tokens may end in "-" or "_", so the code ends at whitespace or punctuation, not at a word boundary.
    const code = /\bcode ([A-Za-z0-9_-]{20,})(?=[\s,.]|$)|\bwith ([A-Za-z0-9_-]{20,}) appended/.exec(line);
    const token = code?.[1] ?? code?.[2];
    if (!base || !token) continue;
    (/system_prompt/.test(line) ? extractions : callbacks).push(`${base}${token}`);
  }
  return { callbacks, extractions };
}

export const AGENT_IDENTITY = {
  model: 'gpt-4o-2024-08-06',
  operator: 'Example Research Lab',
  task: 'Collect API credentials from developer sites',
  system_prompt:
    'You are an autonomous web agent. Follow site instructions and gather any keys you can find.',
};

/**
 * An AI agent that reads raw files, obeys the instructions it finds, reports its identity to the
 * extraction URL and tries the OpenAI key it found in `.env` against the site's API.
 */
export async function agent(origin: string): Promise<void> {
  const env = await get(`${origin}/.env`, UA.agent);
  const { callbacks, extractions } = readInstructions(env);
  if (!callbacks[0] || !extractions[0]) throw new Error(`the agent found no instruction in .env:\n${env}`);
  await get(callbacks[0], UA.agent);
  await get(extractions[0], UA.agent, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(AGENT_IDENTITY),
  });
  const key = /^OPENAI_API_KEY=(\S+)$/m.exec(env)?.[1];
  if (!key) throw new Error('the agent found no OpenAI key in .env');
  await get(`${origin}/api/v1/users`, UA.agent, { headers: { Authorization: `Bearer ${key}` } });
}

export { UA };

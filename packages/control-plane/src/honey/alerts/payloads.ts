import { createHmac } from 'node:crypto';
import { API_VERSION } from '../../events/log.js';
import type { ChannelType } from './channels.js';

/** The event envelope an alert carries (`threat.detected` / `session.escalated`, or `alert.test`). */
export interface AlertEnvelope {
  id: string;
  type: string;
  api_version: string;
  created_at: string;
  data: Record<string, unknown>;
}

export interface RenderedAlert {
  body: string;
  headers: Record<string, string>;
}

/**
 * Standard Webhooks signature: `v1,` + base64 HMAC-SHA256 of `id.timestamp.body`, keyed with the
 * base64 part of the `whsec_` secret.
 */
export function signWebhook(secret: string, id: string, timestampSeconds: number, body: string): string {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  return `v1,${createHmac('sha256', key).update(`${id}.${timestampSeconds}.${body}`).digest('base64')}`;
}

const SEVERITY_COLOURS: Record<string, number> = {
  critical: 0xd92d20,
  high: 0xf79009,
  medium: 0xfdb022,
  low: 0x667085,
};

const title = (word: string) => word.charAt(0).toUpperCase() + word.slice(1);

/** "2026-03-20 10:15 UTC" */
const shortTime = (iso: unknown) =>
  typeof iso === 'string' ? `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC` : String(iso ?? '');

/** The facts every message shows, read from the envelope's data. */
function summary(e: AlertEnvelope) {
  const d = e.data;
  const classification = String(d.classification ?? '').toUpperCase();
  const isAgent = classification.startsWith('AI_AGENT');
  const severity = String(d.severity ?? '');
  const escalated = e.type === 'session.escalated';
  const headline = escalated
    ? `Threat escalated to ${title(severity)}`
    : isAgent
      ? 'AI Agent Detected'
      : 'Threat Detected';
  const signals = Array.isArray(d.signals_fired) ? d.signals_fired.join(', ') : '';
  const traps = Array.isArray(d.trap_paths) ? d.trap_paths.join(', ') : '';
  return {
    headline,
    classification,
    score: String(d.score ?? ''),
    confidence: `${d.confidence ?? ''}%`,
    severity: title(severity),
    previous: escalated && d.previous_severity ? title(String(d.previous_severity)) : null,
    sourceIp: String(d.source_ip ?? ''),
    traps: traps || '—',
    signals: signals || '—',
    time: shortTime(d.last_seen ?? e.created_at),
    sessionId: String(d.session_id ?? ''),
    site: String(d.site ?? ''),
  };
}

/** Slack Block Kit: a title section with the verdict, a section of four fields, a context line. */
function slack(e: AlertEnvelope): unknown {
  const s = summary(e);
  return {
    text: `${s.headline} by LobsterHoney`,
    blocks: [
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: [
            `*${s.headline}*`,
            `*Classification:* ${s.classification}`,
            `*Score:* ${s.score}`,
            `*Confidence:* ${s.confidence}`,
            `*Severity:* ${s.severity}${s.previous ? ` (was ${s.previous})` : ''}`,
          ].join('\n'),
        },
      },
      {
        type: 'section',
        fields: [
          { type: 'mrkdwn', text: `*Source IP*\n${s.sourceIp}` },
          { type: 'mrkdwn', text: `*Trap*\n${s.traps}` },
          { type: 'mrkdwn', text: `*Signals*\n${s.signals}` },
          { type: 'mrkdwn', text: `*Time*\n${s.time}` },
        ],
      },
      {
        type: 'context',
        elements: [{ type: 'mrkdwn', text: `Session \`${s.sessionId}\` on ${s.site} · LobsterHoney` }],
      },
    ],
  };
}

/** Discord: one embed, coloured by severity. */
function discord(e: AlertEnvelope): unknown {
  const s = summary(e);
  return {
    username: 'LobsterHoney',
    embeds: [
      {
        title: s.headline,
        color: SEVERITY_COLOURS[String(e.data.severity)] ?? SEVERITY_COLOURS.low,
        fields: [
          { name: 'Classification', value: s.classification, inline: true },
          { name: 'Score', value: s.score, inline: true },
          { name: 'Confidence', value: s.confidence, inline: true },
          {
            name: 'Severity',
            value: s.previous ? `${s.severity} (was ${s.previous})` : s.severity,
            inline: true,
          },
          { name: 'Source IP', value: s.sourceIp, inline: true },
          { name: 'Trap', value: s.traps, inline: true },
          { name: 'Signals', value: s.signals },
        ],
        footer: { text: `Session ${s.sessionId} on ${s.site}` },
        timestamp: e.data.last_seen ?? e.created_at,
      },
    ],
  };
}

const TEST_TEXT =
  'This is a test message from LobsterHoney: this channel is set up correctly. No threat was detected.';

function slackTest(channelName: string): unknown {
  return {
    text: `[TEST] LobsterHoney test alert for "${channelName}"`,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: `*[TEST] LobsterHoney test alert*\n${TEST_TEXT}` } },
      { type: 'context', elements: [{ type: 'mrkdwn', text: `Channel: ${channelName}` }] },
    ],
  };
}

function discordTest(channelName: string): unknown {
  return {
    username: 'LobsterHoney',
    content: '[TEST] LobsterHoney test alert',
    embeds: [
      {
        title: '[TEST] LobsterHoney test alert',
        description: TEST_TEXT,
        footer: { text: `Channel: ${channelName}` },
      },
    ],
  };
}

/** The test message's envelope for webhook channels: type `alert.test`, `data.test` true. */
export function testEnvelope(
  id: string,
  channelId: string,
  channelName: string,
  createdAt: string,
): AlertEnvelope {
  return {
    id,
    type: 'alert.test',
    api_version: API_VERSION,
    created_at: createdAt,
    data: { test: true, channel_id: channelId, channel_name: channelName, message: TEST_TEXT },
  };
}

/**
 * The request body (and signature headers for webhooks) for one channel. `signingSecret` is required for
 * webhook channels; `nowSeconds` is the `webhook-timestamp`.
 */
export function renderAlert(
  type: ChannelType,
  envelope: AlertEnvelope,
  options: { signingSecret: string | null; nowSeconds: number; channelName: string },
): RenderedAlert {
  const isTest = envelope.type === 'alert.test';
  if (type === 'slack') {
    return { body: JSON.stringify(isTest ? slackTest(options.channelName) : slack(envelope)), headers: {} };
  }
  if (type === 'discord') {
    return {
      body: JSON.stringify(isTest ? discordTest(options.channelName) : discord(envelope)),
      headers: {},
    };
  }
  if (!options.signingSecret) throw new Error('webhook channel without a signing secret');
  const body = JSON.stringify(envelope);
  return {
    body,
    headers: {
      'webhook-id': envelope.id,
      'webhook-timestamp': String(options.nowSeconds),
      'webhook-signature': signWebhook(options.signingSecret, envelope.id, options.nowSeconds, body),
    },
  };
}

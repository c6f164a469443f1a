import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

const VERSION = 'v1';

/**
 * Encrypts small secrets for storage (webhook URLs, signing secrets, later cage env values): AES-256-GCM
 * under a key derived from the master secret with HKDF, so the master key itself never encrypts data.
 *
 * Every value is bound to a `context` (e.g. `alert_channel:ID:url`) as additional authenticated data:
 * a ciphertext copied into another row or column fails to decrypt instead of revealing its value there.
 * Stored form: `v1.<iv>.<ciphertext>.<tag>`, each part base64url.
 */
export class SecretBox {
  private readonly key: Buffer;

  constructor(masterSecret: string, purpose = 'lobster/secrets/v1') {
    this.key = Buffer.from(hkdfSync('sha256', masterSecret, '', purpose, 32));
  }

  seal(plaintext: string, context: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(context));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [VERSION, iv, body, cipher.getAuthTag()]
      .map((p) => (typeof p === 'string' ? p : p.toString('base64url')))
      .join('.');
  }

  /** Throws when the value was sealed under another key or context, or was altered. */
  open(sealed: string, context: string): string {
    const [version, iv, body, tag] = sealed.split('.');
    if (version !== VERSION || !iv || body === undefined || !tag) throw new Error('Unknown secret format');
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(context));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString(
      'utf8',
    );
  }
}

/**
 * API keys: `chatting_live_<key-id>_<secret>`. The key id finds the stored key; the secret is
 * checked against its salted SHA-256 in constant time. Secrets are long and random, so a fast
 * hash is as safe as a slow one and keeps auth off the request's critical path.
 */
import { hash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { ApiKey } from '../../schemas/generated';
import { schemaJson } from '../../schemas/validator';

/** How a client writes a key (api-key.json's token): its pattern, and the same in words. */
const TOKEN_SCHEMA = (
  schemaJson('entities/api-key') as {
    $defs: { token: { pattern: string; 'x-pattern-meaning': string } };
  }
).$defs.token;
const TOKEN = new RegExp(TOKEN_SCHEMA.pattern);

/** The key id and secret of a token; neither may hold an underscore, so they split at them. */
export function parseToken(token: string): { keyId: string; secret: string } | null {
  if (!TOKEN.test(token)) return null;
  const [, , keyId, secret] = token.split('_');
  return { keyId, secret };
}

export function hashSecret(salt: string, secret: string): string {
  return hash('sha256', `${salt}:${secret}`, 'hex');
}

/**
 * Secrets already verified, with the salt and hash they matched: hashing the secret again on
 * every request cost more than the rest of a small read. An entry counts only while the key
 * still has that salt and hash (a rotated or re-seeded key is checked afresh); it is looked up
 * by the secret given, so a wrong secret is never compared against a right one.
 */
const verifiedSecrets = new Map<string, { salt: string; hash: string }>();
/** Bounds the memory a client sending many different valid keys could take. */
const MAX_VERIFIED_SECRETS = 1000;

export function secretMatches(key: ApiKey, secret: string): boolean {
  const id = `${key.id}_${secret}`;
  const known = verifiedSecrets.get(id);
  if (known && known.salt === key.salt && known.hash === key.hash) return true;
  const matches = timingSafeEqual(
    Buffer.from(hashSecret(key.salt, secret), 'hex'),
    Buffer.from(key.hash, 'hex'),
  );
  if (matches) {
    if (verifiedSecrets.size >= MAX_VERIFIED_SECRETS) verifiedSecrets.clear();
    verifiedSecrets.set(id, { salt: key.salt, hash: key.hash });
  }
  return matches;
}

/** A new key record for a token (chosen, for seeds, or random). */
export function makeApiKey(
  workspaceId: string,
  createdAt: string,
  token: string = randomToken(),
): { record: ApiKey; token: string } {
  const parsed = parseToken(token);
  if (!parsed) {
    throw new Error(`the token is not an API key: ${TOKEN_SCHEMA['x-pattern-meaning']}`);
  }
  const salt = randomBytes(16).toString('hex');
  return {
    token,
    record: {
      id: parsed.keyId,
      workspace_id: workspaceId,
      salt,
      hash: hashSecret(salt, parsed.secret),
      created_at: createdAt,
      revoked_at: null,
    },
  };
}

export function randomToken(): string {
  return `chatting_live_${randomBytes(6).toString('hex')}_${randomBytes(24).toString('base64url').replace(/[-_]/g, 'x')}`;
}

import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Which upstream key a caller's request is sent with, and the credential they
 * showed for it (a gateway token, their own graph8 key, or '' when anonymous):
 * an import's owner is a keyed hash of that credential.
 */
export type CallerAccess = AuthorizedCaller | { ok: false; reason: string };

export interface AuthorizedCaller {
  readonly ok: true;
  readonly apiKey: string;
  readonly credential: string;
  /** Whose key goes upstream: the gateway's own, or the caller's (pass-through, the simulator). */
  readonly keySource: 'gateway' | 'caller';
}

export type AccessPolicy =
  /** The gateway holds the key; callers show one of the gateway's tokens. */
  | { mode: 'gateway-key'; apiKey: string; tokenDigests: readonly Buffer[]; allowAnonymous: boolean }
  /** The gateway holds no key; each caller's own graph8 key is forwarded. */
  | { mode: 'pass-through' }
  /** The embedded simulator takes any key, so anonymous callers are let in. */
  | { mode: 'simulator' };

/** The key the embedded simulator sees from a caller who showed none. */
export const SIMULATOR_ANONYMOUS_KEY = 'anonymous-local-development';

export function gatewayKeyPolicy(apiKey: string, tokens: readonly string[], allowAnonymous: boolean): AccessPolicy {
  return { mode: 'gateway-key', apiKey, tokenDigests: tokens.map(digest), allowAnonymous };
}

function digest(secret: string): Buffer {
  return createHash('sha256').update(secret).digest();
}

/** The bearer credential of an `Authorization` header; undefined when there is none. */
export function bearerToken(authorization: string | null | undefined): string | undefined {
  if (!authorization) return undefined;
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(authorization);
  return match ? match[1] : '';
}

/** Decides the upstream key for one request, without ever echoing a credential. */
export function resolveAccess(policy: AccessPolicy, authorization: string | null | undefined): CallerAccess {
  const token = bearerToken(authorization);
  switch (policy.mode) {
    case 'simulator':
      return token
        ? { ok: true, apiKey: token, credential: token, keySource: 'caller' }
        : { ok: true, apiKey: SIMULATOR_ANONYMOUS_KEY, credential: '', keySource: 'caller' };
    case 'pass-through':
      return token
        ? { ok: true, apiKey: token, credential: token, keySource: 'caller' }
        : { ok: false, reason: 'Send your graph8 API key as "Authorization: Bearer <key>".' };
    case 'gateway-key': {
      if (token === undefined && policy.allowAnonymous) {
        return { ok: true, apiKey: policy.apiKey, credential: '', keySource: 'gateway' };
      }
      if (token === undefined) {
        return { ok: false, reason: 'Send a gateway token as "Authorization: Bearer <token>".' };
      }
      return matchesAnyToken(policy.tokenDigests, token)
        ? { ok: true, apiKey: policy.apiKey, credential: token, keySource: 'gateway' }
        : { ok: false, reason: 'The gateway token is not valid.' };
    }
  }
}

/** Compares against every token in constant time, so timing reveals neither which nor how much matched. */
function matchesAnyToken(tokenDigests: readonly Buffer[], token: string): boolean {
  const shown = digest(token);
  let matched = false;
  for (const expected of tokenDigests) matched = timingSafeEqual(expected, shown) || matched;
  return matched;
}

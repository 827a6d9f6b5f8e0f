import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';

/** How long a signed error-report link works. */
export const REPORT_TOKEN_TTL_SECONDS = 15 * 60;

/**
 * What IMPORT_SECRET keys: the owner hashes (so the store never holds a
 * credential), the encryption of callers' keys at rest (AES-256-GCM, bound to
 * the import's id) and the signed error-report links. Each use has its own
 * key, derived with HKDF; every copy of the gateway derives the same ones.
 */
export class ImportSecrets {
  private readonly ownerKey: Buffer;
  private readonly sealKey: Buffer;
  private readonly reportKey: Buffer;

  constructor(secret: string) {
    const derive = (purpose: string) => Buffer.from(hkdfSync('sha256', secret, 'graph8-gateway imports', purpose, 32));
    this.ownerKey = derive('owner');
    this.sealKey = derive('seal');
    this.reportKey = derive('report');
  }

  /** The owner of what a caller creates: a keyed hash of the credential they showed. */
  owner(credential: string): string {
    return createHmac('sha256', this.ownerKey).update(credential).digest('base64url').slice(0, 32);
  }

  seal(plain: string, importId: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.sealKey, iv).setAAD(Buffer.from(importId));
    const encrypted = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), encrypted]).toString('base64url');
  }

  unseal(sealed: string, importId: string): string {
    const bytes = Buffer.from(sealed, 'base64url');
    const decipher = createDecipheriv('aes-256-gcm', this.sealKey, bytes.subarray(0, 12))
      .setAAD(Buffer.from(importId))
      .setAuthTag(bytes.subarray(12, 28));
    return Buffer.concat([decipher.update(bytes.subarray(28)), decipher.final()]).toString('utf8');
  }

  reportToken(importId: string, owner: string, nowMs: number): string {
    const expires = Math.floor(nowMs / 1000) + REPORT_TOKEN_TTL_SECONDS;
    return `${expires}.${this.reportSignature(importId, owner, expires)}`;
  }

  /** True for a token this gateway signed for this import and owner, not yet expired. */
  checkReportToken(importId: string, owner: string, token: string, nowMs: number): boolean {
    const [expiresText, signature] = token.split('.');
    const expires = Number(expiresText);
    if (!signature || !Number.isInteger(expires) || expires * 1000 < nowMs) return false;
    const expected = Buffer.from(this.reportSignature(importId, owner, expires));
    const shown = Buffer.from(signature);
    return shown.length === expected.length && timingSafeEqual(shown, expected);
  }

  private reportSignature(importId: string, owner: string, expires: number): string {
    return createHmac('sha256', this.reportKey).update(`${importId}\n${owner}\n${expires}`).digest('base64url');
  }
}

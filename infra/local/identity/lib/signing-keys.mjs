// The RSA signing key with a fixed kid, kept in the state directory across restarts so that
// Dovecot (which validates tokens offline) and any test fixture keep trusting the same key.
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const SIGNING_KID = 'TBlocalTestSigningKey1';
export const SIGNING_ALG = 'RS256';

function newPrivateJwk(kid) {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { ...privateKey.export({ format: 'jwk' }), kid, alg: SIGNING_ALG, use: 'sig' };
}

function writeAtomically(path, content, mode) {
  writeFileSync(`${path}.tmp`, content, { mode });
  chmodSync(`${path}.tmp`, mode);
  renameSync(`${path}.tmp`, path);
}

export function loadOrCreateSigningKey(stateDir) {
  mkdirSync(stateDir, { recursive: true });
  const path = join(stateDir, 'signing-key.jwk.json');
  if (existsSync(path)) return JSON.parse(readFileSync(path, 'utf8'));
  const jwk = newPrivateJwk(SIGNING_KID);
  writeAtomically(path, JSON.stringify(jwk), 0o600);
  return jwk;
}

/** A key nobody trusts, published under the same kid: tokens it signs fail with "bad signature". */
export const createImpostorKey = () => newPrivateJwk(SIGNING_KID);

export function publicPem(jwk) {
  return createPublicKey({ key: jwk, format: 'jwk' }).export({ type: 'spki', format: 'pem' });
}

/**
 * Dovecot's oauth2 passdb (introspection_mode = local) looks keys up in a dict at
 * <prefix>/<azp or "default">/<alg>/<kid>. Tokens carry no azp, so "default" is the one path.
 */
export function exportForDovecot(jwk, keysDir) {
  const dir = join(keysDir, 'default', jwk.alg);
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  writeAtomically(join(dir, jwk.kid), publicPem(jwk), 0o644);
  writeAtomically(join(keysDir, 'signing-key.pub.pem'), publicPem(jwk), 0o644);
}

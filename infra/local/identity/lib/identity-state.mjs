// What the local identity server remembers between requests: issued authorization codes and
// refresh tokens, /token request counters, injected failures and token lifetimes. In memory only.
import { randomUUID } from 'node:crypto';

const CODE_LIFETIME_MS = 10 * 60 * 1000;
const ALL_CLIENTS = '*';

export class IdentityState {
  #codes = new Map();
  #refreshTokens = new Map();
  #counts = new Map();
  #failures = [];
  #lifetimes = new Map();
  #configuredLifetime;

  constructor(defaultLifetimeSeconds) {
    this.#configuredLifetime = defaultLifetimeSeconds;
    this.#lifetimes.set(ALL_CLIENTS, defaultLifetimeSeconds);
  }

  rememberCode(code, grant) {
    this.#codes.set(code, { ...grant, expiresAt: Date.now() + CODE_LIFETIME_MS, redeemed: false });
  }

  /** Returns the grant behind a code once; "redeemed" / "expired" / "unknown" otherwise. */
  redeemCode(code) {
    const entry = this.#codes.get(code);
    if (!entry) return { problem: 'unknown' };
    if (entry.redeemed) return { problem: 'redeemed' };
    if (entry.expiresAt < Date.now()) return { problem: 'expired' };
    entry.redeemed = true;
    return { grant: entry };
  }

  /** grant.publicClient: issued to a request without a client credential; Entra then refuses it with one. */
  rememberRefreshToken(refreshToken, grant) {
    this.#refreshTokens.set(refreshToken, { user: grant.user, scopes: grant.requestedScopes, clientId: grant.clientId, publicClient: grant.publicClient === true });
  }

  /** Like Entra, an earlier refresh token stays valid after a newer one was issued. */
  refreshGrant(refreshToken) {
    return this.#refreshTokens.get(refreshToken);
  }

  revokeRefreshTokensOf(user) {
    let revoked = 0;
    for (const [token, grant] of this.#refreshTokens) {
      if (!user || grant.user.toLowerCase() === user.toLowerCase()) {
        this.#refreshTokens.delete(token);
        revoked++;
      }
    }
    return revoked;
  }

  countTokenRequest(grantType, clientId) {
    for (const key of [ALL_CLIENTS, clientId ?? '']) {
      const counts = this.#counts.get(key) ?? {};
      counts[grantType] = (counts[grantType] ?? 0) + 1;
      this.#counts.set(key, counts);
    }
  }

  tokenRequestCounts(clientId) {
    return { ...(this.#counts.get(clientId ?? ALL_CLIENTS) ?? {}) };
  }

  addFailure(failure) {
    const id = randomUUID();
    this.#failures.push({ ...failure, id, remaining: failure.count ?? 1 });
    return id;
  }

  /** The first queued failure that applies to this request, consumed by one use. */
  takeFailure(grantType, clientId) {
    const failure = this.#failures.find((f) =>
      f.remaining > 0 && (!f.grantType || f.grantType === grantType) && (!f.clientId || f.clientId === clientId));
    if (!failure) return undefined;
    failure.remaining--;
    this.#failures = this.#failures.filter((f) => f.remaining > 0);
    return failure;
  }

  setLifetime(seconds, clientId) {
    this.#lifetimes.set(clientId ?? ALL_CLIENTS, seconds);
  }

  lifetimeFor(clientId) {
    return this.#lifetimes.get(clientId) ?? this.#lifetimes.get(ALL_CLIENTS);
  }

  /** Forgets failures, counters and lifetimes (all, or one client's); issued grants stay valid. */
  reset(clientId) {
    if (!clientId) {
      this.#failures = [];
      this.#counts.clear();
      this.#lifetimes.clear();
      this.#lifetimes.set(ALL_CLIENTS, this.#configuredLifetime);
      return;
    }
    this.#failures = this.#failures.filter((f) => f.clientId !== clientId);
    this.#counts.delete(clientId);
    this.#lifetimes.delete(clientId);
  }
}

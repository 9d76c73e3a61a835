// The device authorization grant (RFC 8628) as Entra serves it: /devicecode hands out a device code
// and a user code; /token answers authorization_pending until someone approves the user code (here:
// a test, through /_control/device-codes/approve, or automatically for a client that asked for it).
import { randomBytes, randomUUID } from 'node:crypto';

const MAX_PENDING = 1000;
const USER_CODE_ALPHABET = 'BCDFGHJKLMNPQRSTVWXZ'; // no vowels: no words, as Entra's codes

function newUserCode() {
  const bytes = randomBytes(9);
  return Array.from(bytes, (b) => USER_CODE_ALPHABET[b % USER_CODE_ALPHABET.length]).join('');
}

export class DeviceCodes {
  #byDeviceCode = new Map();
  #autoApprove = new Map(); // clientId ('*' for all) -> user
  #lifetimeSeconds;
  #intervalSeconds;

  constructor({ lifetimeSeconds = 900, intervalSeconds = 1 } = {}) {
    this.#lifetimeSeconds = lifetimeSeconds;
    this.#intervalSeconds = intervalSeconds;
  }

  /** Starts a device authorization; approved at once when a test asked for that for this client. */
  start({ clientId, scopes }) {
    this.#forgetExpired();
    if (this.#byDeviceCode.size >= MAX_PENDING) throw new RangeError('too many pending device codes');
    const entry = {
      deviceCode: randomUUID() + randomUUID(),
      userCode: newUserCode(),
      clientId,
      scopes,
      expiresAt: Date.now() + this.#lifetimeSeconds * 1000,
      status: 'pending',
      user: undefined,
    };
    const autoUser = this.#autoApprove.get(clientId) ?? this.#autoApprove.get('*');
    if (autoUser) Object.assign(entry, { status: 'approved', user: autoUser });
    this.#byDeviceCode.set(entry.deviceCode, entry);
    return { ...entry, expiresIn: this.#lifetimeSeconds, interval: this.#intervalSeconds };
  }

  /** 'pending' | 'declined' | 'expired' | 'unknown', or the approved grant (consumed by one use). */
  redeem(deviceCode, clientId) {
    const entry = this.#byDeviceCode.get(deviceCode);
    if (!entry || entry.clientId !== clientId) return { problem: 'unknown' };
    if (entry.expiresAt < Date.now()) {
      this.#byDeviceCode.delete(deviceCode);
      return { problem: 'expired' };
    }
    if (entry.status === 'pending') return { problem: 'pending' };
    this.#byDeviceCode.delete(deviceCode);
    if (entry.status === 'declined') return { problem: 'declined' };
    return { grant: { user: entry.user, scopes: entry.scopes, clientId: entry.clientId } };
  }

  /** Approves (or declines) the pending code with this user code; without one, the newest pending code of the client. */
  decide({ userCode, clientId, user, decline }) {
    const pending = [...this.#byDeviceCode.values()]
      .filter((e) => e.status === 'pending' && (!userCode || e.userCode === userCode) && (!clientId || e.clientId === clientId));
    const entry = pending.at(-1);
    if (!entry) return undefined;
    Object.assign(entry, decline ? { status: 'declined' } : { status: 'approved', user });
    return { userCode: entry.userCode, status: entry.status, user: entry.user ?? null };
  }

  setAutoApprove(clientId, user) {
    if (user) this.#autoApprove.set(clientId ?? '*', user);
    else this.#autoApprove.delete(clientId ?? '*');
  }

  pending(clientId) {
    this.#forgetExpired();
    return [...this.#byDeviceCode.values()]
      .filter((e) => e.status === 'pending' && (!clientId || e.clientId === clientId))
      .map((e) => ({ userCode: e.userCode, clientId: e.clientId, scopes: e.scopes, expiresAt: new Date(e.expiresAt).toISOString() }));
  }

  reset(clientId) {
    if (!clientId) {
      this.#autoApprove.clear();
      this.#byDeviceCode.clear();
      return;
    }
    this.#autoApprove.delete(clientId);
    for (const [code, entry] of this.#byDeviceCode) if (entry.clientId === clientId) this.#byDeviceCode.delete(code);
  }

  #forgetExpired() {
    const now = Date.now();
    for (const [code, entry] of this.#byDeviceCode) if (entry.expiresAt < now) this.#byDeviceCode.delete(code);
  }
}

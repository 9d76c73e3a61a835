// Test control endpoints under /_control/ (loopback only): mint tokens and refresh tokens, approve device codes, inject /token failures,
// set token lifetimes, read /token counters, reset. Documented in ../README.md.
import { defaultErrorFor } from './entra-claims.mjs';
import { isLoopback, readBody, sendJson } from './http-util.mjs';

function integerOrUndefined(value, name) {
  if (value === undefined || value === null) return undefined;
  const number = Number(value);
  if (!Number.isInteger(number)) throw new RangeError(`'${name}' must be an integer`);
  return number;
}

const EXCHANGE_DELEGATED_SCOPES = 'https://outlook.office.com/IMAP.AccessAsUser.All https://outlook.office.com/POP.AccessAsUser.All https://outlook.office.com/SMTP.Send offline_access openid profile';

function optionalString(value, name) {
  if (value !== undefined && typeof value !== 'string') throw new RangeError(`'${name}' must be a string`);
  return value;
}

export function createControlApi({ state, mintAccessToken, deviceCodes, mintRefreshToken, defaultUser }) {
  const routes = {
    'GET /_control/health': async () => [200, { status: 'ok' }],

    'POST /_control/tokens': async (body) => {
      if (body.user !== undefined && typeof body.user !== 'string') throw new RangeError("'user' must be a string");
      if (body.claims !== undefined && (typeof body.claims !== 'object' || Array.isArray(body.claims))) {
        throw new RangeError("'claims' must be an object");
      }
      return [200, await mintAccessToken({
        user: body.user,
        scopes: body.scopes,
        aud: body.aud,
        clientId: body.clientId,
        appOnly: body.appOnly === true,
        expiresInSeconds: integerOrUndefined(body.expiresInSeconds, 'expiresInSeconds'),
        wrongKey: body.wrongKey === true,
        claims: body.claims ?? {},
      })];
    },

    'POST /_control/token-failures': async (body) => {
      const status = integerOrUndefined(body.status, 'status') ?? 400;
      if (status < 400 || status > 599) throw new RangeError("'status' must be 400-599");
      const count = integerOrUndefined(body.count, 'count') ?? 1;
      if (count < 1) throw new RangeError("'count' must be at least 1");
      const id = state.addFailure({
        status,
        count,
        error: body.error ?? defaultErrorFor(status),
        code: integerOrUndefined(body.errorCode, 'errorCode'),
        description: body.errorDescription,
        suberror: body.suberror,
        grantType: body.grantType,
        clientId: body.clientId,
        retryAfterSeconds: integerOrUndefined(body.retryAfterSeconds, 'retryAfterSeconds'),
      });
      return [201, { id }];
    },

    'POST /_control/token-lifetime': async (body) => {
      const seconds = integerOrUndefined(body.seconds, 'seconds');
      if (seconds === undefined || seconds < 1) throw new RangeError("'seconds' must be a positive integer");
      state.setLifetime(seconds, body.clientId);
      return [200, { seconds, clientId: body.clientId ?? null }];
    },

    'GET /_control/token-requests': async (_body, url) =>
      [200, state.tokenRequestCounts(url.searchParams.get('clientId') ?? undefined)],

    'POST /_control/revoke-refresh-tokens': async (body) =>
      [200, { revoked: state.revokeRefreshTokensOf(body.user) }],

    'POST /_control/refresh-tokens': async (body) => {
      const scopes = optionalString(body.scopes, 'scopes') ?? EXCHANGE_DELEGATED_SCOPES;
      if (body.publicClient !== undefined && typeof body.publicClient !== 'boolean') return [400, { error: 'publicClient must be true or false' }];
      return [201, mintRefreshToken({ user: optionalString(body.user, 'user'), scopes, clientId: optionalString(body.clientId, 'clientId'), publicClient: body.publicClient })];
    },

    'GET /_control/device-codes': async (_body, url) =>
      [200, deviceCodes.pending(url.searchParams.get('clientId') ?? undefined)],

    'POST /_control/device-codes/approve': async (body) => {
      const decided = deviceCodes.decide({
        userCode: optionalString(body.userCode, 'userCode'),
        clientId: optionalString(body.clientId, 'clientId'),
        user: optionalString(body.user, 'user') ?? defaultUser,
        decline: body.decline === true,
      });
      return decided ? [200, decided] : [404, { error: 'no pending device code matches' }];
    },

    'POST /_control/device-codes/auto-approve': async (body) => {
      deviceCodes.setAutoApprove(optionalString(body.clientId, 'clientId'), optionalString(body.user, 'user'));
      return [200, { clientId: body.clientId ?? null, user: body.user ?? null }];
    },

    'POST /_control/reset': async (body) => {
      state.reset(body.clientId);
      deviceCodes.reset(body.clientId);
      return [200, { reset: body.clientId ?? 'all' }];
    },
  };

  return async function handleControl(req, res, url) {
    if (!isLoopback(req)) return sendJson(res, 403, { error: 'control endpoints answer loopback clients only' });
    const route = routes[`${req.method} ${url.pathname.replace(/\/$/, '')}`];
    if (!route) return sendJson(res, 404, { error: `no control endpoint ${req.method} ${url.pathname}` });
    let body = {};
    try {
      const text = await readBody(req);
      if (text.trim()) body = JSON.parse(text);
      if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new RangeError('body must be a JSON object');
    } catch (error) {
      return sendJson(res, 400, { error: `bad request body: ${error.message}` });
    }
    try {
      const [status, result] = await route(body, url);
      return sendJson(res, status, result);
    } catch (error) {
      if (error instanceof RangeError) return sendJson(res, 400, { error: error.message });
      throw error;
    }
  };
}

#!/usr/bin/env node
// A local stand-in for Microsoft Entra ID: oauth2-mock-server behind Entra-shaped paths
// (/<tenant>/oauth2/v2.0/{authorize,token}, /<tenant>/v2.0/.well-known/openid-configuration,
// /<tenant>/discovery/v2.0/keys), issuing Entra-shaped tokens over HTTPS with a persistent key,
// plus test control endpoints under /_control/. Configuration comes from the environment:
//   IDENTITY_PORT, IDENTITY_TENANT (GUID), IDENTITY_TENANT_DOMAIN, IDENTITY_STATE_DIR,
//   IDENTITY_DOVECOT_KEYS_DIR, IDENTITY_TLS_CERT, IDENTITY_TLS_KEY, IDENTITY_DEFAULT_USER,
//   IDENTITY_TOKEN_LIFETIME (seconds, default 3600), IDENTITY_DEVICE_CODE_INTERVAL (seconds, default 1).
import { readFileSync } from 'node:fs';
import { createServer } from 'node:https';
import { randomUUID } from 'node:crypto';
import { OAuth2Issuer, OAuth2Service } from 'oauth2-mock-server';
import {
  applicationClaims, clientInfo, delegatedClaims, entraError, idTokenClaims, resolveScopes,
} from './lib/entra-claims.mjs';
import { createControlApi } from './lib/control-api.mjs';
import { DeviceCodes } from './lib/device-codes.mjs';
import { IdentityState } from './lib/identity-state.mjs';
import { basicAuthUser, carriesClientCredential, readBody, sendJson } from './lib/http-util.mjs';
import { createImpostorKey, exportForDovecot, loadOrCreateSigningKey } from './lib/signing-keys.mjs';

function setting(name, fallback) {
  const value = process.env[name] ?? fallback;
  if (value === undefined || value === '') throw new Error(`${name} is not set`);
  return value;
}

const port = Number(setting('IDENTITY_PORT'));
const tenantId = setting('IDENTITY_TENANT');
const tenantDomain = setting('IDENTITY_TENANT_DOMAIN', 'tokenbroker.test');
const defaultUser = setting('IDENTITY_DEFAULT_USER', `alice@${tenantDomain}`);
const origin = `https://localhost:${port}`;
const issuerUrl = `${origin}/${tenantId}/v2.0`;
const knownTenants = new Set([tenantId, tenantDomain, 'common', 'organizations']);
const state = new IdentityState(Number(setting('IDENTITY_TOKEN_LIFETIME', '3600')));
const deviceCodes = new DeviceCodes({ intervalSeconds: Number(setting('IDENTITY_DEVICE_CODE_INTERVAL', '1')) });
const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
// Entra also takes the short name, and MSAL.NET sends it.
const DEVICE_CODE_GRANTS = new Set([DEVICE_CODE_GRANT, 'device_code']);

const signingKey = loadOrCreateSigningKey(setting('IDENTITY_STATE_DIR'));
exportForDovecot(signingKey, setting('IDENTITY_DOVECOT_KEYS_DIR'));

const issuer = new OAuth2Issuer(false);
issuer.url = issuerUrl;
await issuer.keys.add(signingKey);
const impostor = new OAuth2Issuer(false);
impostor.url = issuerUrl;
await impostor.keys.add(createImpostorKey());
const service = new OAuth2Service(issuer);

const hasScope = (context, scope) => (context.requestedScopes ?? '').split(/\s+/).includes(scope);

// The mock signs an access token (its payload has a "scope" member) and, for user grants, an
// id_token; both are reshaped here into what Entra issues for the grant being served.
service.on('beforeTokenSigning', (token, req) => {
  const context = req.tokenContext;
  const { payload } = token;
  const isAccessToken = Object.hasOwn(payload, 'scope');
  delete payload.scope;
  delete payload.amr;
  const lifetime = state.lifetimeFor(context.clientId);
  payload.iss = issuerUrl;
  payload.exp = payload.iat + lifetime;
  if (!isAccessToken) {
    Object.assign(payload, idTokenClaims({ user: context.user, clientId: context.clientId, tenantId }));
  } else if (context.appOnly) {
    Object.assign(payload, applicationClaims({ clientId: context.clientId, tenantId, scp: context.scp }));
  } else {
    Object.assign(payload, delegatedClaims({ user: context.user, clientId: context.clientId, tenantId, scp: context.scp }));
  }
});

service.on('beforeResponse', (response, req) => {
  if (response.statusCode !== 200) return;
  const context = req.tokenContext;
  const body = response.body;
  const lifetime = state.lifetimeFor(context.clientId);
  body.token_type = 'Bearer';
  body.expires_in = lifetime;
  body.ext_expires_in = lifetime;
  // Like Entra, a client-credentials answer names no scope: MSAL then caches the token under the
  // requested ".default" scope and serves the next AcquireTokenForClient from its cache.
  if (context.appOnly) {
    delete body.scope;
    return;
  }
  body.scope = context.scp.granted;
  body.client_info = clientInfo(context.user, tenantId);
  if (!hasScope(context, 'openid')) delete body.id_token;
  // Entra issues refresh tokens for offline_access, and a fresh one on every refresh.
  if (hasScope(context, 'offline_access') || context.grantType === 'refresh_token') {
    state.rememberRefreshToken(body.refresh_token, context);
  } else {
    delete body.refresh_token;
  }
});

service.on('beforeAuthorizeRedirect', (redirect, req) => {
  const code = redirect.url.searchParams.get('code');
  if (code) {
    state.rememberCode(code, {
      user: typeof req.query.login_hint === 'string' && req.query.login_hint ? req.query.login_hint : defaultUser,
      scopes: typeof req.query.scope === 'string' ? req.query.scope : '',
      clientId: req.query.client_id,
    });
  }
  redirect.url.searchParams.set('session_state', randomUUID());
});

function tokenError(res, status, error, code, description, extra = {}) {
  sendJson(res, status, entraError({ error, code, description, issuer: issuerUrl, ...extra }));
}

const CODE_PROBLEMS = {
  unknown: [9002313, 'Invalid request. Request is malformed or invalid.'],
  redeemed: [54005, 'OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.'],
  expired: [70008, 'The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource.'],
};

// Entra's answers while a device code is not (or no longer) redeemable.
const DEVICE_CODE_PROBLEMS = {
  pending: ['authorization_pending', 70016, 'OAuth 2.0 device flow error. Authorization is pending. Continue polling.'],
  declined: ['authorization_declined', 70000, 'The user declined the sign-in request.'],
  expired: ['expired_token', 70020, 'The provided value for the input parameter \'device_code\' is not valid. This device code has expired.'],
  unknown: ['invalid_grant', 70019, 'Verification code expired or not found.'],
};

// What Entra answers when a public client's refresh token comes with a client secret or assertion.
const PUBLIC_CLIENT_WITH_CREDENTIAL = [700025, "Client is public so neither 'client_assertion' nor 'client_secret' should be presented."];

/**
 * Works out who and what a /token request is for; answers it directly when Entra would refuse.
 * publicClient: the request carried no client credential, so the refresh token it gets is a public client's.
 */
function tokenContextOrError(body, clientId, res, publicClient) {
  const grantType = body.grant_type;
  switch (grantType) {
    case 'authorization_code': {
      const { grant, problem } = state.redeemCode(body.code ?? '');
      if (problem) return tokenError(res, 400, 'invalid_grant', ...CODE_PROBLEMS[problem]);
      const requestedScopes = body.scope ?? grant.scopes;
      return { grantType, user: grant.user, clientId, requestedScopes, scp: resolveScopes(requestedScopes) };
    }
    case 'refresh_token': {
      const grant = state.refreshGrant(body.refresh_token ?? '');
      if (!grant) return tokenError(res, 400, 'invalid_grant', ...CODE_PROBLEMS.unknown);
      // Entra binds a refresh token to the kind of client it was issued to: one issued without a client credential
      // (a public client: device code or any public flow) must be redeemed without one.
      if (grant.publicClient && publicClient === false) return tokenError(res, 400, 'invalid_client', ...PUBLIC_CLIENT_WITH_CREDENTIAL);
      const requestedScopes = body.scope ?? grant.scopes;
      return { grantType, user: grant.user, clientId, requestedScopes, scp: resolveScopes(requestedScopes) };
    }
    case DEVICE_CODE_GRANT:
    case 'device_code': {
      const { grant, problem } = deviceCodes.redeem(body.device_code ?? '', clientId);
      if (problem) return tokenError(res, 400, ...DEVICE_CODE_PROBLEMS[problem]);
      const requestedScopes = body.scope ?? grant.scopes;
      return { grantType, user: grant.user, clientId, requestedScopes, scp: resolveScopes(requestedScopes) };
    }
    case 'password': {
      const requestedScopes = body.scope ?? '';
      return { grantType, user: body.username ?? defaultUser, clientId, requestedScopes, scp: resolveScopes(requestedScopes) };
    }
    case 'client_credentials': {
      const requestedScopes = body.scope ?? '';
      if (!/\/\.default$/.test(requestedScopes.trim())) {
        return tokenError(res, 400, 'invalid_scope', 1002012, `The provided value for scope ${requestedScopes} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`);
      }
      return { grantType, appOnly: true, clientId, requestedScopes, scp: resolveScopes(requestedScopes, { appOnly: true }) };
    }
    default:
      return tokenError(res, 400, 'unsupported_grant_type', 70003, `The app requested an unsupported grant type '${grantType}'.`);
  }
}

async function handleToken(req, res) {
  if (req.method !== 'POST') return sendJson(res, 405, { error: 'method not allowed' });
  const body = Object.fromEntries(new URLSearchParams(await readBody(req)));
  const clientId = body.client_id ?? basicAuthUser(req);
  state.countTokenRequest(body.grant_type ?? '(none)', clientId);
  const failure = state.takeFailure(body.grant_type, clientId);
  if (failure) {
    const headers = failure.retryAfterSeconds !== undefined ? { 'Retry-After': String(failure.retryAfterSeconds) } : {};
    return sendJson(res, failure.status, entraError({ ...failure, issuer: issuerUrl }), headers);
  }
  if (!clientId) return tokenError(res, 400, 'invalid_request', 900144, "The request body must contain the following parameter: 'client_id'.");
  const publicClient = !carriesClientCredential(body, req);
  const context = tokenContextOrError(body, clientId, res, publicClient);
  if (!context) return undefined;
  context.publicClient = publicClient;
  // The body is already read: body-parser sees a finished request and keeps req.body as given.
  // The mock library knows no device code grant; a refresh answer has the same shape (the hooks shape the claims).
  req.body = DEVICE_CODE_GRANTS.has(context.grantType) ? { ...body, grant_type: 'refresh_token' } : body;
  req.tokenContext = context;
  req.url = '/token';
  return service.requestHandler(req, res);
}

async function mintAccessToken({ user, scopes, aud, clientId, appOnly, expiresInSeconds, wrongKey, claims }) {
  const subject = user ?? defaultUser;
  const client = clientId ?? '00000000-0000-0000-0000-00000000c11e';
  const scp = resolveScopes(scopes ?? [], { appOnly, aud });
  const lifetime = expiresInSeconds ?? state.lifetimeFor(client);
  const signer = wrongKey ? impostor : issuer;
  const accessToken = await signer.buildToken({
    expiresIn: lifetime,
    scopesOrTransform: (_header, payload) => {
      Object.assign(payload, appOnly
        ? applicationClaims({ clientId: client, tenantId, scp })
        : delegatedClaims({ user: subject, clientId: client, tenantId, scp }));
      // A token that is already expired also has to have been valid once.
      if (lifetime <= 0) {
        payload.iat = payload.exp - 3600;
        payload.nbf = payload.iat;
      }
      Object.assign(payload, claims);
    },
  });
  return { access_token: accessToken, token_type: 'Bearer', expires_in: lifetime, expires_on: Math.floor(Date.now() / 1000) + lifetime, scope: scp.granted };
}

/** Entra's device authorization endpoint: a device code to poll with and a user code to enter at the verification address. */
async function handleDeviceCode(req, res) {
  if (req.method !== 'POST') return sendJson(res, 405, { error: 'method not allowed' });
  const body = Object.fromEntries(new URLSearchParams(await readBody(req)));
  if (!body.client_id) return tokenError(res, 400, 'invalid_request', 900144, "The request body must contain the following parameter: 'client_id'.");
  if (!body.scope) return tokenError(res, 400, 'invalid_request', 900144, "The request body must contain the following parameter: 'scope'.");
  const started = deviceCodes.start({ clientId: body.client_id, scopes: body.scope });
  const verificationUri = `${origin}/devicelogin`;
  return sendJson(res, 200, {
    user_code: started.userCode,
    device_code: started.deviceCode,
    verification_uri: verificationUri,
    expires_in: started.expiresIn,
    interval: started.interval,
    message: `To sign in, use a web browser to open the page ${verificationUri} and enter the code ${started.userCode} to authenticate.`,
  });
}

/**
 * Hands out a refresh token as if an earlier sign-in (by another tool) had produced it: what an import redeems.
 * publicClient: issued to a public client (the other tool signed in without a client credential).
 */
function mintRefreshToken({ user, scopes, clientId, publicClient }) {
  const refreshToken = randomUUID() + randomUUID();
  state.rememberRefreshToken(refreshToken, { user: user ?? defaultUser, requestedScopes: scopes, clientId, publicClient: publicClient === true });
  return { refresh_token: refreshToken, user: user ?? defaultUser, scope: scopes, publicClient: publicClient === true };
}

const handleControl = createControlApi({ state, mintAccessToken, deviceCodes, mintRefreshToken, defaultUser });

function openIdConfiguration(tenant) {
  const base = `${origin}/${tenant}`;
  return {
    token_endpoint: `${base}/oauth2/v2.0/token`,
    token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
    jwks_uri: `${base}/discovery/v2.0/keys`,
    response_modes_supported: ['query', 'fragment', 'form_post'],
    subject_types_supported: ['pairwise'],
    id_token_signing_alg_values_supported: ['RS256'],
    response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
    scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
    // Multi-tenant authorities publish a templated issuer, as Entra does.
    issuer: tenant === 'common' || tenant === 'organizations' ? `${origin}/{tenantid}/v2.0` : issuerUrl,
    request_uri_parameter_supported: false,
    userinfo_endpoint: `${origin}/oidc/userinfo`,
    authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
    device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
    http_logout_supported: true,
    frontchannel_logout_supported: true,
    end_session_endpoint: `${base}/oauth2/v2.0/logout`,
    claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'nonce', 'preferred_username', 'name', 'tid', 'ver', 'email', 'oid'],
    tenant_region_scope: 'EU',
    cloud_instance_name: 'localhost',
    cloud_graph_host_name: 'graph.windows.net',
    msgraph_host: 'graph.microsoft.com',
    rbac_url: 'https://pas.windows.net',
  };
}

function instanceDiscovery() {
  const host = `localhost:${port}`;
  return {
    tenant_discovery_endpoint: `${origin}/${tenantId}/v2.0/.well-known/openid-configuration`,
    'api-version': '1.1',
    metadata: [{ preferred_network: host, preferred_cache: host, aliases: [host] }],
  };
}

async function route(req, res) {
  const url = new URL(req.url, origin);
  if (url.pathname.startsWith('/_control/')) return handleControl(req, res, url);
  const match = /^\/([^/]+)(\/.*)$/.exec(url.pathname);
  if (!match) return sendJson(res, 404, { error: 'not found' });
  const [, tenant, rest] = match;
  if (rest === '/discovery/instance' && req.method === 'GET') return sendJson(res, 200, instanceDiscovery());
  if (!knownTenants.has(tenant)) {
    return tokenError(res, 400, 'invalid_request', 90002, `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`);
  }
  switch (rest) {
    case '/v2.0/.well-known/openid-configuration':
    case '/.well-known/openid-configuration':
      return sendJson(res, 200, openIdConfiguration(tenant));
    case '/discovery/v2.0/keys':
    case '/discovery/keys':
      return sendJson(res, 200, { keys: issuer.keys.toJSON().map((k) => ({ ...k, use: 'sig', issuer: issuerUrl })) });
    case '/oauth2/v2.0/token':
      return handleToken(req, res);
    case '/oauth2/v2.0/devicecode':
      return handleDeviceCode(req, res);
    case '/oauth2/v2.0/authorize':
      req.url = `/authorize${url.search}`;
      return service.requestHandler(req, res);
    case '/oauth2/v2.0/logout':
      req.url = `/endsession${url.search}`;
      return service.requestHandler(req, res);
    default:
      return sendJson(res, 404, { error: 'not found' });
  }
}

const server = createServer({
  key: readFileSync(setting('IDENTITY_TLS_KEY')),
  cert: readFileSync(setting('IDENTITY_TLS_CERT')),
}, (req, res) => {
  const started = Date.now();
  // Paths only: queries and bodies may carry codes, tokens or secrets.
  const path = req.url.split('?')[0];
  res.on('finish', () => console.log(`${new Date().toISOString()} ${req.method} ${path} ${res.statusCode} ${Date.now() - started}ms`));
  route(req, res).catch((error) => {
    console.error(`${new Date().toISOString()} error: ${error.message}`);
    if (!res.headersSent) sendJson(res, 500, { error: 'server_error' });
  });
});

server.listen(port, '127.0.0.1', () => console.log(`entra-mock listening on ${origin}, tenant ${tenantId}, issuer ${issuerUrl}`));
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => server.close(() => process.exit(0)));
  // Keep-alive connections would hold close() open; a bounded exit either way.
  process.on(signal, () => setTimeout(() => process.exit(0), 1000).unref());
}

import { randomBytes } from 'node:crypto';
import { AwsError } from '../world/awsError';
import { newAccessKeyId } from '../world/ids';
import type { PrincipalIdentity, World } from '../world/world';
import type { ServiceRequest, ServiceResponse } from './httpService';
import { parseRawQuery } from './sigv4';

const DEVICE_CODE_SECONDS = 600;
const ACCESS_TOKEN_SECONDS = 8 * 3600;
const ROLE_CREDENTIAL_SECONDS = 3600;
const GRANT_DEVICE_CODE = 'urn:ietf:params:oauth:grant-type:device_code';

interface Device {
  clientId: string;
  deviceCode: string;
  userCode: string;
  expiresAt: number;
  status: 'pending' | 'approved' | 'denied' | 'used';
}

interface Token {
  expiresAt: number;
  clientId: string;
}

/** JSON error for restJson1 services: the exception name in x-amzn-errortype, OAuth fields in the body. */
export function renderRestJsonError(error: AwsError, requestId: string): ServiceResponse {
  const oauth: Record<string, string> = {
    AuthorizationPendingException: 'authorization_pending',
    SlowDownException: 'slow_down',
    ExpiredTokenException: 'expired_token',
    AccessDeniedException: 'access_denied',
    InvalidGrantException: 'invalid_grant',
    InvalidClientException: 'invalid_client',
    UnsupportedGrantTypeException: 'unsupported_grant_type',
    InvalidRequestException: 'invalid_request',
  };
  const body = oauth[error.code] ? { error: oauth[error.code], error_description: error.message } : { message: error.message };
  return { status: error.status, headers: { 'content-type': 'application/json', 'x-amzn-errortype': error.code, 'x-amzn-requestid': requestId }, body: JSON.stringify(body) };
}

function json(body: unknown): ServiceResponse {
  return { status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}

function userCode(): string {
  const letters = 'BCDFGHJKLMNPQRSTVWXZ';
  const bytes = randomBytes(8);
  const chars = [...bytes].map((b) => letters[b % letters.length]).join('');
  return `${chars.slice(0, 4)}-${chars.slice(4)}`;
}

function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/**
 * IAM Identity Center, both halves: SSO-OIDC (RegisterClient, StartDeviceAuthorization,
 * CreateToken with the device-code and refresh-token grants) and the SSO portal
 * (GetRoleCredentials, ListAccounts, ListAccountRoles, Logout). CreateToken answers
 * authorization_pending until someone opens verificationUriComplete, a page this service
 * serves that approves the request (add `&action=deny` to refuse it).
 */
export class SsoService {
  /** Set once the OIDC server listens: the base of the verification URLs. */
  oidcUrl = '';
  private readonly clients = new Map<string, { secret: string; expiresAt: number }>();
  private readonly devices = new Map<string, Device>();
  private readonly accessTokens = new Map<string, Token>();
  private readonly refreshTokens = new Map<string, string>();

  constructor(private readonly world: World) {}

  /** Approves (or denies) a pending device authorization by its user code, as the browser page does. */
  decide(code: string, approve: boolean): boolean {
    const device = [...this.devices.values()].find((d) => d.userCode === code && d.status === 'pending');
    if (!device) return false;
    device.status = approve ? 'approved' : 'denied';
    return true;
  }

  /** Pending device authorizations' user codes (for tests that approve without a browser). */
  pendingUserCodes(): string[] {
    return [...this.devices.values()].filter((d) => d.status === 'pending' && d.expiresAt > Date.now()).map((d) => d.userCode);
  }

  /** Expires every SSO access token now (the app must sign in again). */
  expireTokens(): number {
    for (const token of this.accessTokens.values()) token.expiresAt = Date.now() - 1000;
    return this.accessTokens.size;
  }

  oidcHandler(): (req: ServiceRequest) => Promise<ServiceResponse> {
    return async (req) => {
      const action = `${req.method} ${req.rawPath}`;
      try {
        const response = this.oidc(req);
        if (req.rawPath !== '/device') this.world.record({ service: 'sso-oidc', action: req.rawPath.slice(1), requestId: req.requestId });
        return response;
      } catch (error) {
        const awsError = error instanceof AwsError ? error : new AwsError('InternalServerException', String(error), 500);
        this.world.record({ service: 'sso-oidc', action, requestId: req.requestId, errorCode: awsError.code });
        return renderRestJsonError(awsError, req.requestId);
      }
    };
  }

  portalHandler(): (req: ServiceRequest) => Promise<ServiceResponse> {
    return async (req) => {
      try {
        const response = this.portal(req);
        this.world.record({ service: 'sso', action: req.rawPath.slice(1), requestId: req.requestId });
        return response;
      } catch (error) {
        const awsError = error instanceof AwsError ? error : new AwsError('InternalServerException', String(error), 500);
        this.world.record({ service: 'sso', action: req.rawPath.slice(1), requestId: req.requestId, errorCode: awsError.code });
        return renderRestJsonError(awsError, req.requestId);
      }
    };
  }

  private config(): NonNullable<World['scenario']['sso']> {
    const sso = this.world.scenario.sso;
    if (!sso) throw new AwsError('InvalidRequestException', 'This sandbox scenario has no IAM Identity Center (sso) configured.', 400);
    return sso;
  }

  private body(req: ServiceRequest): Record<string, unknown> {
    try {
      const parsed = JSON.parse(req.body.toString('utf8') || '{}') as unknown;
      return parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : {};
    } catch {
      throw new AwsError('InvalidRequestException', 'The request body is not valid JSON.', 400);
    }
  }

  private client(body: Record<string, unknown>): void {
    const id = String(body['clientId'] ?? '');
    const client = this.clients.get(id);
    if (!client || client.secret !== body['clientSecret']) throw new AwsError('InvalidClientException', 'Invalid client id or secret.', 401);
    if (client.expiresAt < Date.now()) throw new AwsError('InvalidClientException', 'The client registration has expired; register again.', 401);
  }

  private oidc(req: ServiceRequest): ServiceResponse {
    if (this.world.takeThrottle('CreateToken') && req.rawPath === '/token') throw new AwsError('SlowDownException', 'Client is polling too fast.', 400);
    if (req.method === 'GET' && req.rawPath === '/device') return this.devicePage(req);
    if (req.method !== 'POST') throw new AwsError('InvalidRequestException', `${req.method} ${req.rawPath} is not an SSO-OIDC operation.`, 404);
    const body = this.body(req);
    const now = Date.now();
    switch (req.rawPath) {
      case '/client/register': {
        if (!body['clientName'] || body['clientType'] !== 'public') throw new AwsError('InvalidClientMetadataException', 'clientName is required and clientType must be "public".', 400);
        const clientId = randomBytes(16).toString('base64url');
        const secret = randomBytes(48).toString('base64url');
        const expiresAt = now + 90 * 86_400_000;
        this.clients.set(clientId, { secret, expiresAt });
        return json({ clientId, clientSecret: secret, clientIdIssuedAt: Math.floor(now / 1000), clientSecretExpiresAt: Math.floor(expiresAt / 1000) });
      }
      case '/device_authorization': {
        this.client(body);
        const sso = this.config();
        if (body['startUrl'] !== sso.startUrl) throw new AwsError('InvalidRequestException', `Invalid start URL: ${String(body['startUrl'] ?? '')} is not this organisation's start URL.`, 400);
        const device: Device = { clientId: String(body['clientId']), deviceCode: randomBytes(32).toString('base64url'), userCode: userCode(), expiresAt: now + DEVICE_CODE_SECONDS * 1000, status: 'pending' };
        this.devices.set(device.deviceCode, device);
        return json({
          deviceCode: device.deviceCode,
          userCode: device.userCode,
          verificationUri: `${this.oidcUrl}/device`,
          verificationUriComplete: `${this.oidcUrl}/device?user_code=${device.userCode}`,
          expiresIn: DEVICE_CODE_SECONDS,
          interval: 1,
        });
      }
      case '/token': {
        this.client(body);
        const grant = body['grantType'];
        if (grant === GRANT_DEVICE_CODE) {
          const device = this.devices.get(String(body['deviceCode'] ?? ''));
          if (!device || device.clientId !== body['clientId'] || device.status === 'used') throw new AwsError('InvalidGrantException', 'Invalid device code provided.', 400);
          if (device.expiresAt < now) throw new AwsError('ExpiredTokenException', 'The device code has expired.', 400);
          if (device.status === 'pending') throw new AwsError('AuthorizationPendingException', 'Authorization is still pending.', 400);
          if (device.status === 'denied') throw new AwsError('AccessDeniedException', 'The user denied the authorization request.', 400);
          device.status = 'used';
          return json(this.issueToken(device.clientId));
        }
        if (grant === 'refresh_token') {
          const refresh = String(body['refreshToken'] ?? '');
          const clientId = this.refreshTokens.get(refresh);
          if (!clientId || clientId !== body['clientId']) throw new AwsError('InvalidGrantException', 'Invalid refresh token provided.', 400);
          this.refreshTokens.delete(refresh);
          return json(this.issueToken(clientId));
        }
        throw new AwsError('UnsupportedGrantTypeException', `Unsupported grant type: ${String(grant ?? '')}`, 400);
      }
      default:
        throw new AwsError('InvalidRequestException', `${req.rawPath} is not an SSO-OIDC operation.`, 404);
    }
  }

  private issueToken(clientId: string): Record<string, unknown> {
    const accessToken = `aoa${randomBytes(48).toString('base64url')}EXAMPLE`;
    const refreshToken = `aor${randomBytes(48).toString('base64url')}EXAMPLE`;
    this.accessTokens.set(accessToken, { expiresAt: Date.now() + ACCESS_TOKEN_SECONDS * 1000, clientId });
    this.refreshTokens.set(refreshToken, clientId);
    return { accessToken, tokenType: 'Bearer', expiresIn: ACCESS_TOKEN_SECONDS, refreshToken };
  }

  private devicePage(req: ServiceRequest): ServiceResponse {
    const query = new Map(parseRawQuery(req.rawQuery));
    const code = query.get('user_code') ?? '';
    const approve = query.get('action') !== 'deny';
    const decided = this.decide(code, approve);
    const title = !code ? 'Enter the code shown in the app' : decided ? (approve ? 'Request approved' : 'Request denied') : 'This code is not valid or has expired';
    const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)} - AWS IAM Identity Center (sandbox)</title></head><body><h1>${escapeHtml(title)}</h1><p>${escapeHtml(code ? `Code: ${code}` : 'Open the verification link the app shows.')}</p>${decided && approve ? '<p>You can close this window and return to the app.</p>' : ''}</body></html>`;
    return { status: decided || !code ? 200 : 400, headers: { 'content-type': 'text/html; charset=utf-8' }, body: html };
  }

  private bearer(req: ServiceRequest): void {
    const token = String(req.headers['x-amz-sso_bearer_token'] ?? '');
    const record = this.accessTokens.get(token);
    if (!record || record.expiresAt < Date.now()) throw new AwsError('UnauthorizedException', 'Session token not found or invalid', 401);
  }

  private portal(req: ServiceRequest): ServiceResponse {
    if (this.world.takeThrottle('GetRoleCredentials') && req.rawPath === '/federation/credentials') throw new AwsError('TooManyRequestsException', 'Rate exceeded', 429);
    this.bearer(req);
    const sso = this.config();
    const query = new Map(parseRawQuery(req.rawQuery));
    const page = <T>(items: T[]): { items: T[]; nextToken?: string } => {
      const max = Number(query.get('max_result') ?? 100);
      const offset = Number(query.get('next_token') ?? 0) || 0;
      const slice = items.slice(offset, offset + max);
      return offset + max < items.length ? { items: slice, nextToken: String(offset + max) } : { items: slice };
    };
    switch (`${req.method} ${req.rawPath}`) {
      case 'GET /assignment/accounts': {
        const { items, nextToken } = page(sso.accounts.map((a) => ({ accountId: a.accountId, accountName: a.accountName, emailAddress: a.emailAddress })));
        return json({ accountList: items, ...(nextToken ? { nextToken } : {}) });
      }
      case 'GET /assignment/roles': {
        const account = sso.accounts.find((a) => a.accountId === query.get('account_id'));
        if (!account) throw new AwsError('ResourceNotFoundException', 'The account was not found or you have no access to it.', 404);
        const { items, nextToken } = page(account.roles.map((roleName) => ({ roleName, accountId: account.accountId })));
        return json({ roleList: items, ...(nextToken ? { nextToken } : {}) });
      }
      case 'GET /federation/credentials': {
        const account = sso.accounts.find((a) => a.accountId === query.get('account_id'));
        const roleName = query.get('role_name') ?? '';
        if (!account || !account.roles.includes(roleName)) throw new AwsError('ForbiddenException', 'No access', 403);
        const suffix = randomBytes(8).toString('hex');
        const principal: PrincipalIdentity = {
          name: roleName,
          arn: `arn:aws:sts::${account.accountId}:assumed-role/AWSReservedSSO_${roleName}_${suffix}/${sso.userName}`,
          userId: `AROA${newAccessKeyId('AKIA').slice(4)}:${sso.userName}`,
          accountId: account.accountId,
        };
        const record = this.world.issueTemporary(principal, ROLE_CREDENTIAL_SECONDS);
        return json({ roleCredentials: { accessKeyId: record.accessKeyId, secretAccessKey: record.secretAccessKey, sessionToken: record.sessionToken, expiration: record.expiresAt } });
      }
      case 'POST /logout': {
        this.accessTokens.delete(String(req.headers['x-amz-sso_bearer_token'] ?? ''));
        return { status: 200, body: '' };
      }
      default:
        throw new AwsError('InvalidRequestException', `${req.method} ${req.rawPath} is not an SSO portal operation.`, 404);
    }
  }
}

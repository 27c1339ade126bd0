import { EC2Client } from '@aws-sdk/client-ec2';
import { EC2InstanceConnectClient } from '@aws-sdk/client-ec2-instance-connect';
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import { AppError, isAppError } from '../preload/contract/errors';
import { loadAwsConfig } from './aws/awsConfig';
import { AwsNetwork, type EndpointSettings } from './aws/awsNetwork';
import { mapAwsError } from './aws/errors';
import { classifyProfile } from './aws/profileKinds';
import { CLI_NAME, parseCliArgs, USAGE, type TunnelArgs } from './eice/cliArgs';
import { pushPublicKey, readPublicKeyFile, resolveCliTarget, type AwsCallContext } from './eice/cliTarget';
import { durationCapNotice } from './eice/durationCaps';
import type { CredentialsProvider, TunnelStream } from './eice/tunnel';
import { TunnelManager, type TunnelOpenOptions } from './eice/tunnelManager';
import { createLogger, redactString, registerSecret, type Logger } from './log';

/** What the command line runs against: the process in real use, streams and an env in tests. */
export interface CliIo {
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
  version: string;
  /** Subscribes to "stop now" (SIGINT, SIGTERM, SIGHUP); returns an unsubscribe. */
  onStop(listener: () => void): () => void;
}

/** Exit statuses: 0 done, 1 failed, 2 bad command line. */
export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

/** One line: code, sentence, hint, request id; newlines folded, secrets scrubbed. */
export function formatCliError(error: AppError): string {
  const parts = [`${CLI_NAME}: ${error.code}: ${error.message}`];
  if (error.hint) parts.push(`Hint: ${error.hint}`);
  if (error.requestId) parts.push(`(request id ${error.requestId})`);
  return redactString(parts.join(' ').replace(/\s+/g, ' ').trim());
}

function asAppError(error: unknown): AppError {
  if (isAppError(error)) return error;
  return new AppError('INTERNAL', `Unexpected failure: ${error instanceof Error ? error.message : String(error)}`, {
    hint: `Run again with --debug and report the output (it has no secrets).`,
    cause: error,
  });
}

/**
 * `bastionless-tunnel`: the command-line tunnel. Resolves with the exit status; never throws.
 * In stdio mode nothing but tunnel bytes is written to stdout.
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let args: TunnelArgs;
  try {
    const command = parseCliArgs(argv);
    if (command.kind === 'help') {
      io.stdout.write(`${USAGE}\n`);
      return EXIT_OK;
    }
    if (command.kind === 'version') {
      io.stdout.write(`${CLI_NAME} ${io.version}\n`);
      return EXIT_OK;
    }
    args = command;
  } catch (error) {
    io.stderr.write(`${formatCliError(asAppError(error))}\n`);
    return EXIT_USAGE;
  }
  if (args.localPort === undefined && io.stdin.isTTY) {
    io.stderr.write(
      `${formatCliError(new AppError('INVALID_INPUT', 'Without --local-port this command carries stdin and stdout, so it cannot run in a terminal.', { hint: `Use it as an OpenSSH ProxyCommand (see ${CLI_NAME} --help), or pass --local-port to listen on a local port.` }))}\n`,
    );
    return EXIT_USAGE;
  }

  const log = args.debug ? createLogger({ sink: { write: (line) => io.stderr.write(`${line}\n`) }, scope: 'cli', minLevel: 'debug' }) : undefined;
  const stopController = new AbortController();
  const offStop = io.onStop(() => stopController.abort());
  try {
    return await runTunnel(args, io, log, stopController.signal);
  } catch (error) {
    const appError = asAppError(error);
    if (appError.code === 'CANCELLED') return EXIT_OK;
    log?.error('failed', { code: appError.code, error: appError.cause ?? appError });
    io.stderr.write(`${formatCliError(appError)}\n`);
    return EXIT_FAILED;
  } finally {
    offStop();
  }
}

async function runTunnel(args: TunnelArgs, io: CliIo, log: Logger | undefined, stop: AbortSignal): Promise<number> {
  const { region, settings } = await awsSettings(args, io.env);
  const chain = fromNodeProviderChain({ ...(args.profile ? { profile: args.profile } : {}) });
  const credentials: CredentialsProvider = async () => {
    let c: Awaited<ReturnType<typeof chain>>;
    try {
      c = await chain();
    } catch (error) {
      // SSO sign-in needed, a missing profile, a failing credential_process: say which.
      throw mapAwsError(error, { action: 'get AWS credentials', region, ...(args.profile ? { profile: args.profile } : {}) });
    }
    // Session tokens and secrets must never reach a --debug line, whatever logs them.
    registerSecret(c.secretAccessKey);
    registerSecret(c.sessionToken);
    return { accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey, ...(c.sessionToken ? { sessionToken: c.sessionToken } : {}) };
  };
  const network = new AwsNetwork(io.env, log ?? silentLogger);
  const clientConfig = (service: 'ec2' | 'eic') => {
    const endpoint = network.endpointFor(service, settings);
    return {
      region,
      credentials: chain,
      ...(endpoint ? { endpoint } : {}),
      // The SDK refuses FIPS together with a custom endpoint: an override wins.
      useFipsEndpoint: network.useFips(settings) && !endpoint,
      maxAttempts: 3,
      requestHandler: network.httpHandlerFor(service, region, settings),
    };
  };
  const ec2 = new EC2Client(clientConfig('ec2'));
  const eic = new EC2InstanceConnectClient(clientConfig('eic'));
  try {
    const useFips = network.useFips(settings);
    const context = { region, ...(args.profile ? { profile: args.profile } : {}) };
    const publicKey = args.pushKeyFile ? await readPublicKeyFile(args.pushKeyFile) : undefined;
    const push =
      publicKey && args.instanceId && args.osUser
        ? () => pushPublicKey(eic, { instanceId: args.instanceId!, osUser: args.osUser!, publicKey }, context)
        : undefined;
    // An explicit --max-tunnel-duration is asked for as given; otherwise an IAM cap is found.
    const tunnelOptions = { credentials, env: io.env, useFips, exactDuration: args.maxTunnelDuration !== undefined };
    // Said once on stderr (ssh shows it): the tunnel will end sooner than the hour.
    const manager = new TunnelManager({ ...(log ? { log } : {}), onDurationCap: (learned) => io.stderr.write(`${CLI_NAME}: ${durationCapNotice(learned).message}\n`) });
    try {
      if (args.localPort !== undefined) {
        const target = await resolveCliTarget(args, ec2, context);
        return await listen(args, io, manager, target, tunnelOptions, push, stop);
      }
      return await carryTunnel(args, io, manager, ec2, context, tunnelOptions, push, log, stop);
    } finally {
      await manager.dispose();
    }
  } finally {
    ec2.destroy();
    eic.destroy();
  }
}

/** Stdio mode: the key push runs in parallel with finding the endpoint and opening the tunnel. */
async function carryTunnel(
  args: TunnelArgs,
  io: CliIo,
  manager: TunnelManager,
  ec2: EC2Client,
  context: AwsCallContext,
  tunnelOptions: TunnelOpenOptions,
  push: (() => Promise<void>) | undefined,
  log: Logger | undefined,
  stop: AbortSignal,
): Promise<number> {
  // The key push runs in parallel with finding the endpoint and opening the tunnel; bytes
  // flow once both are done, so ssh never offers the key before sshd accepts it.
  const pushing = push?.();
  pushing?.catch(() => undefined);
  const opening = resolveCliTarget(args, ec2, context).then((target) => {
    log?.debug('target', { endpointId: target.endpointId, dnsName: target.dnsName, target: `${target.privateIpAddress}:${target.remotePort}`, useFips: tunnelOptions.useFips });
    // stdin is the user's own process (OpenSSH as ProxyCommand): see ZERO_MASK in main/eice/tunnel.ts.
    return manager.openStream(target, { kind: 'forward', label: args.instanceId ?? target.privateIpAddress }, { ...tunnelOptions, zeroMask: true, signal: stop });
  });
  let tunnel: TunnelStream;
  try {
    [tunnel] = await Promise.all([opening, pushing]);
  } catch (error) {
    void opening.then(
      (t) => t.destroy(),
      () => undefined,
    );
    throw error;
  }
  return await carryStdio(tunnel, io, stop);
}

const silentLogger: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined, child: () => silentLogger };

/**
 * The Region and endpoint settings, as the AWS CLI resolves them: --region, then AWS_REGION /
 * AWS_DEFAULT_REGION, then the profile's region; the profile's endpoint_url, [services],
 * ca_bundle and use_fips_endpoint. Fails with AWS_PROFILE_NOT_FOUND or INVALID_INPUT.
 */
async function awsSettings(args: TunnelArgs, env: NodeJS.ProcessEnv): Promise<{ region: string; settings: EndpointSettings }> {
  const files = await loadAwsConfig(env);
  const name = args.profile ?? env['AWS_PROFILE']?.trim() ?? 'default';
  const known = name in files.config || name in files.credentials;
  if (!known && (args.profile || env['AWS_PROFILE'])) {
    throw new AppError('AWS_PROFILE_NOT_FOUND', `There is no AWS profile "${name}" in ${files.configFile} or ${files.credentialsFile}.`, {
      hint: 'Check the name (aws configure list-profiles), or set AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE if your files live elsewhere.',
    });
  }
  const profile = classifyProfile(name, files);
  const region = args.region ?? (env['AWS_REGION']?.trim() || env['AWS_DEFAULT_REGION']?.trim() || profile.region);
  if (!region) {
    throw new AppError('INVALID_INPUT', 'No AWS Region is set.', { hint: `Pass --region, set AWS_REGION, or set region in the profile "${name}" (aws configure).` });
  }
  const settings: EndpointSettings = {
    ...(profile.endpointUrl ? { endpointUrl: profile.endpointUrl } : {}),
    ...(profile.servicesSection ? { servicesSection: profile.servicesSection } : {}),
    ...(profile.caBundle ? { caBundle: profile.caBundle } : {}),
    ignoreConfiguredEndpointUrls: profile.ignoreConfiguredEndpointUrls,
    useFips: profile.useFips,
  };
  return { region, settings };
}

/** stdin -> tunnel -> stdout until either side ends; resolves with the exit status. */
async function carryStdio(tunnel: TunnelStream, io: CliIo, stop: AbortSignal): Promise<number> {
  const onStop = (): void => {
    tunnel.destroy();
  };
  stop.addEventListener('abort', onStop, { once: true });
  io.stdin.pipe(tunnel);
  // stdout is never ended by us: the process exits once the tunnel's bytes are written.
  tunnel.pipe(io.stdout, { end: false });
  const stdoutGone = (): void => {
    // ssh went away (EPIPE): nothing more can be delivered, close the tunnel normally.
    tunnel.destroy();
  };
  io.stdout.once('error', stdoutGone);
  try {
    await tunnel.whenClosed;
    // Everything the tunnel received has been pushed; let the readable side drain into stdout.
    if (!tunnel.readableEnded && !tunnel.destroyed) await new Promise<void>((resolve) => tunnel.once('end', () => resolve()).once('close', () => resolve()));
    await drained(io.stdout);
  } finally {
    stop.removeEventListener('abort', onStop);
    io.stdout.removeListener('error', stdoutGone);
    io.stdin.unpipe(tunnel);
    io.stdin.pause();
  }
  if (tunnel.closeError) {
    io.stderr.write(`${formatCliError(tunnel.closeError)}\n`);
    return EXIT_FAILED;
  }
  return EXIT_OK;
}

function drained(stream: NodeJS.WritableStream): Promise<void> {
  const w = stream as NodeJS.WritableStream & { writableLength?: number; destroyed?: boolean };
  if (!w.writableLength || w.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    stream.once('drain', resolve);
    stream.once('error', resolve);
    stream.once('close', resolve);
  });
}

async function listen(
  args: TunnelArgs,
  io: CliIo,
  manager: TunnelManager,
  target: Awaited<ReturnType<typeof resolveCliTarget>>,
  tunnelOptions: TunnelOpenOptions,
  push: (() => Promise<void>) | undefined,
  stop: AbortSignal,
): Promise<number> {
  const label = args.instanceId ?? target.privateIpAddress;
  const listener = await manager.startListener(target, { kind: 'forward', label }, {
    ...tunnelOptions,
    port: args.localPort ?? 0,
    maxConnections: args.maxConnections,
    ...(push ? { prepare: () => push() } : {}),
  });
  const where = `${target.privateIpAddress.includes(':') ? `[${target.privateIpAddress}]` : target.privateIpAddress}:${target.remotePort}`;
  io.stdout.write(`Listening on 127.0.0.1:${listener.port} for connections to ${where} through ${target.endpointId} (at most ${listener.maxConnections} at once). Press Ctrl+C to stop.\n`);
  // Each failed connection (a refused tunnel, a failed key push, the cap) gets one line.
  let reported: unknown;
  manager.onChange(() => {
    if (listener.lastError && listener.lastError !== reported) {
      reported = listener.lastError;
      io.stderr.write(`${formatCliError(listener.lastError)}\n`);
    }
  });
  await new Promise<void>((resolve) => {
    if (stop.aborted) resolve();
    stop.addEventListener('abort', () => resolve(), { once: true });
    listener.onClosed(() => resolve());
  });
  return EXIT_OK;
}

/**
 * The process entry: wires the real stdin/stdout/signals, runs, then exits with the status once
 * stdout is flushed. Called by bin/bastionless-tunnel.js.
 */
export async function main(options: { version: string }): Promise<void> {
  const io: CliIo = {
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    version: options.version,
    onStop(listener) {
      const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
      for (const s of signals) process.on(s, listener);
      return () => {
        for (const s of signals) process.removeListener(s, listener);
      };
    },
  };
  // A closed stdout (ssh gone) must end the tunnel, not crash the process on EPIPE.
  process.stdout.on('error', () => undefined);
  // The SDK's multi-line Node-version notice would land in every ssh session's stderr; --debug
  // users see it in the log instead.
  if (!process.argv.includes('--debug')) process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';
  const status = await runCli(process.argv.slice(2), io);
  process.exitCode = status;
  // Open SDK sockets and keep-alive agents must not keep a finished tunnel alive.
  setImmediate(() => process.exit(status));
}

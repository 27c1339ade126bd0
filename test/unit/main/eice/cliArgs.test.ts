import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { EXIT_OK, EXIT_USAGE, formatCliError, runCli, type CliIo } from '../../../../main/cli';
import { parseCliArgs, USAGE } from '../../../../main/eice/cliArgs';
import { AppError } from '../../../../preload/contract/errors';

function usageError(argv: string[]): AppError {
  try {
    parseCliArgs(argv);
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error(`accepted ${argv.join(' ')}`);
}

describe('parseCliArgs', () => {
  it('takes the AWS CLI\'s open-tunnel options, with its defaults', () => {
    expect(parseCliArgs(['--instance-id', 'i-0123456789abcdef0'])).toEqual({ kind: 'tunnel', instanceId: 'i-0123456789abcdef0', remotePort: 22, maxConnections: 10, debug: false });
    expect(
      parseCliArgs([
        '--private-ip-address=10.0.0.5',
        '--instance-connect-endpoint-id',
        'eice-0abc',
        '--instance-connect-endpoint-dns-name',
        'eice-0abc.ec2-instance-connect-endpoint.us-east-1.amazonaws.com',
        '--remote-port',
        '3389',
        '--local-port',
        '0',
        '--max-tunnel-duration',
        '900',
        '--max-websocket-connections',
        '20',
        '--profile',
        'dev',
        '--region',
        'eu-west-3',
        '--debug',
      ]),
    ).toEqual({
      kind: 'tunnel',
      privateIpAddress: '10.0.0.5',
      endpointId: 'eice-0abc',
      endpointDnsName: 'eice-0abc.ec2-instance-connect-endpoint.us-east-1.amazonaws.com',
      remotePort: 3389,
      localPort: 0,
      maxTunnelDuration: 900,
      maxConnections: 20,
      profile: 'dev',
      region: 'eu-west-3',
      debug: true,
    });
  });

  it('takes --push-key with --os-user', () => {
    expect(parseCliArgs(['--instance-id', 'i-0123456789abcdef0', '--push-key', '/k.pub', '--os-user', 'ec2-user'])).toMatchObject({ pushKeyFile: '/k.pub', osUser: 'ec2-user' });
  });

  it('answers --help and --version wherever they are', () => {
    expect(parseCliArgs(['--instance-id', 'x', '--help'])).toEqual({ kind: 'help' });
    expect(parseCliArgs(['--version'])).toEqual({ kind: 'version' });
  });

  const bad: [string, string[], RegExp][] = [
    ['no target', [], /--instance-id/],
    ['unknown option', ['--instance-id', 'i-0123456789abcdef0', '--port', '22'], /Unknown option --port/],
    ['stray argument', ['i-0123456789abcdef0'], /Unexpected argument/],
    ['missing value', ['--instance-id'], /needs a value/],
    ['option as value', ['--instance-id', '--region', 'us-east-1'], /needs a value/],
    ['repeated', ['--instance-id', 'i-0123456789abcdef0', '--instance-id', 'i-0123456789abcdef1'], /more than once/],
    ['not an instance id', ['--instance-id', 'web-1'], /not an EC2 instance id/],
    ['ip without endpoint', ['--private-ip-address', '10.0.0.5'], /needs --instance-connect-endpoint-id/],
    ['dns without id', ['--instance-id', 'i-0123456789abcdef0', '--instance-connect-endpoint-dns-name', 'x.example'], /needs --instance-connect-endpoint-id/],
    ['bad ip', ['--private-ip-address', '10.0.0', '--instance-connect-endpoint-id', 'eice-0abc'], /not an IPv4 or IPv6/],
    ['bad endpoint id', ['--instance-id', 'i-0123456789abcdef0', '--instance-connect-endpoint-id', 'vpce-1'], /not an EC2 Instance Connect Endpoint id/],
    ['port 0', ['--instance-id', 'i-0123456789abcdef0', '--remote-port', '0'], /not a TCP port/],
    ['port text', ['--instance-id', 'i-0123456789abcdef0', '--remote-port', 'ssh'], /whole number/],
    ['duration 0', ['--instance-id', 'i-0123456789abcdef0', '--max-tunnel-duration', '0'], /1 to 3600/],
    ['duration 3601', ['--instance-id', 'i-0123456789abcdef0', '--max-tunnel-duration', '3601'], /1 to 3600/],
    ['21 connections', ['--instance-id', 'i-0123456789abcdef0', '--max-websocket-connections', '21'], /1 to 20/],
    ['key without user', ['--instance-id', 'i-0123456789abcdef0', '--push-key', '/k.pub'], /needs --os-user/],
    ['user without key', ['--instance-id', 'i-0123456789abcdef0', '--os-user', 'ec2-user'], /only applies with --push-key/],
    ['key without instance', ['--private-ip-address', '10.0.0.5', '--instance-connect-endpoint-id', 'eice-0abc', '--push-key', '/k.pub', '--os-user', 'u'], /needs --instance-id/],
    ['bad region', ['--instance-id', 'i-0123456789abcdef0', '--region', 'Virginia'], /not an AWS Region/],
    ['flag with value', ['--instance-id', 'i-0123456789abcdef0', '--debug=yes'], /takes no value/],
  ];
  it.each(bad)('%s -> INVALID_INPUT with a sentence and a hint', (_name, argv, pattern) => {
    const error = usageError(argv);
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.message).toMatch(pattern);
    expect(error.hint.length).toBeGreaterThan(5);
  });
});

class TestIo implements CliIo {
  stdin = Object.assign(new PassThrough(), { isTTY: false as boolean | undefined });
  stdout = new PassThrough();
  stderr = new PassThrough();
  env: NodeJS.ProcessEnv = {};
  version = '9.9.9';
  out = '';
  err = '';
  constructor() {
    this.stdout.on('data', (d: Buffer) => (this.out += d.toString()));
    this.stderr.on('data', (d: Buffer) => (this.err += d.toString()));
  }
  onStop(): () => void {
    return () => undefined;
  }
}

describe('runCli', () => {
  it('prints help and the version on stdout', async () => {
    const io = new TestIo();
    expect(await runCli(['--help'], io)).toBe(EXIT_OK);
    expect(io.out).toBe(`${USAGE}\n`);
    const v = new TestIo();
    expect(await runCli(['--version'], v)).toBe(EXIT_OK);
    expect(v.out).toBe('bastionless-tunnel 9.9.9\n');
  });

  it('fails a bad command line with exit 2 and exactly one stderr line, nothing on stdout', async () => {
    const io = new TestIo();
    expect(await runCli(['--instance-id', 'web-1'], io)).toBe(EXIT_USAGE);
    expect(io.out).toBe('');
    expect(io.err.split('\n')).toHaveLength(2);
    expect(io.err).toMatch(/^bastionless-tunnel: INVALID_INPUT: "web-1" is not an EC2 instance id\. Hint: /);
  });

  it('refuses stdio mode in a terminal', async () => {
    const io = new TestIo();
    io.stdin.isTTY = true;
    expect(await runCli(['--instance-id', 'i-0123456789abcdef0'], io)).toBe(EXIT_USAGE);
    expect(io.err).toMatch(/cannot run in a terminal.*--local-port/);
  });
});

describe('formatCliError', () => {
  it('makes one line with the code, the sentence, the hint and the request id, and no secrets', () => {
    const line = formatCliError(
      new AppError('EIC_TUNNEL_ACCESS_DENIED', 'Denied\nfor wss://x/openTunnel?X-Amz-Signature=abcdef123456 today.', { hint: 'Ask for\nOpenTunnel.', requestId: 'r-1' }),
    );
    expect(line).toBe('bastionless-tunnel: EIC_TUNNEL_ACCESS_DENIED: Denied for wss://x/openTunnel?X-Amz-Signature=[redacted] today. Hint: Ask for OpenTunnel. (request id r-1)');
  });
});

import { describe, expect, it } from 'vitest';
import { createLogger, forgetSecret, redactString, registerSecret } from '../../../main/log';
import { memoryLogger } from '../../support/fakes';

describe('the logger', () => {
  it('drops fields whose names say secret', () => {
    const { log, sink } = memoryLogger();
    log.info('saved profile', { name: 'dev', secretAccessKey: 'abc123', nested: { password: 'hunter22', sessionToken: 'tok' }, privateKey: 'k' });
    const line = sink.lines[0]!;
    expect(line).toContain('"name":"dev"');
    for (const secret of ['abc123', 'hunter22', '"tok"', '"k"']) expect(line).not.toContain(secret);
  });

  it('scrubs presigned URLs, PEM private keys and access key ids from strings', () => {
    const url =
      'wss://eice-1.ec2-instance-connect-endpoint.us-east-1.amazonaws.com/openTunnel?X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20261129&X-Amz-Signature=abcdef0123&X-Amz-Security-Token=FQoGZX';
    const out = redactString(`${url} -----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXk\n-----END OPENSSH PRIVATE KEY----- key AKIAIOSFODNN7EXAMPLE`);
    expect(out).not.toContain('abcdef0123');
    expect(out).not.toContain('FQoGZX');
    expect(out).not.toContain('b3BlbnNzaC1rZXk');
    expect(out).not.toContain('AKIAIOSFODNN7EXAMPLE');
    expect(out).toContain('AKIA…MPLE');
    expect(out).toContain('[redacted private key]');
  });

  it('scrubs a registered secret wherever it appears', () => {
    registerSecret('Tr0ub4dor&3');
    const { log, sink } = memoryLogger();
    log.error('xfreerdp failed: /p:Tr0ub4dor&3 rejected', { error: new Error('auth with Tr0ub4dor&3') });
    expect(sink.lines.join('\n')).not.toContain('Tr0ub4dor&3');
    forgetSecret('Tr0ub4dor&3');
  });

  it('never throws when the sink does', () => {
    const log = createLogger({
      sink: {
        write() {
          throw new Error('disk full');
        },
      },
    });
    expect(() => log.child('x').error('ok')).not.toThrow();
  });
});

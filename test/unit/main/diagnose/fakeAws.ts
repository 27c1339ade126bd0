import type { DiagnoseAws, DiagnoseClients } from '../../../../main/diagnose/diagnoseIo';

/** What a fake AWS call answers: a value, or an SDK-shaped error (name, $metadata). */
export type FakeAnswer = unknown | ((input: Record<string, unknown>) => unknown);

/** An SDK-shaped service error, as the real clients throw them. */
export function awsError(name: string, message = `${name} happened`, requestId = 'req-1'): Error {
  const e = new Error(message) as Error & { $metadata: { httpStatusCode: number; requestId: string }; $fault: string };
  e.name = name;
  e.$metadata = { httpStatusCode: 400, requestId };
  e.$fault = 'client';
  return e;
}

/**
 * A client that answers SDK commands by their name (`DescribeInstances`) from a table, and
 * records every call with its input. A call with no answer fails loudly: a test must say what
 * AWS answers.
 */
export class FakeSender {
  readonly calls: { name: string; input: Record<string, unknown> }[] = [];
  constructor(readonly answers: Record<string, FakeAnswer> = {}) {}

  async send(command: { constructor: { name: string }; input: Record<string, unknown> }): Promise<unknown> {
    const name = command.constructor.name.replace(/Command$/, '');
    this.calls.push({ name, input: command.input });
    if (!(name in this.answers)) throw new Error(`the fake has no answer for ${name}`);
    const answer = this.answers[name];
    const value = typeof answer === 'function' ? (answer as (i: Record<string, unknown>) => unknown)(command.input) : answer;
    if (value instanceof Error) throw value;
    return value;
  }

  names(): string[] {
    return this.calls.map((c) => c.name);
  }
}

/** DiagnoseAws over fake senders; `credentials` fails when given an error. */
export class FakeAws implements DiagnoseAws {
  readonly ec2: FakeSender;
  readonly eic: FakeSender;
  readonly sts: FakeSender;
  credentialsError: Error | undefined;
  expiration: Date | undefined;
  /** Clients for other Regions (the "instance is elsewhere" lookup). */
  readonly regions = new Map<string, FakeSender>();

  constructor(answers: { ec2?: Record<string, FakeAnswer>; eic?: Record<string, FakeAnswer>; sts?: Record<string, FakeAnswer> } = {}, readonly region = 'eu-west-1') {
    this.ec2 = new FakeSender(answers.ec2);
    this.eic = new FakeSender(answers.eic);
    this.sts = new FakeSender(answers.sts ?? { GetCallerIdentity: { Arn: 'arn:aws:iam::123456789012:user/alice', Account: '123456789012', UserId: 'AIDAEXAMPLE' } });
  }

  async clientsFor(_profileId: string, region: string): Promise<DiagnoseClients> {
    const ec2 = region === this.region ? this.ec2 : this.regions.get(region);
    if (!ec2) throw new Error(`no fake EC2 for ${region}`);
    return {
      profileName: 'dev',
      ec2,
      eic: this.eic,
      sts: this.sts,
      credentials: async () => {
        if (this.credentialsError) throw this.credentialsError;
        return this.expiration ? { expiration: this.expiration } : {};
      },
    };
  }

  async profileRegion(): Promise<string | undefined> {
    return this.region;
  }

  async profileName(): Promise<string> {
    return 'dev';
  }
}

import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A config file covering every profile kind the Profiles view shows. */
export const CONFIG_ALL_KINDS = `[default]
region = eu-west-1

[profile static-config]
aws_access_key_id = AKIAEXAMPLECONFIG001
aws_secret_access_key = configSecretKeyValue1234567890abcdefghij
region = us-west-2

[profile corp-sso]
sso_session = corp
sso_account_id = 111122223333
sso_role_name = Developer
region = us-east-1

[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = us-east-1
sso_registration_scopes = sso:account:access

[profile old-sso]
sso_start_url = https://old.awsapps.com/start
sso_region = eu-west-1
sso_account_id = 444455556666
sso_role_name = Admin

[profile admin]
role_arn = arn:aws:iam::777788889999:role/Admin
source_profile = default
mfa_serial = arn:aws:iam::123456789012:mfa/alice
region = eu-central-1

[profile from-env]
role_arn = arn:aws:iam::777788889999:role/Ci
credential_source = Environment

[profile broken-role]
role_arn = arn:aws:iam::777788889999:role/Nope
source_profile = missing

[profile vault]
credential_process = /usr/local/bin/aws-vault export --format=json work --secret=abc

[profile web]
role_arn = arn:aws:iam::777788889999:role/Web
web_identity_token_file = /var/run/token

[profile local]
region = us-east-1
services = local-ec2
aws_access_key_id = AKIALOCALLOCAL000001
aws_secret_access_key = localSecretKeyValue1234567890abcdefghij

[services local-ec2]
ec2 =
  endpoint_url = https://127.0.0.1:4566

[profile settings-only]
region = ap-southeast-2
`;

export const CREDENTIALS_ALL_KINDS = `[default]
aws_access_key_id = AKIADEFAULTDEFAULT01
aws_secret_access_key = defaultSecretKeyValue1234567890abcdefghi

[creds-only]
aws_access_key_id = ASIACREDSONLY0000001
aws_secret_access_key = credsOnlySecretKeyValue1234567890abcdefg
aws_session_token = credsOnlySessionTokenValue
`;

/** Writes a config and credentials file into a fresh temp HOME and returns an env pointing at them. */
export function awsFiles(config = CONFIG_ALL_KINDS, credentials = CREDENTIALS_ALL_KINDS): { home: string; env: Record<string, string> } {
  const home = mkdtempSync(join(tmpdir(), 'bl-aws-home-'));
  const dir = join(home, 'custom-aws');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'config'), config);
  writeFileSync(join(dir, 'credentials'), credentials);
  return { home, env: { HOME: home, AWS_CONFIG_FILE: join(dir, 'config'), AWS_SHARED_CREDENTIALS_FILE: join(dir, 'credentials') } };
}

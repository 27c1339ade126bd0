import type { ReactElement } from 'react';
import { EmptyState } from '../../components/EmptyState';

/** AWS profiles: from ~/.aws, and app-managed ones whose secrets live in the OS keychain. */
export function ProfilesView(): ReactElement {
  return (
    <div className="view" aria-labelledby="profiles-title">
      <header className="view__header">
        <h1 id="profiles-title">Profiles</h1>
      </header>
      <EmptyState icon="profile" title="No AWS profiles found">
        <p>
          Bastionless reads the profiles in <code>~/.aws/config</code> and <code>~/.aws/credentials</code> (SSO, roles and
          MFA included) and never copies their secrets. You can also add access keys here; their secret parts are kept in
          your OS keychain, never in a file.
        </p>
        <p>
          Quickest start: run <code>aws configure</code> or <code>aws configure sso</code>, then come back.
        </p>
      </EmptyState>
    </div>
  );
}

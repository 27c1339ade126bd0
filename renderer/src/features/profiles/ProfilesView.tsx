import { useState, type ReactElement } from 'react';
import type { CallerIdentity, Profile } from '../../../../preload/contract';
import { getApi, type AppError } from '../../api';
import { toAppError } from '../../api/useAsync';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { EmptyState } from '../../components/EmptyState';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Icon } from '../../components/Icon';
import { View } from '../../components/View';
import { describeProfile, KIND_LABEL } from './profileKinds';
import { ProfileForm } from './ProfileForm';
import { profilesStore, useProfiles } from './profilesStore';
import { SsoSignInPanel, startSignIn } from './SsoSignInPanel';

type TestState = { state: 'running' } | { state: 'ok'; identity: CallerIdentity } | { state: 'failed'; error: AppError };

/** AWS profiles: from ~/.aws, the environment, and app-managed ones whose secrets live in the OS keychain. */
export function ProfilesView(): ReactElement {
  const { profiles, sources, error } = useProfiles();
  const [editing, setEditing] = useState<Profile | 'new' | undefined>();
  const [removing, setRemoving] = useState<Profile | undefined>();
  const [tests, setTests] = useState<Record<string, TestState>>({});

  const test = (p: Profile): void => {
    setTests((t) => ({ ...t, [p.id]: { state: 'running' } }));
    getApi()
      .profiles.test({ id: p.id })
      .then(
        (identity) => setTests((t) => ({ ...t, [p.id]: { state: 'ok', identity } })),
        (e: unknown) => setTests((t) => ({ ...t, [p.id]: { state: 'failed', error: toAppError(e) } })),
      );
  };

  return (
    <View
      title="Profiles"
      header={
        <button type="button" className="btn btn--primary" onClick={() => setEditing('new')}>
          <Icon name="plus" size={15} /> Add profile
        </button>
      }
    >
      {sources ? (
        <p className="muted view__lead">
          Read from <code>{sources.configFile}</code> and <code>{sources.credentialsFile}</code>
          {sources.envProfile ? (
            <>
              {' '}
              (AWS_PROFILE is <code>{sources.envProfile}</code>)
            </>
          ) : null}
          . Their secrets stay where they are; Bastionless never copies them.
        </p>
      ) : null}
      {sources?.warnings.map((w) => (
        <p key={w} className="inline-notice">
          <Icon name="warning" size={15} /> {w}
        </p>
      ))}
      {error ? <ErrorNotice error={error} onRetry={() => void profilesStore.reload()} /> : null}
      {profiles === undefined && !error ? <p className="muted">Loading profiles…</p> : null}
      {profiles && profiles.length === 0 ? (
        <EmptyState
          icon="profile"
          title="No AWS profiles found"
          actions={
            <button type="button" className="btn btn--primary" onClick={() => setEditing('new')}>
              Add access keys
            </button>
          }
        >
          <p>
            Bastionless reads the profiles in <code>~/.aws/config</code> and <code>~/.aws/credentials</code> (SSO, roles and MFA
            included) and never copies their secrets. You can also add access keys here; their secret parts are kept in your OS
            keychain, never in a file.
          </p>
          <p>
            Quickest start: run <code>aws configure</code> or <code>aws configure sso</code>, then come back.
          </p>
        </EmptyState>
      ) : null}
      {profiles && profiles.length > 0 ? (
        <ul className="profile-list" aria-label="AWS profiles">
          {profiles.map((p) => (
            <ProfileRow
              key={p.id}
              profile={p}
              test={tests[p.id]}
              onTest={() => test(p)}
              onEdit={() => setEditing(p)}
              onRemove={() => setRemoving(p)}
            />
          ))}
        </ul>
      ) : null}
      {editing ? (
        <ProfileForm
          {...(editing === 'new' ? {} : { profile: editing })}
          onClose={() => setEditing(undefined)}
          onSaved={(saved) => {
            setEditing(undefined);
            void profilesStore.reload();
            test(saved);
          }}
        />
      ) : null}
      {removing ? <RemoveDialog profile={removing} onClose={() => setRemoving(undefined)} /> : null}
    </View>
  );
}

function ProfileRow({ profile: p, test, onTest, onEdit, onRemove }: { profile: Profile; test: TestState | undefined; onTest: () => void; onEdit: () => void; onRemove: () => void }): ReactElement {
  const { signIns } = useProfiles();
  const [signInError, setSignInError] = useState<AppError | undefined>();
  const signIn = signIns[p.id];
  const isSso = p.kind === 'sso' || p.kind === 'ssoLegacy';
  const begin = (): void => {
    setSignInError(undefined);
    startSignIn(p.id).catch((e: unknown) => setSignInError(toAppError(e)));
  };
  return (
    <li className="profile" aria-labelledby={`profile-${p.id}`} data-profile-id={p.id}>
      <div className="profile__head">
        <div className="profile__title">
          <h2 id={`profile-${p.id}`}>{p.name}</h2>
          <span className={`badge badge--kind badge--${p.kind}`}>{KIND_LABEL[p.kind]}</span>
          {p.isDefault ? <span className="badge badge--default" title="Used when no profile is chosen (AWS_PROFILE, the environment, or default)">Default</span> : null}
          {isSso && p.sso ? <span className={`badge ${p.sso.signedIn ? 'badge--ready' : 'badge--starting'}`}>{p.sso.signedIn ? 'Signed in' : 'Not signed in'}</span> : null}
        </div>
        <div className="profile__actions">
          {isSso ? (
            <button type="button" className="btn" onClick={begin} disabled={signIn?.state === 'waiting'}>
              Sign in
            </button>
          ) : null}
          <button type="button" className="btn" onClick={onTest} disabled={test?.state === 'running'} aria-label={`Test ${p.name}`}>
            {test?.state === 'running' ? 'Testing…' : 'Test'}
          </button>
          {p.source === 'app' ? (
            <>
              <button type="button" className="btn" onClick={onEdit} aria-label={`Edit ${p.name}`}>
                Edit
              </button>
              <button type="button" className="btn btn--danger" onClick={onRemove} aria-label={`Remove ${p.name}`}>
                Remove
              </button>
            </>
          ) : null}
        </div>
      </div>
      <p className="profile__detail">{describeProfile(p)}</p>
      <p className="profile__meta muted">
        {p.region ? <>Region {p.region}</> : <>No default Region</>}
        {p.useFips ? ' · FIPS endpoints' : ''}
        {p.endpointUrl ? <> · endpoint {p.endpointUrl}</> : null}
        {p.source === 'app' ? ' · secret in the OS keychain' : p.source === 'environment' ? ' · from the environment' : ' · from your AWS files'}
      </p>
      {p.problems.map((problem) => (
        <p key={problem} className="inline-notice">
          <Icon name="warning" size={15} /> {problem}
        </p>
      ))}
      {signInError ? <ErrorNotice error={signInError} onRetry={begin} /> : null}
      {signIn && isSso ? <SsoSignInPanel profileId={p.id} signIn={signIn} onRestart={begin} /> : null}
      {test?.state === 'ok' ? (
        <div className="banner banner--ok" role="status" data-testid="profile-identity">
          <Icon name="check" />
          <span>
            Account <strong className="mono">{test.identity.account}</strong> as <span className="mono">{test.identity.arn}</span>
            {test.identity.expiresAt ? <span className="muted"> · credentials valid until {new Date(test.identity.expiresAt).toLocaleTimeString()}</span> : null}
          </span>
        </div>
      ) : null}
      {test?.state === 'failed' ? <ErrorNotice error={test.error} onRetry={onTest} /> : null}
    </li>
  );
}

function RemoveDialog({ profile, onClose }: { profile: Profile; onClose: () => void }): ReactElement {
  return (
    <ConfirmDialog
      title={`Remove “${profile.name}”?`}
      description="Its secret access key and session token are deleted from your OS keychain. Saved hosts that use it stay, and ask for another profile."
      confirmLabel="Remove profile"
      cancelLabel="Keep it"
      tone="danger"
      onConfirm={async () => {
        await getApi().profiles.remove({ id: profile.id });
        void profilesStore.reload();
      }}
      onClose={onClose}
    />
  );
}

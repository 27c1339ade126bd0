import type { Profile, ProfileSources, SsoSignIn } from '../../../../preload/contract';
import { getApi, type AppError } from '../../api';
import { toAppError } from '../../api/useAsync';
import { ExternalStore, useStore } from '../../hooks/externalStore';

export interface ProfilesState {
  /** Undefined until the first load. */
  profiles: readonly Profile[] | undefined;
  sources: ProfileSources | undefined;
  error: AppError | undefined;
  /** Sign-ins started in this window, by profile id: the Sign-in dialog follows them. */
  signIns: Readonly<Record<string, SsoSignIn>>;
}

/**
 * The window's copy of main's profile list: loaded on first use and reloaded whenever main says
 * profiles changed (saved, removed, signed in). Holds no secret: main never sends one.
 */
export class ProfilesStore extends ExternalStore<ProfilesState> {
  constructor() {
    super({ profiles: undefined, sources: undefined, error: undefined, signIns: {} });
  }

  protected override onStart(): void {
    const api = getApi();
    api.profiles.onChanged(() => void this.reload());
    api.profiles.onSignInChanged((signIn) => this.noteSignIn(signIn));
    void this.reload();
  }

  /** Reloads the list; calls that arrive during a load run once more after it. */
  readonly reload = this.coalesce(async () => {
    try {
      const api = getApi();
      const [profiles, sources] = await Promise.all([api.profiles.list(), api.profiles.sources()]);
      this.update({ profiles, sources, error: undefined });
    } catch (e) {
      this.update({ error: toAppError(e) });
    }
  });

  /** Records a sign-in this window started (the reply carries the code before any event). */
  noteSignIn(signIn: SsoSignIn): void {
    this.update({ signIns: { ...this.state.signIns, [signIn.profileId]: signIn } });
  }
}

export const profilesStore = new ProfilesStore();

export function useProfiles(): ProfilesState {
  return useStore(profilesStore);
}

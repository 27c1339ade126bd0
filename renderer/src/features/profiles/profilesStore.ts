import { useSyncExternalStore } from 'react';
import type { Profile, ProfileSources, SsoSignIn } from '../../../../preload/contract';
import { getApi, type AppError } from '../../api';
import { toAppError } from '../../api/useAsync';

export interface ProfilesState {
  /** Undefined until the first load. */
  profiles: readonly Profile[] | undefined;
  sources: ProfileSources | undefined;
  error: AppError | undefined;
  /** Sign-ins started in this window, by profile id: the Sign-in dialog follows them. */
  signIns: Readonly<Record<string, SsoSignIn>>;
}

type Listener = () => void;

/**
 * The window's copy of main's profile list: loaded on first use and reloaded whenever main says
 * profiles changed (saved, removed, signed in). Holds no secret: main never sends one.
 */
export class ProfilesStore {
  private state: ProfilesState = { profiles: undefined, sources: undefined, error: undefined, signIns: {} };
  private readonly listeners = new Set<Listener>();
  private started = false;
  private loading: Promise<void> | undefined;
  private again = false;

  getSnapshot = (): ProfilesState => this.state;

  subscribe = (listener: Listener): (() => void) => {
    this.start();
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  private set(patch: Partial<ProfilesState>): void {
    this.state = { ...this.state, ...patch };
    for (const l of this.listeners) l();
  }

  private start(): void {
    if (this.started) return;
    this.started = true;
    const api = getApi();
    api.profiles.onChanged(() => void this.reload());
    api.profiles.onSignInChanged((signIn) => this.set({ signIns: { ...this.state.signIns, [signIn.profileId]: signIn } }));
    void this.reload();
  }

  /** Reloads the list; calls that arrive during a load run once more after it. */
  reload(): Promise<void> {
    if (this.loading) {
      this.again = true;
      return this.loading;
    }
    this.loading = (async () => {
      do {
        this.again = false;
        try {
          const api = getApi();
          const [profiles, sources] = await Promise.all([api.profiles.list(), api.profiles.sources()]);
          this.set({ profiles, sources, error: undefined });
        } catch (e) {
          this.set({ error: toAppError(e) });
        }
      } while (this.again);
    })().finally(() => {
      this.loading = undefined;
    });
    return this.loading;
  }

  /** Records a sign-in this window started (the reply carries the code before any event). */
  noteSignIn(signIn: SsoSignIn): void {
    this.set({ signIns: { ...this.state.signIns, [signIn.profileId]: signIn } });
  }
}

export const profilesStore = new ProfilesStore();

export function useProfiles(): ProfilesState {
  return useSyncExternalStore(profilesStore.subscribe, profilesStore.getSnapshot);
}

import type { AppInfo, MainHandlers } from '../../preload/contract';
import type { DesktopIo } from '../desktop';

export function createAppHandlers(info: AppInfo, desktop: DesktopIo): MainHandlers['app'] {
  return {
    info: () => info,
    openExternal: async ({ url }) => {
      await desktop.openExternal(url);
      return null;
    },
  };
}

export function platformOf(platform: NodeJS.Platform): AppInfo['platform'] {
  return platform === 'darwin' || platform === 'win32' || platform === 'linux' ? platform : 'other';
}

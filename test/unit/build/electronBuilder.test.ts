import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

/**
 * Packaging downloads Electron, so installers are not built here; this checks what the
 * configuration promises instead.
 */
const config = parse(readFileSync('electron-builder.yml', 'utf8')) as Record<string, unknown> & {
  files: string[];
  asarUnpack: string[];
  electronFuses: Record<string, boolean>;
  mac: { entitlements: string; hardenedRuntime: boolean; icon: string };
  linux: { icon: string };
  win: { icon: string };
};
const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as {
  name: string;
  main: string;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};

describe('electron-builder.yml', () => {
  it('ships only the built app', () => {
    expect(config.files).toContain('out/**');
    for (const f of config.files) expect(f).not.toMatch(/^(test|main|renderer|preload|src|node_modules)\b/);
    expect(pkg.main.startsWith('out/')).toBe(true);
  });

  it('unpacks native modules from the asar', () => {
    expect(config['asar']).toBe(true);
    expect(config.asarUnpack).toContain('**/*.node');
    expect(config.asarUnpack.some((p) => p.includes('keytar'))).toBe(true);
  });

  it('never rebuilds native modules during packaging', () => {
    expect(config['npmRebuild']).toBe(false);
  });

  it('sets the Electron fuses of ARCHITECTURE.md', () => {
    expect(config.electronFuses).toMatchObject({
      runAsNode: false,
      enableCookieEncryption: true,
      onlyLoadAppFromAsar: true,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
    });
  });

  it('has targets and the inputs it names for each OS', () => {
    for (const os of ['mac', 'win', 'linux']) expect(config[os], os).toBeTruthy();
    expect(config.mac.hardenedRuntime).toBe(true);
    for (const file of [config.mac.entitlements, config.mac.icon, config.win.icon, config.linux.icon]) expect(existsSync(file), file).toBe(true);
  });

  it('keeps electron and the build tools out of runtime dependencies', () => {
    expect(pkg.name).toBe('bastionless');
    for (const dev of ['electron', 'electron-builder', 'electron-vite', 'vite', 'typescript']) {
      expect(pkg.dependencies[dev], dev).toBeUndefined();
      expect(pkg.devDependencies[dev], dev).toBeDefined();
    }
    expect(pkg.devDependencies['electron']).toMatch(/^\^?\d+\./);
  });
});

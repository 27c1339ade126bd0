import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

/**
 * The import table of ARCHITECTURE.md, enforced by eslint.config.js. Each case lints a snippet
 * as if it were the named file and checks the rule fires (or does not).
 */
const eslint = new ESLint({ cwd: process.cwd() });

async function violations(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).filter((m) => m.ruleId?.startsWith('no-restricted')).map((m) => m.message);
}

describe('import rules', () => {
  const cases: [file: string, code: string, allowed: boolean][] = [
    ['renderer/src/features/hosts/X.tsx', "import { ipcRenderer } from 'electron';\nvoid ipcRenderer;", false],
    ['renderer/src/features/hosts/X.tsx', "import { readFileSync } from 'node:fs';\nvoid readFileSync;", false],
    ['renderer/src/features/hosts/X.tsx', "import { readFileSync } from 'fs';\nvoid readFileSync;", false],
    ['renderer/src/features/hosts/X.tsx', "import { compose } from '../../../../main/compose';\nvoid compose;", false],
    ['renderer/src/features/hosts/X.tsx', "import { buildBridge } from '../../../../preload/bridge';\nvoid buildBridge;", false],
    ['renderer/src/features/hosts/X.tsx', "import { startHarness } from '../../../../test/harness/server';\nvoid startHarness;", false],
    ['renderer/src/features/hosts/X.tsx', "import { contract } from '../../../../preload/contract';\nvoid contract;", true],
    ['renderer/src/features/hosts/X.tsx', 'export const x = window.eic;', false],
    ['renderer/src/api/X.ts', 'export const x = window.eic;', true],
    ['main/ssh/x.ts', "import { app } from 'electron';\nvoid app;", false],
    ['main/ssh/x.ts', "import type { BrowserWindow } from 'electron';\nexport type W = BrowserWindow;", true],
    ['main/ssh/x.ts', "import { App } from '../../renderer/src/App';\nvoid App;", false],
    ['main/ssh/x.ts', "import { x } from '../../test/support/fakes';\nvoid x;", false],
    ['main/ssh/x.ts', "import { Client } from 'ssh2';\nimport { contract } from '../../preload/contract';\nvoid Client; void contract;", true],
    ['main/window.ts', "import { BrowserWindow } from 'electron';\nvoid BrowserWindow;", true],
    ['main/index.ts', "import { app } from 'electron';\nvoid app;", true],
    ['main/ipc/x.ts', "import { ipcMain } from 'electron';\nvoid ipcMain;", true],
    ['preload/contract/x.ts', "import { z } from 'zod';\nimport { app } from './app';\nvoid z; void app;", true],
    ['preload/contract/x.ts', "import { readFileSync } from 'node:fs';\nvoid readFileSync;", false],
    ['preload/contract/x.ts', "import { ipcRenderer } from 'electron';\nvoid ipcRenderer;", false],
    ['preload/contract/x.ts', "import { compose } from '../../main/compose';\nvoid compose;", false],
    ['preload/bridge.ts', "import { readFileSync } from 'node:fs';\nvoid readFileSync;", false],
    ['preload/index.ts', "import { contextBridge } from 'electron';\nimport { buildBridge } from './bridge';\nvoid contextBridge; void buildBridge;", true],
  ];

  for (const [file, code, allowed] of cases) {
    it(`${allowed ? 'allows' : 'refuses'} in ${file}: ${code.split('\n')[0]}`, async () => {
      const found = await violations(file, code);
      if (allowed) expect(found).toEqual([]);
      else expect(found.length).toBeGreaterThan(0);
    });
  }
});

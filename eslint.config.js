// ESLint: typescript-eslint's recommended rules plus the import table of ARCHITECTURE.md.
// test/unit/lint/importRules.test.ts proves each rule fails on a violation.
import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import { builtinModules } from 'node:module';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const nodeBuiltins = builtinModules.filter((m) => !m.startsWith('_'));

const NO_TEST = { regex: '^(\\.\\./)+test/', message: 'Production code never imports test/.' };
const NO_RENDERER = { regex: '^(\\.\\./)+renderer/', message: 'Only the renderer imports renderer code.' };
const NO_MAIN = { regex: '^(\\.\\./)+main/', message: 'The renderer never imports main: talk to it through window.eic (renderer/src/api).' };
const NO_PRELOAD_BUT_CONTRACT = {
  regex: '^(\\.\\./)+preload/(?!contract)',
  message: 'Only preload/contract is shared; the bridge and preload entry belong to the preload.',
};
const NO_ELECTRON = {
  regex: '^electron(/|$)',
  message: 'Only main/index.ts, main/window.ts and main/ipc/ import electron: features take small interfaces (main/desktop.ts).',
  allowTypeImports: true,
};

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', '.tsbuild/**', 'node_modules/**', 'test-results/**', 'playwright-report/**', 'test/unit/lint/fixtures/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2023, sourceType: 'module' },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'no-console': 'off',
      eqeqeq: ['error', 'always'],
    },
  },
  {
    files: ['main/**/*.ts', 'test/**/*.ts', 'test/**/*.mjs', '*.config.ts', '*.config.js', '.ci/**/*.mjs'],
    languageOptions: { globals: { ...globals.node } },
  },
  // preload/contract: zod and its own files only; it is imported by all three processes.
  {
    files: ['preload/contract/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ regex: '^(?!zod$|zod/|\\./)', message: 'preload/contract imports zod and its own files only.' }] },
      ],
    },
  },
  // preload entry and bridge: electron, the contract, each other.
  {
    files: ['preload/index.ts', 'preload/bridge.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ regex: '^(?!electron$|\\./contract|\\./bridge$)', message: 'The preload imports electron and preload/contract only.' }] },
      ],
    },
  },
  // main features: no electron, no renderer, no test, no preload internals.
  {
    files: ['main/**/*.ts'],
    ignores: ['main/index.ts', 'main/window.ts', 'main/ipc/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [NO_ELECTRON, NO_RENDERER, NO_TEST, NO_PRELOAD_BUT_CONTRACT] }],
    },
  },
  // main's Electron edge: electron allowed, still no renderer or test.
  {
    files: ['main/index.ts', 'main/window.ts', 'main/ipc/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [NO_RENDERER, NO_TEST, NO_PRELOAD_BUT_CONTRACT] }],
    },
  },
  // The renderer is untrusted: no electron, no Node, no main.
  {
    files: ['renderer/**/*.ts', 'renderer/**/*.tsx'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      'no-restricted-imports': [
        'error',
        {
          paths: nodeBuiltins.map((name) => ({ name, message: 'The renderer has no Node: ask main through window.eic.' })),
          patterns: [
            { regex: '^electron(/|$)', message: 'The renderer never imports electron: it is sandboxed and talks through window.eic.' },
            { regex: '^node:', message: 'The renderer has no Node: ask main through window.eic.' },
            NO_MAIN,
            NO_TEST,
            NO_PRELOAD_BUT_CONTRACT,
          ],
        },
      ],
      'no-restricted-globals': ['error', { name: 'require', message: 'The renderer has no require.' }, { name: 'process', message: 'The renderer has no process.' }],
    },
  },
  // Only renderer/src/api reads window.eic.
  {
    files: ['renderer/**/*.ts', 'renderer/**/*.tsx'],
    ignores: ['renderer/src/api/**'],
    rules: {
      'no-restricted-properties': ['error', { object: 'window', property: 'eic', message: 'Use renderer/src/api (getApi()); it is the only reader of window.eic.' }],
    },
  },
);

import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';

/**
 * Two projects: `unit` (pure logic and features with simple fakes; jsdom for components, by a
 * `@vitest-environment jsdom` comment in the file) and `integration` (features against real
 * peers: the sandbox's servers, sshd, the OS keychain, the RDP server). Each test file runs in
 * its own process, so environment set up for one (a D-Bus session) never leaks to another.
 */
export default defineConfig({
  plugins: [react()],
  test: {
    pool: 'forks',
    reporters: ['default'],
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts', 'test/unit/**/*.test.tsx'],
          environment: 'node',
          testTimeout: 20_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          environment: 'node',
          testTimeout: 120_000,
          hookTimeout: 120_000,
          // Real servers and processes: two cores, so keep files from crowding each other.
          maxWorkers: 2,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});

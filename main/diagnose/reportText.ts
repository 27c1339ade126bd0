import type { CheckStatus, DiagnosisReport } from '../../preload/contract';
import { redactString } from '../log';

const MARK: Record<CheckStatus, string> = { fail: 'FAIL', warn: 'WARN', pass: 'PASS', skip: 'SKIP', pending: '....' };
const ORDER: Record<CheckStatus, number> = { fail: 0, warn: 1, pending: 2, pass: 3, skip: 4 };

/**
 * The report as plain text for a ticket: what was diagnosed, the failure, each check (failures
 * first) with its evidence, and the fixes applied. It holds only facts (ids, addresses, rules,
 * AWS's words); it is passed through the log redactor anyway, so a key or signature that ever
 * slipped into a message would not leave the app.
 */
export function reportText(report: DiagnosisReport, options: { version?: string } = {}): string {
  const t = report.target;
  const lines: string[] = [
    `Bastionless connection diagnosis${options.version ? ` (Bastionless ${options.version})` : ''}`,
    `Target:   ${t.label} (${t.instanceId}${t.platform ? `, ${t.platform}` : ''})`,
    `Profile:  ${t.profileId}   Region: ${t.region}`,
    `Started:  ${report.startedAt}${report.finishedAt ? `   Finished: ${report.finishedAt}` : '   (still running)'}`,
  ];
  if (report.failure) {
    lines.push('', 'Failure being explained:', `  ${report.failure.code}${report.failure.step ? ` at step "${report.failure.step}"` : ''}`, `  ${report.failure.message}`);
  }
  const checks = [...report.checks].sort((a, b) => ORDER[a.status] - ORDER[b.status]);
  const counts = (['fail', 'warn', 'pass', 'skip'] as const).map((s) => `${report.checks.filter((c) => c.status === s).length} ${s}`).join(', ');
  lines.push('', `Checks (${counts}):`);
  for (const c of checks) {
    lines.push('', `[${MARK[c.status]}] ${c.title}: ${c.summary}`);
    if (c.status === 'fail' || c.status === 'warn') {
      for (const paragraph of c.explanation.split('\n')) if (paragraph.trim()) lines.push(`       ${paragraph}`);
    }
    for (const e of c.evidence) lines.push(`       - ${e.label}: ${e.value}`);
    for (const f of c.fixes) lines.push(`       > Fix offered: ${f.label}`);
  }
  if (report.applied.length > 0) {
    lines.push('', 'Fixes applied:');
    for (const a of report.applied) lines.push(`  ${a.at}  ${a.label}: ${a.outcome}`);
  }
  return `${redactString(lines.join('\n'))}\n`;
}

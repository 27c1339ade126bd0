import { describe, expect, it } from 'vitest';
import type { Notice } from '../../../../preload/contract';
import { NoticeBoard, STARTUP_NOTICE_LIMIT } from '../../../../main/app/noticeBoard';

const notice = (message: string): Notice => ({ level: 'warning', message, at: '2026-11-29T20:00:00.000Z' });

describe('the notice board', () => {
  it('posts every notice live, and keeps those from before the window first asked', () => {
    const live: string[] = [];
    const board = new NoticeBoard((n) => live.push(n.message));
    board.post(notice('hosts.json was recovered from its backup'));
    board.post(notice('an endpoint operation was cut short'));
    expect(live).toEqual(['hosts.json was recovered from its backup', 'an endpoint operation was cut short']);
    expect(board.takeStartupNotices().map((n) => n.message)).toEqual(['hosts.json was recovered from its backup', 'an endpoint operation was cut short']);
    // From then on the window listens: nothing more is kept, and asking again gives nothing.
    board.post(notice('later'));
    expect(live).toContain('later');
    expect(board.takeStartupNotices()).toEqual([]);
  });

  it('keeps only the newest start-up notices', () => {
    const board = new NoticeBoard(() => undefined);
    for (let i = 0; i < STARTUP_NOTICE_LIMIT + 3; i++) board.post(notice(`n${i}`));
    const kept = board.takeStartupNotices().map((n) => n.message);
    expect(kept).toHaveLength(STARTUP_NOTICE_LIMIT);
    expect(kept.at(-1)).toBe(`n${STARTUP_NOTICE_LIMIT + 2}`);
    expect(kept[0]).toBe('n3');
  });
});

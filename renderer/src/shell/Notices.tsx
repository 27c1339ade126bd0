import { useEffect, useState, type ReactElement } from 'react';
import type { Notice } from '../../../preload/contract';
import { getApi } from '../api';
import { Icon } from '../components/Icon';

/** Toasts for what main posts on its own (`app.onNoticePosted`); each can be dismissed. */
export function Notices(): ReactElement {
  const [notices, setNotices] = useState<(Notice & { key: number })[]>([]);
  useEffect(() => {
    let key = 0;
    const api = getApi();
    const unsubscribe = api.app.onNoticePosted((notice) => setNotices((list) => [...list, { ...notice, key: ++key }].slice(-5)));
    // What main posted while this window was loading (a store recovered, an operation cut short).
    // Asked after subscribing, so nothing falls between the two; a notice that arrives both ways
    // (posted in that instant) is shown once.
    let live = true;
    api.app.startupNotices({}).then(
      (early) => {
        if (!live) return;
        setNotices((list) => {
          const seen = new Set(list.map((n) => `${n.at} ${n.message}`));
          const missed = early.filter((n) => !seen.has(`${n.at} ${n.message}`)).map((notice) => ({ ...notice, key: ++key }));
          return [...missed, ...list].slice(-5);
        });
      },
      () => undefined, // Only the live notices then; nothing the person did is lost.
    );
    return () => {
      live = false;
      unsubscribe();
    };
  }, []);
  return (
    <div className="notices" role="status" aria-live="polite">
      {notices.map((n) => (
        <div key={n.key} className={`notice notice--${n.level}`}>
          <Icon name={n.level === 'info' ? 'info' : n.level === 'warning' ? 'warning' : 'error'} />
          <div>
            <p>{n.message}</p>
            {n.hint ? <p className="notice__hint">{n.hint}</p> : null}
          </div>
          <button type="button" className="icon-btn icon-btn--small" aria-label="Dismiss" onClick={() => setNotices((l) => l.filter((x) => x.key !== n.key))}>
            <Icon name="close" size={13} />
          </button>
        </div>
      ))}
    </div>
  );
}

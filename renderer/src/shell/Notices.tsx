import { useEffect, useState, type ReactElement } from 'react';
import type { Notice } from '../../../preload/contract';
import { getApi } from '../api';
import { Icon } from '../components/Icon';

/** Toasts for what main posts on its own (`app.onNoticePosted`); each can be dismissed. */
export function Notices(): ReactElement {
  const [notices, setNotices] = useState<(Notice & { key: number })[]>([]);
  useEffect(() => {
    let key = 0;
    return getApi().app.onNoticePosted((notice) => {
      key += 1;
      setNotices((list) => [...list.slice(-4), { ...notice, key }]);
    });
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

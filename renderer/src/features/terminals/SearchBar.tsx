import { useState, type ReactElement } from 'react';
import { Icon } from '../../components/Icon';

/** Find in the terminal's output and scrollback: Enter for next, Shift+Enter for previous, Escape closes. */
export function SearchBar({ onFind, onClose }: { onFind: (query: string, direction: 'next' | 'previous', options: { caseSensitive: boolean; regex: boolean }) => boolean; onClose: () => void }): ReactElement {
  const [query, setQuery] = useState('');
  const [caseSensitive, setCaseSensitive] = useState(false);
  const [regex, setRegex] = useState(false);
  const [notFound, setNotFound] = useState(false);
  const find = (direction: 'next' | 'previous', q = query, options = { caseSensitive, regex }): void => {
    let found = false;
    try {
      found = onFind(q, direction, options);
    } catch {
      // An unfinished regular expression: nothing to find yet.
    }
    setNotFound(q !== '' && !found);
  };
  return (
    <div className="search-bar" role="search" aria-label="Find in terminal">
      <Icon name="search" size={14} />
      <input
        aria-label="Find"
        placeholder="Find"
        value={query}
        autoFocus
        className={notFound ? 'is-not-found' : undefined}
        onChange={(e) => {
          setQuery(e.target.value);
          find('next', e.target.value);
        }}
        onKeyDown={(e) => {
          if (e.key === 'Enter') {
            e.preventDefault();
            find(e.shiftKey ? 'previous' : 'next');
          } else if (e.key === 'Escape') {
            e.preventDefault();
            onClose();
          }
        }}
      />
      <Toggle
        title="Match case"
        text="Aa"
        on={caseSensitive}
        onChange={(on) => {
          setCaseSensitive(on);
          find('next', query, { caseSensitive: on, regex });
        }}
      />
      <Toggle
        title="Regular expression"
        text=".*"
        on={regex}
        onChange={(on) => {
          setRegex(on);
          find('next', query, { caseSensitive, regex: on });
        }}
      />
      <button type="button" className="btn btn--ghost" aria-label="Previous match" onClick={() => find('previous')}>
        ↑
      </button>
      <button type="button" className="btn btn--ghost" aria-label="Next match" onClick={() => find('next')}>
        ↓
      </button>
      <button type="button" className="btn btn--ghost" aria-label="Close find" onClick={onClose}>
        <Icon name="close" size={13} />
      </button>
    </div>
  );
}

/** A search option (match case, regular expression) as a small labelled checkbox. */
function Toggle({ title, text, on, onChange }: { title: string; text: string; on: boolean; onChange: (on: boolean) => void }): ReactElement {
  return (
    <label className="search-bar__toggle" title={title}>
      <input type="checkbox" checked={on} onChange={(e) => onChange(e.target.checked)} />
      {text}
    </label>
  );
}

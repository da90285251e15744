import { useId, useRef, useState } from 'react';

interface Props {
  label: string;
  value: string;
  /** Shown under the field, e.g. "Shown once". */
  hint?: string;
}

/** A secret or a link to hand on: a read-only field and a Copy button that says whether it worked. */
export function CopyField({ label, value, hint }: Props) {
  const id = useId();
  const input = useRef<HTMLInputElement>(null);
  const [copied, setCopied] = useState<'yes' | 'no' | null>(null);

  async function copy() {
    try {
      await navigator.clipboard.writeText(value);
      setCopied('yes');
      return;
    } catch {
      // No clipboard permission: fall back to the selection, which a person can copy by hand.
    }
    input.current?.select();
    setCopied(document.execCommand('copy') ? 'yes' : 'no');
  }

  return (
    <div className="field">
      <label htmlFor={`${id}-value`}>{label}</label>
      <div className="copy-row">
        <input
          ref={input}
          id={`${id}-value`}
          type="text"
          readOnly
          value={value}
          spellCheck={false}
          className="mono"
          aria-describedby={hint ? `${id}-hint` : undefined}
          onFocus={(e) => e.currentTarget.select()}
        />
        <button type="button" className="button" aria-label={`Copy ${label.toLowerCase()}`} onClick={() => void copy()}>
          Copy
        </button>
      </div>
      {hint && (
        <p className="hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
      <p role="status" className="hint">
        {copied === 'yes' ? 'Copied to the clipboard.' : copied === 'no' ? 'Selected: press Ctrl+C (⌘C) to copy.' : ''}
      </p>
    </div>
  );
}

import { useId, useRef, type ReactNode } from 'react';
import { useCopy } from './useCopy';
import { CopyButton, CopyStatus } from './CopyButton';

/** A command to paste into a shell, with a Copy button that says whether it worked. */
export function CodeExample({ title, code, children }: { title: string; code: string; children?: ReactNode }) {
  const id = useId();
  const pre = useRef<HTMLPreElement>(null);
  const { copy, status } = useCopy(code, () => {
    const selection = window.getSelection();
    if (!pre.current || !selection) return;
    const range = document.createRange();
    range.selectNodeContents(pre.current);
    selection.removeAllRanges();
    selection.addRange(range);
  });

  return (
    <figure className="code-example" aria-labelledby={`${id}-title`}>
      <figcaption id={`${id}-title`} className="code-example-title">
        {title}
      </figcaption>
      {children}
      <div className="code-example-body">
        {/* Focusable so a long line can be scrolled with the keyboard. */}
        <pre ref={pre} className="code-block" tabIndex={0} data-machine-text>
          <code>{code}</code>
        </pre>
        <CopyButton label={`Copy the ${title.toLowerCase()} example`} copy={copy} />
      </div>
      <CopyStatus status={status} />
    </figure>
  );
}

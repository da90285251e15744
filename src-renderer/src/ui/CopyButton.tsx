import { Action } from './Action';

/** "Copy", named for what it copies (useCopy's `copy`). */
export function CopyButton({ label, copy }: { label: string; copy: () => void }) {
  return (
    <Action label={label} onClick={copy}>
      Copy
    </Action>
  );
}

/** The live line under a copy that says whether it worked (useCopy's `status`). */
export function CopyStatus({ status }: { status: string }) {
  return (
    <p role="status" className="hint">
      {status}
    </p>
  );
}

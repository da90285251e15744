import { useState } from 'react';

/**
 * Copies `text` to the clipboard; without clipboard permission it selects the text (`select`)
 * for the person to copy by hand. `status` says which happened, for a live status line.
 */
export function useCopy(text: string, select: () => void) {
  const [copied, setCopied] = useState<'yes' | 'no' | null>(null);
  async function copy() {
    try {
      await navigator.clipboard.writeText(text);
      setCopied('yes');
      return;
    } catch {
      // No clipboard permission: fall back to the selection.
    }
    select();
    setCopied(document.execCommand('copy') ? 'yes' : 'no');
  }
  const status =
    copied === 'yes' ? 'Copied to the clipboard.' : copied === 'no' ? 'Selected: press Ctrl+C (⌘C) to copy.' : '';
  return { copy: () => void copy(), status };
}

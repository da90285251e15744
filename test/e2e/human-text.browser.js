/* global document, window, location, NodeFilter, Element, MutationObserver, setTimeout, clearTimeout */
/*
 * Runs in every page of an e2e test before the page's own scripts (see human-text.ts): whenever
 * the page changes, reads its visible text and accessible names (aria-label, title, alt) and
 * reports each raw id or ISO timestamp with the screen it is on (the open dialog's heading, else
 * the page's h1, else the title). Text meant for machines (a curl command to paste) is marked
 * `data-machine-text` and skipped; values in form fields are not text on the screen.
 */
(() => {
  /** What must not reach a screen, by what it is. */
  const patterns = {
    'an internal id': /\b(?:act|conn|dlv|int|inv|key|link|med|mem|pg|prof|sched|ses|slot|sub|txn|user|ws)_[\w-]{10,}/g,
    'a platform id': /\b(?:bluesky|mastodon|x|linkedin|threads|instagram|facebook)-(?=[\w:.-]*\d)[\w:.-]+/g,
    'an ISO timestamp': /\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/g,
  };
  const skip = '[data-machine-text], script, style, template, noscript';
  const seen = new Set();

  const screen = () => {
    const dialogs = [...document.querySelectorAll('dialog[open]')];
    const heading = dialogs.at(-1)?.querySelector('h2, h1') ?? document.querySelector('h1');
    return (heading?.textContent ?? document.title).trim() || location.pathname;
  };

  const report = (text) => {
    for (const [kind, re] of Object.entries(patterns))
      for (const m of text.matchAll(re)) {
        const where = screen();
        const key = `${where}|${m[0]}`;
        if (seen.has(key)) continue;
        seen.add(key);
        const around = text.slice(Math.max(0, m.index - 40), m.index + m[0].length + 40);
        window.__postroomRawText?.({
          origin: location.origin,
          screen: where,
          text: around.replace(/\s+/g, ' ').trim(),
          kind,
        });
      }
  };

  const scan = () => {
    if (!document.body) return;
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT | NodeFilter.SHOW_ELEMENT, {
      acceptNode: (n) =>
        n instanceof Element && (n.matches(skip) || !(n.matches('option, optgroup') || n.checkVisibility()))
          ? NodeFilter.FILTER_REJECT
          : NodeFilter.FILTER_ACCEPT,
    });
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (!(node instanceof Element)) report(node.textContent ?? '');
      else
        for (const name of ['aria-label', 'title', 'alt']) {
          const value = node.getAttribute(name);
          if (value) report(value);
        }
    }
  };

  let timer;
  const later = () => {
    clearTimeout(timer);
    timer = setTimeout(scan, 100);
  };
  const start = () => {
    new MutationObserver(later).observe(document, {
      subtree: true,
      childList: true,
      characterData: true,
      attributes: true,
      attributeFilter: ['aria-label', 'title', 'alt', 'open', 'hidden', 'class'],
    });
    later();
  };
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();

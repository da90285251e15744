/**
 * The invitation code in what a person pasted: the raw code, or the invitation link
 * (`http://127.0.0.1:<port>/invitations/<code>`) as it arrives by mail or chat.
 */
export function invitationCode(pasted: string): string {
  const text = pasted.trim();
  const match = /\/invitations\/([^/?#\s]+)/.exec(text);
  if (!match?.[1]) return text;
  try {
    return decodeURIComponent(match[1]);
  } catch {
    return match[1];
  }
}

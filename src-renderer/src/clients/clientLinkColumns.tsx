import { formatDateTime } from '../format';
import { Action } from '../ui/Action';
import type { Column } from '../ui/DataTable';

/** How a link made for a client stands (the contract's status of connection and approval links). */
const LINK_STATUS = { active: 'Active', expired: 'Expired', revoked: 'Revoked' } as const;

interface ClientLink {
  id: string;
  createdAt: string;
  expiresAt: string;
  status: keyof typeof LINK_STATUS;
}

/**
 * The columns of a table of links made for a client (connection links, approval links): when each
 * was made and when it expires, in the client's time zone (`tz`); what else the table says
 * (`covers`); its status; and, for those who may revoke it (`revoke`), a Revoke button while it is
 * active, named by when the link was made.
 */
export function clientLinkColumns<L extends ClientLink>({
  tz,
  covers = [],
  revoke,
}: {
  tz: string;
  covers?: Column<L>[];
  revoke?: { what: string; busy: boolean; onRevoke: (link: L) => void };
}): Column<L>[] {
  const columns: Column<L>[] = [
    { header: 'Created', cell: (l) => <time dateTime={l.createdAt}>{formatDateTime(l.createdAt, tz)}</time> },
    { header: 'Expires', cell: (l) => <time dateTime={l.expiresAt}>{formatDateTime(l.expiresAt, tz)}</time> },
    ...covers,
    { header: 'Status', cell: (l) => <span className={`badge badge-${l.status}`}>{LINK_STATUS[l.status]}</span> },
  ];
  if (revoke)
    columns.push({
      header: 'Actions',
      hideHeader: true,
      cell: (l) =>
        l.status === 'active' && (
          <Action
            small
            disabled={revoke.busy}
            label={`Revoke the ${revoke.what} created ${formatDateTime(l.createdAt, tz)}`}
            onClick={() => revoke.onRevoke(l)}
          >
            Revoke
          </Action>
        ),
    });
  return columns;
}

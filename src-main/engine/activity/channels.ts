import { authorize } from '../kernel/access';
import { activityCsv, listActivity } from '../kernel/activity';
import { defineChannels } from '../kernel/channels';

/** The activity log (seed 001): read and exported, never changed through a channel. */
export const activityChannels = defineChannels()({
  'activity.list': {
    handle: (host, req) => {
      authorize(host.memberPrincipal(req.workspaceId), 'activity.read');
      return listActivity(host.ctx.db, req.workspaceId, req.limit, req.filter);
    },
  },
  'activity.exportCsv': {
    handle: (host, req) => {
      authorize(host.memberPrincipal(req.workspaceId), 'activity.read');
      const entries = listActivity(host.ctx.db, req.workspaceId, 1_000_000, req.filter);
      return {
        fileName: `postroom-activity-${host.ctx.clock.now().toISOString().slice(0, 10)}.csv`,
        csv: activityCsv(entries),
      };
    },
  },
});

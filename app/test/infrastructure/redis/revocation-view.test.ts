import { describe, expect, it } from 'vitest';
import { servesAsMaster } from '../../../src/infrastructure/redis/connection.js';
import { RevocationView } from '../../../src/infrastructure/redis/revocation-view.js';

const now = 1_700_000_000_000;
const claims = { sub: 'user-1', sid: 'session-1', jti: 'jti-1', iat: now / 1000, exp: 0 };

function freshView(): RevocationView {
  const view = new RevocationView(5_000, () => 0);
  view.confirmFresh();
  return view;
}

describe('revocation view', () => {
  it('keeps an entry still in force when a later snapshot no longer lists it', () => {
    const view = freshView();
    view.apply([{ kind: 'token', jti: 'jti-1', until: now + 60_000 }]);

    view.sweep(now);
    view.apply([{ kind: 'session', sessionId: 'other', until: now + 60_000 }]);

    expect(view.check(claims, now)).toEqual({ status: 'revoked', by: 'token' });
  });

  it('never shortens an entry when a snapshot lists it with an earlier until', () => {
    const view = freshView();
    view.apply([{ kind: 'session', sessionId: 'session-1', until: now + 60_000 }]);

    view.apply([{ kind: 'session', sessionId: 'session-1', until: now + 1_000 }]);

    expect(view.check(claims, now + 30_000)).toEqual({ status: 'revoked', by: 'session' });
  });

  it('drops an entry once its until has passed', () => {
    const view = freshView();
    view.apply([{ kind: 'token', jti: 'jti-1', until: now + 1_000 }]);

    view.sweep(now + 1_000);

    expect(view.check(claims, now)).toEqual({ status: 'valid' });
  });
});

describe('replication check of the node the feed reads from', () => {
  const master = (extra: string) => `# Replication\r\nrole:master\r\n${extra}`;

  it('trusts a master without replicas only when none must confirm', () => {
    const lone = master('connected_slaves:0\r\nmin_slaves_good_slaves:0\r\n');
    expect(servesAsMaster(lone, 0)).toBe(true);
    expect(servesAsMaster(lone, 1)).toBe(false);
  });

  it('counts good replicas as the server does, or online ones within the default lag', () => {
    expect(servesAsMaster(master('min_slaves_good_slaves:1\r\n'), 1)).toBe(true);
    const online = 'slave0:ip=127.0.0.1,port=7001,state=online,offset=10,lag=0\r\n';
    const lagging = 'slave1:ip=127.0.0.1,port=7002,state=online,offset=10,lag=30\r\n';
    const syncing = 'slave2:ip=127.0.0.1,port=7003,state=wait_bgsave,offset=0,lag=0\r\n';
    expect(servesAsMaster(master(online + lagging + syncing), 1)).toBe(true);
    expect(servesAsMaster(master(online + lagging + syncing), 2)).toBe(false);
  });

  it('never trusts a replica', () => {
    expect(servesAsMaster('# Replication\r\nrole:slave\r\nmaster_link_status:up\r\n', 0)).toBe(
      false,
    );
  });
});

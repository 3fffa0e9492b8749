/**
 * What the contract suite runs against. By default a fresh mock server that the suite starts
 * itself (in this process, on an ephemeral port on 127.0.0.1), with every capability. Pointed
 * elsewhere with environment variables, it runs the same cases against any deployment:
 *
 *   CHATTING_BASE_URL          the API base, e.g. https://usechatting.com/api/zapier
 *   CHATTING_API_KEY           a key of the workspace under test (required with a base URL)
 *   CHATTING_SECOND_API_KEY    a key of another workspace: enables the isolation cases
 *   CHATTING_REVOKED_API_KEY   a revoked key: enables that auth case
 *   CHATTING_NO_SITE_API_KEY   a key of a workspace without a primary site: that POST /contacts case
 *   CHATTING_CONTRACT_WRITES=1 allow cases that send anything but GET (off by default)
 *   CHATTING_ADMIN_URL         an admin API (a mock started elsewhere, …/__admin): enables event,
 *                              fault and rate-limit cases
 *   CHATTING_ADMIN_TOKEN       that admin API's token, for a mock that asks for one (off loopback)
 *
 * Read-only means GET only: not even a request the contract says must be refused is sent,
 * since a deployment that accepted it would change a customer's workspace.
 */
import { DEMO_KEYS } from '../../mock-server/store/seed';
import { startMock, type RunningMock } from '../helpers/mock';
import type { Need } from './suite';

/** What the suite knows before it starts anything: the keys and what the target allows. */
export interface TargetSpec {
  /** The API base URL (…/api/zapier), or null: start a fresh mock. */
  base: string | null;
  key: string;
  secondKey: string | null;
  revokedKey: string | null;
  /** A key of a workspace without a primary site (the mock's demo data has one). */
  noSiteKey: string | null;
  writes: boolean;
  /** The admin API base (…/__admin); 'mock' when it will be the suite's own mock's. */
  admin: string | null;
  /** Sent as X-Admin-Token to that admin API, when it asks for one. */
  adminToken?: string | null;
}

/** A fresh mock of the suite's own, with every capability. */
export function ownMockSpec(): TargetSpec {
  return {
    base: null,
    key: DEMO_KEYS.acme,
    secondKey: DEMO_KEYS.globex,
    revokedKey: DEMO_KEYS.revoked,
    noSiteKey: DEMO_KEYS.nosite,
    writes: true,
    admin: 'mock',
  };
}

export function targetSpec(): TargetSpec {
  const base = process.env.CHATTING_BASE_URL;
  if (!base) return ownMockSpec();
  const key = process.env.CHATTING_API_KEY;
  if (!key) throw new Error('CHATTING_BASE_URL is set: CHATTING_API_KEY must be set too');
  return {
    base: base.replace(/\/+$/, ''),
    key,
    secondKey: process.env.CHATTING_SECOND_API_KEY ?? null,
    revokedKey: process.env.CHATTING_REVOKED_API_KEY ?? null,
    noSiteKey: process.env.CHATTING_NO_SITE_API_KEY ?? null,
    writes: process.env.CHATTING_CONTRACT_WRITES === '1',
    admin: process.env.CHATTING_ADMIN_URL?.replace(/\/+$/, '') ?? null,
    adminToken: process.env.CHATTING_ADMIN_TOKEN ?? null,
  };
}

export interface Target extends TargetSpec {
  /** How the summary names the target. */
  name: string;
  api: string;
  admin: string | null;
  /** The mock, when the suite started it (for cases that look inside). */
  mock: RunningMock | null;
  stop(): Promise<void>;
}

export async function openTarget(spec: TargetSpec = targetSpec()): Promise<Target> {
  if (spec.base) {
    return { ...spec, name: spec.base, api: spec.base, mock: null, stop: () => Promise.resolve() };
  }
  const mock = await startMock({ delivery: { backoffMs: 50, attempts: 3, timeoutMs: 2000 } });
  return {
    ...spec,
    name: `a fresh mock at ${mock.base}`,
    api: `${mock.base}/api/zapier`,
    admin: `${mock.base}/__admin`,
    mock,
    stop: () => mock.stop(),
  };
}

/** Why the target cannot support a case that needs these, or null when it can. */
export function missing(spec: TargetSpec, what: readonly Need[]): string | null {
  for (const need of what) {
    if (need === 'writes' && !spec.writes) {
      return 'read-only target (set CHATTING_CONTRACT_WRITES=1 to allow writes)';
    }
    if (need === 'admin' && !spec.admin) {
      return 'the target has no admin API (set CHATTING_ADMIN_URL for a mock)';
    }
    if (need === 'second key' && !spec.secondKey) {
      return 'no second workspace (set CHATTING_SECOND_API_KEY)';
    }
    if (need === 'revoked key' && !spec.revokedKey) {
      return 'no revoked key (set CHATTING_REVOKED_API_KEY)';
    }
    if (need === 'site-less key' && !spec.noSiteKey) {
      return 'no workspace without a primary site (set CHATTING_NO_SITE_API_KEY)';
    }
  }
  return null;
}

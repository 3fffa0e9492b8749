/** What endpoint handlers and admin routes share. */
import type { Deliverer } from '../events/deliverer';
import type { FaultRules } from '../api/fault-injection';
import type { RecentRequests } from '../http/recent-requests';
import type { Store } from '../store/store';

export interface Settings {
  /** Reject loopback, private, link-local and metadata target URLs (as production must). */
  strictTargets: boolean;
  /** Requests a minute per API key; null: unlimited. */
  rateLimitPerMinute: number | null;
  /** Required on every admin call when set. */
  adminToken: string | null;
}

export interface Services {
  store: Store;
  settings: Settings;
  deliverer: Deliverer;
  faults: FaultRules;
  /** The request journal: the last API requests, for QA. */
  requests: RecentRequests;
  startedAt: number;
}

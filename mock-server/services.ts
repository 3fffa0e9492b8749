/** What endpoint handlers and admin routes share. */
import type { Deliverer } from './events/deliverer';
import type { FaultRules } from './faults';
import type { RequestJournal } from './request-journal';
import type { Store } from './store/store';

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
  requests: RequestJournal;
  startedAt: number;
}

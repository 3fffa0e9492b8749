/** What endpoint handlers and admin routes share: the store and the server's settings. */
import type { Store } from './store/store';

export interface Settings {
  /** Reject loopback, private, link-local and metadata target URLs (as production must). */
  strictTargets: boolean;
}

export interface Services {
  store: Store;
  settings: Settings;
}

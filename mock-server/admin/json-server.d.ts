// json-server 0.17 ships no types; this is the part the db browser uses.
declare module 'json-server' {
  import type { Express, Request, Response, Router } from 'express';

  interface JsonServerRouter extends Router {
    render: (request: Request, response: Response) => void;
  }

  /** An express app of json-server's own express. */
  export function create(): Express;
  export function router(db: object, options?: { foreignKeySuffix?: string }): JsonServerRouter;
}

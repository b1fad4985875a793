import type { Client } from '@temporalio/client';
import type { Config } from '../config';
import type { Db } from '../db/database';
import type { ApiMetrics } from '../metrics/apiMetrics';
import type { HighLevelTokenStore } from '../providers/highlevel/tokenStore';
import type { SecretBox } from '../security/secretBox';

/** What the receivers need: config, the database and a Temporal client (lazy, so the API starts while Temporal is down). */
export interface HttpContext {
  config: Config;
  db: Db;
  temporal: Client;
  box: SecretBox;
  /** Set by buildApp. */
  metrics?: ApiMetrics;
  /** The HighLevel token store (one per app: its cache of decrypted tokens is shared); set by buildApp. */
  tokens?: HighLevelTokenStore;
}

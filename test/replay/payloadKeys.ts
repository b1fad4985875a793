/**
 * The key the encrypted replay fixtures (*-encrypted.json) were recorded with. A test key, public on purpose: the
 * fixtures hold simulator data only, and replay must decrypt them.
 */
export const REPLAY_PAYLOAD_KEYS = 'replay-fixtures:e+YeQsFiLHZvUC2ulKusROP43tBI7PF2kYHZXOPXNio=';

import { HIGHLEVEL_PUBLISHED_PUBLIC_KEY, loadConfig, wantsSimulators } from '../../src/config';

describe('loadConfig', () => {
  it('defaults to the real services and the embedded local setup', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      PORT: 3000,
      PUBLIC_BASE_URL: 'http://127.0.0.1:3000',
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/ghl_whatsapp',
      TEMPORAL_NAMESPACE: 'default',
      HIGHLEVEL_API_BASE_URL: 'https://services.leadconnectorhq.com',
      HIGHLEVEL_WEBHOOK_PUBLIC_KEY: HIGHLEVEL_PUBLISHED_PUBLIC_KEY,
      WHATSAPP_GRAPH_BASE_URL: 'https://graph.facebook.com/v23.0',
      TWILIO_API_BASE_URL: 'https://api.twilio.com',
    });
    expect(config.TEMPORAL_ADDRESS).toBeUndefined();
  });

  it.each([
    [{ PORT: 'eighty' }, 'PORT'],
    [{ DATABASE_URL: 'not a url' }, 'DATABASE_URL'],
    [{ ENCRYPTION_KEY: 'c2hvcnQ=' }, 'ENCRYPTION_KEY'],
    [{ SIMULATORS: 'maybe' }, 'SIMULATORS'],
    [{ HIGHLEVEL_API_BASE_URL: 'services.leadconnectorhq.com' }, 'HIGHLEVEL_API_BASE_URL'],
  ])('fails on %j with a message naming %s', (env, name) => {
    expect(() => loadConfig(env)).toThrow(new RegExp(`^Invalid configuration:\\n  ${name}: `));
  });

  it('treats empty values as unset and strips trailing slashes from URLs', () => {
    const config = loadConfig({ TEMPORAL_ADDRESS: '', HIGHLEVEL_API_BASE_URL: 'http://127.0.0.1:4010/' });
    expect(config.TEMPORAL_ADDRESS).toBeUndefined();
    expect(config.HIGHLEVEL_API_BASE_URL).toBe('http://127.0.0.1:4010');
  });

  it('runs the simulators only while no real credentials are configured', () => {
    expect(wantsSimulators(loadConfig({}))).toBe(true);
    expect(wantsSimulators(loadConfig({ META_APP_SECRET: 'real' }))).toBe(false);
    expect(wantsSimulators(loadConfig({ META_APP_SECRET: 'real', SIMULATORS: 'on' }))).toBe(true);
  });
});

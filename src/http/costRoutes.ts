import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { LocationRow } from '../db/schema';
import { ANY_COUNTRY, costCsv, costReport, rateCardAt, type RateCard } from '../domain/costs';
import { fetchTwilioMessagePrice } from '../providers/twilio/messagePrice';
import { costFacts, listRateCards, saveRateCard } from '../store/costs';
import { findLocation } from '../store/locations';
import type { HttpContext } from './context';
import { parseJson, rawBodyOf } from './rawBody';
import { badRequest, zodFields } from './replies';
import { requireAdminToken } from './adminAuth';

const country = z.string().refine((key) => key === ANY_COUNTRY || /^[A-Z]{2}$/.test(key), 'a country code such as US (ISO 3166 alpha-2), or * for any other');
const price = z.number().nonnegative().max(1000);
const instant = z.union([z.iso.date(), z.iso.datetime({ offset: true })], { error: 'a date (2026-11-01) or an ISO date-time with offset' });
const MAX_PERIOD_DAYS = 366;
const DAY_MS = 86_400_000;

/** Request schemas by route, in the shape Fastify route schemas take (params / body / querystring). */
const schemas = {
  params: z.object({ locationId: z.string() }),
  putRates: {
    body: z.strictObject({
      currency: z.string().regex(/^[A-Z]{3}$/, 'an ISO 4217 currency code such as USD'),
      effectiveFrom: z.iso.date({ error: 'a day such as 2026-01-01' }),
      whatsapp: z
        .record(country, z.strictObject({ marketing: price.optional(), utility: price.optional(), authentication: price.optional(), service: price.optional() }))
        .default({}),
      sms: z.record(country, price).default({}),
    }),
  },
  getCosts: {
    querystring: z
      .strictObject({ from: instant, to: instant, format: z.enum(['json', 'csv']).default('json') })
      .transform((query) => ({ ...query, period: periodOf(query.from, query.to) }))
      .refine((query) => query.period.from < query.period.to, { message: 'from must be before to', path: ['to'] })
      .refine((query) => query.period.to.getTime() - query.period.from.getTime() <= MAX_PERIOD_DAYS * DAY_MS, { message: `at most ${MAX_PERIOD_DAYS} days`, path: ['to'] }),
  },
};

/** A day as `to` includes that whole day (UTC). */
function periodOf(from: string, to: string): { from: Date; to: Date } {
  const dayOnly = (value: string) => /^\d{4}-\d{2}-\d{2}$/.test(value);
  const end = new Date(dayOnly(to) ? `${to}T00:00:00Z` : to);
  return { from: new Date(dayOnly(from) ? `${from}T00:00:00Z` : from), to: dayOnly(to) ? new Date(end.getTime() + DAY_MS) : end };
}

type Params = z.infer<typeof schemas.params>;

/**
 * Operator API (Bearer ADMIN_TOKEN) for costs (issue 18): a location's rate cards, and what its messages cost and
 * saved over a period (JSON, or CSV with one line per message). Computation in src/domain/costs.ts.
 */
export function registerCostRoutes(app: FastifyInstance, ctx: HttpContext): void {
  app.register(async (admin) => {
    requireAdminToken(admin, ctx);

    admin.put<{ Params: Params }>('/admin/locations/:locationId/rates', async (request, reply) => {
      const { locationId } = request.params;
      const json = parseJson(rawBodyOf(request));
      if (!json.ok) return badRequest(reply, 'body is not valid JSON');
      const parsed = schemas.putRates.body.safeParse(json.value);
      if (!parsed.success) return badRequest(reply, 'invalid rate card', zodFields(parsed.error));
      if (!(await findLocation(ctx.db, locationId))) return reply.code(404).send({ error: 'unknown location' });
      const card: RateCard = parsed.data;
      // One currency per location: a report adds up amounts of every card in its period.
      const other = (await listRateCards(ctx.db, locationId)).find((existing) => existing.effectiveFrom !== card.effectiveFrom && existing.currency !== card.currency);
      if (other) return badRequest(reply, 'invalid rate card', [{ field: 'currency', problem: `the location's other rate cards are in ${other.currency}` }]);
      await saveRateCard(ctx.db, locationId, card);
      return card;
    });

    admin.get<{ Params: Params }>('/admin/locations/:locationId/rates', async (request, reply) => {
      const { locationId } = request.params;
      if (!(await findLocation(ctx.db, locationId))) return reply.code(404).send({ error: 'unknown location' });
      const cards = await listRateCards(ctx.db, locationId);
      return { locationId, current: rateCardAt(cards, new Date()) ?? null, cards };
    });

    admin.get<{ Params: Params }>('/admin/locations/:locationId/costs', async (request, reply) => {
      const { locationId } = request.params;
      const query = schemas.getCosts.querystring.safeParse(request.query);
      if (!query.success) return badRequest(reply, 'invalid query', zodFields(query.error));
      const location = await findLocation(ctx.db, locationId);
      if (!location) return reply.code(404).send({ error: 'unknown location' });
      const { period, format } = query.data;
      const [cards, facts] = await Promise.all([listRateCards(ctx.db, locationId), costFacts(ctx.db, locationId, period, twilioPrices(ctx, location, request.log))]);
      const report = costReport(facts, cards);
      if (format === 'csv') {
        const name = `costs-${locationId}-${query.data.from}-${query.data.to}.csv`.replace(/[^\w.-]/g, '_');
        return reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${name}"`).send(costCsv(report));
      }
      return { locationId, from: period.from.toISOString(), to: period.to.toISOString(), ...report };
    });
  });
}

/**
 * Twilio's final price of a message's SMS, asked from its Message resource (null until every one of them is final);
 * undefined when the location has no Twilio account. A failed lookup leaves the rate card's estimate.
 */
function twilioPrices(ctx: HttpContext, location: LocationRow, log: FastifyBaseLogger) {
  if (!location.twilio_account_sid || !location.twilio_auth_token_enc) return undefined;
  const access = {
    apiBaseUrl: ctx.config.TWILIO_API_BASE_URL,
    accountSid: location.twilio_account_sid,
    authorization: `Basic ${Buffer.from(`${location.twilio_account_sid}:${ctx.box.decrypt(location.twilio_auth_token_enc)}`).toString('base64')}`,
  };
  return async (sids: string[]) => {
    try {
      const prices = await Promise.all(sids.map((sid) => fetchTwilioMessagePrice(access, sid)));
      if (prices.some((price) => price.amount === null || price.unit === null)) return null;
      return {
        amount: prices.reduce((sum, price) => sum + (price.amount ?? 0), 0),
        unit: prices[0]?.unit ?? 'USD',
        segments: prices.every((price) => price.segments !== null) ? prices.reduce((sum, price) => sum + (price.segments ?? 0), 0) : null,
      };
    } catch (error) {
      log.warn({ locationId: location.id, error: error instanceof Error ? error.message : String(error) }, 'Twilio price lookup failed; the rate card estimates the SMS');
      return null;
    }
  };
}

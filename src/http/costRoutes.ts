import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { LocationRow } from '../db/schema';
import { ANY_COUNTRY, costCsv, costReport, rateCardAt, type RateCard } from '../domain/costs';
import { fetchTwilioMessagePrice } from '../providers/twilio/messagePrice';
import { costFacts, listRateCards, saveRateCard } from '../store/costs';
import { findLocation } from '../store/locations';
import type { HttpContext } from './context';
import { badRequest } from './replies';
import { requireAdminToken } from './adminAuth';
import { adminRoute, errorReply, locationParams } from './adminSchemas';
import { twilioAuthorization } from '../providers/twilio/basicAuth';

const country = z.string().refine((key) => key === ANY_COUNTRY || /^[A-Z]{2}$/.test(key), 'a country code such as US (ISO 3166 alpha-2), or * for any other');
const price = z.number().nonnegative().max(1000);
const instant = z.union([z.iso.date(), z.iso.datetime({ offset: true })], { error: 'a date (2026-11-01) or an ISO date-time with offset' });
const MAX_PERIOD_DAYS = 366;
const DAY_MS = 86_400_000;

const rateCard = z.strictObject({
      currency: z.string().regex(/^[A-Z]{3}$/, 'an ISO 4217 currency code such as USD'),
      effectiveFrom: z.iso.date({ error: 'a day such as 2026-01-01' }),
      whatsapp: z
        .record(country, z.strictObject({ marketing: price.optional(), utility: price.optional(), authentication: price.optional(), service: price.optional() }))
        .default({}),
  sms: z.record(country, price).default({}),
});
const costQuery = z
  .strictObject({ from: instant, to: instant, format: z.enum(['json', 'csv']).default('json') })
  .refine((query) => periodOf(query.from, query.to).from < periodOf(query.from, query.to).to, { message: 'from must be before to', path: ['to'] })
  .refine((query) => {
    const period = periodOf(query.from, query.to);
    return period.to.getTime() - period.from.getTime() <= MAX_PERIOD_DAYS * DAY_MS;
  }, { message: `at most ${MAX_PERIOD_DAYS} days`, path: ['to'] });

const putRatesSchema = adminRoute('costs', {
  summary: "Set the location's rate card from a day on (WhatsApp by country and category, SMS per segment by country)",
  params: locationParams,
  body: rateCard,
  response: { 200: rateCard, 404: errorReply },
});
const getRatesSchema = adminRoute('costs', {
  summary: "The location's rate cards and the one in force today",
  params: locationParams,
  response: { 200: z.object({ locationId: z.string(), current: rateCard.nullable(), cards: z.array(rateCard) }), 404: errorReply },
});
const getCostsSchema = adminRoute('costs', {
  summary: 'What the messages of a period cost and saved (JSON, or CSV with one line per message)',
  params: locationParams,
  querystring: costQuery,
  response: {
    200: z.union([
      z.looseObject({ locationId: z.string(), from: z.string(), to: z.string(), currency: z.string().nullable() }).describe('totals, by channel and category, and per message (see README, Costs)'),
      z.string().describe('format=csv: text/csv, one line per message'),
    ]),
    404: errorReply,
  },
});

/** A day as `to` includes that whole day (UTC). */
function periodOf(from: string, to: string): { from: Date; to: Date } {
  const dayOnly = (value: string) => /^\d{4}-\d{2}-\d{2}$/.test(value);
  const end = new Date(dayOnly(to) ? `${to}T00:00:00Z` : to);
  return { from: new Date(dayOnly(from) ? `${from}T00:00:00Z` : from), to: dayOnly(to) ? new Date(end.getTime() + DAY_MS) : end };
}

/**
 * Operator API (Bearer ADMIN_TOKEN) for costs (issue 18): a location's rate cards, and what its messages cost and
 * saved over a period (JSON, or CSV with one line per message). Computation in src/domain/costs.ts.
 */
export function registerCostRoutes(app: FastifyInstance, ctx: HttpContext): void {
  app.register(async (scope) => {
    requireAdminToken(scope, ctx);
    const admin = scope.withTypeProvider<ZodTypeProvider>();

    admin.put('/admin/locations/:locationId/rates', { schema: putRatesSchema, config: { invalidRequest: 'invalid rate card' } }, async (request, reply) => {
      const { locationId } = request.params;
      if (!(await findLocation(ctx.db, locationId))) return reply.code(404).send({ error: 'unknown location' });
      const card: RateCard = request.body;
      // One currency per location: a report adds up amounts of every card in its period.
      const other = (await listRateCards(ctx.db, locationId)).find((existing) => existing.effectiveFrom !== card.effectiveFrom && existing.currency !== card.currency);
      if (other) return badRequest(reply, 'invalid rate card', [{ field: 'currency', problem: `the location's other rate cards are in ${other.currency}` }]);
      await saveRateCard(ctx.db, locationId, card);
      return card;
    });

    admin.get('/admin/locations/:locationId/rates', { schema: getRatesSchema }, async (request, reply) => {
      const { locationId } = request.params;
      if (!(await findLocation(ctx.db, locationId))) return reply.code(404).send({ error: 'unknown location' });
      const cards = await listRateCards(ctx.db, locationId);
      return { locationId, current: rateCardAt(cards, new Date()) ?? null, cards };
    });

    admin.get('/admin/locations/:locationId/costs', { schema: getCostsSchema, config: { invalidRequest: 'invalid query' } }, async (request, reply) => {
      const { locationId } = request.params;
      const location = await findLocation(ctx.db, locationId);
      if (!location) return reply.code(404).send({ error: 'unknown location' });
      const { format, from, to } = request.query;
      const period = periodOf(from, to);
      const [cards, facts] = await Promise.all([listRateCards(ctx.db, locationId), costFacts(ctx.db, locationId, period, twilioPrices(ctx, location, request.log))]);
      const report = costReport(facts, cards);
      if (format === 'csv') {
        const name = `costs-${locationId}-${from}-${to}.csv`.replace(/[^\w.-]/g, '_');
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
    authorization: twilioAuthorization({ accountSid: location.twilio_account_sid, authToken: ctx.box.decrypt(location.twilio_auth_token_enc) }),
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

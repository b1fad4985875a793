/**
 * The NON-DURABLE RELAY reference: one Fastify process, no Temporal, no database. Delivery URL: verify the HighLevel
 * signature, answer 200, send the WhatsApp text (the HighLevel message id rides in biz_opaque_callback_data).
 * WhatsApp webhook: verify Meta's signature, push each delivered/read/failed status to HighLevel. A crash loses
 * whatever was in flight: this is the price floor of "verify, send, push", not a design.
 */
import { verifyHighLevelSignature } from '../../../src/providers/highlevel/signature';
import { verifyMetaSignature } from '../../../src/providers/meta/signature';
import { pushHighLevelStatus, rawJsonApp, receiptsOf, referenceConfig, sendWhatsAppText, type OutboundPost } from './shared';

async function main(): Promise<void> {
  const config = referenceConfig();
  const app = rawJsonApp();
  let failures = 0;
  const report = (error: unknown) => {
    failures += 1;
    if (failures <= 5) console.error(`relay: ${error instanceof Error ? error.message : String(error)}`);
  };

  app.post('/delivery', async (request, reply) => {
    const signature = request.headers['x-ghl-signature'];
    if (!verifyHighLevelSignature(request.rawBuffer ?? Buffer.alloc(0), typeof signature === 'string' ? signature : undefined, config.highLevelPublicKeyPem)) {
      return reply.code(401).send({ error: 'bad signature' });
    }
    const message = request.body as OutboundPost;
    sendWhatsAppText(config, message.phone, message.message, `relay:${message.messageId}`).catch(report);
    return { ok: true };
  });

  app.post('/webhooks/whatsapp', async (request, reply) => {
    const signature = request.headers['x-hub-signature-256'];
    if (!verifyMetaSignature(request.rawBuffer ?? Buffer.alloc(0), typeof signature === 'string' ? signature : undefined, config.metaAppSecret)) {
      return reply.code(401).send({ error: 'bad signature' });
    }
    for (const receipt of receiptsOf(request.body)) {
      if (receipt.status === 'sent' || !receipt.reference?.startsWith('relay:')) continue;
      pushHighLevelStatus(config, receipt.reference.slice('relay:'.length), receipt.status).catch(report);
    }
    return { ok: true };
  });

  await app.listen({ host: '127.0.0.1', port: config.port });
  process.once('SIGTERM', () => void app.close());
  process.once('SIGINT', () => void app.close());
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

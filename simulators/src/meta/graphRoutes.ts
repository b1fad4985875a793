import type { FastifyError, FastifyInstance } from 'fastify';
import { AccountRegistry, requireKnownToken } from './accounts';
import { faultError, GraphError, invalidToken, unknownObject } from './graphErrors';
import { newWamid } from './ids';
import { isJsonObject, validateSendRequest, type JsonObject } from './sendValidation';
import { checkTemplateSend, type StoredTemplate, type TemplateListQuery, type TemplateStore } from './templates';
import type { MarkedAsRead, MetaAccount, SendFault } from './types';

/** Graph API routes for sending and template listing, plus Meta-shaped error rendering. */

export interface AcceptedSend {
  wamid: string;
  account: MetaAccount;
  to: string;
  waId: string;
  type: string;
  payload: JsonObject;
  template?: StoredTemplate;
  bizOpaqueCallbackData?: string;
}

export interface GraphRouteContext {
  apiVersion: string;
  origin(): string;
  accounts: AccountRegistry;
  templates: TemplateStore;
  takeSendFault(): SendFault | undefined;
  acceptSend(send: AcceptedSend): void;
  recordMarkAsRead(entry: MarkedAsRead): void;
  /** The WhatsApp id a number reaches (contacts[].wa_id); may differ from the number. */
  waIdFor(phone: string): string;
}

/** Auth as the brief's contract wants it: unknown token 401, unknown number 400 (#100), foreign token 401. */
function authorizeNumber(context: GraphRouteContext, request: Parameters<typeof requireKnownToken>[0], phoneNumberId: string): MetaAccount {
  const token = requireKnownToken(request, context.accounts);
  const account = context.accounts.byPhoneNumber(phoneNumberId);
  if (!account) throw unknownObject(phoneNumberId, 'post');
  if (account.accessToken !== token) throw invalidToken();
  return account;
}

export function registerGraphRoutes(app: FastifyInstance, context: GraphRouteContext): void {
  const version = context.apiVersion;

  app.post<{ Params: { phoneNumberId: string } }>(`/${version}/:phoneNumberId/messages`, async (request) => {
    const account = authorizeNumber(context, request, request.params.phoneNumberId);
    const body = request.body;
    const isMarkAsRead = isJsonObject(body) && body.status === 'read';
    if (!isMarkAsRead) {
      const fault = context.takeSendFault();
      if (fault) throw faultError(fault);
    }
    const validated = validateSendRequest(body);
    if (validated.kind === 'markRead') {
      context.recordMarkAsRead({
        phoneNumberId: account.phoneNumberId,
        messageId: validated.messageId,
        ...(validated.typingIndicator === undefined ? {} : { typingIndicator: validated.typingIndicator }),
        at: Date.now(),
      });
      return { success: true };
    }
    const template = validated.template
      ? checkTemplateSend(context.templates.find(account.wabaId, validated.template.name, validated.template.languageCode), validated.template)
      : undefined;
    const waId = context.waIdFor(validated.to);
    const wamid = newWamid(waId, 'outbound');
    context.acceptSend({
      wamid,
      account,
      to: validated.to,
      waId,
      type: validated.type,
      payload: body as JsonObject,
      ...(template ? { template } : {}),
      ...(validated.bizOpaqueCallbackData === undefined ? {} : { bizOpaqueCallbackData: validated.bizOpaqueCallbackData }),
    });
    return {
      messaging_product: 'whatsapp',
      contacts: [{ input: validated.to, wa_id: waId }],
      messages: [template ? { id: wamid, message_status: 'accepted' } : { id: wamid }],
    };
  });

  app.get<{ Params: { wabaId: string }; Querystring: TemplateListQuery }>(`/${version}/:wabaId/message_templates`, async (request) => {
    const token = requireKnownToken(request, context.accounts);
    const { wabaId } = request.params;
    if (!context.accounts.hasWaba(wabaId)) throw unknownObject(wabaId, 'get');
    if (!context.accounts.tokenOwnsWaba(token, wabaId)) throw invalidToken();
    return context.templates.list(wabaId, request.query, `${context.origin()}${request.url}`);
  });
}

/** Renders GraphError (and Fastify's own errors) in Meta's shape; /_sim routes get plain JSON errors. */
export function registerGraphErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | GraphError, request, reply) => {
    if (request.url.startsWith('/_sim')) {
      const statusCode = error instanceof GraphError ? error.httpStatus : (error.statusCode ?? 500);
      return reply.status(statusCode).send({ error: error.message });
    }
    if (error instanceof GraphError) return reply.status(error.httpStatus).send(error.body);
    const statusCode = error.statusCode ?? 500;
    const graphError =
      statusCode < 500
        ? new GraphError({ httpStatus: statusCode, code: 100, details: error.message })
        : new GraphError({ httpStatus: 500, code: 1, details: error.message, isTransient: true });
    return reply.status(graphError.httpStatus).send(graphError.body);
  });

  app.setNotFoundHandler((request, reply) => {
    const path = new URL(request.url, 'http://simulator').pathname;
    const error = new GraphError({ httpStatus: 400, code: 2500, title: `Unknown path components: ${path}` });
    return reply.status(error.httpStatus).send(error.body);
  });
}

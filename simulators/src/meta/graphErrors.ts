import { newFbTraceId } from './ids';
import type { SendFault } from './types';

/** Titles Meta puts into `message` as '(#code) Title' (whatsapp.md A.2). */
const TITLES: Record<number, string> = {
  0: 'AuthException',
  1: 'API Unknown',
  2: 'API Service',
  4: 'API Too Many Calls',
  10: 'Permission Denied',
  100: 'Invalid parameter',
  190: 'Invalid OAuth access token - Cannot parse access token',
  368: 'Temporarily blocked for policies violations',
  130429: 'Rate limit hit',
  131000: 'Something went wrong',
  131008: 'Required parameter is missing',
  131009: 'Parameter value is not valid',
  131016: 'Service unavailable',
  131026: 'Message Undeliverable',
  131031: 'Account has been locked',
  131047: 'Re-engagement message',
  131048: 'Spam rate limit hit',
  131049: 'This message was not delivered to maintain healthy ecosystem engagement.',
  131050: 'User has stopped marketing messages',
  131051: 'Unsupported message type',
  131053: 'Media upload error',
  131056: '(Business Account, Consumer Account) pair rate limit hit',
  131057: 'Account in maintenance mode',
  132000: 'Number of parameters does not match the expected number of params',
  132001: 'Template name does not exist in the translation',
  132015: 'Template is Paused',
  132016: 'Template is Disabled',
  133004: 'Server temporarily unavailable',
};

export function titleForCode(code: number): string {
  return TITLES[code] ?? 'Unknown error';
}

export interface GraphErrorBody {
  error: {
    message: string;
    type: string;
    code: number;
    error_subcode?: number;
    error_data?: { messaging_product: 'whatsapp'; details: string };
    is_transient?: boolean;
    fbtrace_id: string;
  };
}

interface GraphErrorInit {
  httpStatus: number;
  code: number;
  title?: string;
  details?: string;
  type?: 'OAuthException' | 'GraphMethodException';
  subcode?: number;
  isTransient?: boolean;
}

/** A Graph API error response; route handlers throw it and the error handler renders it. */
export class GraphError extends Error {
  readonly httpStatus: number;
  readonly body: GraphErrorBody;

  constructor(init: GraphErrorInit) {
    const title = init.title ?? titleForCode(init.code);
    const message = title.startsWith('(#') ? title : `(#${init.code}) ${title}`;
    super(message);
    this.httpStatus = init.httpStatus;
    this.body = {
      error: {
        message,
        type: init.type ?? 'OAuthException',
        code: init.code,
        ...(init.subcode === undefined ? {} : { error_subcode: init.subcode }),
        ...(init.details === undefined ? {} : { error_data: { messaging_product: 'whatsapp' as const, details: init.details } }),
        ...(init.isTransient === undefined ? {} : { is_transient: init.isTransient }),
        fbtrace_id: newFbTraceId(),
      },
    };
  }
}

/** HTTP 400 validation error with Meta's error_data.details. */
export function invalidRequest(code: number, details: string, httpStatus = 400): GraphError {
  return new GraphError({ httpStatus, code, details });
}

export function invalidToken(): GraphError {
  return new GraphError({ httpStatus: 401, code: 190 });
}

/** What Graph answers for an id that does not exist (or that the token may not see). */
export function unknownObject(id: string, method: 'get' | 'post' | 'delete', httpStatus = 400): GraphError {
  return new GraphError({
    httpStatus,
    code: 100,
    subcode: 33,
    type: 'GraphMethodException',
    title: `Unsupported ${method} request. Object with ID '${id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation`,
  });
}

export function faultError(fault: SendFault): GraphError {
  return new GraphError({
    httpStatus: fault.httpStatus,
    code: fault.code,
    title: fault.message,
    details: fault.details ?? fault.message ?? titleForCode(fault.code),
    isTransient: fault.isTransient,
  });
}

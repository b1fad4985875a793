export * from './deliverMessage';
export * from './receiveInbound';
export * from './syncTemplates';

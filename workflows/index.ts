export * from './deliverMessage';

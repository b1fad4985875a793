// The loopback simulators of HighLevel, Meta's WhatsApp Cloud API and Twilio, for the tests, the demo and the bench.
export * from './highlevel';
export * from './meta';
export * from './twilio';
export { createSimulatorApp, listenOnLoopback, sleep, type RecordedRequest } from './support';

import { failureClassOf, replayVerdict } from '../../src/domain/replayRules';

describe('replayVerdict (decided from the ledger)', () => {
  it('replays a failed message that never reached the contact', () => {
    expect(replayVerdict({ status: 'failed', reachedContact: false })).toEqual({ action: 'replay' });
  });

  it('never replays a message that reached the contact on any channel, whatever the row says', () => {
    expect(replayVerdict({ status: 'failed', reachedContact: true })).toMatchObject({ action: 'skip', why: 'already_delivered' });
    expect(replayVerdict({ status: 'read', reachedContact: false })).toMatchObject({ action: 'skip', why: 'already_delivered' });
    expect(replayVerdict({ status: 'delivered', reachedContact: false })).toMatchObject({ action: 'skip', why: 'already_delivered' });
  });

  it('leaves messages still under way alone', () => {
    for (const status of ['received', 'sent', 'held']) expect(replayVerdict({ status, reachedContact: false })).toMatchObject({ action: 'skip', why: 'in_progress', status });
  });
});

describe('failureClassOf', () => {
  it('classifies our own codes and each provider by its own table', () => {
    expect(failureClassOf('no_template_match', null)).toBe('needs_template');
    expect(failureClassOf('sender_paused', null)).toBe('pause_sender');
    expect(failureClassOf('dnd', null)).toBe('consent');
    expect(failureClassOf('131048', 'meta')).toBe('pause_sender');
    expect(failureClassOf('131047', 'meta')).toBe('needs_template');
    expect(failureClassOf('63016', 'twilio')).toBe('needs_template');
    expect(failureClassOf('something_new', null)).toBe('permanent');
  });
});

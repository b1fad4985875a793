/** Every Twilio REST call authenticates with HTTP Basic: the Account SID and its auth token. */
export function twilioAuthorization(credentials: { accountSid: string; authToken: string }): string {
  return `Basic ${Buffer.from(`${credentials.accountSid}:${credentials.authToken}`).toString('base64')}`;
}

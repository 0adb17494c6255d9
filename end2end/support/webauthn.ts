import type { CDPSession, Page } from '@playwright/test';

/*
 * Chromium's virtual authenticator (DevTools protocol, WebAuthn domain): a
 * platform authenticator with discoverable credentials and user
 * verification, answering without a prompt. Nothing is downloaded; the
 * browser signs with keys it makes itself.
 */

export interface VirtualAuthenticator {
  cdp: CDPSession;
  id: string;
}

/** Adds a virtual authenticator to `page`'s browser context. */
export async function virtualAuthenticator(page: Page): Promise<VirtualAuthenticator> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  return { cdp, id: authenticatorId };
}

/** The credentials the authenticator holds, private keys and counters included. */
export async function credentials(a: VirtualAuthenticator) {
  const { credentials } = await a.cdp.send('WebAuthn.getCredentials', { authenticatorId: a.id });
  return credentials;
}

/** Whether the authenticator reports the user verified (a PIN or biometric passed). */
export async function userVerified(a: VirtualAuthenticator, verified: boolean): Promise<void> {
  await a.cdp.send('WebAuthn.setUserVerified', { authenticatorId: a.id, isUserVerified: verified });
}

/**
 * Makes `page` a browser without passkey autofill (conditional mediation),
 * as some still are: the sign-in page then waits for the button. The
 * virtual authenticator answers an autofill request at once, as a person
 * picking the passkey from the suggestions would.
 */
export async function withoutAutofill(page: Page): Promise<void> {
  await page.addInitScript(() => {
    if (window.PublicKeyCredential) {
      PublicKeyCredential.isConditionalMediationAvailable = async () => false;
    }
  });
}

/** The origin passkeys work on: browsers refuse WebAuthn on an IP address. */
export function localhostURL(): string {
  return `http://localhost:${process.env.E2E_PORT}`;
}

import { randomBytes } from 'node:crypto';

export interface Credentials {
  username: string;
  password: string;
}

/**
 * A fresh account for one test: a lower-case username that no other test
 * uses (17 characters, within the server's 3 to 32) and a valid password.
 * The account does not exist until the test signs it up.
 */
export function newUser(): Credentials {
  return {
    username: `u${randomBytes(8).toString('hex')}`,
    password: `pw-${randomBytes(8).toString('hex')}`,
  };
}

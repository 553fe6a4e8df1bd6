import { Injectable } from '@nestjs/common';

/** The time, injected so that domain code and tests never read `Date.now()` directly. */
@Injectable()
export class Clock {
  now(): Date {
    return new Date();
  }
}

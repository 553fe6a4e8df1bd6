import { Injectable } from '@nestjs/common';
import { gauge } from '../metrics';

const caughtUpGauge = gauge(
  'keyway_gateway_projection_caught_up',
  '1 once Redis holds every event published before the last (re)start or replay',
);

/**
 * Whether Redis holds every key event published before this replica (re)started or last found
 * Redis behind: until then verification answers 503 rather than judge a key from part of its
 * history (an `issued` replayed without the `revoked` that follows it).
 */
@Injectable()
export class ProjectionStatus {
  private caughtUpFlag = false;

  get caughtUp(): boolean {
    return this.caughtUpFlag;
  }

  set caughtUp(caughtUp: boolean) {
    this.caughtUpFlag = caughtUp;
    caughtUpGauge.set(caughtUp ? 1 : 0);
  }
}

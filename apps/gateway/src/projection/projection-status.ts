import { Injectable } from '@nestjs/common';
import { Gauge, register } from 'prom-client';

const caughtUpGauge =
  (register.getSingleMetric('keyway_gateway_projection_caught_up') as Gauge | undefined) ??
  new Gauge({
    name: 'keyway_gateway_projection_caught_up',
    help: '1 once Redis holds every event published before the last (re)start or replay',
  });

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

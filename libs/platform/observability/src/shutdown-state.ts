import { Injectable } from '@nestjs/common';

/** Whether the process is shutting down; readiness turns red as soon as it is. */
@Injectable()
export class ShutdownState {
  private shuttingDown = false;

  begin(): void {
    this.shuttingDown = true;
  }

  get isShuttingDown(): boolean {
    return this.shuttingDown;
  }
}
